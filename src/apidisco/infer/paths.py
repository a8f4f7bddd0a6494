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

Where the pieces live: this module holds the templater that drives the
others, and every public name stays importable from here. The results
(:class:`Evidence`, :class:`PathParameter`, :class:`PathTemplate`,
:class:`PathModel` and its explanations) are in :mod:`apidisco.infer.path_model`;
the bounded trie in :mod:`apidisco.infer.trie`; a segment's shape in
:mod:`apidisco.infer.segments`; template text, the pin and forbid syntax and
:class:`PathMatcher` in :mod:`apidisco.infer.templates`; templates under
construction with parameter names and types in :mod:`apidisco.infer.path_drafts`;
claiming pinned calls in :mod:`apidisco.infer.path_pins`; the rules above in
:mod:`apidisco.infer.path_rules`, which weighs cohorts of word-like values with
:mod:`apidisco.infer.path_cohorts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from apidisco.infer.path_model import Evidence, PathModel, PathParameter, PathTemplate
from apidisco.infer.path_pins import claim
from apidisco.infer.path_rules import Resolver
from apidisco.infer.templates import PathMatcher, Pattern, parse_pattern, split_path
from apidisco.infer.trie import (
    MAX_IDS,
    Limits,
    Node,
    add_bounded,
    copy_node,
    count_nodes,
    prune,
    step,
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
            pinned = claim(root, pattern, self._limits)
            if pinned is None:
                unused.append(pattern.text)
            else:
                templates.append(pinned)
        prune(root)
        resolver = Resolver(self._limits, self._min_distinct, forbid_patterns)
        templates += [draft.template() for draft in resolver.resolve(root, ())]
        templates.sort(key=lambda t: t.template)
        return PathModel(tuple(templates), tuple(sorted(unused)))
