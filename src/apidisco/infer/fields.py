"""A JSON Schema as a reader sees it: a one-line type and a flat list of fields.

:func:`schema_type` writes a schema as a short type::

    {"type": "integer"}                                   integer
    {"type": "string", "format": "date-time"}             string (date-time)
    {"type": "string", "enum": ["open", "closed"]}        "open" | "closed"
    {"type": "array", "items": {"$ref": ".../User"}}      array of User
    {"additionalProperties": {"type": "integer"}, ...}    map of string → integer
    {"anyOf": [{"$ref": ".../User"}, {"type": "null"}]}   User | null

:func:`schema_fields` lists the fields of an object schema, nested fields as
paths: ``address.city``, ``items[].id`` (the items of an array), ``labels.*.name``
(the values of a map), ``*`` for the ``additionalProperties`` beside declared
properties. It sees through ``$ref`` (local pointers into the document), through
a union of one schema with ``null``, and merges ``allOf``. A schema already
being expanded on the way down is not expanded again (the field says which, as
``recursive``), and at most ``max_depth`` levels of fields are listed (a field
whose own fields are past that says so, as ``hidden``), so every schema gives a
finite list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "Field",
    "literal",
    "named_type",
    "resolve",
    "schema_fields",
    "schema_type",
]

MAX_DEPTH = 4
_MAX_ENUM = 8
_MAX_LITERAL = 40
_MAX_TYPE_DEPTH = 6


def literal(value: Any) -> str:
    """A JSON value on one short line, cut with ``…`` past 40 characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_LITERAL else text[: _MAX_LITERAL - 1] + "…"


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~") or ref


# -- one-line types -------------------------------------------------------------------


def schema_type(schema: Any) -> str:
    """A schema as a one-line type (examples in the module docstring).

    ``$ref`` gives the referenced name; ``const`` and ``enum`` their JSON values
    (at most eight, then how many more); ``anyOf``/``oneOf``, type arrays and
    ``nullable`` give ``|`` with ``null`` last; ``allOf`` gives ``&``; a string or
    number shows its format (a string without one its content media type); an
    object without properties but with ``additionalProperties`` is a map; an
    empty schema is ``any``.
    """
    return " | ".join(_alternatives(schema, 0))


def _alternatives(schema: Any, depth: int) -> list[str]:
    if schema is False:
        return ["never"]
    if not isinstance(schema, Mapping) or not schema:
        return ["any"]
    if depth > _MAX_TYPE_DEPTH:
        return ["…"]
    if "$ref" in schema:
        return [_ref_name(str(schema["$ref"]))]
    if "const" in schema:
        return [literal(schema["const"])]
    if isinstance(schema.get("enum"), list):
        values = schema["enum"]
        shown = [literal(value) for value in values[:_MAX_ENUM]]
        if len(values) > _MAX_ENUM:
            shown.append(f"… ({len(values) - _MAX_ENUM} more)")
        return _union(shown)
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list):
            return _union([a for b in schema[key] for a in _alternatives(b, depth + 1)])
    if isinstance(schema.get("allOf"), list):
        parts = [_wrap(_alternatives(b, depth + 1)) for b in schema["allOf"]]
        return [" & ".join(dict.fromkeys(p for p in parts if p != "any")) or "any"]
    types = schema.get("type")
    if types is None and "properties" in schema:
        types = "object"
    elif types is None and "items" in schema:
        types = "array"
    elif types is None:
        return ["any"]
    kinds = [str(kind) for kind in types] if isinstance(types, list) else [str(types)]
    if schema.get("nullable") is True:  # OpenAPI 3.0's spelling
        kinds.append("null")
    return _union([_single(schema, kind, depth) for kind in kinds])


def _single(schema: Mapping[str, Any], kind: str, depth: int) -> str:
    if kind in ("string", "integer", "number"):
        detail = schema.get("format") or (kind == "string" and schema.get("contentMediaType"))
        return f"{kind} ({detail})" if detail else kind
    if kind == "array":
        if isinstance(schema.get("prefixItems"), list):
            return "[" + ", ".join(schema_type(item) for item in schema["prefixItems"]) + "]"
        items = schema.get("items")
        if items is None or items is True:
            return "array"
        return "array of " + _wrap(_alternatives(items, depth + 1))
    if kind == "object":
        values = schema.get("additionalProperties")
        if not schema.get("properties") and isinstance(values, Mapping):
            return "map of string → " + _wrap(_alternatives(values, depth + 1))
    return kind


def _union(parts: list[str]) -> list[str]:
    unique = list(dict.fromkeys(parts))
    return [part for part in unique if part != "null"] + (["null"] if "null" in unique else [])


def _wrap(parts: list[str]) -> str:
    return f"({' | '.join(parts)})" if len(parts) > 1 else parts[0]


def named_type(schema: Any, document: Mapping[str, Any]) -> str:
    """:func:`schema_type`, and what a ``$ref`` to a schema without fields names.

    A reader learns nothing from ``OrderStatus`` alone; they do from
    ``OrderStatus ("open" | "shipped")``. A ref to an object stays its name.
    """
    kind = schema_type(schema)
    if isinstance(schema, Mapping) and "$ref" in schema:
        target = resolve(document, schema)
        if target is not schema and _shape(document, schema, ()).kind == "leaf":
            kind += f" ({schema_type(target)})"
    return kind


