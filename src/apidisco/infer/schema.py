"""JSON Schema (2020-12, as OpenAPI 3.1 uses it) inferred from JSON samples.

:class:`SchemaBuilder` folds samples one at a time into a tree of nodes, one
node per position (the root, each property, the items of each array), and
:meth:`~SchemaBuilder.build` turns the tree into a plain schema dict. Builders
for the same operation made in different processes combine with
:meth:`~SchemaBuilder.merge`; adding, merging and building give the same schema
whatever the order of the samples.

Memory is bounded by the shape of the data, never by the number of samples: a
node keeps counts per JSON type, the string formats every string so far matched,
at most :data:`ENUM_TRACKED` distinct short strings, at most
:data:`EXAMPLE_LIMIT` examples of at most :data:`EXAMPLE_LENGTH` characters and
at most :data:`MAX_PROPERTIES` property nodes (past that the object is a map,
below). Every item of every array is folded into one ``items`` node, so a huge
array costs time linear in its length and no memory; items are not sampled.

The rules:

- **types** — ``integer`` when every number was a JSON integer (a Python
  ``int``; ``1.0`` is a ``number``; ``bool`` is ``boolean``, never a number),
  ``number`` when any was not. Several scalar types at one position give a
  type array (``["integer", "string"]``); an object or array mixed with anything
  else gives ``anyOf``, one branch per type in type-name order. Null beside one
  other type is a type array (``["null", "string"]``), null beside an ``anyOf``
  a ``{"type": "null"}`` branch, null alone ``{"type": "null"}``. A position
  never seen (the items of arrays that were always empty) has no ``items``.
- **formats** (:mod:`apidisco.infer.formats`) only when every string matched.
- **enums** — quicktype's rule: at least :data:`ENUM_MIN_SAMPLES` strings and
  fewer distinct values than the square root of their number. Never when the
  strings all had a format (ids, dates, addresses are data, not vocabulary),
  when any value was a uuid, date, date-time or time, longer than
  :data:`ENUM_MAX_LENGTH` characters (free text), masked, a token or under a
  secret field, nor past :data:`ENUM_TRACKED` distinct values (tracking stops).
  Values are sorted; ``null`` is added to a nullable enum.
- **required** — the properties present (even as null) in every object there.
- **maps** — an object becomes ``{"additionalProperties": <one schema>}`` when
  every key looks generated (digits, uuid, date, date-time, email), or when it
  has more than :data:`MAP_MIN_KEYS` keys whose values all have the same type
  (quicktype's map heuristic), or when it has seen more than
  :data:`MAX_PROPERTIES` distinct keys (then its property nodes are folded into
  one value node for good, to keep memory bounded).
- **examples** — per scalar position, the :data:`EXAMPLE_LIMIT` smallest
  distinct values (by type, then value), so they do not depend on sample order;
  strings longer than :data:`EXAMPLE_LENGTH` are cut and end in ``…``. Masked
  values (``‹masked:xxxxxxxx›``) stay as they are; strings under a secret field
  name (:data:`SECRET_FIELDS`, capture's default list) or that look like a JWT
  are shown masked the way capture masks them; numbers under a secret field
  are not shown.

Why not genson (a dependency, and it supports custom strategies): it keeps no
counts, so ``required`` after a merge, the enum evidence rule and bounded value
sets would all be custom strategies; it has no formats, puts ``null`` into
``anyOf`` rather than type arrays and orders ``anyOf`` by arrival. Overriding all
of that is more code than this small node tree, and harder to read.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from typing import Any

from apidisco.infer.formats import FORMATS, matching_formats, pick_format
from apidisco.sensitive import DEFAULT_SENSITIVE_FIELDS

__all__ = [
    "ENUM_MAX_LENGTH",
    "ENUM_MIN_SAMPLES",
    "ENUM_TRACKED",
    "EXAMPLE_LENGTH",
    "EXAMPLE_LIMIT",
    "MAP_MIN_KEYS",
    "MAX_PROPERTIES",
    "SECRET_FIELDS",
    "SchemaBuilder",
    "infer_schema",
    "json_type",
]

ENUM_MIN_SAMPLES = 10
ENUM_MAX_LENGTH = 40
ENUM_TRACKED = 64
EXAMPLE_LIMIT = 3
EXAMPLE_LENGTH = 80
MAP_MIN_KEYS = 20
MAX_PROPERTIES = 256

#: Field names whose values are secrets: the same list capture masks.
SECRET_FIELDS: frozenset[str] = DEFAULT_SENSITIVE_FIELDS

_MASK = re.compile(r"‹masked:[0-9a-f]{8}›")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", re.ASCII)
_ALL_FORMATS = frozenset(FORMATS)
_NOT_ENUM_FORMATS = ("uuid", "date", "date-time", "time")
_KEY_FORMATS = ("uuid", "date", "date-time", "email")
_SCALAR_RANK = {"boolean": 0, "integer": 1, "number": 1, "string": 2}


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def _masked(value: str) -> str:
    return f"‹masked:{hashlib.sha256(value.encode('utf-8')).hexdigest()[:8]}›"


def _example_key(value: Any) -> tuple[Any, bool]:
    # One list holds strings or numbers, never both; 1 and 1.0 are different examples.
    return (value, isinstance(value, float))


def _keep(examples: list[Any], value: Any) -> list[Any]:
    """``examples`` with ``value`` if it is among the :data:`EXAMPLE_LIMIT` smallest."""
    key = _example_key(value)
    if len(examples) >= EXAMPLE_LIMIT and key >= _example_key(examples[-1]):
        return examples
    if any(_example_key(kept) == key for kept in examples):
        return examples
    return sorted([*examples, value], key=_example_key)[:EXAMPLE_LIMIT]


def _union(first: list[Any], second: list[Any]) -> list[Any]:
    for value in second:
        first = _keep(first, value)
    return first


_KINDS: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}
_DIGIT_START = re.compile(r"[0-9]", re.ASCII)


def _MAYBE_NOT_ENUM(value: str) -> bool:  # noqa: N802 - reads as the constant test it is
    """Cheap pre-test: only strings starting with a digit can be uuids, dates or times
    (a uuid may start with a letter, so 36-character strings are tested too)."""
    return len(value) == 36 or _DIGIT_START.match(value) is not None


def json_type(value: Any) -> str:
    """The JSON Schema type of a JSON value: ``null``, ``boolean``, ``integer``,
    ``number``, ``string``, ``array`` or ``object`` (:class:`TypeError` for anything else)."""
    kind = _KINDS.get(type(value))
    return kind if kind is not None else _kind_of(value)


def _kind_of(value: Any) -> str:
    """The JSON type of a value of a subclass (``True`` is checked before ``int``)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _dynamic_key(key: str) -> bool:
    return (key.isascii() and key.isdigit()) or bool(matching_formats(key, _KEY_FORMATS))


