"""The rules that decide, at each position of the trie, which segments become a parameter.

:class:`Resolver` walks the trie top-down and decides each position once: shape,
identity, forbids, versions, empty segments and reserved words first
(``_sort``), then collections, cardinality and structure over cohorts of
word-like values (``_cardinality``, with :mod:`apidisco.infer.path_cohorts`),
then the overflow and the merge into one parameter. Every decision is written
as :class:`~apidisco.infer.path_model.Evidence` on the segment it concerns; the
rules themselves are described in :mod:`apidisco.infer.paths`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from apidisco.infer.path_cohorts import Skeleton, Where, overlapping, skeleton_of, split_cohort
from apidisco.infer.path_drafts import (
    Draft,
    Segment,
    build_parameter,
    parameter_name,
    render_segments,
)
from apidisco.infer.path_model import Evidence, PathParameter
from apidisco.infer.segments import RESERVED_WORDS, SegmentKind, classify
from apidisco.infer.templates import Pattern
from apidisco.infer.trie import Limits, Node, child_rank, merge_nodes, value_key

__all__ = ["Resolver"]


def _describe(where: Iterable[Where]) -> str:
    parts = sorted(
        f"{method} {'/' + '/'.join(rest) if rest else '(here)'}" for rest, method in where
    )
    return ", ".join(parts)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class _Position:
    """The decision at one trie node: which children merge into its parameter."""

    def __init__(self, node: Node, prefix: tuple[Segment, ...]) -> None:
        self.node = node
        self.prefix = prefix
        self.depth = len(prefix)
        self.parent = render_segments(prefix)
        self.keys = sorted(node.children, key=child_rank)
        self.shapes = {key: classify(key) for key in self.keys}
        self.merged: list[str] = []
        self.literal: dict[str, tuple[str, str]] = {}  # key → (rule, reason)
        self.evidence: list[Evidence] = []
        self.drafts_of: dict[str, list[Draft]] = {}


class Resolver:
    """Turns a trie into drafts, top-down, deciding each position once."""

    def __init__(self, limits: Limits, min_distinct: int, forbids: Sequence[Pattern]) -> None:
        self.limits = limits
        self.min_distinct = min_distinct
        self.forbids = forbids

    def resolve(self, node: Node, prefix: tuple[Segment, ...]) -> list[Draft]:
        """The drafts of every template under ``node``, reached through ``prefix``."""
        drafts: list[Draft] = []
        if node.methods:
            methods = tuple(sorted(node.methods.items()))
            shapes = tuple(sorted((method, tuple(s)) for method, s in node.shapes.items()))
            proven = frozenset(
                method
                for method, calls in node.methods.items()
                if calls > node.failed.get(method, 0)
            )
            drafts.append(Draft(prefix, methods, shapes, proven))
        if not node.children and node.overflow is None:
            return drafts
        position = _Position(node, prefix)
        forbid_here = self._sort(position)
        self._cardinality(position)
        parameter: PathParameter | None = None
        if position.merged or node.overflow is not None:
            parameter, merged = self._parameter(position, forbid_here)
            drafts += self.resolve(merged, (*prefix, Segment(parameter.name, parameter)))
        drafts += self._literals(position, parameter)
        return drafts

    def _sort(self, position: _Position) -> str | None:
        """Shape decides first; returns the forbid that bans a parameter here, if any."""
        depth = position.depth
        forbids = [
            pattern
            for pattern in self.forbids
            if len(pattern.segments) > depth
            and all(
                p.parameter or (s.parameter is None and s.text == p.value)
                for p, s in zip(pattern.segments, position.prefix, strict=False)
            )
        ]
        forbid_here = next((f.text for f in forbids if f.last_parameter == depth), None)
        forbid_values = {
            f.segments[depth].value: f.text
            for f in reversed(forbids)
            if not f.segments[depth].parameter
        }
        literal = position.literal
        identities = set(position.node.ids)
        named: list[str] = []
        for key in position.keys:
            shape = position.shapes[key]
            if key in forbid_values:
                literal[key] = ("forbid", f"forbidden by {forbid_values[key]}")
            elif forbid_here is not None:
                literal[key] = ("forbid", f"{forbid_here} forbids a parameter here")
            elif shape.is_parameter:
                position.merged.append(key)
            elif key in identities and key.lower() not in RESERVED_WORDS:
                position.merged.append(key)
                named.append(key)
            elif shape.kind is SegmentKind.VERSION:
                literal[key] = ("version", "it looks like an API version")
            elif shape.kind is SegmentKind.EMPTY:
                literal[key] = ("empty", "an empty segment (trailing slash)")
            elif key.lower() in RESERVED_WORDS:
                literal[key] = ("word", "a reserved word naming an alias or an action")
        if named:
            listed = ", ".join(repr(key) for key in named[: self.limits.max_examples])
            position.evidence.append(
                Evidence(
                    depth,
                    "identity",
                    f"{listed} named as an id by a response of {position.parent}",
                )
            )
        if len(position.merged) > len(named):
            tally: dict[str, int] = {}
            for key in position.merged:
                if key in named:
                    continue
                kind = position.shapes[key].kind.value
                tally[kind] = tally.get(kind, 0) + 1
            kinds = ", ".join(
                kind if len(tally) == 1 else f"{kind} ({count})"
                for kind, count in sorted(tally.items())
            )
            position.evidence.append(
                Evidence(
                    depth,
                    "shape",
                    f"{kinds} in {len(position.merged) - len(named)} of "
                    f"{_plural(len(position.keys), 'distinct value')} under {position.parent}",
                )
            )
        return forbid_here

    def _cardinality(self, position: _Position) -> None:
        """Word-like children join in cohorts sharing a continuation and a response shape."""
        depth, node = position.depth, position.node
        skeletons: dict[str, Skeleton] = {}
        for key in position.keys:
            if key in position.literal or position.shapes[key].is_parameter:
                continue
            drafts = self.resolve(node.children[key], (*position.prefix, Segment(key)))
            position.drafts_of[key] = drafts
            if any(
                len(d.segments) > depth + 1 and d.segments[depth + 1].parameter is not None
                for d in drafts
            ):
                reason = "a parameter follows it, so it names a collection"
                position.literal[key] = ("collection", reason)
            else:
                skeletons[key] = skeleton_of(drafts, depth)
        for members in overlapping(skeletons):
            cohort = split_cohort(members, position.drafts_of, depth)
            if len(cohort.agreeing) < self.min_distinct:
                reason = (
                    f"{_plural(len(members), 'distinct value')} under {position.parent} with "
                    f"this continuation, fewer than the {self.min_distinct} a word-like "
                    "parameter needs"
                )
                position.literal.update((key, ("cardinality", reason)) for key in members)
                continue
            position.merged.extend(cohort.agreeing)
            same = len(members) - len(cohort.method_outliers)
            shapes = (
                f"the same response shape in {cohort.reporting - len(cohort.shape_outliers)} "
                f"of {cohort.reporting} values reporting one"
                if cohort.reporting
                else "no response shape reported"
            )
            position.evidence += [
                Evidence(
                    depth,
                    "cardinality",
                    f"{len(cohort.agreeing)} distinct values under {position.parent} with the "
                    f"same continuation: {_describe(cohort.methods)}",
                ),
                Evidence(
                    depth,
                    "structure",
                    f"the same methods in {same} of {len(members)} values; {shapes}",
                ),
            ]
            reason = (
                f"its methods differ from the {len(cohort.agreeing)} values sharing its "
                "continuation"
            )
            position.literal.update((key, ("structure", reason)) for key in cohort.method_outliers)
            reason = (
                f"its response shape differs from the {len(cohort.agreeing)} values "
                "sharing its continuation"
            )
            position.literal.update((key, ("structure", reason)) for key in cohort.shape_outliers)

    def _parameter(
        self, position: _Position, forbid_here: str | None
    ) -> tuple[PathParameter, Node]:
        """The parameter of this position, and the merged subtree below it."""
        limit = self.limits.max_children
        position.merged.sort(key=child_rank)
        sources = [position.node.children[key] for key in position.merged]
        values = list(position.merged)
        shapes = {position.shapes[key] for key in position.merged}
        overflow = position.node.overflow
        evidence = position.evidence
        if overflow is not None:
            sources.append(overflow)
            values += overflow.values
            shapes |= overflow.value_shapes
            kinds = ", ".join(sorted({shape.kind.value for shape in overflow.value_shapes}))
            evidence.append(
                Evidence(
                    position.depth,
                    "cardinality",
                    f"more than {limit} distinct values under {position.parent}; those past "
                    f"the first {limit} were collapsed into this parameter ({kinds})",
                )
            )
            if forbid_here is not None:
                message = (
                    f"{forbid_here} forbids a parameter here, but only {limit} values are kept"
                )
                evidence.append(Evidence(position.depth, "forbid", message))
        shown = sorted(set(values), key=value_key)
        listed = ", ".join(shown[: self.limits.max_examples])
        if overflow is not None:
            merged = f"more than {len(position.merged)} values: {listed}, ..."
        else:
            more = ", ..." if len(shown) > self.limits.max_examples else ""
            merged = f"{_plural(len(shown), 'value')}: {listed}{more}"
        evidence.append(Evidence(position.depth, "merge", f"merged {merged}"))
        parameter = build_parameter(
            parameter_name(position.prefix, shapes),
            position.depth,
            values,
            shapes,
            collapsed=overflow is not None,
            evidence=evidence,
            limits=self.limits,
        )
        return parameter, merge_nodes(sources, self.limits)

    def _literals(self, position: _Position, parameter: PathParameter | None) -> list[Draft]:
        """The drafts below the children that stay literal, with the reason when it matters."""
        drafts: list[Draft] = []
        siblings = len(position.keys) + (position.node.overflow is not None)
        beside = "" if parameter is None else f" beside {{{parameter.name}}}"
        merged = set(position.merged)
        for key in position.keys:
            if key in merged:
                continue
            rule, reason = position.literal[key]
            evidence: tuple[Evidence, ...] = ()
            if siblings > 1 or rule == "forbid":
                message = f"{key!r} kept literal{beside}: {reason}"
                evidence = (Evidence(position.depth, rule, message),)
            segment = Segment(key, None, evidence)
            if key in position.drafts_of:
                drafts += [d.with_segment(position.depth, segment) for d in position.drafts_of[key]]
            else:
                drafts += self.resolve(position.node.children[key], (*position.prefix, segment))
        return drafts
