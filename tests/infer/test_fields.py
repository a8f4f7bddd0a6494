"""One-line types and field lists of JSON Schemas, with refs, cycles and depth."""

from __future__ import annotations

from typing import Any

import pytest

from apidisco.infer.fields import Field, named_type, resolve, schema_fields, schema_type


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _document(**schemas: Any) -> dict[str, Any]:
    return {"components": {"schemas": schemas}}


def _rows(fields: list[Field]) -> list[tuple[str, str, bool]]:
    return [(field.path, field.type, field.required) for field in fields]


ADDRESS = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "zip": {"type": ["null", "string"]}},
    "required": ["city"],
}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "integer"}, "integer"),
        ({"type": "integer", "format": "int64"}, "integer (int64)"),
        ({"type": "string", "format": "date-time"}, "string (date-time)"),
        ({"type": "string", "contentMediaType": "image/png"}, "string (image/png)"),
        ({"type": "string", "enum": ["open", "closed"]}, '"open" | "closed"'),
        ({"type": ["null", "string"], "enum": [None, "a", "b"]}, '"a" | "b" | null'),
        ({"type": "integer", "enum": [1, 2]}, "1 | 2"),
        ({"const": "user"}, '"user"'),
        (
            {"type": "string", "enum": list("abcdefghij")},
            '"a" | "b" | "c" | "d" | "e" | "f" | "g" | "h" | … (2 more)',
        ),
        ({"type": ["null", "string"], "format": "uuid"}, "string (uuid) | null"),
        ({"type": ["integer", "string"]}, "integer | string"),
        ({"type": "string", "nullable": True}, "string | null"),
        (_ref("User"), "User"),
        ({"$ref": "#/components/schemas/a~1b"}, "a/b"),
        ({"anyOf": [_ref("User"), {"type": "null"}]}, "User | null"),
        ({"oneOf": [{"type": "null"}, _ref("Cat"), _ref("Dog")]}, "Cat | Dog | null"),
        ({"allOf": [_ref("Named"), {"type": "object"}]}, "Named & object"),
        ({"allOf": [{}]}, "any"),
        ({"type": "array", "items": _ref("User")}, "array of User"),
        (
            {"type": "array", "items": {"type": ["integer", "string"]}},
            "array of (integer | string)",
        ),
        ({"type": "array"}, "array"),
        ({"items": {"type": "string"}}, "array of string"),
        (
            {"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}]},
            "[number, number]",
        ),
        (
            {"type": "object", "additionalProperties": {"type": "integer"}},
            "map of string → integer",
        ),
        (
            {"type": "object", "additionalProperties": {"anyOf": [_ref("A"), {"type": "null"}]}},
            "map of string → (A | null)",
        ),
        ({"type": "object", "properties": {"a": {}}}, "object"),
        ({"properties": {"a": {}}}, "object"),
        ({"type": "object"}, "object"),
        ({"type": "boolean"}, "boolean"),
        ({"type": "null"}, "null"),
        ({}, "any"),
        (True, "any"),
        (False, "never"),
        ({"description": "no type"}, "any"),
    ],
)
def test_schema_type(schema: Any, expected: str) -> None:
    assert schema_type(schema) == expected


def test_schema_type_of_a_deep_schema_is_cut() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(10):
        schema = {"type": "array", "items": schema}
    assert schema_type(schema) == "array of " * 7 + "…"


def test_named_type_shows_what_a_named_scalar_is() -> None:
    document = _document(Status={"type": "string", "enum": ["open", "shipped"]}, Address=ADDRESS)
    assert named_type(_ref("Status"), document) == 'Status ("open" | "shipped")'
    assert named_type(_ref("Address"), document) == "Address"
    assert named_type(_ref("Missing"), document) == "Missing"
    assert named_type({"type": "integer"}, document) == "integer"


def test_resolve_follows_a_chain_and_leaves_what_it_cannot() -> None:
    document = {
        "components": {
            "schemas": {"A": _ref("B"), "B": {"type": "integer"}, "X": _ref("Y"), "Y": _ref("X")},
            "list": [{"type": "string"}],
        }
    }
    assert resolve(document, _ref("A")) == {"type": "integer"}
    assert resolve(document, {"$ref": "#/components/list/0"}) == {"type": "string"}
    assert resolve(document, _ref("Missing")) == _ref("Missing")
    assert resolve(document, {"$ref": "other.yaml#/A"}) == {"$ref": "other.yaml#/A"}
    assert resolve(document, _ref("X")) == _ref("X")  # a loop of refs: where it closed
    assert resolve(document, {"type": "boolean"}) == {"type": "boolean"}


