"""GraphQL SDL from schema evidence (:mod:`apidisco.infer.graphql_types`).

:func:`render_sdl` is a pure function of the evidence: the same evidence gives
the same text. It works in four steps:

1. **Fold** path-named types into named ones: a type named only after a field
   (no ``__typename``, no fragment) is folded into the one type ``__typename``
   or a fragment named at the same position (``Post.author`` seen once as
   ``User`` and once, unnamed, as ``Author``: ``Author`` is ``User``), when
   every such position agrees. Then a type named only after a field whose
   name ends with another type's name (``createUser`` → ``CreateUser``) is
   folded into that type (``User``) when that type has all its fields, with
   values of the same kinds. Types are not otherwise merged by shape.
2. **Classify** the types variables declared: values that were objects make an
   input type, values that were all upper-case names an enum, anything else
   (or no value at all) a custom scalar. An argument's literals count for the
   type its variables declared.
3. **Render** each field's type from its values (the rules are in
   :mod:`apidisco.infer.graphql`). An object field whose type is unknown (only
   null, only empty lists, objects with no field but ``__typename``) is left
   out and reported as unresolved, and a type left with no field goes too.
4. **Name**: a name claimed by two kinds of type goes to the one with
   evidence (``__typename``, a fragment, a variable's declared type), then by
   kind (objects, unions, enums, inputs, scalars); the others take a suffix
   (``Union``, ``Enum``, ``Input``, ``Scalar``, ``Object``). Before that, an enum
   named after its position folds into the enum a variable declared when they
   are one (``BookGenre`` into ``Genre``; :mod:`apidisco.infer.graphql_enums`).

Output: root types first (``Query``, ``Mutation``, ``Subscription``), then
every other type by name; fields, arguments, values and members sorted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from apidisco.infer.graphql_enums import enum_folds
from apidisco.infer.graphql_types import (
    BUILTIN_SCALARS,
    ROOT_TYPES,
    InputEvidence,
    ObjectEvidence,
    OutputEvidence,
    enum_evidence,
    is_id_name,
    pascal,
    split_type,
)
from apidisco.infer.segments import singular

__all__ = ["NON_NULL_MIN_SAMPLES", "render_sdl"]

#: A field is non-null (``!``) only when it was never null in at least this many values.
NON_NULL_MIN_SAMPLES = 2

_JSON = "JSON"
_PRIORITY = {"object": 2, "union": 3, "enum": 4, "input": 5, "scalar": 6}
_SUFFIX = {
    "object": "Object",
    "union": "Union",
    "enum": "Enum",
    "input": "Input",
    "scalar": "Scalar",
}
_ROOT_ORDER = {name: index for index, name in enumerate(ROOT_TYPES.values())}

_ONLY_NULL = "Only null was seen; the type is unknown."
_ONLY_EMPTY = "Only empty lists were seen; the item type is unknown."
_NOTES = {
    "fragment": "Named after a fragment's type condition; the responses had no __typename.",
    "path": "Named after the field that returns it; the responses had no __typename.",
    "union": "The object types __typename named at one position.",
    "output enum": "Few distinct upper-case values in many responses.",
    "input enum": "Values sent by the operations.",
    "declared": "Declared by operations' variables.",
    "declared merged": "Declared by operations' variables; values from requests and responses.",
    "declared empty": "Declared by operations' variables; no value was seen.",
    _JSON: "Any JSON value: objects with no selection, or values of several JSON types.",
}


class _Ref(NamedTuple):
    """A type reference: ``prefix + name + suffix`` once the name is final."""

    prefix: str
    kind: str  # builtin, object, union, enum, input, scalar
    name: str
    suffix: str


class _Field(NamedTuple):
    name: str
    arguments: tuple[tuple[str, _Ref], ...]
    ref: _Ref
    note: str | None


def _builtin(name: str, note: str | None = None) -> tuple[_Ref, str | None]:
    return _Ref("", "builtin", name, ""), note


def _wrap(kind: str, name: str, flags: tuple[bool, ...]) -> _Ref:
    suffix = "!" if flags[-1] else ""
    for flag in reversed(flags[:-1]):
        suffix += "]!" if flag else "]"
    return _Ref("[" * (len(flags) - 1), kind, name, suffix)


def _pick_declared(declared: Mapping[str, int]) -> tuple[str, tuple[bool, ...]]:
    """The most used declared type (same name and list depth), non-null at a
    level only when every variant was."""
    groups: dict[tuple[str, int], list[tuple[bool, ...]]] = {}
    counts: dict[tuple[str, int], int] = {}
    for text in sorted(declared):
        name, flags = split_type(text)
        key = (name, len(flags))
        groups.setdefault(key, []).append(flags)
        counts[key] = counts.get(key, 0) + declared[text]
    best = min(counts, key=lambda key: (-counts[key], key))
    variants = groups[best]
    return best[0], tuple(all(level) for level in zip(*variants, strict=True))


def _input_name(name: str) -> str:
    return name if name.lower().endswith("input") else name + "Input"


def _enum_base(input_name: str) -> str:
    return input_name[:-5] if input_name.endswith("Input") and len(input_name) > 5 else input_name


class _Renderer:
    def __init__(
        self, types: Mapping[str, ObjectEvidence], declared: Mapping[str, InputEvidence]
    ) -> None:
        self.fold = _fold_map(types)
        self.objects: dict[str, ObjectEvidence] = {}
        for name in sorted(types):
            target = self.objects.setdefault(self.fold.get(name, name), ObjectEvidence())
            target.merge(types[name])
        for name, into in _suffix_folds(self.objects).items():
            self.objects[into].merge(self.objects.pop(name))
            self.fold[name] = into
        self.alive = set(self.objects)
        self.declared: dict[str, InputEvidence] = {}
        for name in sorted(declared):
            self.declared[name] = InputEvidence()
            self.declared[name].merge(declared[name])
        for type_name in sorted(self.objects):
            fields = self.objects[type_name].fields
            for field_name in sorted(fields):
                for argument in fields[field_name].arguments.values():
                    if argument.declared:
                        base = _pick_declared(argument.declared)[0]
                        if base in self.declared:
                            self.declared[base].merge(argument, declared=False)
        self.declared_kinds = {name: _declared_kind(ev) for name, ev in self.declared.items()}
        # Definitions made while rendering (kind, name) → content.
        self.registering = False
        self.unions: dict[str, set[str]] = {}
        self.enums: dict[str, set[str]] = {}
        self.notes: dict[tuple[str, str], str] = {}
        self.scalars: set[str] = set()
        self.input_evidence: dict[str, InputEvidence] = {}
        self.evidence: set[tuple[str, str]] = set()

    # -- output types -----------------------------------------------------------------

    def _object(self, name: str | None) -> str | None:
        if name is None:
            return None
        while name in self.fold:
            name = self.fold[name]
        return name if name in self.alive else None

    def output(
        self, shape: OutputEvidence, owner: str, field: str
    ) -> tuple[_Ref, str | None] | None:
        bang = "!" if shape.nulls == 0 and shape.count >= NON_NULL_MIN_SAMPLES else ""
        kinds = set(shape.kinds)
        if shape.composite:
            kinds &= {"list", "object"}
        if "list" in kinds and len(kinds) == 1:
            items = shape.items
            if items is not None and items.count:
                inner = self.output(items, owner, field)
                if inner is None:
                    return None
                ref, note = inner
                return _Ref("[" + ref.prefix, ref.kind, ref.name, ref.suffix + "]" + bang), note
            if not shape.composite:
                return _Ref("[", "builtin", "String", "]" + bang), _ONLY_EMPTY
            hinted = self._object(shape.hint)
            return (
                None if hinted is None else (_Ref("[", "object", hinted, "]" + bang), _ONLY_EMPTY)
            )
        if shape.composite:
            if not kinds:
                hinted = self._object(shape.hint)
                return None if hinted is None else (_Ref("", "object", hinted, ""), _ONLY_NULL)
            names = sorted({n for n in map(self._object, shape.objects) if n is not None})
            if not names:
                return None
            if len(names) == 1:
                return _Ref("", "object", names[0], bang), None
            union = pascal(singular(field)) or "Union"
            if self.registering:
                self.unions.setdefault(union, set()).update(names)
                self.notes[("union", union)] = _NOTES["union"]
            return _Ref("", "union", union, bang), None
        if not kinds:
            return _builtin("String", _ONLY_NULL)
        strings = shape.kinds.get("String", 0)
        enum = pascal(owner) + pascal(singular(field))
        ref, note = self.scalar(kinds, strings, shape.values, field, enum, "output enum")
        return ref._replace(suffix=bang), note

    def scalar(
        self,
        kinds: set[str],
        strings: int,
        values: set[str] | None,
        field: str,
        enum: str,
        origin: str,
    ) -> tuple[_Ref, str | None]:
        if kinds == {"Int"} or kinds == {"Boolean"}:
            return _builtin(kinds.pop())
        if kinds <= {"Int", "Float"}:
            return _builtin("Float")
        if kinds == {"String"}:
            if is_id_name(field):
                return _builtin("ID")
            if values is not None and enum_evidence(strings, values):
                return self.enum(enum, values, origin), None
            return _builtin("String")
        if self.registering:
            self.scalars.add(_JSON)
        return _Ref("", "scalar", _JSON, ""), None

    def enum(self, name: str, values: set[str], origin: str) -> _Ref:
        if self.registering:
            self.enums.setdefault(name, set()).update(values)
            self.notes.setdefault(("enum", name), _NOTES[origin])
        return _Ref("", "enum", name, "")

    # -- input types ------------------------------------------------------------------

    def collect_inputs(self, ev: InputEvidence, name: str) -> None:
        """Merge the object values at this position and below into the input
        types they will be rendered as, by name."""
        if ev.declared:
            return
        if "object" in ev.kinds and ev.fields:
            self.input_evidence.setdefault(name, InputEvidence()).merge(ev)
            for field in sorted(ev.fields):
                self.collect_inputs(ev.fields[field], _input_name(pascal(singular(field))))
        if ev.items is not None:
            self.collect_inputs(ev.items, name)

    def input(
        self, ev: InputEvidence, field: str, name: str, enum: str, *, argument: bool = False
    ) -> tuple[_Ref, str | None]:
        if ev.declared:
            base, flags = _pick_declared(ev.declared)
            if argument:
                # A variable declared `T!` may be passed where the argument is `T`:
                # the declaration proves the type, not that the server requires it.
                flags = tuple(False for _ in flags)
            if base in BUILTIN_SCALARS:
                return _wrap("builtin", base, flags), None
            kind = self.declared_kinds.get(base, "scalar")
            if kind == "scalar" and self.registering:
                self.scalars.add(base)
            self.evidence.add((kind, base))
            return _wrap(kind, base, flags), None
        kinds = set(ev.kinds)
        if "object" in kinds:
            if name in self.input_evidence:
                return _Ref("", "input", name, ""), None
            return self.scalar({"object", "JSON"}, 0, None, field, enum, "input enum")
        if kinds == {"list"}:
            if ev.items is None or ev.items.count == ev.items.nulls:
                return _Ref("[", "builtin", "String", "]"), _ONLY_EMPTY
            ref, note = self.input(ev.items, field, name, enum)
            return ref._replace(prefix="[" + ref.prefix, suffix=ref.suffix + "]"), note
        if "enum" in kinds and kinds <= {"enum", "String"}:
            values = set(ev.literals) | (ev.values or set())
            return self.enum(enum, values, "input enum"), None
        if not kinds:
            return _builtin("String", _ONLY_NULL)
        strings = ev.kinds.get("String", 0)
        return self.scalar(kinds, strings, ev.values, field, enum, "input enum")

    def input_fields(self, name: str, ev: InputEvidence) -> list[_Field]:
        fields = []
        for field in sorted(ev.fields):
            ref, note = self.input(
                ev.fields[field],
                field,
                _input_name(pascal(singular(field))),
                _enum_base(name) + pascal(singular(field)),
            )
            fields.append(_Field(field, (), ref, note))
        return fields

    # -- the whole schema -------------------------------------------------------------

    def _fields(self, type_name: str) -> tuple[list[_Field], list[str]]:
        fields: list[_Field] = []
        unresolved: list[str] = []
        evidence = self.objects[type_name].fields
        for field_name in sorted(evidence):
            field = evidence[field_name]
            typed = self.output(field.output, type_name, field_name)
            if typed is None:
                unresolved.append(f"{type_name}.{field_name}")
                continue
            arguments = []
            for argument in sorted(field.arguments):
                input_name = pascal(field_name) + _input_name(pascal(argument))
                enum_name = pascal(field_name) + pascal(argument)
                ref, _ = self.input(
                    field.arguments[argument], argument, input_name, enum_name, argument=True
                )
                arguments.append((argument, ref))
            fields.append(_Field(field_name, tuple(arguments), typed[0], typed[1]))
        return fields, unresolved

    def render(self) -> tuple[str, tuple[str, ...]]:
        while True:
            dead = {name for name in self.alive if not self._fields(name)[0]}
            if not dead:
                break
            self.alive -= dead
        for type_name in sorted(self.objects):
            evidence = self.objects[type_name].fields
            for field_name in sorted(evidence):
                for argument in sorted(evidence[field_name].arguments):
                    name = pascal(field_name) + _input_name(pascal(argument))
                    self.collect_inputs(evidence[field_name].arguments[argument], name)
        for name in sorted(self.declared):
            if self.declared_kinds[name] == "input":
                self.input_evidence.setdefault(name, InputEvidence()).merge(self.declared[name])
                for field, ev in sorted(self.declared[name].fields.items()):
                    self.collect_inputs(ev, _input_name(pascal(singular(field))))
        self.registering = True
        objects: dict[str, list[_Field]] = {}
        unresolved: list[str] = []
        for type_name in sorted(self.objects):
            fields, missing = self._fields(type_name)
            unresolved.extend(missing)
            if type_name in self.alive:
                objects[type_name] = fields
                sources = self.objects[type_name].sources
                if sources - {"path"}:
                    self.evidence.add(("object", type_name))
                if not sources & {"root", "typename"}:
                    origin = "fragment" if "fragment" in sources else "path"
                    self.notes[("object", type_name)] = _NOTES[origin]
        inputs = {name: self.input_fields(name, ev) for name, ev in self.input_evidence.items()}
        for name, kind in self.declared_kinds.items():
            ev = self.declared[name]
            if kind == "input":
                self.evidence.add(("input", name))
            elif kind == "enum":
                self.enum(name, set(ev.literals) | (ev.values or set()), "input enum")
                self.evidence.add(("enum", name))
                self.notes[("enum", name)] = _NOTES["declared"]
            else:
                self.scalars.add(name)
                self.evidence.add(("scalar", name))
                self.notes[("scalar", name)] = _NOTES[
                    "declared" if ev.kinds or ev.nulls else "declared empty"
                ]
        if _JSON in self.scalars:
            self.notes.setdefault(("scalar", _JSON), _NOTES[_JSON])
        folds = enum_folds(self.enums, {name for kind, name in self.evidence if kind == "enum"})
        for name, into in sorted(folds.items()):
            self.enums[into] |= self.enums.pop(name)
            self.notes.pop(("enum", name), None)
            self.notes[("enum", into)] = _NOTES["declared merged"]
        printer = _Printer(self, objects, inputs, folds)
        return printer.text(), tuple(sorted(set(unresolved)))


def _declared_kind(ev: InputEvidence) -> str:
    kinds = set(ev.kinds)
    if "object" in kinds and ev.fields:
        return "input"
    if kinds and kinds <= {"String", "enum"}:
        if ("String" not in kinds or ev.values is not None) and (ev.literals or ev.values):
            return "enum"
    return "scalar"


def _fold_map(types: Mapping[str, ObjectEvidence]) -> dict[str, str]:
    targets: dict[str, set[str]] = {}

    def scan(shape: OutputEvidence) -> None:
        names = {name for name in shape.objects if name in types}
        path_only = {name for name in names if types[name].sources == {"path"}}
        named = names - path_only
        if len(named) == 1 and path_only:
            for name in path_only:
                targets.setdefault(name, set()).update(named)
        if shape.items is not None:
            scan(shape.items)

    for evidence in types.values():
        for field in evidence.fields.values():
            scan(field.output)
    return {name: min(found) for name, found in targets.items() if len(found) == 1}


def _suffix_folds(objects: Mapping[str, ObjectEvidence]) -> dict[str, str]:
    """Path-named types into the type their name ends with (``CreateUser`` →
    ``User``), when that type has all their fields, with values of the same
    kinds; the longest such name wins. Names only get shorter: no cycles."""
    folds: dict[str, str] = {}
    roots = set(ROOT_TYPES.values())
    for name in sorted(objects):
        evidence = objects[name]
        if evidence.sources != {"path"}:
            continue
        for other in sorted(objects, key=lambda other: (-len(other), other)):
            if (
                other != name
                and other not in roots
                and other[:1].isupper()
                and name.endswith(other)
                and set(evidence.fields) <= set(objects[other].fields)
                and all(
                    _compatible(field.output, objects[other].fields[field_name].output)
                    for field_name, field in evidence.fields.items()
                )
            ):
                folds[name] = other
                break
    for name in sorted(folds):  # a chain ends at a type that does not fold
        while folds[name] in folds:
            folds[name] = folds[folds[name]]
    return folds


def _kinds(shape: OutputEvidence) -> frozenset[str]:
    kinds: set[str] = set()
    item: OutputEvidence | None = shape
    while item is not None:
        kinds |= {"number" if kind in ("Int", "Float") else kind for kind in item.kinds}
        item = item.items
    return frozenset(kinds - {"list"})


def _compatible(first: OutputEvidence, second: OutputEvidence) -> bool:
    if first.composite != second.composite:
        return False
    kinds, others = _kinds(first), _kinds(second)
    return not kinds or not others or kinds == others


class _Printer:
    def __init__(
        self,
        renderer: _Renderer,
        objects: dict[str, list[_Field]],
        inputs: dict[str, list[_Field]],
        folds: Mapping[str, str],
    ) -> None:
        self.r = renderer
        self.folds = folds  # enums folded into a declared one
        self.objects = objects
        self.inputs = inputs
        claims: dict[tuple[str, str], bool] = {}
        for kind, names in (
            ("object", objects),
            ("union", renderer.unions),
            ("enum", renderer.enums),
            ("input", inputs),
            ("scalar", renderer.scalars),
        ):
            for name in names:
                claims[(kind, name)] = (kind, name) in renderer.evidence
        self.final = _resolve(claims)

    def ref(self, ref: _Ref) -> str:
        if ref.kind == "builtin":
            name = ref.name
        elif ref.kind == "enum":
            name = self.final[("enum", self.folds.get(ref.name, ref.name))]
        else:
            name = self.final[(ref.kind, ref.name)]
        return ref.prefix + name + ref.suffix

    def _block(self, keyword: str, name: str, fields: list[_Field]) -> list[str]:
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
            note = self.r.notes.get((kind, name))
            lines = [_quote(note)] if note else []
            if kind == "object":
                lines += self._block("type", final, self.objects[name])
            elif kind == "input":
                lines += self._block("input", final, self.inputs[name])
            elif kind == "union":
                members = sorted(self.final[("object", m)] for m in self.r.unions[name])
                lines.append(f"union {final} = {' | '.join(members)}")
            elif kind == "enum":
                values = "".join(f"  {value}\n" for value in sorted(self.r.enums[name]))
                lines.append(f"enum {final} {{\n{values}}}")
            else:
                lines.append(f"scalar {final}")
            order = _ROOT_ORDER.get(final, len(_ROOT_ORDER)) if kind == "object" else 3
            blocks.append(((order, final), "\n".join(lines)))
        return "".join(text + "\n\n" for _, text in sorted(blocks)).rstrip("\n") + (
            "\n" if blocks else ""
        )


def _resolve(claims: Mapping[tuple[str, str], bool]) -> dict[tuple[str, str], str]:
    """Final names: each name to its best claim, suffixes for the rest."""
    by_name: dict[str, list[tuple[int, str]]] = {}
    for (kind, name), evidence in claims.items():
        priority = 0 if evidence and kind == "object" else 1 if evidence else _PRIORITY[kind]
        by_name.setdefault(name, []).append((priority, kind))
    final: dict[tuple[str, str], str] = {}
    losers: list[tuple[str, str]] = []
    for name in sorted(by_name):
        ranked = sorted(by_name[name])
        final[(ranked[0][1], name)] = name
        losers.extend((kind, name) for _, kind in ranked[1:])
    taken = set(by_name)
    for kind, name in sorted(losers, key=lambda claim: (claim[1], claim[0])):
        candidate, number = name + _SUFFIX[kind], 2
        while candidate in taken:
            candidate, number = f"{name}{_SUFFIX[kind]}{number}", number + 1
        taken.add(candidate)
        final[(kind, name)] = candidate
    return final


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_sdl(
    types: Mapping[str, ObjectEvidence], declared: Mapping[str, InputEvidence]
) -> tuple[str, tuple[str, ...]]:
    """The SDL of the evidence, and the ``Type.field`` positions left out
    because their type is unknown; ``""`` when there is nothing to show."""
    return _Renderer(types, declared).render()
