"""Semver from what changed between two documents."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from apidisco.infer.versions import bump, classify_change, facts


def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {
            "/users/{userId}": {
                "get": {
                    "summary": "Get a user",
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/User"}
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "User": {
                    "type": "object",
                    "properties": {"id": {"type": "integer", "examples": [1]}},
                    "required": ["id"],
                }
            }
        },
    }


def test_facts_resolve_references_and_skip_words_and_examples() -> None:
    found = dict(facts(_document()))
    key = (
        "paths./users/{userId}.get.responses.200.content.application/json.schema.properties.id.type"
    )
    assert found[key] == "'integer'"
    assert not any("examples" in path or "summary" in path for path in found)


def test_changes() -> None:
    old = _document()
    same = copy.deepcopy(old)
    assert classify_change(old, same) == "none"
    reworded = copy.deepcopy(old)
    reworded["paths"]["/users/{userId}"]["get"]["summary"] = "Fetch a user"
    reworded["components"]["schemas"]["User"]["properties"]["id"]["examples"] = [7]
    assert classify_change(old, reworded) == "patch"
    added = copy.deepcopy(old)
    added["components"]["schemas"]["User"]["properties"]["name"] = {"type": "string"}
    assert classify_change(old, added) == "minor"
    retyped = copy.deepcopy(old)
    retyped["components"]["schemas"]["User"]["properties"]["id"]["type"] = "string"
    assert classify_change(old, retyped) == "major"
    removed = copy.deepcopy(old)
    del removed["paths"]["/users/{userId}"]
    assert classify_change(old, removed) == "major"


def test_a_reference_cycle_ends() -> None:
    document = _document()
    document["components"]["schemas"]["User"]["properties"]["friend"] = {
        "$ref": "#/components/schemas/User"
    }
    assert any(path.endswith("friend.$ref") for path, _ in facts(document))


@pytest.mark.parametrize(
    ("version", "change", "expected"),
    [
        ("1.4.2", "none", "1.4.2"),
        ("1.4.2", "patch", "1.4.3"),
        ("1.4.2", "minor", "1.5.0"),
        ("1.4.2", "major", "2.0.0"),
        ("bad", "minor", "1.0.0"),
    ],
)
def test_bump(version: str, change: str, expected: str) -> None:
    assert bump(version, change) == expected
