"""OperationBrief.shareable: masked strings and secrets' names never stay in a brief."""

from __future__ import annotations

import pytest

from apidisco.describe.briefs import OperationBrief, is_sensitive_name

MASKED = "‹masked:3f9a1c2e›"


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "Password",
        "user.password",
        "items[].token",
        "accessToken",
        "access-token",
        "X-Api-Key",
        "Authorization",
        "header:Cookie",
        "query.api_key",
        "APIKey",
        "card_number",
        "client_secret",
    ],
)
def test_secrets_names_are_sensitive_in_any_spelling_and_position(name: str) -> None:
    assert is_sensitive_name(name)


@pytest.mark.parametrize(
    "name",
    ["email", "user.email", "X-Request-Id", "items[].name", "tokenizer", "passenger", "page"],
)
def test_other_names_are_not_sensitive(name: str) -> None:
    assert not is_sensitive_name(name)


def test_a_shareable_brief_keeps_the_harmless_names_in_order() -> None:
    brief = OperationBrief(
        key="POST /users",
        method="POST",
        pattern="/users",
        summary="Create a user",
        parameters=("X-Request-Id", "X-Api-Key", "page"),
        request_fields=("email", "password", "profile.name", "profile.accessToken"),
        response_fields=("id", MASKED, "email"),
        statuses=("201", "409", MASKED),
    )
    assert brief.shareable() == OperationBrief(
        key="POST /users",
        method="POST",
        pattern="/users",
        summary="Create a user",
        parameters=("X-Request-Id", "page"),
        request_fields=("email", "profile.name"),
        response_fields=("id", "email"),
        statuses=("201", "409"),
    )


def test_a_masked_pattern_or_summary_is_left_out() -> None:
    brief = OperationBrief(
        key="GET /keys/{keyId}",
        method="GET",
        pattern=f"/keys/{MASKED}",
        summary=f"Get key {MASKED}",
    )
    shared = brief.shareable()
    assert shared is not None
    assert (shared.pattern, shared.summary) == ("", "")


@pytest.mark.parametrize(
    ("key", "method"), [(f"GET /sessions/{MASKED}", "GET"), ("GET /sessions", MASKED)]
)
def test_a_brief_whose_key_or_method_is_masked_is_not_shared(key: str, method: str) -> None:
    brief = OperationBrief(key=key, method=method, pattern="/sessions", summary="Get a session")
    assert brief.shareable() is None
