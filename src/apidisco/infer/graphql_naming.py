"""Which types a rebuilt GraphQL schema has, and what each is called.

The decisions :mod:`apidisco.infer.graphql_sdl` takes about types before and
after it renders their fields:

- :func:`fold_map` folds a type named only after a field (no ``__typename``, no
  fragment) into the one type ``__typename`` or a fragment named at the same
  position, when every such position agrees; :func:`suffix_folds` folds a
  path-named type into the type its name ends with (``CreateUser`` → ``User``)
  when that type has all its fields, with values of the same kinds.
- :func:`pick_declared` chooses among the types variables declared at one
  position, and :func:`declared_kind` classifies a declared type from the
  values sent for it: an input type, an enum or a custom scalar.
- :func:`input_name` and :func:`enum_base` make input and enum names from
  positions.
- :func:`final_names` settles a name two kinds of type claim: the one with
  evidence wins, then by kind (objects, unions, enums, inputs, scalars); the
  others take a suffix (``Union``, ``Enum``, ``Input``, ``Scalar``, ``Object``).
"""

from __future__ import annotations

from collections.abc import Mapping

from apidisco.infer.graphql_types import (
    ROOT_TYPES,
    InputEvidence,
    ObjectEvidence,
    OutputEvidence,
    split_type,
)

__all__ = [
    "declared_kind",
    "enum_base",
    "final_names",
    "fold_map",
    "input_name",
    "pick_declared",
    "suffix_folds",
]

_PRIORITY = {"object": 2, "union": 3, "enum": 4, "input": 5, "scalar": 6}
_SUFFIX = {
    "object": "Object",
    "union": "Union",
    "enum": "Enum",
    "input": "Input",
    "scalar": "Scalar",
}


# -- folding path-named types ---------------------------------------------------------


def fold_map(types: Mapping[str, ObjectEvidence]) -> dict[str, str]:
    """Path-named types into the one named type seen at the same positions."""
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


def suffix_folds(objects: Mapping[str, ObjectEvidence]) -> dict[str, str]:
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


# -- declared types -------------------------------------------------------------------


def pick_declared(declared: Mapping[str, int]) -> tuple[str, tuple[bool, ...]]:
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


def declared_kind(ev: InputEvidence) -> str:
    """``input``, ``enum`` or ``scalar``: what the values sent for a declared type make it."""
    kinds = set(ev.kinds)
    if "object" in kinds and ev.fields:
        return "input"
    if kinds and kinds <= {"String", "enum"}:
        if ("String" not in kinds or ev.values is not None) and (ev.literals or ev.values):
            return "enum"
    return "scalar"


# -- names ----------------------------------------------------------------------------


def input_name(name: str) -> str:
    """``User`` → ``UserInput``; a name already ending in ``input`` stays."""
    return name if name.lower().endswith("input") else name + "Input"


def enum_base(name: str) -> str:
    """An input type's name without its ``Input`` suffix, to name its enums."""
    return name[:-5] if name.endswith("Input") and len(name) > 5 else name


def final_names(claims: Mapping[tuple[str, str], bool]) -> dict[tuple[str, str], str]:
    """Final names of the claims ``(kind, name)`` → has evidence: each name to its
    best claim, suffixes for the rest."""
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
