"""Markdown text for the API reference: escaping, code spans, tables and heading anchors.

- :func:`one_line` puts any value's text on one line; :func:`plain` escapes it
  so it renders as that text; :func:`code_span` makes it a code span delimited
  by more backticks than it contains (:func:`longest_backticks`).
- :func:`table` writes a GitHub table, one row a line, every ``|`` in a cell
  not already escaped escaped.
- :class:`Anchors` gives headings GitHub's anchors (the text lower-cased,
  punctuation dropped, spaces as hyphens, ``-1``, ``-2`` ... for repeats,
  counted over every heading in document order, headings inside descriptions
  included), and lets a link point at a heading not written yet.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Any

__all__ = [
    "Anchors",
    "code_span",
    "longest_backticks",
    "one_line",
    "plain",
    "plural",
    "table",
]

_ESCAPED = re.compile(r"([\\`*_\[\]<>#|~&])")
_LINE_START = re.compile(r"^(\d*)([-+=.)])")
_PIPE = re.compile(r"(\\*)\|")
_TICKS = re.compile(r"`+")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def one_line(value: Any) -> str:
    """The value's text with its whitespace runs made single spaces; ``""`` for None."""
    return " ".join(str(value).split()) if value is not None else ""


def plain(value: Any) -> str:
    """Plain text as Markdown that renders as that text, on one line."""
    text = _ESCAPED.sub(r"\\\1", one_line(value))
    return _LINE_START.sub(r"\1\\\2", text)


def code_span(value: Any) -> str:
    """The value's text, on one line, as a code span."""
    text = one_line(value)
    ticks = "`" * (longest_backticks(text) + 1)
    if text.startswith("`") or text.endswith("`") or not text.strip():
        text = f" {text} "
    return f"{ticks}{text}{ticks}"


def longest_backticks(text: str) -> int:
    """The length of the longest run of backticks in ``text`` (0 when there is none)."""
    return max((len(run) for run in _TICKS.findall(text)), default=0)


def _cell(markdown: str) -> str:
    """Markdown on one line, with every ``|`` not already escaped escaped."""
    return _PIPE.sub(
        lambda m: m.group(0) if len(m.group(1)) % 2 else f"{m.group(1)}\\|", one_line(markdown)
    )


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub table of Markdown cells."""

    def row(cells: Sequence[str]) -> str:
        return "|" + "|".join(f" {_cell(cell)} " if cell else " " for cell in cells) + "|"

    return "\n".join([row(header), "|" + " --- |" * len(header), *map(row, rows)])


def plural(number: int, noun: str) -> str:
    """``1 operation``, ``2 operations``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _slug(text: str) -> str:
    """GitHub's anchor for a heading with this text (github-slugger's rule)."""
    kept = "".join(ch for ch in text.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


class Anchors:
    """Unique anchors in document order; links may point forward through a token."""

    def __init__(self) -> None:
        self.occurrences: dict[str, int] = {}
        self.anchors: dict[Hashable, str] = {}
        self.tokens: dict[Hashable, str] = {}

    def add(self, text: str, key: Hashable | None = None) -> None:
        """Counts a heading with this text; ``key`` names its anchor for links."""
        base = slug = _slug(text)
        while slug in self.occurrences:
            self.occurrences[base] += 1
            slug = f"{base}-{self.occurrences[base]}"
        self.occurrences[slug] = 0
        if key is not None:
            self.anchors[key] = slug

    def add_headings_in(self, markdown: str) -> None:
        """Counts the ATX headings of a Markdown text (not those inside fences)."""
        fence = ""
        for line in markdown.splitlines():
            opening = _FENCE.match(line)
            if fence:
                if (
                    opening
                    and opening.group(1)[0] == fence[0]
                    and len(opening.group(1)) >= len(fence)
                ):
                    fence = ""
            elif opening:
                fence = opening.group(1)
            elif heading := _ATX.match(line):
                self.add(_LINK.sub(r"\1", heading.group(1) or ""))

    def link(self, label: str, key: Hashable) -> str:
        """A link to the heading ``key`` names, resolved by :meth:`resolve`."""
        token = self.tokens.setdefault(key, f"\x00{len(self.tokens)}\x00")
        return f"[{label}](#{token})"

    def resolve(self, text: str) -> str:
        """The text with every link's token replaced by its anchor."""
        for key, token in self.tokens.items():
            text = text.replace(token, self.anchors[key])
        return text
