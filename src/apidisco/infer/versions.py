"""Semantic versions for generated documents: what changed between two OpenAPI documents.

Both documents are flattened into *facts*: every leaf of the document with
``$ref`` resolved, as ``(path, value)`` (``paths./users.get.responses.200.
content.application/json.schema.properties.id.type`` → ``integer``).
Examples, descriptions and summaries are not facts: new traffic changes them
without changing the API.

- no fact changed: the version stays (when only examples or words changed,
  the patch number moves);
- facts only added (a new operation, a new optional property): the minor
  number moves;
- a fact removed or changed (an operation gone, a property gone, a type
  changed): the major number moves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["Change", "bump", "classify_change", "facts"]

_WORDS = frozenset({"examples", "example", "description", "summary"})
_MAX_DEPTH = 64

Change = str  # "none", "patch", "minor", "major"


def _resolve(
    document: Mapping[str, Any], node: Any, seen: frozenset[str]
) -> tuple[Any, frozenset[str]]:
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        reference = node["$ref"]
        if reference in seen or not reference.startswith("#/"):
            return {"$ref": reference}, seen
        seen = seen | {reference}
        target: Any = document
        for part in reference[2:].split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"), {})
                if isinstance(target, Mapping)
                else {}
            )
        node = target
    return node, seen


def _walk(
    document: Mapping[str, Any], node: Any, path: str, seen: frozenset[str], depth: int
) -> Iterator[tuple[str, str]]:
    node, seen = _resolve(document, node, seen)
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, Mapping):
        if not node:
            yield path, "{}"
        for key in sorted(node):
            if key in _WORDS or str(key).startswith("x-apidisco"):
                continue
            yield from _walk(document, node[key], f"{path}.{key}", seen, depth + 1)
    elif isinstance(node, list):
        if all(not isinstance(item, Mapping | list) for item in node):
            yield path, repr(sorted(node, key=repr))  # sets of values: order is not a change
        else:
            for index, item in enumerate(node):
                yield from _walk(document, item, f"{path}[{index}]", seen, depth + 1)
    else:
        yield path, repr(node)


def facts(document: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """The API's facts: the paths, with every schema resolved, without words or examples."""
    return frozenset(_walk(document, document.get("paths", {}), "paths", frozenset(), 0))


def classify_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> Change:
    """How ``new`` differs from ``old``: none, patch, minor or major."""
    before, after = facts(old), facts(new)
    if before - after:
        return "major"
    if after - before:
        return "minor"
    return "none" if old == new else "patch"


def bump(version: str, change: Change) -> str:
    """``1.4.2`` after a ``minor`` change is ``1.5.0``; a malformed version restarts at 1.0.0."""
    parts = version.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return "1.0.0"
    major, minor, patch = (int(part) for part in parts)
    if change == "major":
        return f"{major + 1}.0.0"
    if change == "minor":
        return f"{major}.{minor + 1}.0"
    if change == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version
