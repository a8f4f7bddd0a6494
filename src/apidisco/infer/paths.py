"""Path templates from traffic: ``/users/42/orders/7`` → ``/users/{userId}/orders/{orderId}``.

A :class:`PathTemplater` takes one observation per call (:meth:`~PathTemplater.observe`)
into a trie of path segments, then :meth:`~PathTemplater.finish` turns the trie
into a :class:`PathModel`: templates, their methods, typed and named parameters
with examples, and the evidence behind every decision. Nothing here reads a
clock, a file or a random source; the same observations in any order give the
same model.

Deciding, at each position of the trie, which segments become a parameter:

1. **Shape** (:func:`apidisco.infer.segments.classify`): integers, UUIDs,
   ULIDs, cuids, hashes, hex and base64-like tokens, dates, date-times and
   emails are parameters by shape alone, from a single sample. Versions
   (``v1``, ``2.0``) and empty segments always stay literal.
2. **Cardinality**: other segments (words, slugs, ``file.json``) join the
   parameter only in a *cohort* of at least ``min_distinct`` (default 8)
   distinct values under the same parent sharing a continuation: values whose
   sets of templates below them (parameters compared as ``{}``) overlap, also
   through other values (``/buckets/a`` with only a ``GET``, ``/buckets/b``
   with a ``GET`` and collections below, ``/buckets/c`` with collections only). Eight is more
   than the handful of fixed sub-resources an API puts side by side, and few
   enough that a short capture of word-like IDs (tags, country codes) counts.
3. **Structure**: within a cohort, a value that *acts* stays literal: one whose
   successful methods at some continuation include ``POST`` and share none with
   the other values' there (a ``POST``-only ``/tags/merge`` beside tags that are
   read). Calls answered 4xx or 5xx prove no method (a stale ``DELETE`` that got
   a 404), and a value only ever created (``PUT``), read or deleted is no
   action, so it joins. And the
   usual response-shape fingerprint (whatever the caller passes as ``shape``,
   from 2xx or status-less responses) must be among the ones it reported, if
   it reported any (``/tags/overview`` answering a list beside tags answering
   a tag stays literal). The values left must still number ``min_distinct``.
4. **Words stay literal**: the reserved words of
   :data:`~apidisco.infer.segments.RESERVED_WORDS` (``me``, ``search``,
   ``latest`` ...) never join a parameter, and a word directly followed by a
   parameter names a collection (``/api/users/{userId}``), so it is never
   merged either: ``/users/me`` and ``/users/{userId}`` are separate templates.
5. **Overflow**: a trie node keeps at most ``max_children`` (default 64)
   literal children. Past that, values collapse into one wildcard child that
   always becomes a parameter ("more than 64 distinct values"). The children
   kept are the smallest by (reserved-by-shape first: words, versions, other;
   then slugs; then identifier shapes; then length; then text), so words such
   as ``me`` survive beside a hundred thousand IDs and the kept set does not
   depend on arrival order. Memory is bounded by the distinct operations, not
   by the number of calls or of IDs.

Parameters are named from the literal segment before them, singular, camelCase,
with ``Id`` (``/buckets/{bucketId}/collections/{collectionId}``); positions
holding only dates, date-times or emails are ``{date}``, ``{timestamp}``,
``{email}``; a parameter after another parameter or at the root is
``{paramN}`` (its index in the template). Names are unique within a template
(``{fileId}``, ``{fileId2}``). Types join the shapes seen: ``integer`` when
every value is an integer, else ``string`` with the format all values share
(``uuid``, ``date`` ...), if any.

Pins and forbids are templates too (``/users/{id}/avatar``) and apply when
finishing, so they work on traffic already observed:

- a **pin** claims every observed path it matches (a ``{name}`` segment matches
  any non-empty segment, a literal one only itself), most specific pin first;
  the claimed paths form the pinned template, with the pin's parameter names.
  A pinned literal can only match values the trie kept literal (see 5).
- a **forbid** prevents its template: its last ``{...}`` keeps every segment
  at that position literal, under the prefix it matches (earlier ``{...}``
  match any segment), and each literal segment keeps that value literal, so a
  forbidden literal path stays literal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from apidisco.infer.segments import (
    RESERVED_WORDS,
    SegmentKind,
    SegmentShape,
    classify,
    parameter_base,
)
from apidisco.infer.templates import (
    PathMatcher,
    Pattern,
    escape,
    parse_pattern,
    split_path,
    template_segments,
)
from apidisco.infer.trie import (
    MAX_IDS,
    Limits,
    Node,
    add_bounded,
    child_rank,
    copy_node,
    count_nodes,
    merge_nodes,
    prune,
    step,
    value_key,
)

__all__ = [
    "Evidence",
    "PathMatcher",
    "PathModel",
    "PathParameter",
    "PathTemplate",
    "PathTemplater",
    "split_path",
]

MAX_CHILDREN = 64
MIN_DISTINCT = 8
MAX_EXAMPLES = 5
MAX_SHAPES = 8


# ------------------------------------------------------------------ results


@dataclass(frozen=True, order=True)
class Evidence:
    """One reason behind a decision, at a segment ``position`` (0-based; -1: the template)."""

    position: int
    rule: str  # shape identity cardinality structure merge pin forbid word version collection empty
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class PathParameter:
    """A path parameter: its name, position, JSON Schema type and examples."""

    name: str
    position: int
    type: str
    format: str | None
    kinds: tuple[str, ...]
    examples: tuple[str, ...]
    distinct: int
    collapsed: bool  # more values were seen than counted: ``distinct`` is a lower bound
    evidence: tuple[Evidence, ...]

    def schema(self) -> dict[str, str]:
        """The parameter's JSON Schema (``{"type": "string", "format": "uuid"}``)."""
        if self.format is None:
            return {"type": self.type}
        return {"type": self.type, "format": self.format}


