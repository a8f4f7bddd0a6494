"""What a JSON Schema allows, read the way :mod:`apidisco.infer.schema_diff` compares it.

- :func:`flatten` folds ``allOf`` into one schema (properties and ``required``
  merged, other keys from the first that has them);
- :func:`branches` lists a schema's alternatives: its ``anyOf``/``oneOf``
  branches, nested unions flattened, or the schema itself;
- :func:`own_types` and :func:`branch_types` say which JSON types a schema or
  its alternatives allow (``$ref`` by name, a type list, OpenAPI 3.0's
  ``nullable``, a ``null`` enum value, types implied by ``properties``,
  ``items``, ``enum`` or ``const``); :func:`type_label` and :func:`type_value`
  write them for a reader and as JSON;
- :func:`pick` finds the one alternative of a kind, and :func:`enum_values` the
  values the alternatives are restricted to.

References are followed with a :data:`Resolver`: it returns the schema a
``$ref`` points at and the reference (``None`` for a schema without one), or
the schema itself when it cannot resolve it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from apidisco.infer.schema import json_type

__all__ = [
    "Resolver",
    "branch_types",
    "branches",
    "canonical",
    "enum_values",
    "flatten",
    "own_types",
    "pick",
    "type_label",
    "type_value",
]

Resolver = Callable[[Mapping[str, Any]], tuple[Mapping[str, Any], str | None]]

_UNION_KEYS = ("anyOf", "oneOf")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def canonical(value: Any) -> str:
    """A JSON value as compact JSON with sorted keys, to compare and order values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def type_label(types: frozenset[str] | set[str]) -> str:
    """``number``, ``integer | string`` — the types of a position as a reader says them."""
    return " | ".join(sorted(types)) if types else "any"


def type_value(types: frozenset[str]) -> Any:
    """The types as a JSON value: the one type, or a sorted list of them."""
    ordered = sorted(types)
    return ordered[0] if len(ordered) == 1 else ordered


def flatten(schema: Mapping[str, Any], resolve: Resolver) -> Mapping[str, Any]:
    """``allOf`` folded into one schema: properties and required merged."""
    if "allOf" not in schema:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[str] = list(merged.get("required") or [])
    for branch in schema.get("allOf") or ():
        if not isinstance(branch, Mapping):
            continue
        part, _ = resolve(branch)
        part = flatten(part, resolve)
        for key, value in part.items():
            if key == "properties":
                properties.update(value)
            elif key == "required":
                required += [name for name in value if name not in required]
            else:
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def branches(schema: Mapping[str, Any], resolve: Resolver) -> list[Mapping[str, Any]]:
    """The schema's alternatives: its union branches (nested unions flattened), else itself."""
    keys = [key for key in _UNION_KEYS if isinstance(schema.get(key), list)]
    if not keys:
        return [schema]
    found: list[Mapping[str, Any]] = []
    for key in keys:
        for branch in schema[key]:
            if isinstance(branch, Mapping):
                resolved, ref = resolve(branch)
                if ref is not None and resolved is branch:  # unresolved: keep the name
                    found.append(branch)
                else:
                    found += branches(flatten(resolved, resolve), resolve)
    return found


def own_types(schema: Mapping[str, Any]) -> set[str]:
    """The types one schema (not its branches) allows; a ``$ref`` is its name."""
    if isinstance(schema.get("$ref"), str):
        return {_ref_name(schema["$ref"])}
    kind = schema.get("type")
    types: set[str] = set()
    if isinstance(kind, str):
        types.add(kind)
    elif isinstance(kind, list):
        types.update(str(k) for k in kind)
    if schema.get("nullable") is True:
        types.add("null")
    if not types and "properties" in schema:
        types.add("object")
    if not types and "items" in schema:
        types.add("array")
    if not types and isinstance(schema.get("enum"), list):
        types.update(json_type(value) for value in schema["enum"])
    if not types and "const" in schema:
        types.add(json_type(schema["const"]))
    return types


def branch_types(alternatives: list[Mapping[str, Any]]) -> frozenset[str]:
    """The types any of the alternatives allows (``null`` when an enum holds it)."""
    types: set[str] = set()
    for branch in alternatives:
        types |= own_types(branch)
    if "null" not in types and any(None in (branch.get("enum") or ()) for branch in alternatives):
        types.add("null")
    return frozenset(types)


def pick(alternatives: list[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    """The one branch of a kind (``object``/``array``/``string``), None if none or several."""
    found = [b for b in alternatives if kind in own_types(b)]
    return found[0] if len(found) == 1 else None


def enum_values(alternatives: list[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The allowed values (canonical JSON → value), None when unrestricted."""
    values: dict[str, Any] = {}
    for branch in alternatives:
        if own_types(branch) <= {"null"} and "enum" not in branch:
            continue  # a null branch does not lift the restriction
        if isinstance(branch.get("enum"), list):
            values.update((canonical(v), v) for v in branch["enum"] if v is not None)
        elif "const" in branch and branch["const"] is not None:
            values[canonical(branch["const"])] = branch["const"]
        else:
            return None
    return values or None
