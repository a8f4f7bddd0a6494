"""Differences between two JSON Schemas, each classified as breaking or not.

:func:`compare_schemas` walks an old and a new schema side by side (the
schemas apidisco infers — ``type``, ``properties``, ``required``, ``items``,
``enum``, ``format``, nullability as a type list, OpenAPI 3.0's ``nullable``
or a ``{"type": "null"}`` branch, ``anyOf``/``oneOf`` unions, ``allOf``,
``additionalProperties`` maps — and any hand-written schema in the same
vocabulary) and returns one :class:`Difference` per position that changed, in
document order: properties by name, then array items, then map values.

Whether a difference is *breaking* depends on the direction, as oasdiff
classifies OpenAPI changes: a client reads a **response** and writes a
**request**, so a response may only narrow what it sends and a request may only
widen what it accepts.

================================  ==================  ==================
difference                        in a response       in a request
================================  ==================  ==================
field removed                     breaking            not breaking
field added                       not breaking        breaking if required
type changed (incompatibly)       breaking            breaking
type widened (integer → number)   breaking            not breaking
type narrowed (number → integer)  not breaking        breaking
format changed                    breaking            breaking
format added                      not breaking        breaking
format removed                    breaking            not breaking
required → optional               breaking            not breaking
optional → required               not breaking        breaking
became nullable                   breaking            not breaking
no longer nullable                not breaking        breaking
enum value added                  breaking            not breaking
enum value removed                not breaking        breaking
================================  ==================  ==================

A schema that says nothing about a type (``{}``, the items of an array that was
always empty) is unknown, not "anything": a change from or to it is not a type
change. ``$ref`` is resolved through the ``resolve`` callable the comparer is
given (:mod:`apidisco.infer.changes` resolves into the document's components);
a reference seen again below itself is compared once (cycle guard). An
unresolved reference is compared by name. How a schema is read (``allOf``
folded, union branches, types, enum values) is :mod:`apidisco.infer.schema_facts`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from apidisco.infer.schema_facts import (
    Resolver,
    branch_types,
    branches,
    canonical,
    enum_values,
    flatten,
    pick,
    type_label,
    type_value,
)

__all__ = ["Difference", "Direction", "SchemaComparer", "compare_schemas", "type_label"]

Direction = Literal["request", "response"]

_MAX_DEPTH = 64  # deeper than any real body; a guard against pathological schemas


@dataclass(frozen=True, slots=True)
class Difference:
    """One position that changed between two schemas (or parameter sets).

    ``path`` is JSON-path-like (``$.items[].price``; ``query.limit`` for a
    parameter); ``kind`` is one of ``removed``, ``added``, ``type``, ``format``,
    ``required``, ``optional``, ``enum-added``, ``enum-removed``, ``nullable``;
    ``old`` and ``new`` are JSON values (``None`` on the side that lacks it).
    """

    path: str
    kind: str
    old: Any
    new: Any
    breaking: bool
    reason: str

    def as_json(self) -> dict[str, Any]:
        """The difference as a JSON object (the ``differences`` of ``api_changes.diff``)."""
        return {
            "path": self.path,
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "reason": self.reason,
        }


def compare_schemas(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    direction: Literal["request", "response"],
    root: str = "$",
) -> tuple[Difference, ...]:
    """The differences from ``old`` to ``new``, classified for a ``direction``.

    ``root`` names the top position (``$`` for a body, ``query.limit`` for a
    parameter). References into components should be resolved by the caller;
    one left in place is compared by its name.
    """
    return SchemaComparer(direction).compare(old, new, root)


def _unresolved(schema: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None]:
    return schema, schema.get("$ref") if isinstance(schema.get("$ref"), str) else None


class SchemaComparer:
    """Compares schemas for one direction, resolving references with ``resolve``.

    ``subject`` opens every reason (``response``, ``200 response``, ``request``);
    a reason reads "<subject> field $.price changed type from number to string",
    "<subject> body ..." at the root, and "query parameter limit ..." for a root
    that is not ``$`` (a parameter, ``query.limit``).
    """

    def __init__(
        self,
        direction: Direction,
        *,
        subject: str | None = None,
        resolve_old: Resolver = _unresolved,
        resolve_new: Resolver = _unresolved,
    ) -> None:
        self.direction = direction
        self.subject = subject or direction
        self._resolve_old = resolve_old
        self._resolve_new = resolve_new

    def compare(
        self, old: Mapping[str, Any], new: Mapping[str, Any], root: str = "$"
    ) -> tuple[Difference, ...]:
        """Every difference from ``old`` to ``new`` below (and at) ``root``."""
        return tuple(self._walk(old, new, root, frozenset(), 0))

    # -- describing positions ------------------------------------------------

    def _where(self, path: str) -> str:
        if path == "$":
            return f"{self.subject} body"
        if path.startswith("$"):
            return f"{self.subject} field {path}"
        location, _, name = path.partition(".")
        return f"{location} parameter {name}" if name else f"parameter {path}"

    @property
    def _response(self) -> bool:
        return self.direction == "response"

    # -- the walk -------------------------------------------------------------

    def _walk(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        path: str,
        seen: frozenset[tuple[str | None, str | None]],
        depth: int,
    ) -> Iterator[Difference]:
        old, old_ref = self._resolve_old(old)
        new, new_ref = self._resolve_new(new)
        if old_ref is not None or new_ref is not None:
            pair = (old_ref, new_ref)
            if pair in seen or depth > _MAX_DEPTH:
                return
            seen = seen | {pair}
        if depth > _MAX_DEPTH:
            return
        old = flatten(old, self._resolve_old)
        new = flatten(new, self._resolve_new)
        old_branches = branches(old, self._resolve_old)
        new_branches = branches(new, self._resolve_new)
        old_types = branch_types(old_branches)
        new_types = branch_types(new_branches)
        yield from self._compare_types(old_types, new_types, path)
        yield from self._compare_nullable(old_types, new_types, path)
        old_string = pick(old_branches, "string")
        new_string = pick(new_branches, "string")
        if old_string is not None and new_string is not None:
            yield from self._compare_format(old_string, new_string, path)
        yield from self._compare_enum(old_branches, new_branches, path)
        old_object = pick(old_branches, "object")
        new_object = pick(new_branches, "object")
        if old_object is not None and new_object is not None:
            yield from self._compare_objects(old_object, new_object, path, seen, depth)
        old_array = pick(old_branches, "array")
        new_array = pick(new_branches, "array")
        if old_array is not None and new_array is not None:
            old_items, new_items = old_array.get("items"), new_array.get("items")
            if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
                yield from self._walk(old_items, new_items, f"{path}[]", seen, depth + 1)

    def _compare_types(
        self, old_types: frozenset[str], new_types: frozenset[str], path: str
    ) -> Iterator[Difference]:
        old_kinds, new_kinds = old_types - {"null"}, new_types - {"null"}
        if not old_kinds or not new_kinds or old_kinds == new_kinds:
            return
        # A reader accepts what it knew; a writer may send what it always sent.
        if self._response:
            breaking = not _accepts(old_kinds, new_kinds)
        else:
            breaking = not _accepts(new_kinds, old_kinds)
        yield Difference(
            path,
            "type",
            type_value(old_kinds),
            type_value(new_kinds),
            breaking,
            f"{self._where(path)} changed type from {type_label(old_kinds)} "
            f"to {type_label(new_kinds)}",
        )

    def _compare_nullable(
        self, old_types: frozenset[str], new_types: frozenset[str], path: str
    ) -> Iterator[Difference]:
        if not (old_types - {"null"}) or not (new_types - {"null"}):
            return
        was, now = "null" in old_types, "null" in new_types
        if was == now:
            return
        breaking = now if self._response else was
        reason = "became nullable" if now else "is no longer nullable"
        yield Difference(path, "nullable", was, now, breaking, f"{self._where(path)} {reason}")

    def _compare_format(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: str
    ) -> Iterator[Difference]:
        was, now = old.get("format"), new.get("format")
        if was == now:
            return
        if was is not None and now is not None:
            breaking, reason = True, f"changed format from {was} to {now}"
        elif now is not None:
            breaking, reason = not self._response, f"gained format {now}"
        else:
            breaking, reason = self._response, f"lost format {was}"
        yield Difference(path, "format", was, now, breaking, f"{self._where(path)} {reason}")

    def _compare_enum(
        self,
        old_branches: list[Mapping[str, Any]],
        new_branches: list[Mapping[str, Any]],
        path: str,
    ) -> Iterator[Difference]:
        was, now = enum_values(old_branches), enum_values(new_branches)
        if was == now or (was is None and now is None):
            return
        where = self._where(path)
        if was is None:
            assert now is not None
            listed = [now[k] for k in sorted(now)]
            yield Difference(
                path,
                "enum-removed",
                None,
                listed,
                not self._response,
                f"{where} is now restricted to {_values(listed)}",
            )
            return
        if now is None:
            listed = [was[k] for k in sorted(was)]
            yield Difference(
                path,
                "enum-added",
                listed,
                None,
                self._response,
                f"{where} is no longer restricted to {_values(listed)}",
            )
            return
        added = [now[k] for k in sorted(set(now) - set(was))]
        removed = [was[k] for k in sorted(set(was) - set(now))]
        if added:
            yield Difference(
                path,
                "enum-added",
                None,
                added,
                self._response,
                f"{where} gained enum value{'s' if len(added) > 1 else ''} {_values(added)}",
            )
        if removed:
            yield Difference(
                path,
                "enum-removed",
                removed,
                None,
                not self._response,
                f"{where} lost enum value{'s' if len(removed) > 1 else ''} {_values(removed)}",
            )

    def _compare_objects(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        path: str,
        seen: frozenset[tuple[str | None, str | None]],
        depth: int,
    ) -> Iterator[Difference]:
        old_properties: Mapping[str, Any] = old.get("properties") or {}
        new_properties: Mapping[str, Any] = new.get("properties") or {}
        old_required = set(old.get("required") or ())
        new_required = set(new.get("required") or ())
        for name in sorted(set(old_properties) | set(new_properties)):
            child = f"{path}.{name}"
            if name not in new_properties:
                yield self._removed(child, old_properties[name])
            elif name not in old_properties:
                yield self._added(child, new_properties[name], name in new_required)
            else:
                yield from self._compare_required(child, name in old_required, name in new_required)
                yield from self._walk(
                    old_properties[name], new_properties[name], child, seen, depth + 1
                )
        old_values, new_values = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_values, Mapping) and isinstance(new_values, Mapping):
            yield from self._walk(old_values, new_values, f"{path}.*", seen, depth + 1)

    def label(self, schema: Mapping[str, Any], resolve: Resolver) -> Any:
        """A schema's type as a JSON value (``number``, ``[integer, string]``); None if unknown."""
        resolved, _ = resolve(schema)
        resolved = flatten(resolved, resolve)
        types = branch_types(branches(resolved, resolve)) - {"null"}
        return type_value(frozenset(types)) if types else None

    def _removed(self, path: str, schema: Mapping[str, Any]) -> Difference:
        return Difference(
            path,
            "removed",
            self.label(schema, self._resolve_old),
            None,
            self._response,
            f"{self._where(path)} was removed",
        )

    def _added(self, path: str, schema: Mapping[str, Any], required: bool) -> Difference:
        breaking = required and not self._response
        qualifier = "required " if required and not self._response else ""
        where = self._where(path).replace(" field ", f" {qualifier}field ", 1)
        return Difference(
            path,
            "added",
            None,
            self.label(schema, self._resolve_new),
            breaking,
            f"{where} was added",
        )

    def _compare_required(self, path: str, was: bool, now: bool) -> Iterator[Difference]:
        if was == now:
            return
        if now:
            yield Difference(
                path, "required", False, True, not self._response,
                f"{self._where(path)} became required",
            )  # fmt: skip
        else:
            yield Difference(
                path, "optional", True, False, self._response,
                f"{self._where(path)} became optional",
            )  # fmt: skip


def _accepts(reader: frozenset[str], values: frozenset[str]) -> bool:
    """Whether a reader of ``reader`` types takes every value of ``values`` types."""
    return all(kind in reader or (kind == "integer" and "number" in reader) for kind in values)


def _values(values: list[Any]) -> str:
    shown = ", ".join(canonical(v) for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")