@dataclass(frozen=True)
class PathTemplate:
    """One path template, with the methods and calls seen under it."""

    template: str
    methods: tuple[str, ...]
    calls: int
    parameters: tuple[PathParameter, ...]
    evidence: tuple[Evidence, ...]
    pinned: bool = False


@dataclass(frozen=True)
class PathModel:
    """What :meth:`PathTemplater.finish` returns; templates sorted by their text."""

    templates: tuple[PathTemplate, ...]
    unused_pins: tuple[str, ...] = ()

    @cached_property
    def matcher(self) -> PathMatcher:
        """A :class:`PathMatcher` over these templates (built once)."""
        return PathMatcher(self.templates)

    def template_for(self, path: str) -> str | None:
        """The template a concrete path belongs to, or ``None``."""
        return self.matcher.match(path)

    def explain(self) -> tuple[str, ...]:
        """One line per piece of evidence: ``<template> [<segment>] <rule>: <message>``."""
        lines: list[str] = []
        for template in self.templates:
            rendered = template_segments(template.template)
            for item in template.evidence:
                label = rendered[item.position] if 0 <= item.position < len(rendered) else "*"
                lines.append(f"{template.template} [{label}] {item}")
        return tuple(lines)


# ------------------------------------------------------------------ parameters


def _schema_of(shapes: Iterable[SegmentShape]) -> tuple[str, str | None]:
    shapes = set(shapes)
    if shapes and all(shape.json_type == "integer" for shape in shapes):
        return "integer", None
    formats = {shape.json_format for shape in shapes}
    return "string", formats.pop() if len(formats) == 1 else None


_NAMED_KINDS = {
    SegmentKind.DATE: "date",
    SegmentKind.DATETIME: "timestamp",
    SegmentKind.EMAIL: "email",
}


def _parameter(
    name: str,
    position: int,
    values: Iterable[str],
    shapes: Iterable[SegmentShape],
    *,
    collapsed: bool,
    evidence: Iterable[Evidence],
    limits: Limits,
) -> PathParameter:
    distinct = sorted(set(values), key=value_key)
    shapes = set(shapes)
    json_type, json_format = _schema_of(shapes)
    return PathParameter(
        name=name,
        position=position,
        type=json_type,
        format=json_format,
        kinds=tuple(sorted({shape.kind.value for shape in shapes})),
        examples=tuple(distinct[: limits.max_examples]),
        distinct=len(distinct),
        collapsed=collapsed,
        evidence=tuple(sorted(evidence)),
    )


