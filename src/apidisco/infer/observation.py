"""What inference is given about one captured call: an :class:`Observation`.

Observations are built by the caller from stored ``api_calls`` rows (or straight
from a HAR or flow file) and are plain data: headers are lower-cased names
mapped to a value, or to a list of values when a header repeated, exactly as
capture stores them, with secrets already masked. Bodies come as text (base64
when ``encoding`` says so) and, for JSON, as the parsed document.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

__all__ = ["Body", "Observation", "header_values", "media_type", "split_target"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def media_type(content_type: str | None) -> str:
    """``application/json`` for ``Application/JSON; charset=utf-8``; ``""`` for none."""
    if not content_type:
        return ""
    return content_type.partition(";")[0].strip().lower()


def header_values(headers: Mapping[str, Any], name: str) -> list[str]:
    """Every value of header ``name`` (lower-case) in a stored header map."""
    value = headers.get(name)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def split_target(url: str, base_path: str = "") -> tuple[str, list[tuple[str, str]]]:
    """The path below ``base_path`` and the query pairs of a stored URL.

    ``base_path`` is the endpoint destination's own path (``/api``): calls are
    described relative to it, the way an OpenAPI ``servers`` entry holds it.
    (Sliced by hand rather than with ``urlsplit``: this runs twice per call.)
    """
    authority = url.find("://")
    start = 0
    if authority >= 0:
        start = len(url)
        for mark in "/?#":
            found = url.find(mark, authority + 3)
            if 0 <= found < start:
                start = found
    target = url[start:].partition("#")[0]
    path, _, query_text = target.partition("?")
    path = path or "/"
    base = base_path.rstrip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :] or "/"
    query = urllib.parse.parse_qsl(query_text, keep_blank_values=True) if query_text else []
    return path, query


class Body(NamedTuple):
    """One request or response body as stored."""

    text: str | None = None
    document: Any = None  # the parsed JSON document, when the body was JSON
    encoding: str | None = None  # "base64" for a binary body
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return self.text is None or self.text == ""


class Observation(NamedTuple):
    """One captured exchange (or one WebSocket message, or one GraphQL operation).

    A named tuple rather than a frozen dataclass: two are built per call, and a
    tuple is several times cheaper to make.
    """

    method: str
    path: str
    protocol: str = "http"
    query: tuple[tuple[str, str], ...] = ()
    status: int | None = None
    request_headers: Mapping[str, Any] = _EMPTY
    response_headers: Mapping[str, Any] = _EMPTY
    request_body: Body = Body()
    response_body: Body = Body()
    cors: Mapping[str, Any] | None = None
    error: str | None = None
    message_direction: str | None = None  # "client" / "server" for a WebSocket message
    connection_id: str | None = None
    graphql_operation: str | None = None

    @property
    def request_media_type(self) -> str:
        values = header_values(self.request_headers, "content-type")
        return media_type(values[0] if values else None)

    @property
    def response_media_type(self) -> str:
        values = header_values(self.response_headers, "content-type")
        return media_type(values[0] if values else None)