class _Node:
    """What was seen at one position of the samples."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.numbers: list[int | float] = []
        self.formats: frozenset[str] = _ALL_FORMATS
        self.values: set[str] | None = set()  # None: too many, or not enum material
        self.strings: list[str] = []
        self.items: _Node | None = None
        self.properties: dict[str, _Node] = {}
        self.map_values: _Node | None = None  # set once the object is known to be a map
        self.secret_name = False  # the property holding this node is a secret field

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def _count(self, kind: str, amount: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + amount

    # -- folding samples in -------------------------------------------------------------

    def add(self, value: Any, secret: bool, secret_fields: frozenset[str], weight: int = 1) -> None:
        """Fold in one value, as if it were seen ``weight`` times (counts only grow)."""
        kind = _KINDS.get(type(value))  # json_type, inlined: this runs once per value
        if kind is None:
            kind = _kind_of(value)
        counts = self.counts
        counts[kind] = counts.get(kind, 0) + weight
        if kind == "string":
            self._add_string(value, secret)
        elif kind == "object":
            for key, item in value.items():
                if type(key) is not str:
                    raise TypeError(f"JSON object keys are strings, not {type(key).__name__}")
                child = self._child(key, secret_fields)
                child.add(item, secret or child.secret_name, secret_fields, weight)
        elif kind == "array":
            items = self.items
            if items is None and value:
                items = self.items = _Node()
            for item in value:
                items.add(item, secret, secret_fields, weight)  # type: ignore[union-attr]
        elif (kind == "integer" or kind == "number") and not secret and math.isfinite(value):
            numbers = self.numbers
            if len(numbers) < EXAMPLE_LIMIT or _example_key(value) < _example_key(numbers[-1]):
                self.numbers = _keep(numbers, value)

    def _add_string(self, value: str, secret: bool) -> None:
        if self.formats:
            self.formats = matching_formats(value, self.formats)
        already_masked = "‹masked:" in value and _MASK.search(value) is not None
        hidden = not already_masked and (
            secret or (value.startswith("eyJ") and _JWT.fullmatch(value) is not None)
        )
        values = self.values
        if values is not None and value not in values:
            if (
                already_masked
                or hidden
                or len(value) > ENUM_MAX_LENGTH
                or (_MAYBE_NOT_ENUM(value) and matching_formats(value, _NOT_ENUM_FORMATS))
            ):
                self.values = None
            else:
                values.add(value)
                if len(values) > ENUM_TRACKED:
                    self.values = None
        strings = self.strings
        if len(strings) >= EXAMPLE_LIMIT and not hidden and value >= strings[-1]:
            return  # not among the smallest: nothing to keep (cut examples sort before)
        shown = _masked(value) if hidden else value
        if len(shown) > EXAMPLE_LENGTH:
            shown = shown[: EXAMPLE_LENGTH - 1] + "…"
        self.strings = _keep(strings, shown)

    def _child(self, key: str, secret_fields: frozenset[str] = frozenset()) -> _Node:
        if self.map_values is not None:
            return self.map_values
        child = self.properties.get(key)
        if child is None:
            child = self.properties[key] = _Node()
            child.secret_name = _normalise(key) in secret_fields
            if len(self.properties) > MAX_PROPERTIES:
                self._become_map()
                return self._child(key, secret_fields)
        return child

    def _become_map(self) -> None:
        values = _Node()
        for key in sorted(self.properties):
            values.merge(self.properties[key])
        self.properties = {}
        self.map_values = values

    def merge(self, other: _Node) -> None:
        """Fold ``other`` in, as if its samples had been added here (``other`` is not shared)."""
        for kind, amount in other.counts.items():
            self._count(kind, amount)
        self.numbers = _union(self.numbers, other.numbers)
        self.strings = _union(self.strings, other.strings)
        self.formats &= other.formats
        if self.values is None or other.values is None:
            self.values = None
        else:
            self.values = self.values | other.values
            if len(self.values) > ENUM_TRACKED:
                self.values = None
        if other.items is not None:
            if self.items is None:
                self.items = _Node()
            self.items.merge(other.items)
        if other.map_values is not None and self.map_values is None:
            self._become_map()
        for key in sorted(other.properties):
            theirs = other.properties[key]
            mine = self._child(key)
            mine.secret_name = mine.secret_name or theirs.secret_name
            mine.merge(theirs)
        if other.map_values is not None:
            assert self.map_values is not None
            self.map_values.merge(other.map_values)

    # -- building the schema ---------------------------------------------------------------

    def kinds(self) -> frozenset[str]:
        """The non-null types seen here, integer counted as number."""
        return frozenset("number" if kind == "integer" else kind for kind in self.counts) - {"null"}

    def schema(self) -> dict[str, Any]:
        branches: dict[str, dict[str, Any]] = {}
        if "object" in self.counts:
            branches["object"] = self._object_schema()
        if "array" in self.counts:
            branches["array"] = {"type": "array"}
            if self.items is not None:
                branches["array"]["items"] = self.items.schema()
        if "boolean" in self.counts:
            branches["boolean"] = {"type": "boolean"}
        if "integer" in self.counts or "number" in self.counts:
            kind = "number" if "number" in self.counts else "integer"
            branches[kind] = {"type": kind}
            if self.numbers:
                branches[kind]["examples"] = list(self.numbers)
        if "string" in self.counts:
            branches["string"] = self._string_schema()
        nullable = "null" in self.counts
        if not branches:
            return {"type": "null"} if nullable else {}
        if len(branches) == 1:
            ((kind, schema),) = branches.items()
            if nullable:
                schema["type"] = sorted([kind, "null"])
                if "enum" in schema:
                    schema["enum"].append(None)
            return schema
        if "object" in branches or "array" in branches:
            if nullable:
                branches["null"] = {"type": "null"}
            return {"anyOf": [branches[kind] for kind in sorted(branches)]}
        return _Node._scalars_schema(branches, nullable)

    @staticmethod
    def _scalars_schema(branches: dict[str, dict[str, Any]], nullable: bool) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": sorted([*branches, *(["null"] if nullable else [])])}
        if "format" in branches.get("string", {}):
            schema["format"] = branches["string"]["format"]  # applies to strings only
        examples: list[Any] = []
        for kind in sorted(branches, key=_SCALAR_RANK.__getitem__):
            examples.extend(branches[kind].get("examples", []))
        if examples:
            schema["examples"] = examples[:EXAMPLE_LIMIT]
        return schema

    def _string_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        string_format = pick_format(self.formats)
        count = self.counts["string"]
        if string_format is not None:
            schema["format"] = string_format
        elif self.values is not None and count >= ENUM_MIN_SAMPLES:
            if len(self.values) ** 2 < count:
                schema["enum"] = sorted(self.values)
        schema["examples"] = list(self.strings)  # never empty: every string leaves one
        return schema

    def _object_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object"}
        if self.map_values is not None:
            schema["additionalProperties"] = self.map_values.schema()
        elif self.properties and self._looks_like_map():
            values = _Node()
            for key in sorted(self.properties):
                values.merge(self.properties[key])
            schema["additionalProperties"] = values.schema()
        elif self.properties:
            objects = self.counts["object"]
            names = sorted(self.properties)
            schema["properties"] = {name: self.properties[name].schema() for name in names}
            required = [name for name in names if self.properties[name].total == objects]
            if required:
                schema["required"] = required
        return schema

    def _looks_like_map(self) -> bool:
        if all(_dynamic_key(key) for key in self.properties):
            return True
        if len(self.properties) <= MAP_MIN_KEYS:
            return False
        kinds = {child.kinds() for child in self.properties.values()} - {frozenset()}
        return len(kinds) <= 1

    def footprint(self) -> int:
        size = 1 + len(self.numbers) + len(self.strings) + len(self.values or ())
        size += len(self.properties) + sum(child.footprint() for child in self.properties.values())
        for child in (self.items, self.map_values):
            size += child.footprint() if child is not None else 0
        return size


class SchemaBuilder:
    """Folds JSON samples into one JSON Schema (2020-12), in bounded memory.

    ``secret_fields`` names the fields whose values are never shown unmasked in
    examples nor listed in enums (compared lower-case, ``-`` as ``_``); pass the
    capture's configured list when it differs from the default.
    """

    def __init__(self, *, secret_fields: Iterable[str] = SECRET_FIELDS) -> None:
        self.secret_fields = frozenset(_normalise(name) for name in secret_fields)
        self.samples = 0
        self._root = _Node()

    def add(self, sample: Any, *, weight: int = 1, secret: bool = False) -> None:
        """Fold in one decoded JSON document (dicts, lists, str, int, float, bool, None).

        ``weight``: as if the sample had been added that many times. ``secret``:
        the whole sample is a secret's value (a sensitive header or parameter).
        """
        if weight < 1:
            raise ValueError("weight must be at least 1")
        self._root.add(sample, secret, self.secret_fields, weight)
        self.samples += weight

    def merge(self, other: SchemaBuilder) -> None:
        """Fold in everything ``other`` has seen; ``other`` is left unchanged."""
        if other is self:
            raise ValueError("a builder cannot merge itself")
        self._root.merge(other._root)
        self.samples += other.samples

    def build(self) -> dict[str, Any]:
        """The schema of every sample so far: ``{}`` (anything) before the first."""
        return self._root.schema()

    def footprint(self) -> int:
        """How many things the builder holds (nodes, property names, tracked values,
        examples): it grows with the shape of the data, not the number of samples."""
        return self._root.footprint()


def infer_schema(samples: Iterable[Any]) -> dict[str, Any]:
    """The schema built from ``samples`` by a default :class:`SchemaBuilder`."""
    builder = SchemaBuilder()
    for sample in samples:
        builder.add(sample)
    return builder.build()