@dataclass(frozen=True)
class _Segment:
    text: str  # the literal, or the parameter's name
    parameter: PathParameter | None = None
    evidence: tuple[Evidence, ...] = ()

    def render(self) -> str:
        return "{" + self.text + "}" if self.parameter is not None else escape(self.text)


def _render(segments: Sequence[_Segment]) -> str:
    return "/" + "/".join(segment.render() for segment in segments)


def _name(prefix: Sequence[_Segment], shapes: set[SegmentShape]) -> str:
    used = {segment.text for segment in prefix if segment.parameter is not None}
    kinds = {shape.kind for shape in shapes}
    base: str | None = _NAMED_KINDS.get(kinds.pop()) if len(kinds) == 1 else None
    if base is None and prefix and prefix[-1].parameter is None:
        base = parameter_base(prefix[-1].text)
    if base is None:
        base = f"param{len(used) + 1}"
    name, number = base, 2
    while name in used:
        name, number = f"{base}{number}", number + 1
    return name


# ------------------------------------------------------------------ resolving


@dataclass(frozen=True)
class _Draft:
    segments: tuple[_Segment, ...]
    methods: tuple[tuple[str, int], ...]
    shapes: tuple[tuple[str, tuple[str, ...]], ...]
    proven: frozenset[str] = frozenset()  # methods some call used successfully

    def rest(self, depth: int) -> tuple[str, ...]:
        """The template after ``depth``, parameters as ``{}``."""
        return tuple("{}" if s.parameter else s.text for s in self.segments[depth + 1 :])

    def with_segment(self, depth: int, segment: _Segment) -> _Draft:
        segments = self.segments[:depth] + (segment,) + self.segments[depth + 1 :]
        return _Draft(segments, self.methods, self.shapes, self.proven)

    def template(self) -> PathTemplate:
        parameters = tuple(s.parameter for s in self.segments if s.parameter is not None)
        evidence = [item for s in self.segments for item in s.evidence]
        evidence += [item for parameter in parameters for item in parameter.evidence]
        return PathTemplate(
            template=_render(self.segments),
            methods=tuple(method for method, _ in self.methods),
            calls=sum(calls for _, calls in self.methods),
            parameters=parameters,
            evidence=tuple(sorted(evidence)),
        )


_Where = tuple[tuple[str, ...], str]
_Skeleton = frozenset[tuple[str, ...]]


def _skeleton(drafts: Sequence[_Draft], depth: int) -> _Skeleton:
    """The templates below a child, relative to it, parameters as ``{}``."""
    return frozenset(draft.rest(depth) for draft in drafts)


def _overlapping(skeletons: dict[str, _Skeleton]) -> list[list[str]]:
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


def _describe(where: Iterable[_Where]) -> str:
    parts = sorted(
        f"{method} {'/' + '/'.join(rest) if rest else '(here)'}" for rest, method in where
    )
    return ", ".join(parts)


def _vote(reported: dict[str, dict[_Where, frozenset[str]]]) -> tuple[dict[_Where, str], set[str]]:
    """The most common item at each place, and the keys that reported others only there."""
    votes: dict[_Where, dict[str, int]] = {}
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
class _Cohort:
    agreeing: tuple[str, ...]
    method_outliers: tuple[str, ...]
    shape_outliers: tuple[str, ...]
    reporting: int  # values that reported a response shape
    methods: tuple[_Where, ...]  # the usual method at each continuation


