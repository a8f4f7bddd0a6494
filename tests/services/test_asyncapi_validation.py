"""AsyncAPI validation against the vendored official schema, with no network."""

from __future__ import annotations

import pytest

from apidisco.errors import ExportError
from apidisco.infer.openapi import ApiDescription
from apidisco.services import asyncapi_validation
from apidisco.services.asyncapi_validation import (
    asyncapi_schema,
    validate_asyncapi,
    validated_asyncapi,
)

VALID = {
    "asyncapi": "3.0.0",
    "info": {"title": "Live", "version": "1.0.0"},
    "channels": {
        "live": {
            "address": "/live",
            "messages": {"Tick": {"$ref": "#/components/messages/Tick"}},
        }
    },
    "operations": {
        "receiveLive": {
            "action": "receive",
            "channel": {"$ref": "#/channels/live"},
            "messages": [{"$ref": "#/channels/live/messages/Tick"}],
        }
    },
    "components": {"messages": {"Tick": {"payload": {"type": ["null", "number"]}}}},
}


def test_the_vendored_schema_is_the_official_3_0_0_one() -> None:
    schema = asyncapi_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema"
    assert schema["properties"]["asyncapi"]["const"] == "3.0.0"
    assert asyncapi_schema() is not schema  # a fresh copy each time


def test_a_valid_document_has_no_problems() -> None:
    assert validate_asyncapi(VALID) == []


def test_problems_name_the_offending_field() -> None:
    document = {
        "asyncapi": "3.0.0",
        "info": {"title": 1},
        "channels": {"a": {"address": "x", "messages": {"m": {"payload": {"type": "nope"}}}}},
        "operations": {"o": {"action": "talk", "channel": {"$ref": "#/channels/a"}}},
    }
    problems = validate_asyncapi(document)
    assert "/info: 'version' is a required property" in problems
    assert "/info/title: 1 is not of type 'string'" in problems
    assert "/operations/o/action: 'talk' is not one of ['send', 'receive']" in problems
    assert any(problem.startswith("/channels/a/messages/m/payload/type:") for problem in problems)
    assert problems == sorted(problems)


def test_a_wrong_version_is_refused() -> None:
    assert validate_asyncapi({**VALID, "asyncapi": "2.6.0"}) == ["/asyncapi: '3.0.0' was expected"]


def test_validated_asyncapi_returns_a_valid_document() -> None:
    api = ApiDescription(title="Live", version="1.0.0", resources=[])
    assert validated_asyncapi(api)["asyncapi"] == "3.0.0"


def test_validated_asyncapi_refuses_an_invalid_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        asyncapi_validation, "build_asyncapi", lambda api: {"asyncapi": "3.0.0", "info": {}}
    )
    api = ApiDescription(title="Live", version="1.0.0", resources=[])
    with pytest.raises(ExportError, match="would not be valid .*nothing was written"):
        validated_asyncapi(api)
