"""The bounded trie of observed path segments behind :class:`~apidisco.infer.paths.PathTemplater`.

Each node counts calls, methods and response shapes, and keeps at most
``Limits.max_children`` literal children: past that, values collapse into one
wildcard child, so memory is bounded by the number of distinct operations,
not calls. Which children are kept does not depend on arrival order (see
:func:`child_rank`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from apidisco.infer.segments import SegmentKind, SegmentShape, classify

__all__ = [
    "Limits",
    "Node",
    "absorb",
    "add_bounded",
    "copy_node",
    "count_nodes",
    "merge_nodes",
    "prune",
    "child_rank",
    "step",
    "value_key",
]


def child_rank(value: str) -> tuple[int, int, str]:
    """Which literal children a full node keeps: the smallest ranks."""
    shape = classify(value)
    if shape.is_parameter:
        tier = 2
    elif shape.kind is SegmentKind.SLUG:
        tier = 1
    else:
        tier = 0
    return tier, len(value), value


def value_key(value: str) -> tuple[int, int, str]:
    """Example order: numbers by value, then everything else alphabetically."""
    return (0, len(value), value) if value.isdigit() else (1, 0, value)


#: Ids one node keeps from its responses (the identity rule of apidisco.infer.path_rules).
MAX_IDS = 64


@dataclass(frozen=True)
class Limits:
    max_children: int
    max_examples: int
    max_shapes: int


class Node:
    """One trie position. ``values``/``value_shapes`` are filled on overflow nodes only."""

    __slots__ = (
        "children",
        "failed",
        "ids",
        "methods",
        "overflow",
        "ranked",
        "shapes",
        "value_shapes",
        "values",
    )

    def __init__(self) -> None:
        self.children: dict[str, Node] = {}
        self.overflow: Node | None = None
        self.methods: dict[str, int] = {}
        self.failed: dict[str, int] = {}  # calls per method answered 4xx/5xx
        self.ids: list[str] = []  # ids its responses returned (bounded, smallest kept)
        self.shapes: dict[str, list[str]] = {}
        self.values: list[str] = []
        self.value_shapes: set[SegmentShape] = set()
        # (rank, key) of the children, sorted; built when the node is full
        self.ranked: list[tuple[tuple[int, int, str], str]] | None = None


def add_bounded(items: list[str], item: str, limit: int, *, natural: bool) -> None:
    """Insert into a sorted list of distinct items, keeping the ``limit`` smallest."""
    if item in items:
        return
    items.append(item)
    items.sort(key=value_key if natural else None)
    del items[limit:]


def note_value(overflow: Node, value: str, limits: Limits) -> None:
    add_bounded(overflow.values, value, limits.max_examples, natural=True)
    overflow.value_shapes.add(classify(value))


def spill(node: Node, key: str, limits: Limits) -> None:
    """Move one literal child into the node's overflow child."""
    child = node.children.pop(key)
    if node.overflow is None:
        node.overflow = Node()
    note_value(node.overflow, key, limits)
    absorb(node.overflow, child, limits)


def trim(node: Node, limits: Limits) -> None:
    if len(node.children) <= limits.max_children:
        return
    ranked = sorted(node.children, key=child_rank)
    for key in ranked[limits.max_children :]:
        spill(node, key, limits)


def absorb(target: Node, source: Node, limits: Limits) -> None:
    """Merge ``source`` into ``target`` (``source`` is consumed)."""
    for method, calls in source.methods.items():
        target.methods[method] = target.methods.get(method, 0) + calls
    for method, calls in source.failed.items():
        target.failed[method] = target.failed.get(method, 0) + calls
    for method, shapes in source.shapes.items():
        mine = target.shapes.setdefault(method, [])
        for shape in shapes:
            add_bounded(mine, shape, limits.max_shapes, natural=False)
    for value in source.values:
        add_bounded(target.values, value, limits.max_examples, natural=True)
    for value in source.ids:
        add_bounded(target.ids, value, MAX_IDS, natural=True)
    target.value_shapes |= source.value_shapes
    for key, child in source.children.items():
        existing = target.children.get(key)
        if existing is None:
            target.children[key] = child
        else:
            absorb(existing, child, limits)
    if source.overflow is not None:
        if target.overflow is None:
            target.overflow = source.overflow
        else:
            absorb(target.overflow, source.overflow, limits)
    target.ranked = None
    trim(target, limits)


def copy_node(node: Node) -> Node:
    twin = Node()
    twin.methods = dict(node.methods)
    twin.failed = dict(node.failed)
    twin.ids = list(node.ids)
    twin.shapes = {method: list(shapes) for method, shapes in node.shapes.items()}
    twin.values = list(node.values)
    twin.value_shapes = set(node.value_shapes)
    twin.children = {key: copy_node(child) for key, child in node.children.items()}
    twin.overflow = None if node.overflow is None else copy_node(node.overflow)
    return twin


def merge_nodes(nodes: Iterable[Node], limits: Limits) -> Node:
    """A fresh node holding all of ``nodes`` (which stay untouched)."""
    merged = Node()
    for node in nodes:
        absorb(merged, copy_node(node), limits)
    return merged


def step(node: Node, value: str, limits: Limits) -> Node:
    """The child for ``value``, created if needed, or the overflow child when full."""
    child = node.children.get(value)
    if child is not None:
        return child
    if len(node.children) < limits.max_children:
        child = node.children[value] = Node()
        node.ranked = None
        return child
    if node.ranked is None:
        node.ranked = sorted((child_rank(key), key) for key in node.children)
    rank = child_rank(value)
    if rank > node.ranked[-1][0]:
        overflow = node.overflow
        if overflow is None:
            overflow = node.overflow = Node()
        note_value(overflow, value, limits)
        return overflow
    _, worst = node.ranked.pop()
    spill(node, worst, limits)
    bisect.insort(node.ranked, (rank, value))
    child = node.children[value] = Node()
    return child


def prune(node: Node) -> bool:
    """Drop subtrees without any call left in them; True when ``node`` is empty."""
    for key in [key for key, child in node.children.items() if prune(child)]:
        del node.children[key]
    if node.overflow is not None and prune(node.overflow):
        node.overflow = None
    return not node.methods and not node.children and node.overflow is None


def count_nodes(node: Node) -> int:
    total = 1 + sum(count_nodes(child) for child in node.children.values())
    return total + (0 if node.overflow is None else count_nodes(node.overflow))