def test_nested_fields_are_paths() -> None:
    document = _document(Address=ADDRESS)
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "home": _ref("Address"),
            "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {}}}},
            "byCity": {"type": "object", "additionalProperties": _ref("Address")},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["id", "lines"],
    }
    assert _rows(schema_fields(schema, document)) == [
        ("id", "integer", True),
        ("home", "Address", False),
        ("home.city", "string", True),
        ("home.zip", "string | null", False),
        ("lines", "array of object", True),
        ("lines[].sku", "any", False),
        ("byCity", "map of string → Address", False),
        ("byCity.*.city", "string", True),
        ("byCity.*.zip", "string | null", False),
        ("tags", "array of string", False),
    ]


def test_root_arrays_and_maps_of_objects_list_their_items_fields() -> None:
    document = _document(Address=ADDRESS)
    array = {"type": "array", "items": _ref("Address")}
    assert [f.path for f in schema_fields(array, document)] == ["[].city", "[].zip"]
    mapping = {"type": "object", "additionalProperties": _ref("Address")}
    assert [f.path for f in schema_fields(mapping, document)] == ["*.city", "*.zip"]


@pytest.mark.parametrize(
    "schema",
    [{"type": "string"}, {"type": "array", "items": {"type": "integer"}}, {}, True, _ref("Nope")],
)
def test_schemas_without_fields_list_none(schema: Any) -> None:
    assert schema_fields(schema, _document()) == []


def test_a_nullable_object_lists_its_fields() -> None:
    document = _document(Address=ADDRESS)
    schema = {"anyOf": [_ref("Address"), {"type": "null"}]}
    assert [f.path for f in schema_fields(schema, document)] == ["city", "zip"]
    either = {"oneOf": [_ref("Address"), {"type": "string"}]}
    assert schema_fields(either, document) == []


def test_a_schema_is_not_expanded_inside_itself() -> None:
    node = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "parent": {"anyOf": [_ref("Node"), {"type": "null"}]},
            "children": {"type": "array", "items": _ref("Node")},
        },
    }
    fields = schema_fields(_ref("Node"), _document(Node=node))
    assert [(f.path, f.recursive) for f in fields] == [
        ("name", None),
        ("parent", "Node"),
        ("children", "Node"),
    ]


def test_mutual_recursion_stops_at_the_first_repeat() -> None:
    document = _document(
        A={"type": "object", "properties": {"b": _ref("B")}},
        B={"type": "object", "properties": {"a": _ref("A")}},
    )
    fields = schema_fields(_ref("A"), document)
    assert [(f.path, f.recursive) for f in fields] == [("b", None), ("b.a", "A")]


def test_a_schema_used_twice_side_by_side_is_expanded_twice() -> None:
    document = _document(Address=ADDRESS)
    schema = {"type": "object", "properties": {"billing": _ref("Address"), "home": _ref("Address")}}
    paths = [f.path for f in schema_fields(schema, document)]
    assert paths == ["billing", "billing.city", "billing.zip", "home", "home.city", "home.zip"]


def test_fields_deeper_than_the_limit_are_hidden() -> None:
    schema: dict[str, Any] = {"type": "object", "properties": {"x": {"type": "integer"}}}
    for name in ("d", "c", "b", "a"):
        schema = {"type": "object", "properties": {name: schema}}
    fields = schema_fields(schema, _document(), max_depth=3)
    assert [(f.path, f.hidden) for f in fields] == [("a", False), ("a.b", False), ("a.b.c", True)]
    deepest = schema_fields(schema, _document())  # four levels of fields by default
    assert [(f.path, f.hidden) for f in deepest][-1] == ("a.b.c.d", True)


def test_all_of_merges_properties_in_order_and_required() -> None:
    document = _document(
        Named={"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    )
    schema = {
        "allOf": [_ref("Named"), {"properties": {"age": {"type": "integer"}}}],
        "properties": {"id": {"type": "integer"}},
        "required": ["id"],
    }
    assert _rows(schema_fields(schema, document)) == [
        ("name", "string", True),
        ("age", "integer", False),
        ("id", "integer", True),
    ]


def test_other_properties_beside_declared_ones_are_a_star_field() -> None:
    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer"}},
        "additionalProperties": {"type": "string"},
    }
    assert _rows(schema_fields(schema, _document())) == [
        ("id", "integer", False),
        ("*", "string", False),
    ]


def test_a_field_keeps_its_own_schema() -> None:
    own = {"type": "string", "description": "Where.", "examples": ["Berlin"]}
    fields = schema_fields({"type": "object", "properties": {"city": own}}, _document())
    assert fields[0].schema == own
