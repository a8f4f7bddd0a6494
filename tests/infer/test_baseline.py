"""Baselines: schemas, stable values and noise learnt from recorded responses."""

from __future__ import annotations

from typing import Any

from apidisco.infer.baseline import (
    Sample,
    conform,
    learn_baselines,
    leaves,
    sample_of,
    strip,
    value_changes,
)
from apidisco.infer.correlation import RecordedCall


def book(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"bk_{n}",
        "currency": "EUR",
        "requestId": f"req-{n}",
        "createdAt": "2026-01-01T00:00:00Z",
        **extra,
    }


def test_values_the_same_in_every_response_are_stable_the_rest_is_noise() -> None:
    samples = [Sample(200, book(n)) for n in range(3)]
    (baseline,) = learn_baselines({"GET /books/{id}": samples}).values()
    assert baseline["values"] == {"$.currency": "EUR"}
    # The creation time repeats here, but a moment is never a stable value.
    assert baseline["noise"] == ["$.createdAt", "$.id", "$.requestId"]
    assert baseline["statuses"] == [200]
    assert baseline["samples"] == 3
    assert baseline["schemas"]["200"]["properties"]["id"] == {"type": "string"}


def test_one_response_says_nothing_about_stability() -> None:
    (baseline,) = learn_baselines({"GET /a": [Sample(200, {"x": 1})]}).values()
    assert baseline["values"] == {}


def test_a_value_echoing_the_request_is_noise() -> None:
    samples = [
        Sample(200, {"id": "7", "n": 1}, frozenset({"7"})),
        Sample(200, {"id": "7", "n": 1}, frozenset({"7"})),
    ]
    (baseline,) = learn_baselines({"GET /a/{id}": samples}).values()
    assert baseline["values"] == {"$.n": 1}
    assert "$.id" in baseline["noise"]


def test_only_successes_give_values_but_every_status_is_kept() -> None:
    samples = [Sample(200, {"a": 1}), Sample(200, {"a": 1}), Sample(404, {"error": "x"})]
    (baseline,) = learn_baselines({"GET /a": samples}).values()
    assert baseline["statuses"] == [200, 404]
    assert set(baseline["schemas"]) == {"200", "404"}
    assert baseline["values"] == {"$.a": 1}


def test_samples_of_recorded_calls_know_their_request_values_and_credentials() -> None:
    call = RecordedCall(
        "POST",
        "/users/u1/notes",
        query=(("lang", "en"),),
        headers={"authorization": "Bearer ‹masked:12345678›"},
        body_json={"text": "hi", "tags": ["t1"]},
        status=201,
        response_json={"ok": True},
    )
    sample = sample_of(call)
    assert sample.request_values == frozenset({"users", "u1", "notes", "en", "hi", "t1"})
    assert sample.credentials
    assert not sample_of(RecordedCall("GET", "/", headers={"accept": "*/*"})).credentials


def test_leaves_name_array_items_alike() -> None:
    assert list(leaves({"a": [{"b": 1}, {"b": 2}], "c": None})) == [("$.a[].b", 1), ("$.a[].b", 2)]
    assert list(leaves(None)) == [("$", None)]


def test_value_changes_ignore_absent_and_unchanged_values() -> None:
    baseline = {"values": {"$.currency": "EUR", "$.kind": "book"}}
    changed = value_changes(baseline, [Sample(200, {"currency": "USD"}), Sample(200, {})])
    assert changed == [("$.currency", "EUR", "USD")]
    assert value_changes(baseline, [Sample(200, {"currency": "EUR", "kind": "book"})]) == []


def test_strip_drops_examples_and_enums_everywhere() -> None:
    schema = {
        "type": "object",
        "properties": {"s": {"type": "string", "enum": ["a"], "examples": ["a"]}},
        "anyOf": [{"examples": [1]}],
    }
    assert strip(schema) == {
        "type": "object",
        "properties": {"s": {"type": "string"}},
        "anyOf": [{}],
    }


OLD = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "note": {"type": ["null", "string"]},
        "price": {"type": "number"},
        "at": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "maybe": {"type": "null"},
    },
    "required": ["at", "id", "price"],
}


def test_conform_keeps_what_the_baseline_allowed() -> None:
    new = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "note": {"type": "string"},
            "price": {"type": "integer"},
            "at": {"type": "string", "format": "date-time"},
            "tags": {"type": "array"},
            "maybe": {"type": "integer"},
            "extra": {"type": "string"},
        },
        "required": ["at", "extra", "id", "maybe", "note", "price", "tags"],
    }
    conformed = conform(OLD, new)
    assert conformed["properties"]["note"] == {"type": ["null", "string"]}
    assert conformed["properties"]["price"] == {"type": "number"}
    assert conformed["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert conformed["properties"]["maybe"] == {"type": "null"}
    assert conformed["required"] == ["at", "extra", "id", "price"]


def test_conform_keeps_real_changes() -> None:
    new = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "at": {"type": "string"},
            "price": {"type": "string", "format": "decimal"},
        },
        "required": ["at", "id", "price"],
    }
    conformed = conform(OLD, new)
    assert conformed["properties"]["id"] == {"type": "integer"}
    assert conformed["properties"]["at"] == {"type": "string"}  # the format was lost
    assert conformed["properties"]["price"] == {"type": "string", "format": "decimal"}
    assert "tags" not in conformed["properties"]  # removed: the comparison reports it


def test_conform_of_a_format_one_sample_happened_to_match() -> None:
    old = {"type": "string"}
    assert conform(old, {"type": "string", "format": "date"}) == {"type": "string"}
    assert conform(old, "not a schema") == "not a schema"
    # Null where it never was is a change (the field became nullable), not a sample's luck.
    assert conform({"type": "object"}, {"type": "null"}) == {"type": "null"}
    nullable = {"type": ["null", "string"], "format": "date"}
    assert conform(nullable, {"type": "null"}) == nullable


def test_conform_restores_the_shape_behind_a_null_and_recurses() -> None:
    old = {
        "type": ["null", "object"],
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
    }
    assert conform(old, {"type": "null"}) == old
    lists = {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "number"}}}}
    assert conform(lists, {"type": "array"}) == lists
    assert (
        conform(
            lists,
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"n": {"type": "integer"}},
                    "required": ["n"],
                },
            },
        )
        == lists
    )
    maps = {"type": "object", "additionalProperties": {"type": ["null", "string"]}}
    assert conform(maps, {"type": "object", "additionalProperties": {"type": "string"}}) == maps
    union = {"anyOf": [{"type": "string"}, {"type": "object"}]}
    assert conform(union, {"type": "string"}) == {"type": "string"}
    assert conform({"type": "string"}, {"type": "object", "properties": {}}) == {
        "type": "object",
        "properties": {},
    }
    assert conform({"type": "array", "items": {"type": "string"}}, {"type": "string"}) == {
        "type": "string"
    }
