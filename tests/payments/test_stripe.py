"""Stripe's signature scheme, checked against HMAC-SHA256 computed independently."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from apidisco.errors import WebhookRefusedError
from apidisco.payments.stripe import sign_payload, verify_signature

SECRET = "whsec_unit"
BODY = b'{"id": "evt_1", "type": "checkout.session.completed"}'
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def _v1(body: bytes, t: int, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def test_sign_payload_is_stripes_hmac() -> None:
    assert sign_payload(BODY, SECRET, T) == _v1(BODY, T)


def test_a_genuine_fresh_signature_is_accepted() -> None:
    header = f"t={T},v1={_v1(BODY, T)}"
    assert verify_signature(BODY, header, SECRET, tolerance=300, now=NOW) == NOW


def test_any_v1_may_match_as_during_secret_rotation() -> None:
    header = f"t={T},v1={_v1(BODY, T, 'whsec_old')},v0=abc,v1={_v1(BODY, T)}"
    assert verify_signature(BODY, header, SECRET, tolerance=300, now=NOW) == NOW


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "header is missing"),
        ("", "header is missing"),
        ("v1=abc", "malformed"),
        (f"t={T}", "malformed"),
        (f"t=soon,v1={_v1(BODY, T)}", "malformed"),
        (f"t={T},v1={_v1(BODY, T, 'whsec_other')}", "does not match the payload"),
        (f"t={T + 1},v1={_v1(BODY, T)}", "does not match the payload"),
        (f"t={T},v0={_v1(BODY, T)}", "malformed"),
    ],
)
def test_bad_signatures_are_refused(header: str | None, message: str) -> None:
    with pytest.raises(WebhookRefusedError, match=message):
        verify_signature(BODY, header, SECRET, tolerance=300, now=NOW)


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-300, True), (-301, False), (300, True), (301, False)]
)
def test_the_timestamp_must_be_within_the_tolerance(offset: int, accepted: bool) -> None:
    t = T + offset
    header = f"t={t},v1={_v1(BODY, t)}"
    if accepted:
        verify_signature(BODY, header, SECRET, tolerance=300, now=NOW)
    else:
        with pytest.raises(WebhookRefusedError, match="outside the tolerance of 300 s"):
            verify_signature(BODY, header, SECRET, tolerance=300, now=NOW)
