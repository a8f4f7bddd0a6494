"""Pagination: how an operation hands out its results a page at a time.

Three styles, each recognised from what clients sent and what servers answered:

- ``offset`` — ``offset``/``skip``/``start`` with ``limit``/``count`` in the query;
- ``page`` — ``page``/``page_number`` (with ``per_page``, ``page_size``,
  ``size`` or ``limit``) in the query;
- ``cursor`` — ``cursor``, ``after``, ``page_token`` ... in the query, a next
  token in the body (``next_cursor``, ``nextPageToken``, ``links.next`` ...), or
  an RFC 8288 ``Link: <...>; rel="next"`` header. A next *link* is read by the
  parameters it carries: ``?page=3`` is page style, ``?offset=40`` offset style.

Query parameters outvote hints in responses; the evidence is kept for
``--explain``.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections import Counter
from collections.abc import Iterable
from typing import Any

from apidisco.infer.observation import Observation, header_values

__all__ = ["PaginationEvidence", "style_of_parameters"]

_OFFSET = frozenset({"offset", "skip", "start", "from"})
_LIMIT = frozenset({"limit", "count", "size", "per_page", "perpage", "page_size", "pagesize"})
_PAGE = frozenset({"page", "page_number", "pagenumber", "pageno"})
_CURSOR = frozenset(
    {
        "cursor",
        "after",
        "before",
        "page_token",
        "pagetoken",
        "next_token",
        "nexttoken",
        "continuation",
        "continuation_token",
        "starting_after",
        "ending_before",
        "since_id",
        "max_id",
        "marker",
        "_since",
        "_before",
        "_token",
    }
)
_NEXT_KEYS = frozenset(
    {
        "next",
        "next_cursor",
        "nextcursor",
        "next_page_token",
        "nextpagetoken",
        "next_token",
        "nexttoken",
        "next_page",
        "nextpage",
        "next_url",
        "nexturl",
        "cursor",
        "continuation",
        "has_more",
        "hasmore",
        "has_next",
        "hasnext",
    }
)
_CONTAINERS = frozenset(
    {"links", "_links", "meta", "pagination", "paging", "page_info", "pageinfo"}
)
_LINK_NEXT = re.compile(r"<([^>]*)>\s*;[^,]*rel=\"?next\"?", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _key(name: str) -> str:
    return name.lower().replace("-", "_")


def style_of_parameters(names: Iterable[str]) -> str | None:
    """The style a set of query parameter names shows, if any."""
    keys = {_key(name) for name in names}
    if keys & _CURSOR:
        return "cursor"
    if keys & _PAGE:
        return "page"
    if keys & _OFFSET and keys & _LIMIT:
        return "offset"
    return None


def _style_of_link(link: str) -> str:
    query = urllib.parse.urlsplit(link).query
    names = [name for name, _ in urllib.parse.parse_qsl(query, keep_blank_values=True)]
    return style_of_parameters(names) or "cursor"


def _body_hints(document: Any) -> list[tuple[str, str]]:
    """``(style, where)`` for each next-page hint at the top of a response body."""
    hints: list[tuple[str, str]] = []
    if not isinstance(document, dict):
        return hints
    places: list[tuple[str, dict[str, Any]]] = [("", document)]
    for name, value in document.items():
        if _key(name) in _CONTAINERS and isinstance(value, dict):
            places.append((f"{name}.", value))
    for prefix, place in places:
        for name, value in place.items():
            if _key(name) not in _NEXT_KEYS or value is None:
                continue
            if isinstance(value, str) and "/" in value and "?" in value:
                hints.append((_style_of_link(value), f"body {prefix}{name} (a link)"))
            elif isinstance(value, str | bool):
                hints.append(("cursor", f"body {prefix}{name}"))
    return hints


class PaginationEvidence:
    """What one operation's calls say about pagination."""

    def __init__(self) -> None:
        self.parameters: Counter[str] = Counter()  # style → calls whose query showed it
        self.hints: Counter[tuple[str, str]] = Counter()  # (style, where) → responses

    def add(self, observation: Observation) -> None:
        if observation.query:
            style = style_of_parameters(name for name, _ in observation.query)
            if style is not None:
                self.parameters[style] += 1
        status = observation.status
        if status is None or not 200 <= status < 300:
            return
        for link in header_values(observation.response_headers, "link"):
            for target in _LINK_NEXT.findall(link):
                self.hints[(_style_of_link(target), 'header Link rel="next"')] += 1
        for hint in _body_hints(observation.response_body.document):
            self.hints[hint] += 1

    def merge(self, other: PaginationEvidence) -> None:
        self.parameters.update(other.parameters)
        self.hints.update(other.hints)

    @property
    def style(self) -> str | None:
        if self.parameters:
            return min(self.parameters, key=lambda s: (-self.parameters[s], s))
        if self.hints:
            style, _ = min(self.hints, key=lambda h: (-self.hints[h], h))
            return style
        return None

    def evidence(self) -> list[str]:
        lines = [
            f"{count} calls sent {style}-style query parameters"
            for style, count in sorted(self.parameters.items())
        ]
        lines += [
            f"{count} responses had a next-page hint in the {where} ({style})"
            for (style, where), count in sorted(self.hints.items())
        ]
        return lines
