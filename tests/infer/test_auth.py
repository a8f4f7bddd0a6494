"""Credentials from masked requests, and when an operation needs them."""

from __future__ import annotations

import pytest

from apidisco.infer.auth import AuthEvidence, Credential, credentials_of
from apidisco.infer.observation import Observation

JWT = "Bearer eyJhbGciOiJIUzI1NiJ9.‹masked:0123abcd›"


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({"authorization": JWT}, [], Credential("http", scheme="bearer", format="JWT")),
        ({"authorization": "Bearer ‹masked:0123abcd›"}, [], Credential("http", scheme="bearer")),
        ({"authorization": "Basic ‹masked:0123abcd›"}, [], Credential("http", scheme="basic")),
        (
            {"x-api-key": "‹masked:0123abcd›"},
            [],
            Credential("apiKey", location="header", name="x-api-key"),
        ),
        (
            {"x-service-apikey": "‹masked:0123abcd›"},
            [],
            Credential("apiKey", location="header", name="x-service-apikey"),
        ),
        (
            {},
            [("api_key", "‹masked:0123abcd›")],
            Credential("apiKey", location="query", name="api_key"),
        ),
        (
            {"cookie": "sessionid=‹masked:0123abcd›; theme=‹masked:1111aaaa›"},
            [],
            Credential("cookie", location="cookie", name="sessionid"),
        ),
    ],
)
def test_each_kind_of_credential_is_recognised(
    headers: dict[str, str], query: list[tuple[str, str]], expected: Credential
) -> None:
    assert credentials_of(headers, query) == {expected}


def test_plain_requests_carry_no_credentials() -> None:
    headers = {
        "accept": "application/json",
        "cookie": "theme=‹masked:1111aaaa›",
        "x-csrf-token": "t",
    }
    assert credentials_of(headers, [("q", "shoes"), ("page", "2")]) == frozenset()


def test_type_names_and_security_schemes() -> None:
    jwt = Credential("http", scheme="bearer", format="JWT")
    assert jwt.type_name == "Bearer"
    assert jwt.security_scheme() == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    key = Credential("apiKey", location="query", name="api_key")
    assert key.type_name == "API-Key"
    assert key.security_scheme() == {"type": "apiKey", "in": "query", "name": "api_key"}
    assert Credential("cookie", location="cookie", name="sid").type_name == "Cookie"


def _call(status: int, headers: dict[str, str] | None = None, **extra: object) -> Observation:
    return Observation("GET", "/x", status=status, request_headers=headers or {}, **extra)  # type: ignore[arg-type]


def test_refused_anonymous_calls_make_auth_required() -> None:
    evidence = AuthEvidence()
    evidence.add(_call(401))
    assert evidence.required
    evidence.add(_call(200, {"authorization": JWT}))
    assert evidence.required
    assert evidence.credential == Credential("http", scheme="bearer", format="JWT")
    assert "1 without were refused" in evidence.evidence()


def test_an_anonymous_success_means_auth_is_optional() -> None:
    evidence = AuthEvidence()
    evidence.add(_call(200, {"authorization": JWT}))
    evidence.add(_call(200))
    assert not evidence.required


def test_every_call_authenticated_means_required_and_none_means_not() -> None:
    evidence = AuthEvidence()
    for _ in range(3):
        evidence.add(_call(200, {"x-api-key": "‹masked:0123abcd›"}))
    evidence.add(_call(404))  # neither success nor refusal: no evidence either way
    assert evidence.required
    assert evidence.credential is not None
    assert evidence.credential.type_name == "API-Key"
    empty = AuthEvidence()
    empty.add(_call(200))
    assert not empty.required
    assert empty.credential is None


def test_a_challenge_names_the_scheme_when_nobody_sent_credentials() -> None:
    evidence = AuthEvidence()
    evidence.add(_call(401, response_headers={"www-authenticate": 'Basic realm="api"'}))
    assert evidence.credential == Credential("http", scheme="basic")


def test_merging_adds_the_counts() -> None:
    first, second = AuthEvidence(), AuthEvidence()
    first.add(_call(401))
    second.add(_call(200, {"authorization": JWT}))
    second.add(_call(200))
    first.merge(second)
    assert (first.calls, first.with_credentials, first.refused_without) == (3, 1, 1)
    assert not first.required