# -- references -----------------------------------------------------------------------


def _pointer(document: Mapping[str, Any], ref: str) -> Any:
    if not ref.startswith("#"):
        return None
    node: Any = document
    for part in ref[1:].split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _follow(
    document: Mapping[str, Any], node: Any, seen: tuple[str, ...]
) -> tuple[Any, tuple[str, ...], bool]:
    """``node`` with its ``$ref`` chain followed, the refs followed, whether one repeated."""
    while isinstance(node, Mapping) and "$ref" in node:
        ref = str(node["$ref"])
        if ref in seen:
            return node, seen, True
        target = _pointer(document, ref)
        if target is None:
            return node, seen, False
        node, seen = target, (*seen, ref)
    return node, seen, False


def resolve(document: Mapping[str, Any], node: Any) -> Any:
    """``node``, or what its ``$ref`` (a chain of them) points to in ``document``.

    A ref that points nowhere, outside the document or back into its own chain
    is left as it is.
    """
    return _follow(document, node, ())[0]


# -- fields ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One row of a schema's field table.

    ``schema`` is the field's own schema (its description, examples ...);
    ``recursive`` names the schema that was not expanded again; ``hidden`` says
    that the field's own fields are past the depth limit.
    """

    path: str
    type: str
    required: bool
    schema: Mapping[str, Any]
    recursive: str | None = None
    hidden: bool = False


@dataclass(frozen=True)
class _Shape:
    kind: str  # object, array, map, cycle or leaf
    seen: tuple[str, ...]
    properties: Mapping[str, Any] | None = None
    required: frozenset[str] = frozenset()
    inner: Any = None  # the items, the map's values or the other properties; the cycle's name


_LEAF = _Shape("leaf", ())


def _shape(document: Mapping[str, Any], schema: Any, seen: tuple[str, ...]) -> _Shape:
    """What a schema holds once refs, unions with null and ``allOf`` are seen through."""
    target, seen, cycle = _follow(document, schema, seen)
    if cycle:
        return _Shape("cycle", seen, inner=_ref_name(str(target["$ref"])))
    if not isinstance(target, Mapping):
        return _LEAF
    for key in ("anyOf", "oneOf"):
        if isinstance(target.get(key), list):
            branches = [b for b in target[key] if _not_null(resolve(document, b))]
            return _shape(document, branches[0], seen) if len(branches) == 1 else _LEAF
    properties: dict[str, Any] = {}
    required = frozenset(map(str, target.get("required") or ()))
    for branch in target.get("allOf") or ():
        merged = _shape(document, branch, seen)
        if merged.kind == "object" and merged.properties is not None:
            properties.update(merged.properties)
            required |= merged.required
    properties.update(target.get("properties") or {})
    extra = target.get("additionalProperties")
    extra = extra if isinstance(extra, Mapping) and extra else None
    types = target.get("type")
    if properties:
        return _Shape("object", seen, properties, required, extra)
    if "array" in (types if isinstance(types, list) else [types]) and isinstance(
        target.get("items"), Mapping
    ):
        return _Shape("array", seen, inner=target["items"])
    if extra is not None:
        return _Shape("map", seen, inner=extra)
    return _LEAF


def _not_null(schema: Any) -> bool:
    return not (isinstance(schema, Mapping) and schema.get("type") == "null")


def schema_fields(
    schema: Any, document: Mapping[str, Any], max_depth: int = MAX_DEPTH
) -> list[Field]:
    """The fields of ``schema`` (refs resolved in ``document``), parents before children.

    Empty when the schema is not an object, nor an array or a map of objects.
    """
    fields: list[Field] = []
    _walk(document, schema, "", 0, (), max_depth, fields)
    return fields


def _walk(
    document: Mapping[str, Any],
    schema: Any,
    path: str,
    depth: int,
    seen: tuple[str, ...],
    max_depth: int,
    fields: list[Field],
) -> Field | None:
    """Append the fields under ``schema``; a stopped expansion comes back as a marker."""
    shape = _shape(document, schema, seen)
    if shape.kind == "cycle":
        return Field("", "", False, {}, recursive=shape.inner)
    if shape.kind in ("array", "map"):
        inner = f"{path}[]" if shape.kind == "array" else (f"{path}.*" if path else "*")
        return _walk(document, shape.inner, inner, depth, shape.seen, max_depth, fields)
    if shape.kind != "object" or shape.properties is None:
        return None
    if depth >= max_depth:
        return Field("", "", False, {}, hidden=True)
    prefix = f"{path}." if path else ""
    entries = [(name, prop, name in shape.required) for name, prop in shape.properties.items()]
    if shape.inner is not None:
        entries.append(("*", shape.inner, False))
    for name, prop, required in entries:
        own = prop if isinstance(prop, Mapping) else {}
        index = len(fields)
        fields.append(Field(f"{prefix}{name}", named_type(prop, document), required, own))
        stopped = _walk(
            document, prop, fields[index].path, depth + 1, shape.seen, max_depth, fields
        )
        if stopped is not None:
            fields[index] = replace(
                fields[index], recursive=stopped.recursive, hidden=stopped.hidden
            )
    return None
