"""A webhook receiver on 127.0.0.1 that checks apidisco's signature, as a user's would."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.localserver import LocalServer


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's own check (what docs/replay.md shows), independent of apidisco."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    fresh = abs(time.time() - timestamp) <= tolerance
    return fresh and hmac.compare_digest(expected, fields["v1"])


class Receiver(LocalServer):
    """Answers ``status`` (500 to make deliveries fail); keeps each verified document."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.status = 204
        self.received: list[dict[str, Any]] = []
        self.rejected = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                signature = self.headers.get("X-Apidisco-Signature", "")
                if not signature or not verify(owner.secret, signature, body):
                    owner.rejected += 1
                    self.send_response(401)
                elif owner.status >= 300:
                    self.send_response(owner.status)
                else:
                    owner.received.append(json.loads(body))
                    self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        super().__init__(Handler)

    @property
    def url(self) -> str:
        return f"{self.origin}/hooks/apidisco"
