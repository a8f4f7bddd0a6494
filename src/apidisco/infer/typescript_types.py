"""JSON Schemas as TypeScript types, the translation :mod:`apidisco.infer.typescript` uses.

- :class:`TsType` is a type expression (an atom, or a union or intersection of
  members); :func:`union` flattens and orders unions (``unknown`` absorbs,
  ``never`` vanishes, ``null`` and ``undefined`` go last), :func:`intersection`
  and :func:`array` build the others.
- :class:`SchemaTypes` names the document's component schemas
  (:func:`apidisco.infer.typescript_names.component_names`) and translates any
  schema into a type (``$ref``, ``const``, ``enum``, unions, intersections,
  arrays, objects with optional members and index signatures) or a declaration
  (``export interface`` for a plain object, else ``export type``).
- :func:`doc` and :func:`schema_doc` write JSDoc: a schema's description,
  ``@format``, ``@default``, up to :data:`EXAMPLE_LIMIT` ``@example`` and
  ``@deprecated``.
- :func:`is_json`, :func:`is_text` and :func:`is_form` classify media types, and
  :func:`is_object` says whether a schema is declared as an interface.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apidisco.infer.typescript_names import RESERVED, component_names, literal, property_name

__all__ = [
    "EXAMPLE_LIMIT",
    "NEVER",
    "UNDEFINED",
    "UNKNOWN",
    "VOID",
    "SchemaTypes",
    "TsType",
    "array",
    "doc",
    "intersection",
    "is_form",
    "is_json",
    "is_object",
    "is_text",
    "schema_doc",
    "union",
]

#: At most this many ``examples`` are shown in a JSDoc comment.
EXAMPLE_LIMIT = 3

_COMPONENT_REF = "#/components/schemas/"
_TEXT_TYPES = frozenset(
    {"application/javascript", "application/graphql", "application/sql", "application/x-ndjson"}
)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/")


@dataclass(frozen=True)
class TsType:
    """A TypeScript type expression: an atom, or a union or intersection of members."""

    text: str
    kind: str = "atom"
    members: tuple[TsType, ...] = ()


UNKNOWN = TsType("unknown")
NEVER = TsType("never")
UNDEFINED = TsType("undefined")
VOID = TsType("void")


def union(types: Iterable[TsType]) -> TsType:
    """Members flattened and deduplicated; ``unknown`` absorbs, ``never`` vanishes,
    ``null`` and ``undefined`` go last."""
    members: dict[str, TsType] = {}
    for type_ in types:
        for member in type_.members if type_.kind == "union" else (type_,):
            members.setdefault(member.text, member)
    if "unknown" in members:
        return UNKNOWN
    if len(members) > 1:
        members.pop("never", None)
    for last in ("null", "undefined"):
        if last in members:
            members[last] = members.pop(last)
    if not members:
        return NEVER
    if len(members) == 1:
        return next(iter(members.values()))
    return TsType(" | ".join(members), "union", tuple(members.values()))


def intersection(types: Iterable[TsType]) -> TsType:
    """``A & B``, unions parenthesised, duplicates and ``unknown`` dropped."""
    parts = list(dict.fromkeys(f"({t.text})" if t.kind == "union" else t.text for t in types))
    parts = [part for part in parts if part != "unknown"] or ["unknown"]
    return TsType(parts[0]) if len(parts) == 1 else TsType(" & ".join(parts), "intersection")


def array(item: TsType) -> TsType:
    """``T[]``, or ``(A | B)[]`` for a union or intersection."""
    return TsType(f"({item.text})[]" if item.kind != "atom" else f"{item.text}[]")


# -- JSDoc ----------------------------------------------------------------------------


def _comment(text: str) -> str:
    return text.replace("*/", "*\\/")


def doc(lines: list[str], pad: str) -> list[str]:
    """A JSDoc block: one line when it fits one line, else the long form."""
    lines = [_comment(part.rstrip()) for line in lines for part in line.splitlines() or [""]]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return []
    if len(lines) == 1:
        return [f"{pad}/** {lines[0]} */"]
    return [f"{pad}/**", *(f"{pad} * {line}".rstrip() for line in lines), f"{pad} */"]


def schema_doc(schema: Any) -> list[str]:
    """The JSDoc lines of a schema: its description, then its tags."""
    if not isinstance(schema, Mapping):
        return []
    lines = str(schema.get("description") or "").strip().splitlines()
    tags = []
    if isinstance(schema.get("format"), str):
        tags.append(f"@format {schema['format']}")
    if "default" in schema:
        tags.append(f"@default {literal(schema['default'])}")
    examples = schema.get("examples")
    if isinstance(examples, list):
        tags.extend(f"@example {literal(example)}" for example in examples[:EXAMPLE_LIMIT])
    if schema.get("deprecated") is True:
        tags.append("@deprecated")
    return [*lines, *([""] if lines and tags else []), *tags]


# -- media types and schema shapes ----------------------------------------------------


def _media_base(media: str) -> str:
    return media.split(";", 1)[0].strip().lower()


def is_json(media: str) -> bool:
    """``application/json`` and ``…+json``, parameters ignored."""
    base = _media_base(media)
    return base.endswith(("/json", "+json"))


def is_text(media: str) -> bool:
    """``text/*``, XML, YAML, CSV and the other media types that are text."""
    base = _media_base(media)
    return (
        base.startswith("text/")
        or base in _TEXT_TYPES
        or base.endswith(("/xml", "+xml", "/yaml", "+yaml", "/x-yaml", "/csv"))
    )


def is_form(media: str) -> bool:
    """A form (``application/x-www-form-urlencoded``) or ``multipart/*`` body."""
    return _media_base(media).startswith(_FORM_TYPES)


def is_object(schema: Any) -> bool:
    """Whether a schema is declared as an ``interface``: a plain, non-nullable object."""
    if not isinstance(schema, Mapping):
        return False
    if any(k in schema for k in ("$ref", "enum", "const", "anyOf", "oneOf", "allOf")):
        return False
    kind = schema.get("type")
    if kind is None:
        return "properties" in schema or "additionalProperties" in schema
    return bool(kind == "object")


# -- schemas to types -----------------------------------------------------------------


class SchemaTypes:
    """The types of one document's schemas; ``names`` holds each component's
    declared name and ``taken`` every name no other declaration may take."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        components = spec.get("components")
        schemas = components.get("schemas") if isinstance(components, Mapping) else None
        self.schemas: Mapping[str, Any] = schemas if isinstance(schemas, Mapping) else {}
        self.taken: set[str] = set(RESERVED)
        self.names: dict[str, str] = component_names(sorted(self.schemas), self.taken)

    def type(self, schema: Any, level: int, binary: bool = False) -> TsType:
        """The type of a schema, for text at indentation ``level``; ``binary`` makes
        file fields of form and multipart bodies ``Blob``."""
        if schema is True or schema == {}:
            return UNKNOWN
        if not isinstance(schema, Mapping):
            return NEVER if schema is False else UNKNOWN
        if "$ref" in schema:
            return self.ref(schema["$ref"])
        kinds = schema.get("type")
        kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
        if "const" in schema:
            return TsType(literal(schema["const"]))
        if isinstance(schema.get("enum"), list):
            values = [*schema["enum"], *([None] if "null" in kinds else [])]
            return union(TsType(literal(value)) for value in values)
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list):
                return union(self.type(branch, level, binary) for branch in schema[key])
        if isinstance(schema.get("allOf"), list):
            return intersection(self.type(branch, level, binary) for branch in schema["allOf"])
        if not kinds:
            if "properties" in schema or "additionalProperties" in schema:
                kinds = ["object"]
            elif "items" in schema:
                kinds = ["array"]
            else:
                return UNKNOWN
        return union(self.scalar(kind, schema, level, binary) for kind in kinds)

    def scalar(self, kind: Any, schema: Mapping[str, Any], level: int, binary: bool) -> TsType:
        """The type of one of a schema's ``type`` values."""
        if kind == "string":
            media = str(schema.get("contentMediaType") or "")
            is_file = schema.get("format") == "binary" or (media and not is_text(media))
            return TsType("Blob" if binary and is_file else "string")
        if kind in ("integer", "number"):
            return TsType("number")
        if kind in ("boolean", "null"):
            return TsType(kind)
        if kind == "array":
            items = schema.get("items")
            return array(UNKNOWN if items is None else self.type(items, level, binary))
        if kind == "object":
            return TsType(self.object_literal(schema, level, binary))
        return UNKNOWN

    def ref(self, ref: Any) -> TsType:
        """A component's name; ``unknown`` for any other reference."""
        if isinstance(ref, str) and ref.startswith(_COMPONENT_REF):
            key = ref[len(_COMPONENT_REF) :].replace("~1", "/").replace("~0", "~")
            if key in self.names:
                return TsType(self.names[key])
        return UNKNOWN

    def members(self, schema: Mapping[str, Any], level: int, binary: bool = False) -> list[str]:
        """The member lines of an object type (properties, then the index signature)."""
        pad = "  " * (level + 1)
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        required = schema.get("required")
        required = set(required) if isinstance(required, list) else set()
        lines: list[str] = []
        types: list[TsType] = []
        for name, prop in properties.items():
            type_ = self.type(prop, level + 1, binary)
            optional = name not in required
            types.append(union([type_, UNDEFINED]) if optional else type_)
            lines += doc(schema_doc(prop), pad)
            lines.append(f"{pad}{property_name(name)}{'?' if optional else ''}: {type_.text};")
        extra = schema.get("additionalProperties")
        if extra is None and not properties:
            extra = True  # an object that says nothing of its keys may have any
        if extra is False and not properties:
            lines.append(f"{pad}[key: string]: never;")  # an object that must be empty
        elif extra is not None and extra is not False:
            value = union([self.type(extra, level + 1, binary), *types])
            lines += doc(schema_doc(extra), pad)
            lines.append(f"{pad}[key: string]: {value.text};")
        return lines

    def object_literal(self, schema: Mapping[str, Any], level: int, binary: bool) -> str:
        """``{ [key: string]: T }`` on one line for a plain map, else one member a line."""
        lines = self.members(schema, level, binary)
        if len(lines) == 1 and "\n" not in lines[0] and lines[0].lstrip().startswith("[key:"):
            return "{ " + lines[0].strip()[:-1] + " }"
        return "{\n" + "\n".join(lines) + "\n" + "  " * level + "}"

    # -- declarations -----------------------------------------------------------------

    def declare(self, name: str, schema: Any, lines: list[str], binary: bool = False) -> list[str]:
        """``export interface`` for an object schema, else ``export type``; ``lines``
        are its JSDoc."""
        if is_object(schema):
            members = "\n".join(self.members(schema, 0, binary))
            return [*doc(lines, ""), f"export interface {name} {{\n{members}\n}}"]
        return self.alias(name, self.type(schema, 0, binary), lines)

    def alias(self, name: str, type_: TsType, lines: list[str]) -> list[str]:
        """``export type name = type;`` under its JSDoc."""
        return [*doc(lines, ""), f"export type {name} = {type_.text};"]

    def components(self) -> list[list[str]]:
        """The declaration of every component schema, by key."""
        return [
            self.declare(self.names[key], self.schemas[key], schema_doc(self.schemas[key]))
            for key in sorted(self.schemas)
        ]
