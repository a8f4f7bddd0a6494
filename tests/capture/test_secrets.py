"""Masking keeps the scheme and a fingerprint, and nothing else of a secret."""

from __future__ import annotations

import pytest

from apidisco.capture.secrets import Masker, fingerprint


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("Authorization", "Bearer abc.def", "Bearer ‹masked:{abc.def}›"),
        ("authorization", "Basic dXNlcjpwdw==", "Basic ‹masked:{dXNlcjpwdw==}›"),
        ("X-API-Key", "k-123", "‹masked:{k-123}›"),
        ("Proxy-Authorization", "Digest xyz", "Digest ‹masked:{xyz}›"),
        ("Cookie", "sid=s1; theme=dark", "sid=‹masked:{s1}›; theme=‹masked:{dark}›"),
        ("Set-Cookie", "sid=s1; Path=/; HttpOnly", "sid=‹masked:{s1}›; Path=/; HttpOnly"),
        ("Content-Type", "application/json", "application/json"),
    ],
)
def test_headers(name: str, value: str, expected: str) -> None:
    masker = Masker()
    rendered = expected
    for secret in ("abc.def", "dXNlcjpwdw==", "k-123", "xyz", "s1", "dark"):
        rendered = rendered.replace("{" + secret + "}", fingerprint(secret))
    assert masker.header(name, value) == rendered
    for original in masker.originals.values():
        assert original not in masker.header(name, value)


def test_equal_secrets_mask_equally_and_are_kept_by_fingerprint() -> None:
    masker = Masker()
    first = masker.header("Authorization", "Bearer same")
    second = masker.header("Authorization", "Bearer same")
    other = masker.header("Authorization", "Bearer different")
    assert first == second != other
    assert masker.originals == {fingerprint("same"): "same", fingerprint("different"): "different"}


def test_masking_a_mask_changes_nothing() -> None:
    masker = Masker()
    once = masker.mask("secret")
    assert masker.mask(once) == once


def test_json_fields_are_masked_at_any_depth() -> None:
    masker = Masker()
    document = {
        "user": {"name": "ann", "password": "hunter2"},
        "items": [{"token": "t1"}, {"note": "fine"}],
        "Client-Secret": 12345,
        "secret": None,
    }
    masked = masker.json(document)
    assert masked["user"] == {"name": "ann", "password": f"‹masked:{fingerprint('hunter2')}›"}
    assert masked["items"][0]["token"].startswith("‹masked:")
    assert masked["items"][1] == {"note": "fine"}
    assert masked["Client-Secret"] == f"‹masked:{fingerprint('12345')}›"
    assert masked["secret"] is None
    assert document["user"]["password"] == "hunter2"  # the input is not modified


def test_json_masking_copies_only_what_it_masks() -> None:
    masker = Masker()
    clean = {"user": {"name": "ann"}, "items": [{"note": "fine"}, 3], "total": 2}
    assert masker.json(clean) is clean
    document = {"user": {"password": "p"}, "items": [{"note": "fine"}], "total": 2}
    masked = masker.json(document)
    assert masked is not document
    assert masked["user"] is not document["user"]
    assert masked["items"] is document["items"]  # nothing to mask there: shared, not copied
    assert document == {"user": {"password": "p"}, "items": [{"note": "fine"}], "total": 2}


def test_the_lists_are_configurable() -> None:
    masker = Masker(headers=frozenset({"x-tenant"}), query=frozenset(), fields=frozenset({"pin"}))
    assert masker.header("Authorization", "Bearer visible") == "Bearer visible"
    assert masker.header("X-Tenant", "t1").startswith("‹masked:")
    assert masker.parameter("token", "visible") == "visible"
    assert masker.json({"pin": "1234"})["pin"].startswith("‹masked:")


def _jwt(header: dict[str, str], claims: dict[str, str]) -> str:
    import base64
    import json

    def segment(part: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")

    return f"{segment(header)}.{segment(claims)}.c2lnbmF0dXJl"


def test_a_jwt_keeps_its_header_segment_and_loses_its_claims() -> None:
    token = _jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "user-42"})
    masker = Masker()
    masked = masker.header("Authorization", f"Bearer {token}")
    header = token.split(".")[0]
    assert masked == f"Bearer {header}.‹masked:{fingerprint(token)}›"
    assert masker.originals == {fingerprint(token): token}
    assert token.split(".")[1] not in masked


@pytest.mark.parametrize(
    "value",
    [
        "Bearer eyJub3QiOiJqc29uIn0.abc.def",  # a JSON header without "alg"
        "Bearer eyJ!!!.abc.def",  # not base64url
        "Basic " + "eyJhbGciOiJub25lIn0.abc.def",  # only bearer tokens are read as JWTs
    ],
)
def test_only_real_jwts_keep_a_header(value: str) -> None:
    scheme, _, token = value.partition(" ")
    assert Masker().header("Authorization", value) == f"{scheme} ‹masked:{fingerprint(token)}›"
