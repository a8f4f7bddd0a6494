"""Named, deduplicated schemas for ``components/schemas``.

A :class:`SchemaRegistry` takes the body schemas of every operation, each with
the name it would like (``User``, ``CreateUserRequest``), and hands back a
``$ref`` to a component:

- **deduplicated**: schemas equal but for their ``examples`` share one
  component (the first offered keeps its examples);
- **nested objects** (with properties) that occur in two or more places are
  components of their own, named from the property holding them (``owner`` →
  ``Owner``; the items of ``lines`` → ``Line``);
- **stable names**: offers are resolved in a sorted order that depends only on
  the API; a name taken by a different schema gives way to the offer's
  alternative (``UserSummary``), then to the next free numeric suffix
  (``User2``); names are valid component keys
  (``^[a-zA-Z0-9._-]+$``).

Offer everything first (:meth:`offer`), then :meth:`resolve` once, then read
:meth:`ref` and :meth:`components`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from apidisco.infer.segments import singular

__all__ = ["SchemaRegistry", "pascal_case"]

_WORDS = re.compile(r"[A-Za-z][a-z0-9]*|[0-9]+")
_REF = "#/components/schemas/"


def pascal_case(*parts: str) -> str:
    """``UserProfile`` for ``("user", "profile")``; ``order_items`` → ``OrderItems``."""
    words = [word for part in parts for word in _WORDS.findall(part)]
    name = "".join(word[:1].upper() + word[1:] for word in words)
    if not name or name[0].isdigit():
        name = "Schema" + name
    return name


def _canonical(schema: Any) -> str:
    """The schema's identity: its JSON without examples, keys sorted."""
    return json.dumps(_without_examples(schema), sort_keys=True, separators=(",", ":"))


def _without_examples(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_examples(v) for k, v in schema.items() if k != "examples"}
    if isinstance(schema, list):
        return [_without_examples(item) for item in schema]
    return schema


def _is_object(schema: Any) -> bool:
    return isinstance(schema, dict) and bool(schema.get("properties"))


@dataclass
class _Offer:
    order: tuple[str, ...]  # sorts offers so names never depend on arrival
    name: str
    schema: dict[str, Any]
    alternative: str | None = None


@dataclass
class SchemaRegistry:
    _offers: list[_Offer] = field(default_factory=list)
    _names: dict[str, str] = field(default_factory=dict)  # canonical → component name
    _components: dict[str, dict[str, Any]] = field(default_factory=dict)
    _resolved: bool = False

    def offer(
        self,
        name: str,
        schema: dict[str, Any],
        order: tuple[str, ...],
        *,
        alternative: str | None = None,
    ) -> None:
        """Offer a body schema wanting ``name`` (else ``alternative``, before numbering);
        ``order`` places it among the offers."""
        if self._resolved:
            raise RuntimeError("offer() comes before resolve()")
        if _is_object(schema):
            fallback = pascal_case(alternative) if alternative else None
            self._offers.append(_Offer(order, pascal_case(name), schema, fallback))

    def resolve(self) -> None:
        """Name every offered schema and the nested objects that repeat."""
        self._resolved = True
        counts: dict[str, int] = {}
        nested: dict[str, tuple[tuple[str, ...], str, dict[str, Any]]] = {}
        for offer in sorted(self._offers, key=lambda o: o.order):
            for where, hint, child in _nested_objects(offer.schema, ()):
                key = _canonical(child)
                counts[key] = counts.get(key, 0) + 1
                nested.setdefault(key, ((*offer.order, *where), hint, child))
        for offer in sorted(self._offers, key=lambda o: o.order):
            self._name(offer.name, offer.schema, offer.alternative)
        for key, (_, hint, child) in sorted(nested.items(), key=lambda item: item[1][0]):
            if counts[key] >= 2:
                self._name(pascal_case(singular(hint)), child)

    def _name(self, wanted: str, schema: dict[str, Any], alternative: str | None = None) -> str:
        key = _canonical(schema)
        if key in self._names:
            return self._names[key]
        if wanted in self._components and alternative:
            wanted = alternative
        name, suffix = wanted, 1
        while name in self._components:
            suffix += 1
            name = f"{wanted}{suffix}"
        self._names[key] = name
        self._components[name] = schema
        return name

    def ref(self, schema: dict[str, Any]) -> dict[str, Any]:
        """``{"$ref": ...}`` for a named schema, else the schema with named parts referenced."""
        if not self._resolved:
            raise RuntimeError("resolve() comes before ref()")
        name = self._names.get(_canonical(schema)) if _is_object(schema) else None
        if name is not None:
            return {"$ref": _REF + name}
        inlined: dict[str, Any] = self._inline(schema)
        return inlined

    def _inline(self, schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        result: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "properties":
                result[key] = {name: self.ref(child) for name, child in value.items()}
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                result[key] = self.ref(value)
            elif key == "anyOf":
                result[key] = [self.ref(branch) for branch in value]
            else:
                result[key] = value
        return result

    def components(self) -> dict[str, dict[str, Any]]:
        """Every component, sorted by name, its own nested components referenced."""
        return {name: self._inline(self._components[name]) for name in sorted(self._components)}


def _nested_objects(
    schema: dict[str, Any], where: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], str, dict[str, Any]]]:
    """``(where, name hint, schema)`` for every object below ``schema`` (not itself)."""
    for name, child in sorted(schema.get("properties", {}).items()):
        yield from _below(child, (*where, name), name)
    for key in ("items", "additionalProperties"):
        child = schema.get(key)
        if isinstance(child, dict):
            yield from _below(child, (*where, key), where[-1] if where else key)
    for index, branch in enumerate(schema.get("anyOf", [])):
        yield from _below(branch, (*where, str(index)), where[-1] if where else "value")


def _below(
    child: Any, where: tuple[str, ...], hint: str
) -> Iterator[tuple[tuple[str, ...], str, dict[str, Any]]]:
    if not isinstance(child, dict):
        return
    if _is_object(child):
        yield where, hint, child
    yield from _nested_objects(child, where)
