"""Evidence for a GraphQL schema: what responses and requests showed at each position.

:mod:`apidisco.infer.graphql` folds captured operations into these nodes and
:mod:`apidisco.infer.graphql_sdl` turns them into SDL. Everything here counts,
so nodes merge by adding, and what a node keeps is bounded whatever the order
of the calls: past a limit the *smallest* names are kept (a name among the
smallest overall is never dropped, so its counts stay exact) and the node says
it was truncated.

- :class:`ObjectEvidence` — one object type (by name): its fields.
- :class:`FieldEvidence` — one field: its values (:class:`OutputEvidence`) and
  its arguments (:class:`InputEvidence` each).
- :class:`OutputEvidence` — the values seen at one output position (a field,
  or the items of its lists): nulls, scalar kinds, the object type names,
  candidate enum values.
- :class:`InputEvidence` — the values sent at one input position (an
  argument, a variable's type, an input object's field): JSON values of
  variables, literals of the query text, and variables' declared types.

Names are only ever names: no value but an enum-shaped one (``ACTIVE``) is
kept, and none under a secret field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from graphql import (
    BooleanValueNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

from apidisco.infer.schema import ENUM_MAX_LENGTH, ENUM_MIN_SAMPLES, ENUM_TRACKED
from apidisco.infer.segments import singular

__all__ = [
    "BUILTIN_SCALARS",
    "MAX_FIELDS",
    "MAX_OBJECT_NAMES",
    "ROOT_TYPES",
    "FieldEvidence",
    "InputEvidence",
    "ObjectEvidence",
    "OutputEvidence",
    "enum_evidence",
    "is_id_name",
    "keep_smallest",
    "pascal",
    "path_type_name",
    "split_type",
    "valid_name",
]

MAX_FIELDS = 256
MAX_OBJECT_NAMES = 64
_MAX_DECLARED = 16

BUILTIN_SCALARS = frozenset({"Boolean", "Float", "ID", "Int", "String"})
ROOT_TYPES = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
_RESERVED = BUILTIN_SCALARS | frozenset(ROOT_TYPES.values()) | {"JSON"}

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\Z", re.ASCII)
_ENUM_VALUE = re.compile(r"[A-Z][A-Z0-9_]*\Z", re.ASCII)
_WORDS = re.compile(r"[A-Za-z0-9]+", re.ASCII)


def valid_name(name: Any) -> TypeGuard[str]:
    """A GraphQL name that is not reserved for introspection (``__``)."""
    return isinstance(name, str) and _NAME.match(name) is not None and not name.startswith("__")


def pascal(name: str) -> str:
    """``created_at`` → ``CreatedAt``, ``createUser`` → ``CreateUser``."""
    return "".join(word[:1].upper() + word[1:] for word in _WORDS.findall(name))


def path_type_name(field: str) -> str:
    """The object type named after the field returning it: ``users`` → ``User``.

    The field name singular (:func:`~apidisco.infer.segments.singular`) in
    PascalCase; ``Object`` is appended to a built-in or root type's name
    (``query`` → ``QueryObject``).
    """
    name = pascal(singular(field)) or "Object"
    if name[0].isdigit():
        name = "T" + name
    return name + "Object" if name in _RESERVED else name


def is_id_name(field: str) -> bool:
    """``id``, ``userId``, ``user_id``: strings there are ``ID``."""
    return field == "id" or field.endswith(("Id", "_id"))


def enum_evidence(strings: int, values: set[str] | None) -> bool:
    """schema.py's enum rule, on enum-shaped values only: at least
    :data:`~apidisco.infer.schema.ENUM_MIN_SAMPLES` strings and fewer distinct
    values than the square root of their number."""
    return (
        values is not None
        and bool(values)
        and strings >= ENUM_MIN_SAMPLES
        and (len(values) ** 2 < strings)
    )


def _enum_shaped(value: str) -> bool:
    return len(value) <= ENUM_MAX_LENGTH and _ENUM_VALUE.match(value) is not None


def keep_smallest(mapping: dict[str, Any], limit: int) -> bool:
    """Drop the largest keys past ``limit``; whether any was dropped."""
    if len(mapping) <= limit:
        return False
    for key in sorted(mapping)[limit:]:
        del mapping[key]
    return True


def split_type(declared: str) -> tuple[str, tuple[bool, ...]]:
    """``[ID!]!`` → ``("ID", (True, True))``: the named type and, outermost
    first, whether each level (the lists, then the named type) is non-null."""
    flags: list[bool] = []
    text = declared.strip()
    while True:
        non_null = text.endswith("!")
        text = text[:-1].rstrip() if non_null else text
        flags.append(non_null)
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1].strip()
            continue
        return text, tuple(flags)


def _add(counts: dict[str, int], key: str, amount: int = 1) -> None:
    counts[key] = counts.get(key, 0) + amount


def _scalar_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Int"
    if isinstance(value, float):
        return "Float"
    return "String" if isinstance(value, str) else "JSON"


class OutputEvidence:
    """The values seen at one output position; ``kinds`` counts ``Boolean``,
    ``Int``, ``Float``, ``String``, ``list``, ``object`` and ``JSON`` (an object
    where the query selected no sub-fields)."""

    def __init__(self) -> None:
        self.count = 0
        self.nulls = 0
        self.kinds: dict[str, int] = {}
        self.values: set[str] | None = set()  # enum candidates; None: not an enum
        self.objects: dict[str, int] = {}  # object type name → values of that type
        self.items: OutputEvidence | None = None
        self.composite = False  # the query selected sub-fields here
        self.hint: str | None = None  # the type a selection here names, for null-only positions
        self.truncated = False

    def note_composite(self, hint: str | None) -> None:
        self.composite = True
        if hint is not None and (self.hint is None or hint < self.hint):
            self.hint = hint

    def add_scalar(self, value: Any, secret: bool) -> None:
        kind = _scalar_kind(value)
        _add(self.kinds, kind)
        if kind == "String" and self.values is not None:
            if secret or not _enum_shaped(value):
                self.values = None
            else:
                self.values.add(value)
                if len(self.values) > ENUM_TRACKED:
                    self.values = None

    def add_object(self, name: str) -> None:
        _add(self.kinds, "object")
        _add(self.objects, name)
        if keep_smallest(self.objects, MAX_OBJECT_NAMES):
            self.truncated = True

    def child(self) -> OutputEvidence:
        if self.items is None:
            self.items = OutputEvidence()
        return self.items

    def merge(self, other: OutputEvidence) -> None:
        self.count += other.count
        self.nulls += other.nulls
        for kind, amount in other.kinds.items():
            _add(self.kinds, kind, amount)
        if self.values is None or other.values is None:
            self.values = None
        else:
            self.values |= other.values
            if len(self.values) > ENUM_TRACKED:
                self.values = None
        for name, amount in other.objects.items():
            _add(self.objects, name, amount)
        self.truncated |= other.truncated | keep_smallest(self.objects, MAX_OBJECT_NAMES)
        if other.items is not None:
            self.child().merge(other.items)
        if other.composite:
            self.note_composite(other.hint)

    def is_truncated(self) -> bool:
        return self.truncated or (self.items is not None and self.items.is_truncated())


class InputEvidence:
    """The values sent at one input position; ``kinds`` counts ``Boolean``,
    ``Int``, ``Float``, ``String``, ``list``, ``object`` and ``enum`` (an enum
    literal in the query text)."""

    def __init__(self) -> None:
        self.count = 0
        self.nulls = 0
        self.kinds: dict[str, int] = {}
        self.values: set[str] | None = set()  # enum-shaped JSON strings; None: not an enum
        self.literals: dict[str, int] = {}  # enum literals of the query text
        self.declared: dict[str, int] = {}  # variables' declared types used here
        self.fields: dict[str, InputEvidence] = {}
        self.items: InputEvidence | None = None
        self.truncated = False

    def field(self, name: str) -> InputEvidence:
        child = self.fields.get(name)
        if child is None:
            child = self.fields[name] = InputEvidence()
        return child

    def child(self) -> InputEvidence:
        if self.items is None:
            self.items = InputEvidence()
        return self.items

    def _trim(self) -> None:
        if keep_smallest(self.fields, MAX_FIELDS) | keep_smallest(self.literals, ENUM_TRACKED):
            self.truncated = True
        if keep_smallest(self.declared, _MAX_DECLARED):
            self.truncated = True

    def add_json(self, value: Any, secret: bool, secret_fields: frozenset[str]) -> None:
        """Fold in one JSON value of a variable."""
        self.count += 1
        if value is None:
            self.nulls += 1
        elif isinstance(value, dict):
            _add(self.kinds, "object")
            for key, item in value.items():
                if valid_name(key):
                    hidden = secret or key.lower().replace("-", "_") in secret_fields
                    self.field(key).add_json(item, hidden, secret_fields)
            self._trim()
        elif isinstance(value, list):
            _add(self.kinds, "list")
            items = self.child()
            for item in value:
                items.add_json(item, secret, secret_fields)
        else:
            kind = _scalar_kind(value)
            _add(self.kinds, kind)
            if kind == "String" and self.values is not None:
                if secret or not _enum_shaped(value):
                    self.values = None
                else:
                    self.values.add(value)
                    if len(self.values) > ENUM_TRACKED:
                        self.values = None

    def add_literal(self, node: ValueNode, variables: Mapping[str, str]) -> None:
        """Fold in one value of the query text; a variable counts as its declared type."""
        if isinstance(node, VariableNode):
            declared = variables.get(node.name.value)
            if declared is not None:
                self.count += 1
                _add(self.declared, declared)
                self._trim()
            return
        self.count += 1
        if isinstance(node, NullValueNode):
            self.nulls += 1
        elif isinstance(node, ObjectValueNode):
            _add(self.kinds, "object")
            for item in node.fields:
                self.field(item.name.value).add_literal(item.value, variables)
            self._trim()
        elif isinstance(node, ListValueNode):
            _add(self.kinds, "list")
            items = self.child()
            for value in node.values:
                items.add_literal(value, variables)
        elif isinstance(node, EnumValueNode):
            _add(self.kinds, "enum")
            _add(self.literals, node.value)
            self._trim()
        elif isinstance(node, StringValueNode):
            _add(self.kinds, "String")
            self.values = None  # a string literal is never an enum value
        else:
            kind = {IntValueNode: "Int", FloatValueNode: "Float", BooleanValueNode: "Boolean"}
            _add(self.kinds, kind.get(type(node), "String"))

    def merge(self, other: InputEvidence, *, declared: bool = True) -> None:
        """Fold ``other`` in; ``declared=False`` leaves its declared types out."""
        self.count += other.count
        self.nulls += other.nulls
        for kind, amount in other.kinds.items():
            _add(self.kinds, kind, amount)
        if self.values is None or other.values is None:
            self.values = None
        else:
            self.values |= other.values
            if len(self.values) > ENUM_TRACKED:
                self.values = None
        for value, amount in other.literals.items():
            _add(self.literals, value, amount)
        if declared:
            for name, amount in other.declared.items():
                _add(self.declared, name, amount)
        for name in sorted(other.fields):
            self.field(name).merge(other.fields[name], declared=declared)
        if other.items is not None:
            self.child().merge(other.items, declared=declared)
        self.truncated |= other.truncated
        self._trim()

    def is_truncated(self) -> bool:
        if self.truncated or (self.items is not None and self.items.is_truncated()):
            return True
        return any(child.is_truncated() for child in self.fields.values())


class FieldEvidence:
    """One field of an object type: its values and its arguments."""

    def __init__(self) -> None:
        self.output = OutputEvidence()
        self.arguments: dict[str, InputEvidence] = {}
        self.truncated = False

    def argument(self, name: str) -> InputEvidence:
        argument = self.arguments.get(name)
        if argument is None:
            argument = self.arguments[name] = InputEvidence()
            if keep_smallest(self.arguments, MAX_FIELDS):
                self.truncated = True
                argument = self.arguments.get(name, InputEvidence())
        return argument

    def merge(self, other: FieldEvidence) -> None:
        self.output.merge(other.output)
        for name in sorted(other.arguments):
            self.argument(name).merge(other.arguments[name])
        self.truncated |= other.truncated

    def is_truncated(self) -> bool:
        if self.truncated or self.output.is_truncated():
            return True
        return any(argument.is_truncated() for argument in self.arguments.values())


class ObjectEvidence:
    """One object type: how it was named (``root``, ``typename``, ``fragment``,
    ``path``), how many objects were seen, and their fields."""

    def __init__(self) -> None:
        self.count = 0
        self.sources: set[str] = set()
        self.fields: dict[str, FieldEvidence] = {}
        self.truncated = False

    def field(self, name: str) -> FieldEvidence:
        field = self.fields.get(name)
        if field is None:
            field = self.fields[name] = FieldEvidence()
            if keep_smallest(self.fields, MAX_FIELDS):
                self.truncated = True
                field = self.fields.get(name, FieldEvidence())
        return field

    def merge(self, other: ObjectEvidence) -> None:
        self.count += other.count
        self.sources |= other.sources
        for name in sorted(other.fields):
            self.field(name).merge(other.fields[name])
        self.truncated |= other.truncated

    def is_truncated(self) -> bool:
        return self.truncated or any(field.is_truncated() for field in self.fields.values())
