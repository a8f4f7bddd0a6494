"""JSON Schema inference: every rule of apidisco.infer.schema, the hard cases, the bounds."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from apidisco.capture.secrets import fingerprint
from apidisco.infer.schema import (
    ENUM_TRACKED,
    EXAMPLE_LENGTH,
    EXAMPLE_LIMIT,
    MAP_MIN_KEYS,
    MAX_PROPERTIES,
    SECRET_FIELDS,
    SchemaBuilder,
    infer_schema,
)
from apidisco.sensitive import DEFAULT_SENSITIVE_FIELDS

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"


def _field(samples: list[Any], name: str = "f") -> dict[str, Any]:
    """The schema of property ``name`` when each sample is its value."""
    schema = infer_schema({name: sample} for sample in samples)
    return dict(schema["properties"][name])


def _without_examples(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_examples(v) for k, v in schema.items() if k != "examples"}
    if isinstance(schema, list):
        return [_without_examples(item) for item in schema]
    return schema


# -- the hard cases ------------------------------------------------------------------------


def test_no_sample_gives_the_schema_that_accepts_anything() -> None:
    assert SchemaBuilder().build() == {}


def test_one_sample_only() -> None:
    schema = infer_schema([{"id": 7, "name": "Ada", "tags": ["x"], "home": None}])
    assert schema == {
        "type": "object",
        "properties": {
            "home": {"type": "null"},
            "id": {"type": "integer", "examples": [7]},
            "name": {"type": "string", "examples": ["Ada"]},
            "tags": {"type": "array", "items": {"type": "string", "examples": ["x"]}},
        },
        "required": ["home", "id", "name", "tags"],
    }


def test_scalar_documents() -> None:
    assert infer_schema(["a"]) == {"type": "string", "examples": ["a"]}
    assert infer_schema([True, False]) == {"type": "boolean"}
    assert infer_schema([None]) == {"type": "null"}
    assert infer_schema([{}, {}]) == {"type": "object"}


def test_mixed_scalar_types_become_a_type_array() -> None:
    schema = _field([1, "2024-01-01", True, None])
    assert schema["type"] == ["boolean", "integer", "null", "string"]
    assert schema["format"] == "date"  # format only constrains the strings
    assert schema["examples"] == [1, "2024-01-01"]


def test_mixed_scalars_drop_the_enum() -> None:
    schema = _field(["on", "off"] * 10 + [1])
    assert schema["type"] == ["integer", "string"]
    assert "enum" not in schema


def test_objects_or_arrays_mixed_with_other_types_become_any_of() -> None:
    schema = _field([{"a": 1}, "text", [1], None, 2.5])
    assert _without_examples(schema) == {
        "anyOf": [
            {"type": "array", "items": {"type": "integer"}},
            {"type": "null"},
            {"type": "number"},
            {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {"type": "string"},
        ]
    }


def test_empty_arrays_contribute_no_items() -> None:
    assert _field([[], []]) == {"type": "array"}
    assert _field([[], [1, 2], []]) == {
        "type": "array",
        "items": {"type": "integer", "examples": [1, 2]},
    }


def test_null_only_fields() -> None:
    assert _field([None, None]) == {"type": "null"}
    assert infer_schema([{"f": None}, {}])["properties"]["f"] == {"type": "null"}


def test_huge_arrays_fold_into_one_items_node_quickly() -> None:
    builder = SchemaBuilder()
    started = time.perf_counter()
    builder.add({"rows": [{"id": n, "score": n / 2} for n in range(200_000)]})
    assert time.perf_counter() - started < 10
    assert builder.footprint() < 20
    items = builder.build()["properties"]["rows"]["items"]
    assert items["properties"]["id"] == {"type": "integer", "examples": [0, 1, 2]}
    assert items["properties"]["score"]["type"] == "number"
    assert items["required"] == ["id", "score"]


def test_arrays_are_typed_from_all_items_of_all_samples() -> None:
    schema = _field([[1, 2], ["a"], [None]])
    assert _without_examples(schema) == {
        "type": "array",
        "items": {"type": ["integer", "null", "string"]},
    }


# -- types ---------------------------------------------------------------------------------


def test_integer_only_when_every_number_is_an_int() -> None:
    assert _field([1, 2, 3])["type"] == "integer"
    assert _field([1, 2.5])["type"] == "number"
    assert _field([1.0])["type"] == "number"  # written as a decimal


def test_booleans_are_not_numbers() -> None:
    assert _field([True, 1]) == {"type": ["boolean", "integer"], "examples": [1]}
    assert _field([True, False]) == {"type": "boolean"}
    assert _field([False, 1.5])["type"] == ["boolean", "number"]


def test_nullable_fields_use_type_arrays() -> None:
    assert _field(["a", None])["type"] == ["null", "string"]
    assert _field([{"x": 1}, None])["type"] == ["null", "object"]
    assert _field([[1], None])["type"] == ["array", "null"]


def test_non_finite_numbers_are_typed_but_not_shown() -> None:
    assert _field([float("nan"), float("inf")]) == {"type": "number"}


def test_values_that_are_not_json_are_a_programming_error() -> None:
    with pytest.raises(TypeError, match="not a JSON value: set"):
        SchemaBuilder().add({"a": {1, 2}})
    with pytest.raises(TypeError, match="keys are strings"):
        SchemaBuilder().add({1: "a"})


# -- required ------------------------------------------------------------------------------


def test_required_means_present_in_every_object() -> None:
    schema = infer_schema([{"a": 1, "b": None}, {"a": 2, "b": 3, "c": 4}, {"a": 3, "b": None}])
    assert schema["required"] == ["a", "b"]
    assert set(schema["properties"]) == {"a", "b", "c"}


def test_required_counts_objects_at_the_nested_position() -> None:
    schema = infer_schema([{"user": {"id": 1}}, {"user": {"id": 2, "nick": "x"}}, {"other": 1}])
    assert "required" not in schema
    assert schema["properties"]["user"]["required"] == ["id"]


def test_no_required_list_when_nothing_is_always_present() -> None:
    assert "required" not in infer_schema([{"a": 1}, {"b": 2}])


# -- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2024-01-01T00:00:00Z", "2024-06-30T12:00:00.5+02:00"], "date-time"),
        (["2024-01-01", "1999-12-31"], "date"),
        (["10:00:00Z", "23:59:59+01:00"], "time"),
        (["ada@example.com", "bob@example.org"], "email"),
        (["123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000"], "uuid"),
        (["https://example.com/a", "mailto:ada@example.com"], "uri"),
        (["10.0.0.1", "8.8.8.8"], "ipv4"),
        (["::1", "2001:db8::1"], "ipv6"),
    ],
)
def test_a_format_when_every_string_matches(values: list[str], expected: str) -> None:
    assert _field(values)["format"] == expected
    assert "format" not in _field([*values, "not one"])
    assert _field([*values, None])["format"] == expected  # nulls are not strings


def test_different_formats_at_one_position_give_none() -> None:
    assert "format" not in _field(["2024-01-01", "10.0.0.1"])


# -- enums ---------------------------------------------------------------------------------


def test_enum_needs_ten_samples_and_fewer_values_than_their_square_root() -> None:
    assert _field(["a", "b", "c"] * 3 + ["a"])["enum"] == ["a", "b", "c"]  # 3 < sqrt(10)
    assert "enum" not in _field(["a", "b", "c"] * 3)  # 9 samples
    assert "enum" not in _field(["a", "b", "c", "d"] * 4)  # 4 is not < sqrt(16)
    assert _field(["d", "c", "b", "a"] * 4 + ["a"])["enum"] == ["a", "b", "c", "d"]


def test_nullable_enums_admit_null() -> None:
    schema = _field(["on", "off"] * 6 + [None])
    assert schema["type"] == ["null", "string"]
    assert schema["enum"] == ["off", "on", None]


@pytest.mark.parametrize(
    "value",
    [
        "123e4567-e89b-12d3-a456-426614174000",  # an id
        "2024-01-01",  # a date
        "x" * 41,  # free text
        "‹masked:3f9a1c2e›",  # a masked secret
        "Bearer ‹masked:3f9a1c2e›",
        JWT,
    ],
)
def test_no_enum_for_ids_dates_long_text_or_secrets(value: str) -> None:
    assert "enum" not in _field([value] * 50)
    assert "enum" not in _field(["on", "off"] * 50 + [value])


def test_no_enum_for_a_secret_field() -> None:
    schema = infer_schema({"password": "hunter2"} for _ in range(50))
    assert "enum" not in schema["properties"]["password"]


def test_no_enum_past_the_tracked_values() -> None:
    many = [f"v{n}" for n in range(ENUM_TRACKED + 1)]
    assert "enum" not in _field(many * 100)
    assert len(_field(many[:-1] * 100)["enum"]) == ENUM_TRACKED


# -- maps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "keys",
    [
        ["1", "42"],
        ["123e4567-e89b-12d3-a456-426614174000"],
        ["2024-01-01", "2024-01-02"],
        ["ada@example.com"],
    ],
)
def test_objects_keyed_by_generated_keys_are_maps(keys: list[str]) -> None:
    schema = _field([{key: {"n": 1} for key in keys}])
    assert set(schema) == {"type", "additionalProperties"}
    assert _without_examples(schema["additionalProperties"]) == {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
    }


def test_many_keys_with_values_of_one_type_are_a_map() -> None:
    keys = [f"name{n}" for n in range(MAP_MIN_KEYS + 1)]
    schema = _field([{key: n for n, key in enumerate(keys)}, {"name0": None, "name1": 2.5}])
    assert _without_examples(schema) == {
        "type": "object",
        "additionalProperties": {"type": ["null", "number"]},
    }


def test_few_keys_or_mixed_value_types_stay_a_record() -> None:
    few = [f"name{n}" for n in range(MAP_MIN_KEYS)]
    assert len(_field([{key: 1 for key in few}])["properties"]) == MAP_MIN_KEYS
    mixed = {f"name{n}": (n if n % 2 else "s") for n in range(MAP_MIN_KEYS + 5)}
    assert len(_field([mixed])["properties"]) == MAP_MIN_KEYS + 5


def test_an_object_past_the_property_limit_folds_into_a_map_for_good() -> None:
    builder = SchemaBuilder()
    for n in range(MAX_PROPERTIES * 4):
        builder.add({f"k{n}": n if n % 2 else "text"})
    assert builder.footprint() < 20
    assert _without_examples(builder.build()) == {
        "type": "object",
        "additionalProperties": {"type": ["integer", "string"]},
    }


# -- examples ------------------------------------------------------------------------------


def test_examples_are_the_smallest_distinct_values_whatever_the_order() -> None:
    values = [f"w{n:03}" for n in range(50)] * 2
    random.Random(0).shuffle(values)
    assert _field(values)["examples"] == ["w000", "w001", "w002"]
    assert len(_field(list(range(100, 0, -1)))["examples"]) == EXAMPLE_LIMIT


def test_long_strings_are_cut_in_examples() -> None:
    (example,) = _field(["x" * 10_000])["examples"]
    assert len(example) == EXAMPLE_LENGTH
    assert example.endswith("…")


def test_masked_values_stay_masked() -> None:
    assert _field(["‹masked:3f9a1c2e›"])["examples"] == ["‹masked:3f9a1c2e›"]
    assert _field(["Bearer ‹masked:3f9a1c2e›"])["examples"] == ["Bearer ‹masked:3f9a1c2e›"]


def test_secret_fields_and_tokens_are_shown_masked_as_capture_masks_them() -> None:
    schema = infer_schema(
        [{"Client-Secret": "s3cr3t", "card_number": 4111111111111111, "auth": {"token": "t"}}]
    )
    properties = schema["properties"]
    assert properties["Client-Secret"]["examples"] == [f"‹masked:{fingerprint('s3cr3t')}›"]
    assert properties["card_number"] == {"type": "integer"}
    assert _field([1, True], name="cvv") == {"type": ["boolean", "integer"]}
    assert properties["auth"]["properties"]["token"]["examples"] == [f"‹masked:{fingerprint('t')}›"]
    assert _field([JWT])["examples"] == [f"‹masked:{fingerprint(JWT)}›"]


def test_the_secret_fields_are_captures_defaults() -> None:
    assert SECRET_FIELDS == DEFAULT_SENSITIVE_FIELDS


def test_secret_field_names_can_be_configured() -> None:
    builder = SchemaBuilder(secret_fields=["PIN"])
    builder.add({"pin": "1234", "password": "visible"})
    properties = builder.build()["properties"]
    assert properties["pin"]["examples"] == [f"‹masked:{fingerprint('1234')}›"]
    assert properties["password"]["examples"] == ["visible"]


def test_secrets_inside_a_secret_object_are_masked() -> None:
    schema = infer_schema([{"secret": {"value": "abc", "parts": ["def"]}}])
    secret = schema["properties"]["secret"]
    assert secret["properties"]["value"]["examples"] == [f"‹masked:{fingerprint('abc')}›"]
    assert secret["properties"]["parts"]["items"]["examples"] == [f"‹masked:{fingerprint('def')}›"]


# -- bounds, determinism, merging ------------------------------------------------------------


def _user(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "uuid": f"00000000-0000-0000-0000-{n:012d}",
        "name": f"user {n}" * (n % 9),
        "role": ["admin", "member", "guest"][n % 3],
        "score": n / 7 if n % 5 else None,
        "seen": {f"2024-01-{n % 28 + 1:02}": n},
        "tags": [f"t{n % 4}"] * (n % 3),
        "extra": {f"key{n}": n},
        **({"nick": "x"} if n % 2 else {}),
    }


def test_memory_is_bounded_by_the_shape_not_the_number_of_samples() -> None:
    builder = SchemaBuilder()
    sizes = []
    for n in range(100_000):
        builder.add(_user(n))
        if n in {999, 99_999}:
            sizes.append(builder.footprint())
    assert sizes[0] == sizes[1]
    assert sizes[1] < 200
    assert builder.samples == 100_000
    schema = builder.build()
    assert schema["properties"]["role"]["enum"] == ["admin", "guest", "member"]
    assert schema["properties"]["uuid"]["format"] == "uuid"
    assert "additionalProperties" in schema["properties"]["extra"]


SAMPLE_SETS: list[list[Any]] = [
    [_user(n) for n in range(300)],
    [1, 2.5, "a", None, True, [1, "b"], {"x": [None]}],
    [{"items": [], "next": None}, {"items": [{"id": 1}], "next": "https://api.example.com/p/2"}],
    [[[1], []], [[]], [["a", {"b": 1}]]],
    [{"r": "2024-01-01T00:00:00Z"}, {"r": "2024-01-02"}, {"r": 5}, {"r": {"ip": "10.0.0.1"}}],
    [{"m": {str(n): [n]}} for n in range(MAX_PROPERTIES + 10)],
    [{"s": s} for s in ["on", "off", "on", "off"] * 5 + [None]],
    [{"deep": {"a": {"b": {"c": [{"d": n}]}}}} for n in range(20)],
    [{}, {"a": 1}, [], "x" * 1000],
]


@pytest.mark.parametrize("samples", SAMPLE_SETS)
def test_schemas_are_valid_2020_12_and_accept_every_sample(samples: list[Any]) -> None:
    schema = infer_schema(samples)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for sample in samples:
        validator.validate(sample)


@pytest.mark.parametrize("samples", SAMPLE_SETS)
def test_the_same_samples_in_any_order_give_the_same_schema(samples: list[Any]) -> None:
    expected = json.dumps(infer_schema(samples), ensure_ascii=False)
    rng = random.Random(0)
    for _ in range(5):
        shuffled = list(samples)
        rng.shuffle(shuffled)
        assert json.dumps(infer_schema(shuffled), ensure_ascii=False) == expected


@pytest.mark.parametrize("samples", SAMPLE_SETS)
def test_merged_builders_equal_one_builder(samples: list[Any]) -> None:
    parts = [SchemaBuilder() for _ in range(3)]
    for n, sample in enumerate(samples):
        parts[n % 3].add(sample)
    merged = SchemaBuilder()
    for part in parts:
        merged.merge(part)
    assert merged.build() == infer_schema(samples)
    assert merged.samples == len(samples)


def _built(samples: list[Any]) -> SchemaBuilder:
    builder = SchemaBuilder()
    for sample in samples:
        builder.add(sample)
    return builder


def test_merging_a_map_and_a_record_either_way() -> None:
    wide = [{"m": {f"k{n}": n for n in range(MAX_PROPERTIES + 1)}}]
    narrow = [{"m": {"k": "x"}}, {"m": {"j": None}}]
    expected = infer_schema(wide + narrow)
    assert "additionalProperties" in expected["properties"]["m"]
    for first, second in [(wide, narrow), (narrow, wide), (wide, wide)]:
        merged = _built(first)
        merged.merge(_built(second))
        assert merged.build() == infer_schema(first + second)
    assert infer_schema(wide + wide) == infer_schema(wide)


def test_merging_stops_tracking_enum_values_past_the_limit() -> None:
    half = ENUM_TRACKED // 2 + 1
    first = [f"a{n}" for n in range(half)] * 100
    second = [f"b{n}" for n in range(half)] * 100
    merged = _built(first)
    merged.merge(_built(second))
    assert "enum" in _built(first).build()
    assert "enum" not in merged.build()
    assert merged.build() == infer_schema(first + second)


def test_merge_leaves_the_other_builder_unchanged() -> None:
    other = SchemaBuilder()
    other.add({"a": [1], "b": {"c": "x"}})
    before = other.build()
    merged = SchemaBuilder()
    merged.merge(other)
    merged.add({"a": ["s"], "b": {"c": 1, "d": None}})
    assert other.build() == before


def test_a_builder_cannot_merge_itself() -> None:
    builder = SchemaBuilder()
    with pytest.raises(ValueError, match="itself"):
        builder.merge(builder)


def test_property_keys_are_sorted() -> None:
    schema = infer_schema([{"b": 1, "a": 2, "c": 3}])
    assert list(schema["properties"]) == ["a", "b", "c"]


def test_a_weighted_sample_counts_as_that_many() -> None:
    sample = {"status": "ok", "n": 1, "tags": ["a"], "token": "abc"}
    repeated, weighted = SchemaBuilder(), SchemaBuilder()
    for _ in range(12):
        repeated.add(sample)
    weighted.add(sample, weight=12)
    assert weighted.build() == repeated.build()
    assert weighted.samples == 12
    assert weighted.build()["properties"]["status"]["enum"] == ["ok"]  # 12 samples, 1 value
    with pytest.raises(ValueError, match="weight"):
        weighted.add(sample, weight=0)


def test_a_secret_sample_is_shown_masked() -> None:
    builder = SchemaBuilder()
    builder.add("hunter2", secret=True)
    assert builder.build()["examples"][0].startswith("‹masked:")
