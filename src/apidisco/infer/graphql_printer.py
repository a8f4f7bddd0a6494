"""The SDL text of a rebuilt GraphQL schema, once its types and fields are decided.

:class:`TypeRef` is a type reference whose name is settled only when printed
(``[`` + name + ``]!``); :class:`SdlField` a field or input field with its
arguments and an optional note. :func:`print_sdl` names every definition
(:func:`apidisco.infer.graphql_naming.final_names`) and writes them: root types
first (``Query``, ``Mutation``, ``Subscription``), then every other type by
name, each under its note as a description.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import NamedTuple

from apidisco.infer.graphql_naming import final_names
from apidisco.infer.graphql_types import ROOT_TYPES

__all__ = ["SdlField", "TypeRef", "builtin", "print_sdl", "wrap"]

_ROOT_ORDER = {name: index for index, name in enumerate(ROOT_TYPES.values())}


class TypeRef(NamedTuple):
    """A type reference: ``prefix + name + suffix`` once the name is final."""

    prefix: str
    kind: str  # builtin, object, union, enum, input, scalar
    name: str
    suffix: str


class SdlField(NamedTuple):
    """A field of an object or input type: its arguments, type and note."""

    name: str
    arguments: tuple[tuple[str, TypeRef], ...]
    ref: TypeRef
    note: str | None


def builtin(name: str, note: str | None = None) -> tuple[TypeRef, str | None]:
    """A built-in scalar's reference, with a note on the field."""
    return TypeRef("", "builtin", name, ""), note


def wrap(kind: str, name: str, flags: tuple[bool, ...]) -> TypeRef:
    """A reference in lists, non-null (``!``) at each level whose flag says so
    (outermost first, the named type last)."""
    suffix = "!" if flags[-1] else ""
    for flag in reversed(flags[:-1]):
        suffix += "]!" if flag else "]"
    return TypeRef("[" * (len(flags) - 1), kind, name, suffix)


class _Printer:
    def __init__(
        self,
        objects: Mapping[str, list[SdlField]],
        inputs: Mapping[str, list[SdlField]],
        unions: Mapping[str, Collection[str]],
        enums: Mapping[str, Collection[str]],
        scalars: Collection[str],
        notes: Mapping[tuple[str, str], str],
        evidence: Collection[tuple[str, str]],
        folds: Mapping[str, str],
    ) -> None:
        self.folds = folds  # enums folded into a declared one
        self.objects = objects
        self.inputs = inputs
        self.unions = unions
        self.enums = enums
        self.notes = notes
        claims: dict[tuple[str, str], bool] = {}
        for kind, names in (
            ("object", objects),
            ("union", unions),
            ("enum", enums),
            ("input", inputs),
            ("scalar", scalars),
        ):
            for name in names:
                claims[(kind, name)] = (kind, name) in evidence
        self.final = final_names(claims)

    def ref(self, ref: TypeRef) -> str:
        if ref.kind == "builtin":
            name = ref.name
        elif ref.kind == "enum":
            name = self.final[("enum", self.folds.get(ref.name, ref.name))]
        else:
            name = self.final[(ref.kind, ref.name)]
        return ref.prefix + name + ref.suffix

    def _block(self, keyword: str, name: str, fields: list[SdlField]) -> list[str]:
        lines = [f"{keyword} {name} {{"]
        for field in fields:
            if field.note:
                lines.append(f"  {_quote(field.note)}")
            arguments = ", ".join(f"{arg}: {self.ref(ref)}" for arg, ref in field.arguments)
            arguments = f"({arguments})" if arguments else ""
            lines.append(f"  {field.name}{arguments}: {self.ref(field.ref)}")
        lines.append("}")
        return lines

    def text(self) -> str:
        blocks: list[tuple[tuple[int, str], str]] = []
        for (kind, name), final in self.final.items():
            note = self.notes.get((kind, name))
            lines = [_quote(note)] if note else []
            if kind == "object":
                lines += self._block("type", final, self.objects[name])
            elif kind == "input":
                lines += self._block("input", final, self.inputs[name])
            elif kind == "union":
                members = sorted(self.final[("object", m)] for m in self.unions[name])
                lines.append(f"union {final} = {' | '.join(members)}")
            elif kind == "enum":
                values = "".join(f"  {value}\n" for value in sorted(self.enums[name]))
                lines.append(f"enum {final} {{\n{values}}}")
            else:
                lines.append(f"scalar {final}")
            order = _ROOT_ORDER.get(final, len(_ROOT_ORDER)) if kind == "object" else 3
            blocks.append(((order, final), "\n".join(lines)))
        return "".join(text + "\n\n" for _, text in sorted(blocks)).rstrip("\n") + (
            "\n" if blocks else ""
        )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def print_sdl(
    *,
    objects: Mapping[str, list[SdlField]],
    inputs: Mapping[str, list[SdlField]],
    unions: Mapping[str, Collection[str]],
    enums: Mapping[str, Collection[str]],
    scalars: Collection[str],
    notes: Mapping[tuple[str, str], str],
    evidence: Collection[tuple[str, str]],
    folds: Mapping[str, str],
) -> str:
    """The SDL of these definitions (by kind, keyed by the name they claim);
    ``evidence`` holds the ``(kind, name)`` claims backed by evidence and
    ``folds`` the enums folded into another. ``""`` when there is nothing."""
    return _Printer(objects, inputs, unions, enums, scalars, notes, evidence, folds).text()
