"""``apidisco discover``: from HAR or flow files straight to an API description.

No account, no database: the files are streamed once through the same code as
the stored path — capture's conversion and masking (:mod:`apidisco.capture.rows`)
— feeding the first pass of :class:`apidisco.infer.analysis.Analysis`, while
the converted rows go to a temporary spool file (JSON lines) that the second
pass reads back. The documents equal what importing, inferring and exporting
would give; memory holds the model, not the calls.

The API is the calls under ``base_url`` (its origin and path prefix). Without
one, it is the origin most calls went to (ties: the first in sort order), and
calls to other origins are left out: a browser's HAR holds fonts, analytics
and CDNs beside the API.
"""

from __future__ import annotations

import contextlib
import gc
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from apidisco.capture.exchange import Exchange
from apidisco.capture.files import Reader, plan_files, reporting
from apidisco.capture.rows import DEFAULT_MAX_BODY, RowBuilder
from apidisco.errors import CaptureImportError, ValidationError
from apidisco.infer.analysis import Analysis, response_ids, response_shape
from apidisco.infer.observation import Body, Observation, split_target
from apidisco.infer.openapi import ApiDescription
from apidisco.infer.paths import PathTemplater

__all__ = ["Discovery", "discover_files"]

MAX_ORIGINS = 32
#: What pass 2 needs of a row (see :func:`_observation`).
_SPOOLED = (
    "url",
    "method",
    "protocol",
    "response_status",
    "request_headers",
    "response_headers",
    "request_body",
    "request_body_json",
    "request_body_encoding",
    "request_body_truncated",
    "response_body",
    "response_body_json",
    "response_body_encoding",
    "response_body_truncated",
    "cors_headers",
    "error",
    "message_direction",
    "connection_id",
    "graphql_operation",
)


@dataclass(frozen=True)
class Discovery:
    api: ApiDescription
    calls: int  # the calls the API is made of
    ignored: int  # calls to other origins, or outside the base URL
    origin: str


_HTTP_SCHEMES = {"ws": "http", "wss": "https"}


def _origin(url: str) -> str:
    """``https://api.example.com`` for any URL there; WebSocket URLs as their HTTP origin."""
    parts = urllib.parse.urlsplit(url)
    return f"{_HTTP_SCHEMES.get(parts.scheme, parts.scheme)}://{parts.netloc}"


def _observation(row: Mapping[str, Any], base_path: str) -> Observation:
    path, query = split_target(row["url"], base_path)
    return Observation(
        method=row["method"],
        path=path,
        protocol=row["protocol"],
        query=tuple(query),
        status=row.get("response_status"),
        request_headers=row.get("request_headers") or {},
        response_headers=row.get("response_headers") or {},
        request_body=_body(row, "request"),
        response_body=_body(row, "response"),
        cors=row.get("cors_headers"),
        error=row.get("error"),
        message_direction=row.get("message_direction"),
        connection_id=row.get("connection_id"),
        graphql_operation=row.get("graphql_operation"),
    )


def _body(row: Mapping[str, Any], side: str) -> Body:
    return Body(
        text=row.get(f"{side}_body"),
        document=row.get(f"{side}_body_json"),
        encoding=row.get(f"{side}_body_encoding"),
        truncated=bool(row.get(f"{side}_body_truncated")),
    )


class _Scope:
    """Which calls belong to the API: under ``base_url``, or of one origin."""

    def __init__(self, base_url: str | None) -> None:
        self.origin: str | None = None
        self.base_path = ""
        if base_url is not None:
            parts = urllib.parse.urlsplit(base_url)
            if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
                raise ValidationError(
                    f"--base-url must be an absolute http(s) URL, not {base_url!r}"
                )
            self.origin = _origin(base_url)
            self.base_path = parts.path.rstrip("/")

    def contains(self, url: str) -> bool:
        if self.origin is None:
            return True
        if _origin(url) != self.origin:
            return False
        path = urllib.parse.urlsplit(url).path
        return not self.base_path or path == self.base_path or path.startswith(self.base_path + "/")


