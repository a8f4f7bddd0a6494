"""Cohorts of word-like segment values: the evidence the cardinality and structure rules weigh.

Word-like values under one parent (``/tags/amber``, ``/tags/blue`` ...) are
grouped by the templates below them (:func:`skeleton_of`,
:func:`overlapping`); :func:`split_cohort` then sets aside the values that act
rather than name (a ``POST``-only ``/tags/merge``) and those answering with an
unusual response shape, and reports the usual method at each continuation.
Rules 2 and 3 of :mod:`apidisco.infer.paths` describe what counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apidisco.infer.path_drafts import Draft

__all__ = ["Cohort", "Skeleton", "Where", "overlapping", "skeleton_of", "split_cohort"]

#: A place below a value: the rest of the template (parameters as ``{}``) and a method.
Where = tuple[tuple[str, ...], str]
Skeleton = frozenset[tuple[str, ...]]


def skeleton_of(drafts: Sequence[Draft], depth: int) -> Skeleton:
    """The templates below a child, relative to it, parameters as ``{}``."""
    return frozenset(draft.rest(depth) for draft in drafts)


def overlapping(skeletons: dict[str, Skeleton]) -> list[list[str]]:
    """Keys grouped by shared continuation: two keys sharing any template below
    them are in one group (transitively), in key order."""
    groups: list[tuple[set[tuple[str, ...]], list[str]]] = []
    for key, skeleton in skeletons.items():
        joined = [group for group in groups if group[0] & skeleton]
        merged_rests = set(skeleton).union(*(rests for rests, _ in joined))
        merged_keys = [k for _, keys in joined for k in keys] + [key]
        groups = [group for group in groups if group not in joined]
        groups.append((merged_rests, merged_keys))
    order = {key: index for index, key in enumerate(skeletons)}
    return sorted(
        (sorted(keys, key=order.__getitem__) for _, keys in groups), key=lambda g: order[g[0]]
    )


def _vote(reported: dict[str, dict[Where, frozenset[str]]]) -> tuple[dict[Where, str], set[str]]:
    """The most common item at each place, and the keys that reported others only there."""
    votes: dict[Where, dict[str, int]] = {}
    for items_at in reported.values():
        for where, items in items_at.items():
            tally = votes.setdefault(where, {})
            for item in items:
                tally[item] = tally.get(item, 0) + 1
    winner = {where: min(tally, key=lambda i: (-tally[i], i)) for where, tally in votes.items()}
    outliers = {
        key
        for key, items_at in reported.items()
        if any(winner[where] not in items for where, items in items_at.items())
    }
    return winner, outliers


@dataclass(frozen=True)
class Cohort:
    """Values sharing a continuation, split into those that agree and the outliers."""

    agreeing: tuple[str, ...]
    method_outliers: tuple[str, ...]
    shape_outliers: tuple[str, ...]
    reporting: int  # values that reported a response shape
    methods: tuple[Where, ...]  # the usual method at each continuation


def _method_outliers(
    keys: Sequence[str], drafts_of: dict[str, list[Draft]], depth: int
) -> set[str]:
    """Values that act rather than name: at some continuation, a value whose
    successful methods include POST and share none with those of the values
    there that take no POST (``POST /tags/merge`` beside tags that are read).
    Only methods a call used successfully count: a stale ``DELETE`` answered 404
    proves nothing, and a value only ever created (``PUT``) or read is no action."""
    proven: dict[str, dict[tuple[str, ...], frozenset[str]]] = {
        key: {d.rest(depth): d.proven for d in drafts_of[key] if d.proven} for key in keys
    }
    outliers: set[str] = set()
    for key in keys:
        for rest, methods in proven[key].items():
            if "POST" not in methods:
                continue
            others = frozenset().union(
                *(
                    found
                    for other in keys
                    if other != key
                    and "POST" not in (found := proven[other].get(rest, frozenset()))
                )
            )
            if others and not methods & others:
                outliers.add(key)
    return outliers


def split_cohort(keys: Sequence[str], drafts_of: dict[str, list[Draft]], depth: int) -> Cohort:
    """Split values sharing a continuation: actions first, then the usual response shape."""
    methods = {
        key: {(d.rest(depth), ""): frozenset(m for m, _ in d.methods) for d in drafts_of[key]}
        for key in keys
    }
    usual, _ = _vote(methods)
    method_outliers = _method_outliers(keys, drafts_of, depth)
    same_methods = [key for key in keys if key not in method_outliers]
    shapes = {
        key: {
            (d.rest(depth), method): frozenset(fingerprints)
            for d in drafts_of[key]
            for method, fingerprints in d.shapes
            if fingerprints
        }
        for key in same_methods
    }
    _, shape_outliers = _vote(shapes)
    return Cohort(
        agreeing=tuple(key for key in same_methods if key not in shape_outliers),
        method_outliers=tuple(key for key in keys if key in method_outliers),
        shape_outliers=tuple(key for key in same_methods if key in shape_outliers),
        reporting=sum(1 for key in same_methods if shapes[key]),
        methods=tuple(sorted((rest, method) for (rest, _), method in usual.items())),
    )
