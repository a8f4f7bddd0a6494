"""Correlation: which request values came from an earlier response.

A recorded session creates a book (``POST /books`` → ``{"id": "bk_91f2"}``)
and then reads it (``GET /books/bk_91f2``). Replayed literally, the second
request would read the *old* book; replayed with correlation it reads the one
the replay just created. :func:`build_steps` turns recorded calls into the
steps of an action sequence (:mod:`apidisco.infer.sequence`) in which every
value that an earlier response returned — in a JSON body or as the last segment
of a ``Location`` header — and a later request reused (a path segment, a query
value, a header value or the token after an auth scheme, a JSON body leaf) is a
reference to that response.

Which response values count (:func:`candidates`): a value under a name that
marks an identifier or a token (``id``, ``userId``, ``user_id``, ``token``,
``cursor``, ``next``, ``key``, ``uuid``, ``slug``, ``etag`` ...) of any length, and any
other string of at least :data:`MIN_FREE_LENGTH` characters without spaces;
booleans, nulls and empty strings never. The most recent response that held a
value wins. Masked secrets (``‹masked:…›``) count: a token a login response
returned and a later ``Authorization`` header carried mask to the same
fingerprint, and the replay fills in the fresh token.

Headers that describe one hop (``Connection``, ``Host``, ``Content-Length``
...) are dropped from the templates. Pure: no IO, deterministic.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apidisco.infer.sequence import Path, is_template, join, ref, step_reference

__all__ = [
    "HOP_BY_HOP",
    "MIN_FREE_LENGTH",
    "RecordedCall",
    "build_steps",
    "candidates",
]

HOP_BY_HOP: frozenset[str] = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "accept-encoding",
    }
)
MIN_FREE_LENGTH = 8
_ID_NAME = re.compile(
    r"(?:^|[_-])(?:id|ids|uuid|guid|key|token|cursor|next|slug|etag|ref|handle|code)$"
    r"|(?:Id|Ids|Uuid|Key|Token|Cursor|Slug|Ref|Handle|Code)$"
    r"|^(?:next_?page|after|before|continuation|page_?token|session|sid)$",
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9-]*) (.+)$")


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One captured exchange as correlation sees it.

    ``path`` is relative to the endpoint's destination (``/books/1``);
    ``headers`` are the request headers (lower-case names, as capture stores
    them); ``offset_ms`` is the time since the first call.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    body_json: Any = None
    body_text: str | None = None
    status: int | None = None
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_json: Any = None
    offset_ms: int = 0
    operation: str = ""


def _named_like_id(name: str) -> bool:
    return bool(_ID_NAME.search(name)) or name.lower() in {"id", "token", "cursor", "next"}


def _leaves(document: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield from _leaves(item, (*path, index))
    else:
        yield path, document


def _worth_keeping(path: Path, value: Any) -> bool:
    if value is None or isinstance(value, bool) or value == "":
        return False
    name = next((part for part in reversed(path) if isinstance(part, str)), "")
    if _named_like_id(name):
        return isinstance(value, str | int | float)
    return isinstance(value, str) and len(value) >= MIN_FREE_LENGTH and " " not in value


def candidates(call: RecordedCall) -> Iterator[tuple[Any, Path | int]]:
    """The values ``call``'s response offers to later requests, with where they are.

    The Location header's last path segment first (as the index -1), then
    the body's values by JSON path: a body value wins over an equal Location one.
    """
    location = next((v for k, v in call.response_headers.items() if k.lower() == "location"), "")
    segments = [s for s in urllib.parse.urlsplit(str(location)).path.split("/") if s]
    if segments:
        yield urllib.parse.unquote(segments[-1]), -1
    for path, value in _leaves(call.response_json):
        if _worth_keeping(path, value):
            yield value, path


class _Sources:
    """Every value seen so far, with the reference to its most recent source."""

    def __init__(self) -> None:
        self.text: dict[str, str] = {}
        self.typed: dict[tuple[str, str], str] = {}

    def add(self, step: int, call: RecordedCall) -> None:
        for value, where in candidates(call):
            reference = step_reference(step, where)
            self.text[_as_text(value)] = reference
            if not isinstance(where, int):
                self.typed[(type(value).__name__, _as_text(value))] = reference

    def for_text(self, text: str) -> dict[str, Any] | None:
        reference = self.text.get(text)
        return ref(reference) if reference is not None else None

    def for_json(self, value: Any) -> dict[str, Any] | None:
        if value is None or isinstance(value, bool) or value == "":
            return None
        reference = self.typed.get((type(value).__name__, _as_text(value)))
        return ref(reference) if reference is not None else None


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _template_path(path: str, sources: _Sources) -> str | dict[str, Any]:
    parts: list[str | dict[str, Any]] = []
    for index, segment in enumerate(path.split("/")):
        if index:
            parts.append("/")
        found = sources.for_text(urllib.parse.unquote(segment)) if segment else None
        parts.append(found if found is not None else segment)
    return join(parts)


def _template_text(value: str, sources: _Sources) -> str | dict[str, Any]:
    whole = sources.for_text(value)
    if whole is not None:
        return whole
    scheme = _SCHEME.match(value)
    if scheme is not None:
        token = sources.for_text(scheme.group(2).strip())
        if token is not None:
            return join([f"{scheme.group(1)} ", token])
    return value


def _template_json(document: Any, sources: _Sources, name: str = "") -> Any:
    if isinstance(document, dict):
        templated = {
            key: _template_json(value, sources, str(key)) for key, value in document.items()
        }
        return {"literal": templated} if is_template(document) else templated
    if isinstance(document, list):
        return [_template_json(item, sources, name) for item in document]
    if not _worth_keeping((name,), document):
        return document
    found = sources.for_json(document)
    return found if found is not None else document


def _template_query(name: str, value: str, sources: _Sources) -> str | dict[str, Any]:
    """A query value is a reference only under an id-like name, or when it is long."""
    if _named_like_id(name) or len(value) >= MIN_FREE_LENGTH:
        return _template_text(value, sources)
    return value


def _headers(headers: Mapping[str, Any], sources: _Sources) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name in sorted(headers):
        lowered = name.lower()
        if lowered in HOP_BY_HOP:
            continue
        value = headers[name]
        text = ", ".join(value) if isinstance(value, list) else str(value)
        if lowered == "cookie":
            kept[lowered] = text  # cookies stay literal: masks are filled from authTokens
        elif len(text) >= 4:
            kept[lowered] = _template_text(text, sources)
        else:
            kept[lowered] = text
    return kept


def build_steps(calls: Sequence[RecordedCall]) -> list[dict[str, Any]]:
    """The steps of an action sequence for ``calls``, in order, with correlations."""
    sources = _Sources()
    steps: list[dict[str, Any]] = []
    previous = None
    for index, call in enumerate(calls):
        delay = 0 if previous is None else max(0, call.offset_ms - previous)
        previous = call.offset_ms
        body: dict[str, Any] | None = None
        if call.body_json is not None:
            body = {"json": _template_json(call.body_json, sources)}
        elif call.body_text is not None:
            body = {"text": call.body_text}
        steps.append(
            {
                "method": call.method.upper(),
                "path": _template_path(call.path or "/", sources),
                "query": [
                    [name, _template_query(name, value, sources)] for name, value in call.query
                ],
                "headers": _headers(call.headers, sources),
                "body": body,
                "delayMs": delay,
                "operation": call.operation or f"{call.method.upper()} {call.path}",
                "status": call.status,
            }
        )
        sources.add(index, call)
    return steps