def discover_files(
    paths: Sequence[Path],
    *,
    base_url: str | None = None,
    format: str | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    readers: Mapping[str, Reader] | None = None,
    progress: Callable[[int], None] | None = None,
    title: str | None = None,
) -> Discovery:
    """Infer the API in ``paths`` (see the module docstring).

    ``progress`` is called with the bytes read as both passes advance (their
    total is twice the files' size).
    """
    plan = plan_files(paths, format, readers)
    scope = _Scope(base_url)
    builder = RowBuilder("discover", max_body=max_body)

    def rows() -> Iterator[dict[str, Any]]:
        for path, reader in plan:
            with path.open("rb") as stream:
                for record in reporting(reader(stream, str(path)), stream, progress):
                    batch = (
                        builder.exchange(record)
                        if isinstance(record, Exchange)
                        else builder.message(record)
                    )
                    yield from batch.rows

    with tempfile.TemporaryFile() as spool, _collector_paused():
        return _discover(rows(), spool, scope, paths, base_url, title, progress)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while the files are read.

    Reading makes a few hundred thousand containers per thousand flows, and the
    collector's passes over them (and over the growing model) cost about 3% of
    a short run. They find nothing: the values of a flow form no cycles and are
    freed by reference counting as soon as the flow is done (the tests check
    that nothing is left for the collector).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _discover(
    rows: Iterator[dict[str, Any]],
    spool: IO[bytes],
    scope: _Scope,
    paths: Sequence[Path],
    base_url: str | None,
    title: str | None,
    progress: Callable[[int], None] | None,
) -> Discovery:
    # Pass 1: path templates, per origin when the API's origin is not given; the
    # rows in scope are spooled (one JSON line each) for pass 2, which so reads
    # neither the files nor converts a flow twice.
    templaters: dict[str, PathTemplater] = {}
    counts: dict[str, int] = {}
    ignored = 0
    for row in rows:
        if not scope.contains(row["url"]):
            ignored += 1
            continue
        origin = _origin(row["url"])
        if origin not in templaters:
            if len(templaters) >= MAX_ORIGINS:
                ignored += 1
                continue
            templaters[origin] = PathTemplater()
        counts[origin] = counts.get(origin, 0) + 1
        spool.write(orjson.dumps({key: row.get(key) for key in _SPOOLED} | {"origin": origin}))
        spool.write(b"\n")
        if row.get("message_direction") is None:
            target, _ = split_target(row["url"], scope.base_path)
            document = row.get("response_body_json")
            templaters[origin].observe(
                row["method"],
                target,
                status=row.get("response_status"),
                shape=response_shape(document),
                ids=response_ids(document),
            )
    if not counts:
        where = f" under {base_url}" if base_url else ""
        raise CaptureImportError(f"no HTTP calls{where} in {', '.join(map(str, paths))}")
    origin = scope.origin or min(counts, key=lambda o: (-counts[o], o))
    ignored += sum(count for other, count in counts.items() if other != origin)
    analysis = Analysis(templater=templaters[origin])
    analysis.finish_paths()

    # Pass 2: everything else, for the calls of the chosen origin, from the spool.
    calls = 0
    size = spool.tell()
    total = sum(path.stat().st_size for path in paths)
    spool.seek(0)
    reported = 0
    for line in spool:
        row = orjson.loads(line)
        if progress is not None and size:
            done = spool.tell() * total // size
            if done - reported >= 1 << 20:
                progress(done - reported)
                reported = done
        if row["origin"] != origin:
            continue
        calls += 1
        analysis.observe(_observation(row, scope.base_path))
    if progress is not None:
        progress(total - reported)
    model = analysis.model()
    server = origin + scope.base_path
    return Discovery(
        api=ApiDescription(
            title=title or urllib.parse.urlsplit(origin).netloc,
            version="1.0.0",
            resources=[resource.columns() for resource in model.resources],
            servers=(server,),
            description=f"Discovered by apidisco from {len(paths)} capture file(s) of {server}.",
        ),
        calls=calls,
        ignored=ignored,
        origin=origin,
    )
