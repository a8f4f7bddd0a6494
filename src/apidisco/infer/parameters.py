"""Query parameters, headers and form fields as JSON documents for the schema builder.

Such values travel as text, so each is read as the JSON scalar it spells
(``42`` → integer, ``1.5`` → number, ``true``/``false`` → boolean, anything
else → string) and one call's parameters become one object, a repeated name an
array. Folding those objects with :class:`~apidisco.infer.schema.SchemaBuilder`
gives, per parameter, its type, format, enum, examples and whether every call
had it (``required``). A parameter that was sometimes a number and sometimes
text is a string (:func:`as_parameter_schema`): on the wire it is text anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apidisco.infer.schema import SchemaBuilder

__all__ = [
    "MAX_NAMES",
    "ParameterSet",
    "ParameterStats",
    "as_parameter_schema",
    "coerce",
    "pairs_document",
]

#: Distinct names one :class:`ParameterSet` tracks; later new names are only counted.
MAX_NAMES = 128
_PENDING = 64  # distinct values per name held back before they are folded in

_INTEGER = re.compile(r"-?(?:0|[1-9]\d{0,17})", re.ASCII)
_SCALAR_STARTS = frozenset("-0123456789tf")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)\.\d+(?:[eE][+-]?\d+)?", re.ASCII)


def coerce(text: str) -> Any:
    """The JSON scalar a text value spells; ``007`` and ``1e5`` stay text."""
    if text[:1] not in _SCALAR_STARTS:
        return text
    if _INTEGER.fullmatch(text):
        return int(text)
    if _NUMBER.fullmatch(text):
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    return text


def pairs_document(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """``{"tag": ["a", "b"], "page": 2}`` for ``tag=a&tag=b&page=2``."""
    document: dict[str, Any] = {}
    for name, text in pairs:
        value = coerce(text)
        if name not in document:
            document[name] = value
            continue
        existing = document[name]
        document[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
    return document


def as_parameter_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema with mixed scalar types read as text.

    ``{"type": ["integer", "string"]}`` becomes ``{"type": "string"}`` (formats
    and enums no longer hold and are dropped, examples kept); a parameter seen
    both once and repeated becomes an array of its item type.
    """
    if "anyOf" in schema:
        branches = schema["anyOf"]
        arrays = [branch for branch in branches if branch.get("type") == "array"]
        if arrays:
            return {"type": "array", "items": as_parameter_schema(arrays[0].get("items", {}))}
        return {"type": "string"}
    kind = schema.get("type")
    if isinstance(kind, list) and len([k for k in kind if k != "null"]) > 1:
        result: dict[str, Any] = {"type": "string"}
        if "examples" in schema:
            result["examples"] = [str(example) for example in schema["examples"]]
        return result
    if kind == "array" and "items" in schema:
        return {**schema, "items": as_parameter_schema(schema["items"])}
    return schema


@dataclass(frozen=True)
class ParameterStats:
    name: str
    schema: dict[str, Any]
    seen: int  # calls that had it
    required: bool  # every call had it


class ParameterSet:
    """Query parameters or headers of many calls, one schema per name.

    Unlike one object schema for all of them, many names never turn the set
    into a map. Values under secret names are treated as secrets (examples
    masked, no enums). The same value arriving again is only counted and folded
    in once, with its count as weight: headers repeat from call to call.
    """

    def __init__(self, *, secret_fields: Iterable[str] | None = None) -> None:
        self.calls = 0
        self.untracked = 0  # names past MAX_NAMES
        self._secret_fields = tuple(secret_fields) if secret_fields is not None else None
        self._builders: dict[str, SchemaBuilder] = {}
        self._secret: dict[str, bool] = {}
        self._seen: dict[str, int] = {}
        self._pending: dict[str, dict[Any, list[Any]]] = {}

    def add(self, document: Mapping[str, Any]) -> None:
        """One call's parameters (name → value, a list when repeated)."""
        self.calls += 1
        for name, value in document.items():
            pending = self._pending.get(name)
            if pending is None:
                if len(self._builders) >= MAX_NAMES:
                    self.untracked += 1
                    continue
                builder = self._builders[name] = (
                    SchemaBuilder()
                    if self._secret_fields is None
                    else SchemaBuilder(secret_fields=self._secret_fields)
                )
                self._secret[name] = name.strip().lower().replace("-", "_") in builder.secret_fields
                self._seen[name] = 0
                pending = self._pending[name] = {}
            self._seen[name] += 1
            key = (type(value), tuple(value) if isinstance(value, list) else value)
            entry = pending.get(key)
            if entry is not None:
                entry[1] += 1
                continue
            if len(pending) >= _PENDING:
                self._flush(name)
            pending[key] = [value, 1]

    def _flush(self, name: str) -> None:
        builder, secret = self._builders[name], self._secret[name]
        for value, weight in self._pending[name].values():
            builder.add(value, weight=weight, secret=secret)
        self._pending[name] = {}

    def build(self) -> list[ParameterStats]:
        """Every name, sorted, with its schema, how often it was seen and whether always."""
        for name in self._pending:
            self._flush(name)
        return [
            ParameterStats(
                name=name,
                schema=as_parameter_schema(self._builders[name].build()),
                seen=self._seen[name],
                required=self._seen[name] == self.calls,
            )
            for name in sorted(self._builders)
        ]
