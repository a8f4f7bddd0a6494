"""Text values read as JSON scalars; parameter sets typed per name."""

from __future__ import annotations

from typing import Any

import pytest

from apidisco.infer.parameters import (
    MAX_NAMES,
    ParameterSet,
    as_parameter_schema,
    coerce,
    pairs_document,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("-3", -3),
        ("0", 0),
        ("1.5", 1.5),
        ("true", True),
        ("false", False),
        ("007", "007"),
        ("1e5", "1e5"),
        ("", ""),
        ("abc", "abc"),
        ("12345678901234567890", "12345678901234567890"),
    ],
)
def test_coerce(text: str, value: Any) -> None:
    assert coerce(text) == value
    assert type(coerce(text)) is type(value)


def test_pairs_document_gathers_repeated_names() -> None:
    assert pairs_document([("tag", "a"), ("page", "2"), ("tag", "b"), ("tag", "c")]) == {
        "tag": ["a", "b", "c"],
        "page": 2,
    }


def test_mixed_scalar_types_become_text_and_arrays_stay_arrays() -> None:
    assert as_parameter_schema({"type": ["integer", "string"], "examples": [1, "a"]}) == {
        "type": "string",
        "examples": ["1", "a"],
    }
    assert as_parameter_schema({"type": ["null", "string"]}) == {"type": ["null", "string"]}
    mixed = {"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "integer"}]}
    assert as_parameter_schema(mixed) == {"type": "array", "items": {"type": "integer"}}
    assert as_parameter_schema({"anyOf": [{"type": "object"}, {"type": "string"}]}) == {
        "type": "string"
    }


def test_a_parameter_set_types_each_name_and_knows_which_are_always_there() -> None:
    parameters = ParameterSet()
    for page in range(1, 13):
        parameters.add(pairs_document([("page", str(page)), ("sort", "name")]))
    parameters.add(pairs_document([("page", "1"), ("q", "shoes"), ("token", "‹masked:0123abcd›")]))
    stats = {entry.name: entry for entry in parameters.build()}
    assert stats["page"].required
    assert stats["page"].schema["type"] == "integer"
    assert not stats["sort"].required
    assert stats["sort"].seen == 12
    assert stats["sort"].schema["enum"] == ["name"]
    assert stats["q"].schema["type"] == "string"
    assert stats["token"].schema["examples"] == ["‹masked:0123abcd›"]


def test_many_names_never_turn_into_a_map_and_stay_bounded() -> None:
    parameters = ParameterSet()
    parameters.add({f"field{n}": "x" for n in range(MAX_NAMES + 10)})
    built = parameters.build()
    assert len(built) == MAX_NAMES
    assert parameters.untracked == 10
    assert all(entry.schema == {"type": "string", "examples": ["x"]} for entry in built)


def test_repeated_values_are_counted_and_many_distinct_ones_still_fold_in() -> None:
    parameters = ParameterSet()
    for n in range(500):
        parameters.add({"page": n, "kind": "a" if n % 2 else "b"})
    stats = {entry.name: entry for entry in parameters.build()}
    assert stats["page"].seen == 500
    assert stats["page"].required
    assert stats["page"].schema["examples"] == [0, 1, 2]
    assert stats["kind"].schema["enum"] == ["a", "b"]
