"""Named, deduplicated component schemas."""

from __future__ import annotations

from typing import Any

import pytest

from apidisco.infer.components import SchemaRegistry, pascal_case

OWNER = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}


def _object(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        (("user",), "User"),
        (("order_items",), "OrderItems"),
        (("createUser", "request"), "CreateUserRequest"),
        (("404",), "Schema404"),
        (("",), "Schema"),
    ],
)
def test_pascal_case(parts: tuple[str, ...], name: str) -> None:
    assert pascal_case(*parts) == name


def test_equal_schemas_share_a_name_whatever_their_examples() -> None:
    registry = SchemaRegistry()
    first = _object(id={"type": "integer", "examples": [1]})
    second = _object(id={"type": "integer", "examples": [2]})
    registry.offer("User", second, ("b",))
    registry.offer("Person", first, ("a",))
    registry.resolve()
    assert registry.ref(first) == registry.ref(second) == {"$ref": "#/components/schemas/Person"}
    assert registry.components()["Person"]["properties"]["id"]["examples"] == [1]


def test_a_taken_name_gets_a_suffix_in_a_stable_order() -> None:
    names = []
    for order in (("a", "b"), ("b", "a")):
        registry = SchemaRegistry()
        registry.offer("User", _object(id={"type": "integer"}), (order[0],))
        registry.offer("User", _object(id={"type": "string"}), (order[1],))
        registry.resolve()
        names.append(sorted(registry.components()))
    assert names == [["User", "User2"], ["User", "User2"]]


def test_nested_objects_seen_twice_become_components() -> None:
    registry = SchemaRegistry()
    registry.offer("Repo", _object(owner=OWNER, name={"type": "string"}), ("a",))
    registry.offer("Gist", _object(owners={"type": "array", "items": OWNER}), ("b",))
    registry.offer("Solo", _object(meta=_object(x={"type": "string"})), ("c",))
    registry.resolve()
    components = registry.components()
    assert set(components) == {"Gist", "Owner", "Repo", "Solo"}
    assert components["Repo"]["properties"]["owner"] == {"$ref": "#/components/schemas/Owner"}
    assert components["Gist"]["properties"]["owners"]["items"] == {
        "$ref": "#/components/schemas/Owner"
    }
    assert components["Solo"]["properties"]["meta"]["type"] == "object"  # seen once: inline


def test_scalars_are_never_components_and_order_of_calls_is_enforced() -> None:
    registry = SchemaRegistry()
    registry.offer("Name", {"type": "string"}, ("a",))
    with pytest.raises(RuntimeError):
        registry.ref({"type": "string"})
    registry.resolve()
    assert registry.components() == {}
    assert registry.ref({"type": "string"}) == {"type": "string"}
    with pytest.raises(RuntimeError):
        registry.offer("Late", OWNER, ("z",))
