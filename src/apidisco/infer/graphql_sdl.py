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

This module takes the steps and renders every field's type from the evidence;
the rules that fold, classify and name types are in
:mod:`apidisco.infer.graphql_naming`, and :mod:`apidisco.infer.graphql_printer`
writes the text.
"""

from __future__ import annotations

from collections.abc import Mapping

from apidisco.infer.graphql_enums import enum_folds
from apidisco.infer.graphql_naming import (
    declared_kind,
    enum_base,
    fold_map,
    input_name,
    pick_declared,
    suffix_folds,
)
from apidisco.infer.graphql_printer import SdlField, TypeRef, builtin, print_sdl, wrap
from apidisco.infer.graphql_types import (
    BUILTIN_SCALARS,
    InputEvidence,
    ObjectEvidence,
    OutputEvidence,
    enum_evidence,
    is_id_name,
    pascal,
)
from apidisco.infer.segments import singular

__all__ = ["NON_NULL_MIN_SAMPLES", "render_sdl"]

#: A field is non-null (``!``) only when it was never null in at least this many values.
NON_NULL_MIN_SAMPLES = 2

_JSON = "JSON"
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


class _Renderer:
    def __init__(
        self, types: Mapping[str, ObjectEvidence], declared: Mapping[str, InputEvidence]
    ) -> None:
        self.fold = fold_map(types)
        self.objects: dict[str, ObjectEvidence] = {}
        for name in sorted(types):
            target = self.objects.setdefault(self.fold.get(name, name), ObjectEvidence())
            target.merge(types[name])
        for name, into in suffix_folds(self.objects).items():
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
                        base = pick_declared(argument.declared)[0]
                        if base in self.declared:
                            self.declared[base].merge(argument, declared=False)
        self.declared_kinds = {name: declared_kind(ev) for name, ev in self.declared.items()}
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
    ) -> tuple[TypeRef, str | None] | None:
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
                return TypeRef("[" + ref.prefix, ref.kind, ref.name, ref.suffix + "]" + bang), note
            if not shape.composite:
                return TypeRef("[", "builtin", "String", "]" + bang), _ONLY_EMPTY
            hinted = self._object(shape.hint)
            return (
                None
                if hinted is None
                else (TypeRef("[", "object", hinted, "]" + bang), _ONLY_EMPTY)
            )
        if shape.composite:
            if not kinds:
                hinted = self._object(shape.hint)
                return None if hinted is None else (TypeRef("", "object", hinted, ""), _ONLY_NULL)
            names = sorted({n for n in map(self._object, shape.objects) if n is not None})
            if not names:
                return None
            if len(names) == 1:
                return TypeRef("", "object", names[0], bang), None
            union = pascal(singular(field)) or "Union"
            if self.registering:
                self.unions.setdefault(union, set()).update(names)
                self.notes[("union", union)] = _NOTES["union"]
            return TypeRef("", "union", union, bang), None
        if not kinds:
            return builtin("String", _ONLY_NULL)
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
    ) -> tuple[TypeRef, str | None]:
        if kinds == {"Int"} or kinds == {"Boolean"}:
            return builtin(kinds.pop())
        if kinds <= {"Int", "Float"}:
            return builtin("Float")
        if kinds == {"String"}:
            if is_id_name(field):
                return builtin("ID")
            if values is not None and enum_evidence(strings, values):
                return self.enum(enum, values, origin), None
            return builtin("String")
        if self.registering:
            self.scalars.add(_JSON)
        return TypeRef("", "scalar", _JSON, ""), None

    def enum(self, name: str, values: set[str], origin: str) -> TypeRef:
        if self.registering:
            self.enums.setdefault(name, set()).update(values)
            self.notes.setdefault(("enum", name), _NOTES[origin])
        return TypeRef("", "enum", name, "")

    # -- input types ------------------------------------------------------------------

    def collect_inputs(self, ev: InputEvidence, name: str) -> None:
        """Merge the object values at this position and below into the input
        types they will be rendered as, by name."""
        if ev.declared:
            return
        if "object" in ev.kinds and ev.fields:
            self.input_evidence.setdefault(name, InputEvidence()).merge(ev)
            for field in sorted(ev.fields):
                self.collect_inputs(ev.fields[field], input_name(pascal(singular(field))))
        if ev.items is not None:
            self.collect_inputs(ev.items, name)

    def input(
        self, ev: InputEvidence, field: str, name: str, enum: str, *, argument: bool = False
    ) -> tuple[TypeRef, str | None]:
        if ev.declared:
            base, flags = pick_declared(ev.declared)
            if argument:
                # A variable declared `T!` may be passed where the argument is `T`:
                # the declaration proves the type, not that the server requires it.
                flags = tuple(False for _ in flags)
            if base in BUILTIN_SCALARS:
                return wrap("builtin", base, flags), None
            kind = self.declared_kinds.get(base, "scalar")
            if kind == "scalar" and self.registering:
                self.scalars.add(base)
            self.evidence.add((kind, base))
            return wrap(kind, base, flags), None
        kinds = set(ev.kinds)
        if "object" in kinds:
            if name in self.input_evidence:
                return TypeRef("", "input", name, ""), None
            return self.scalar({"object", "JSON"}, 0, None, field, enum, "input enum")
        if kinds == {"list"}:
            if ev.items is None or ev.items.count == ev.items.nulls:
                return TypeRef("[", "builtin", "String", "]"), _ONLY_EMPTY
            ref, note = self.input(ev.items, field, name, enum)
            return ref._replace(prefix="[" + ref.prefix, suffix=ref.suffix + "]"), note
        if "enum" in kinds and kinds <= {"enum", "String"}:
            values = set(ev.literals) | (ev.values or set())
            return self.enum(enum, values, "input enum"), None
        if not kinds:
            return builtin("String", _ONLY_NULL)
        strings = ev.kinds.get("String", 0)
        return self.scalar(kinds, strings, ev.values, field, enum, "input enum")

    def input_fields(self, name: str, ev: InputEvidence) -> list[SdlField]:
        fields = []
        for field in sorted(ev.fields):
            ref, note = self.input(
                ev.fields[field],
                field,
                input_name(pascal(singular(field))),
                enum_base(name) + pascal(singular(field)),
            )
            fields.append(SdlField(field, (), ref, note))
        return fields

    # -- the whole schema -------------------------------------------------------------

    def _fields(self, type_name: str) -> tuple[list[SdlField], list[str]]:
        fields: list[SdlField] = []
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
                argument_input = pascal(field_name) + input_name(pascal(argument))
                enum_name = pascal(field_name) + pascal(argument)
                ref, _ = self.input(
                    field.arguments[argument], argument, argument_input, enum_name, argument=True
                )
                arguments.append((argument, ref))
            fields.append(SdlField(field_name, tuple(arguments), typed[0], typed[1]))
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
                    name = pascal(field_name) + input_name(pascal(argument))
                    self.collect_inputs(evidence[field_name].arguments[argument], name)
        for name in sorted(self.declared):
            if self.declared_kinds[name] == "input":
                self.input_evidence.setdefault(name, InputEvidence()).merge(self.declared[name])
                for field, ev in sorted(self.declared[name].fields.items()):
                    self.collect_inputs(ev, input_name(pascal(singular(field))))
        self.registering = True
        objects: dict[str, list[SdlField]] = {}
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
        text = print_sdl(
            objects=objects,
            inputs=inputs,
            unions=self.unions,
            enums=self.enums,
            scalars=self.scalars,
            notes=self.notes,
            evidence=self.evidence,
            folds=folds,
        )
        return text, tuple(sorted(set(unresolved)))


def render_sdl(
    types: Mapping[str, ObjectEvidence], declared: Mapping[str, InputEvidence]
) -> tuple[str, tuple[str, ...]]:
    """The SDL of the evidence, and the ``Type.field`` positions left out
    because their type is unknown; ``""`` when there is nothing to show."""
    return _Renderer(types, declared).render()
