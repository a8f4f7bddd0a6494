"""Webhook signatures: what a receiver checks."""

from __future__ import annotations

import hashlib
import hmac

from apidisco.replay.webhook import post_signed, sign, verify

BODY = b'{"event":"api.changes"}'


def test_the_signature_is_an_hmac_of_time_and_body() -> None:
    header = sign("s3cret", 1767225600, BODY)
    expected = hmac.new(b"s3cret", b"1767225600." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1767225600,v1={expected}"


def test_verify_accepts_fresh_signatures_only() -> None:
    header = sign("s3cret", 1000, BODY)
    assert verify("s3cret", header, BODY, now=1000)
    assert verify("s3cret", header, BODY, now=1299)
    assert not verify("s3cret", header, BODY, now=1301)
    assert not verify("other", header, BODY, now=1000)
    assert not verify("s3cret", header, BODY + b" ", now=1000)
    assert not verify("s3cret", "t=x,v1=00", BODY, now=1000)
    assert not verify("s3cret", "", BODY, now=1000)


def test_a_refused_destination_is_a_failed_delivery() -> None:
    delivery = post_signed("http://169.254.169.254/hook", BODY, secret="s", timestamp=1)
    assert not delivery.ok
    assert delivery.status is None
    assert "cloud metadata" in (delivery.error or "")
