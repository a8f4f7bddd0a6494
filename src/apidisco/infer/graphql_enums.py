"""One enum, not two: the enums of a rebuilt GraphQL schema that stand for the same one.

Traffic shows an enum from two sides. Responses show the values a field
returned (``Book.genre`` → an enum named ``BookGenre``), requests the values
sent for an argument or input field (``books(genre: POETRY)`` → ``BooksGenre``)
and the type operations *declared* for their variables (``$genre: Genre``).
Only the declared name is the server's own; the others are made up from the
position. :func:`enum_folds` says which made-up enums are the declared one:

- the declared enum's name ends the made-up name (``BookGenre`` and
  ``BooksGenre`` end with ``Genre``; ``Genre`` never absorbs ``GenreKind``), and
- their values overlap, and one's values hold all of the other's (responses
  show what exists, requests what was asked for: either side may have seen
  more).

When several declared enums qualify, the longest name wins (``BookGenre`` over
``Genre`` for ``UsedBookGenre``), then the one sharing most values, then the
smallest name. Declared enums never fold into each other: two declared names
are two enums of the server. Pure and deterministic: the same enums give the
same folds.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Set

__all__ = ["enum_folds"]


def _qualifies(name: str, values: Set[str], declared: str, declared_values: Set[str]) -> bool:
    if not name.endswith(declared) or name == declared:
        return False
    shared = values & declared_values
    return bool(shared) and (shared == values or shared == declared_values)


def enum_folds(enums: Mapping[str, Set[str]], declared: Collection[str]) -> dict[str, str]:
    """``{made-up enum: declared enum it is}`` for the enums ``enums`` (name →
    values) whose name no variable declared; see the module docstring."""
    named = sorted(name for name in declared if name in enums)
    folds: dict[str, str] = {}
    for name in sorted(enums):
        if name in declared:
            continue
        values = enums[name]
        candidates = [
            (-len(target), -len(values & enums[target]), target)
            for target in named
            if _qualifies(name, values, target, enums[target])
        ]
        if candidates:
            folds[name] = min(candidates)[2]
    return folds