def _method_outliers(
    keys: Sequence[str], drafts_of: dict[str, list[_Draft]], depth: int
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


def _cohort(keys: Sequence[str], drafts_of: dict[str, list[_Draft]], depth: int) -> _Cohort:
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
    return _Cohort(
        agreeing=tuple(key for key in same_methods if key not in shape_outliers),
        method_outliers=tuple(key for key in keys if key in method_outliers),
        shape_outliers=tuple(key for key in same_methods if key in shape_outliers),
        reporting=sum(1 for key in same_methods if shapes[key]),
        methods=tuple(sorted((rest, method) for (rest, _), method in usual.items())),
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class _Position:
    """The decision at one trie node: which children merge into its parameter."""

    def __init__(self, node: Node, prefix: tuple[_Segment, ...]) -> None:
        self.node = node
        self.prefix = prefix
        self.depth = len(prefix)
        self.parent = _render(prefix)
        self.keys = sorted(node.children, key=child_rank)
        self.shapes = {key: classify(key) for key in self.keys}
        self.merged: list[str] = []
        self.literal: dict[str, tuple[str, str]] = {}  # key → (rule, reason)
        self.evidence: list[Evidence] = []
        self.drafts_of: dict[str, list[_Draft]] = {}


class _Resolver:
    """Turns a trie into drafts, top-down, deciding each position once."""

    def __init__(self, limits: Limits, min_distinct: int, forbids: Sequence[Pattern]) -> None:
        self.limits = limits
        self.min_distinct = min_distinct
        self.forbids = forbids

    def resolve(self, node: Node, prefix: tuple[_Segment, ...]) -> list[_Draft]:
        drafts: list[_Draft] = []
        if node.methods:
            methods = tuple(sorted(node.methods.items()))
            shapes = tuple(sorted((method, tuple(s)) for method, s in node.shapes.items()))
            proven = frozenset(
                method
                for method, calls in node.methods.items()
                if calls > node.failed.get(method, 0)
            )
            drafts.append(_Draft(prefix, methods, shapes, proven))
        if not node.children and node.overflow is None:
            return drafts
        position = _Position(node, prefix)
        forbid_here = self._sort(position)
        self._cardinality(position)
        parameter: PathParameter | None = None
        if position.merged or node.overflow is not None:
            parameter, merged = self._parameter(position, forbid_here)
            drafts += self.resolve(merged, (*prefix, _Segment(parameter.name, parameter)))
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
        skeletons: dict[str, _Skeleton] = {}
        for key in position.keys:
            if key in position.literal or position.shapes[key].is_parameter:
                continue
            drafts = self.resolve(node.children[key], (*position.prefix, _Segment(key)))
            position.drafts_of[key] = drafts
            if any(
                len(d.segments) > depth + 1 and d.segments[depth + 1].parameter is not None
                for d in drafts
            ):
                reason = "a parameter follows it, so it names a collection"
                position.literal[key] = ("collection", reason)
            else:
                skeletons[key] = _skeleton(drafts, depth)
        for members in _overlapping(skeletons):
            cohort = _cohort(members, position.drafts_of, depth)
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
        parameter = _parameter(
            _name(position.prefix, shapes),
            position.depth,
            values,
            shapes,
            collapsed=overflow is not None,
            evidence=evidence,
            limits=self.limits,
        )
        return parameter, merge_nodes(sources, self.limits)

    def _literals(self, position: _Position, parameter: PathParameter | None) -> list[_Draft]:
        """The drafts below the children that stay literal, with the reason when it matters."""
        drafts: list[_Draft] = []
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
            segment = _Segment(key, None, evidence)
            if key in position.drafts_of:
                drafts += [d.with_segment(position.depth, segment) for d in position.drafts_of[key]]
            else:
                drafts += self.resolve(position.node.children[key], (*position.prefix, segment))
        return drafts


# ------------------------------------------------------------------ pins


class _Collector:
    """The values one pinned parameter matched."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.shapes: set[SegmentShape] = set()
        self.collapsed = False

    def add(self, value: str) -> None:
        self.values.add(value)
        self.shapes.add(classify(value))

    def add_overflow(self, overflow: Node) -> None:
        self.values.update(overflow.values)
        self.shapes |= overflow.value_shapes
        self.collapsed = True


def _claim(root: Node, pattern: Pattern, limits: Limits) -> PathTemplate | None:
    """Take every call under ``pattern`` out of the trie into one pinned template."""
    size = len(pattern.segments)
    collectors = {i: _Collector() for i, s in enumerate(pattern.segments) if s.parameter}
    methods: dict[str, int] = {}

    def walk(node: Node, depth: int) -> bool:
        if depth == size:
            if not node.methods:
                return False
            for method, calls in node.methods.items():
                methods[method] = methods.get(method, 0) + calls
            node.methods = {}
            node.shapes = {}
            return True
        segment = pattern.segments[depth]
        if not segment.parameter:
            child = node.children.get(segment.value)
            return child is not None and walk(child, depth + 1)
        matched = False
        for key, child in node.children.items():
            if key and walk(child, depth + 1):
                collectors[depth].add(key)
                matched = True
        if node.overflow is not None and walk(node.overflow, depth + 1):
            collectors[depth].add_overflow(node.overflow)
            matched = True
        return matched

    if not walk(root, 0):
        return None
    parameters = tuple(
        _parameter(
            pattern.segments[i].value,
            i,
            collector.values,
            collector.shapes,
            collapsed=collector.collapsed,
            evidence=(Evidence(i, "pin", f"pinned by {pattern.text}"),),
            limits=limits,
        )
        for i, collector in sorted(collectors.items())
    )
    calls = sum(methods.values())
    evidence = [Evidence(-1, "pin", f"pinned by {pattern.text}: {calls} call(s) matched")]
    evidence += [item for parameter in parameters for item in parameter.evidence]
    return PathTemplate(
        template=pattern.text,
        methods=tuple(sorted(methods)),
        calls=calls,
        parameters=parameters,
        evidence=tuple(sorted(evidence)),
        pinned=True,
    )


# ------------------------------------------------------------------ the templater


class PathTemplater:
    """Streams observations into a bounded trie; :meth:`finish` makes the templates.

    ``max_children``: literal children one trie node keeps before collapsing the
    rest (memory bound). ``min_distinct``: the smallest cohort of word-like
    values that becomes a parameter. ``max_examples``: example values kept per
    parameter. ``max_shapes``: response-shape fingerprints kept per operation.
    """

    def __init__(
        self,
        *,
        max_children: int = MAX_CHILDREN,
        min_distinct: int = MIN_DISTINCT,
        max_examples: int = MAX_EXAMPLES,
        max_shapes: int = MAX_SHAPES,
    ) -> None:
        if max_children < 1 or max_examples < 1 or max_shapes < 1:
            raise ValueError("max_children, max_examples and max_shapes must be at least 1")
        if min_distinct < 2:
            raise ValueError("min_distinct must be at least 2")
        self._limits = Limits(max_children, max_examples, max_shapes)
        self._min_distinct = min_distinct
        self._root = Node()

    def observe(
        self,
        method: str,
        path: str,
        *,
        status: int | None = None,
        shape: str | None = None,
        ids: Iterable[str] = (),
    ) -> None:
        """Count one call. ``shape`` fingerprints a 2xx (or status-less) response body;
        ``ids`` are the identifiers its successful response named (``{"id": ...}``)."""
        node = self._root
        for segment in split_path(path):
            node = step(node, segment, self._limits)
        if status is None or 200 <= status < 300:
            for value in ids:
                if value and value not in node.ids:
                    add_bounded(node.ids, value, MAX_IDS, natural=True)
        method = method.upper()
        node.methods[method] = node.methods.get(method, 0) + 1
        if status is not None and status >= 400:
            node.failed[method] = node.failed.get(method, 0) + 1
        if shape is not None and (status is None or 200 <= status < 300):
            shapes = node.shapes.setdefault(method, [])
            add_bounded(shapes, shape, self._limits.max_shapes, natural=False)

    @property
    def size(self) -> int:
        """How many trie nodes are held: bounded by distinct operations, not calls."""
        return count_nodes(self._root)

    def finish(self, pins: Sequence[str] = (), forbids: Sequence[str] = ()) -> PathModel:
        """The templates for everything observed so far; the templater is left unchanged.

        Raises :class:`~apidisco.errors.ValidationError` for a malformed pin or forbid.
        """
        pin_patterns = sorted({parse_pattern(p, pin=True) for p in pins}, key=Pattern.specificity)
        forbid_patterns = sorted(
            {parse_pattern(f, pin=False) for f in forbids}, key=Pattern.specificity
        )
        root = copy_node(self._root)
        templates: list[PathTemplate] = []
        unused: list[str] = []
        for pattern in pin_patterns:
            pinned = _claim(root, pattern, self._limits)
            if pinned is None:
                unused.append(pattern.text)
            else:
                templates.append(pinned)
        prune(root)
        resolver = _Resolver(self._limits, self._min_distinct, forbid_patterns)
        templates += [draft.template() for draft in resolver.resolve(root, ())]
        templates.sort(key=lambda t: t.template)
        return PathModel(tuple(templates), tuple(sorted(unused)))
