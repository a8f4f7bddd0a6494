"""Webhook notifications: a signed JSON POST, sent only where the SSRF rules allow.

The body is signed with HMAC-SHA256 under the configured secret, Stripe-style,
so a receiver can check it came from apidisco and is fresh::

    X-Apidisco-Signature: t=1767225600,v1=5f2c...e9

``v1`` is the hex HMAC-SHA256 of ``"<t>.<body>"`` (the Unix time and the raw
body bytes); a receiver recomputes it with the shared secret, compares in
constant time and rejects old timestamps. A redirect is an answer, not
followed: delivery succeeded only on a 2xx.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from apidisco.replay.client import RefusedError, SafeClient, TransportError

__all__ = ["SIGNATURE_HEADER", "Delivery", "post_signed", "sign", "verify"]

SIGNATURE_HEADER = "X-Apidisco-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds of ``now``."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).partition(",v1=")[2]
    return hmac.compare_digest(expected, fields.get("v1", ""))


@dataclass(frozen=True)
class Delivery:
    """How one POST went: ``ok`` only for a 2xx."""

    ok: bool
    status: int | None
    error: str | None = None


def post_signed(
    url: str,
    body: bytes,
    *,
    secret: str,
    timestamp: int,
    allow_private: bool = False,
    timeout: float = 10.0,
) -> Delivery:
    """POST ``body`` (JSON) to ``url`` with its signature; never raises for a failed delivery."""
    headers = [
        ("content-type", "application/json"),
        ("user-agent", "apidisco-webhook"),
        (SIGNATURE_HEADER, sign(secret, timestamp, body)),
    ]
    try:
        with SafeClient(allow_private=allow_private, timeout=timeout) as client:
            response = client.request(
                "POST", url, headers=headers, content=body, follow_redirects=False
            )
    except RefusedError as error:
        return Delivery(False, None, f"refused: {error}")
    except TransportError as error:
        return Delivery(False, None, str(error))
    ok = 200 <= response.status < 300
    return Delivery(ok, response.status, None if ok else f"the receiver answered {response.status}")
