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
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Body", "Observation", "header_values", "media_type", "split_target"]

_EMPTY: Mapping[str, Any] = {}


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
    """
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    base = base_path.rstrip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :] or "/"
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if parts.query else []
    return path, query


@dataclass(frozen=True, slots=True)
class Body:
    """One request or response body as stored."""

    text: str | None = None
    document: Any = None  # the parsed JSON document, when the body was JSON
    encoding: str | None = None  # "base64" for a binary body
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return self.text is None or self.text == ""


@dataclass(frozen=True, slots=True)
class Observation:
    """One captured exchange (or one WebSocket message, or one GraphQL operation)."""

    method: str
    path: str
    protocol: str = "http"
    query: tuple[tuple[str, str], ...] = ()
    status: int | None = None
    request_headers: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    response_headers: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
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
