"""Pinned templates: claiming every observed call a pin matches, before the rules run.

:func:`claim` takes the calls under one pin (``/users/{id}/avatar``) out of the
trie and returns them as one pinned
:class:`~apidisco.infer.path_model.PathTemplate` with the pin's parameter
names; what it leaves is resolved by :mod:`apidisco.infer.path_rules`.
"""

from __future__ import annotations

from apidisco.infer.path_drafts import build_parameter
from apidisco.infer.path_model import Evidence, PathTemplate
from apidisco.infer.segments import SegmentShape, classify
from apidisco.infer.templates import Pattern
from apidisco.infer.trie import Limits, Node

__all__ = ["claim"]


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


def claim(root: Node, pattern: Pattern, limits: Limits) -> PathTemplate | None:
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
        build_parameter(
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
