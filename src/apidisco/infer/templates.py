"""Path templates as text: splitting paths, the pin and forbid syntax, matching.

A template is a path whose parameter segments read ``{name}``; a literal
segment containing a brace is escaped (``%7B``/``%7D``). :class:`PathMatcher`
maps a concrete path to the template it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from apidisco.errors import ValidationError

__all__ = [
    "PARAMETER",
    "PathMatcher",
    "Pattern",
    "PatternSegment",
    "Template",
    "escape",
    "parse_pattern",
    "split_path",
    "template_segments",
]


class Template(Protocol):
    """What the matcher needs of a template."""

    @property
    def template(self) -> str: ...

    @property
    def pinned(self) -> bool: ...


def split_path(path: str) -> tuple[str, ...]:
    """The segments of a path: query and fragment dropped, ``/`` → ``()``.

    A full URL is reduced to its path. A trailing slash leaves an empty last
    segment, so ``/users/`` and ``/users`` stay apart.
    """
    path = path.partition("?")[0].partition("#")[0]
    if "://" in path:
        path = "/" + path.partition("://")[2].partition("/")[2]
    if not path.startswith("/"):
        path = "/" + path
    if path == "/":
        return ()
    return tuple(path[1:].split("/"))


def escape(segment: str) -> str:
    """A literal segment as it appears in a template: braces would read as a parameter."""
    return segment.replace("{", "%7B").replace("}", "%7D")


PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)?\}")


def template_segments(template: str) -> tuple[str, ...]:
    return () if template == "/" else tuple(template[1:].split("/"))


@dataclass(frozen=True)
class PatternSegment:
    value: str  # the literal, or the parameter's name ("" in a forbid's ``{}``)
    parameter: bool


@dataclass(frozen=True)
class Pattern:
    text: str
    segments: tuple[PatternSegment, ...]

    @property
    def last_parameter(self) -> int | None:
        positions = [i for i, segment in enumerate(self.segments) if segment.parameter]
        return positions[-1] if positions else None

    def specificity(self) -> tuple[tuple[int, ...], str]:
        return tuple(int(segment.parameter) for segment in self.segments), self.text


def parse_pattern(text: str, *, pin: bool) -> Pattern:
    what = "pin" if pin else "forbid"
    raw = text.strip()
    if "?" in raw or "#" in raw:
        raise ValidationError(f"{what} {text!r}: a template is a path, without query or fragment")
    segments: list[PatternSegment] = []
    for segment in split_path(raw):
        match = PARAMETER.fullmatch(segment)
        if match is not None:
            name = match.group(1) or ""
            if pin and not name:
                raise ValidationError(f"pin {text!r}: name every parameter, like {{id}}")
            if name and any(s.parameter and s.value == name for s in segments):
                raise ValidationError(f"{what} {text!r}: parameter {{{name}}} appears twice")
            segments.append(PatternSegment(name, True))
        elif "{" in segment or "}" in segment:
            raise ValidationError(
                f"{what} {text!r}: a parameter must fill a whole segment, like /{{id}}/"
            )
        else:
            segments.append(PatternSegment(segment, False))
    rendered = "/" + "/".join(
        "{" + s.value + "}" if s.parameter else escape(s.value) for s in segments
    )
    return Pattern(rendered, tuple(segments))


class _MatchNode:
    __slots__ = ("literals", "parameter", "template")

    def __init__(self) -> None:
        self.literals: dict[str, _MatchNode] = {}
        self.parameter: _MatchNode | None = None
        self.template: str | None = None


class PathMatcher:
    """Maps a concrete path to its template: pinned templates first, then literal
    segments before parameters, position by position (backtracking)."""

    def __init__(self, templates: Iterable[Template]) -> None:
        self._pinned = _MatchNode()
        self._inferred = _MatchNode()
        for template in templates:
            node = self._pinned if template.pinned else self._inferred
            for segment in template_segments(template.template):
                if PARAMETER.fullmatch(segment):
                    if node.parameter is None:
                        node.parameter = _MatchNode()
                    node = node.parameter
                else:
                    node = node.literals.setdefault(segment, _MatchNode())
            node.template = template.template

    def match(self, path: str) -> str | None:
        """The template for ``path``, or ``None`` when none matches."""
        segments = tuple(escape(segment) for segment in split_path(path))
        return _match(self._pinned, segments, 0) or _match(self._inferred, segments, 0)


def _match(node: _MatchNode, segments: tuple[str, ...], depth: int) -> str | None:
    if depth == len(segments):
        return node.template
    literal = node.literals.get(segments[depth])
    found = None if literal is None else _match(literal, segments, depth + 1)
    if found is None and node.parameter is not None and segments[depth]:
        found = _match(node.parameter, segments, depth + 1)
    return found
