"""Inferring an endpoint's API from its stored calls: ``apidisco infer``.

Two streaming passes over the endpoint's calls (:mod:`apidisco.infer.analysis`):
the first templates the paths, the second folds every call into its operation
and fills ``api_calls.endpointPattern`` where it changed, in short write
transactions of at most :data:`PATTERN_BATCH` rows (on PostgreSQL, written by a
worker thread while the analysis goes on). At the end, one transaction
makes ``discovered_endpoints`` exactly the model: rows are matched on (pattern,
protocol), written only where a value changed, and rows for operations no
longer seen are removed. Running it twice on the same calls changes nothing the
second time.

Memory holds the model (bounded by the distinct operations) and one chunk of
calls; PostgreSQL streams through a server-side cursor.
"""

from __future__ import annotations

import dataclasses
import tomllib
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import orjson

from apidisco.describe import OperationBrief
from apidisco.errors import DescriptionError, ValidationError
from apidisco.infer.analysis import Analysis
from apidisco.infer.model import ApiModel, Resource
from apidisco.infer.observation import Body, Observation, split_target
from apidisco.services import audit
from apidisco.services.actor import Actor
from apidisco.services.endpoints import find_endpoint
from apidisco.store.database import Database, Session
from apidisco.store.repositories import ApiCallRepository, DiscoveredEndpointRepository
from apidisco.store.repositories.calls import CALL_COLUMNS, PATH_COLUMNS, CallRow
from apidisco.store.repositories.discovered import ReplaceCounts

__all__ = [
    "Describer",
    "InferenceReport",
    "ResourceSummary",
    "TemplateRules",
    "infer_endpoint",
    "load_template_rules",
    "observation_of",
]

PATTERN_BATCH = 5_000
_SHAPES = {"{": "object", "[": "array"}

#: Writes descriptions for operations (``apidisco.describe.describe_operations``
#: bound to a chat client): brief key → description.
Describer = Callable[[Sequence[OperationBrief]], dict[str, str]]


@dataclass(frozen=True)
class TemplateRules:
    """Pinned and forbidden path templates (``--pin``, ``--forbid``, a templates file)."""

    pins: tuple[str, ...] = ()
    forbids: tuple[str, ...] = ()

    def __add__(self, other: TemplateRules) -> TemplateRules:
        return TemplateRules(self.pins + other.pins, self.forbids + other.forbids)


def load_template_rules(path: Path) -> TemplateRules:
    """Read a templates file: TOML with ``pin = [...]`` and ``forbid = [...]``."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValidationError(f"cannot read {path}: {error.strerror}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path}: not valid TOML: {error}") from error
    unknown = sorted(set(document) - {"pin", "forbid"})
    if unknown:
        raise ValidationError(f"{path}: unknown key {unknown[0]!r} (expected pin, forbid)")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("pin", "forbid"):
        value = document.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError(f"{path}: {key} must be a list of templates")
        lists[key] = tuple(value)
    return TemplateRules(lists["pin"], lists["forbid"])


@dataclass(frozen=True)
class ResourceSummary:
    pattern: str
    protocol: str
    methods: tuple[str, ...]
    calls: int
    api_type: str
    auth_type: str | None
    pagination_type: str | None
    description: str


@dataclass(frozen=True)
class InferenceReport:
    endpoint_id: str
    calls: int
    resources: tuple[ResourceSummary, ...]
    created: int
    updated: int
    unchanged: int
    removed: int
    patterns_set: int
    unmatched: int
    unused_pins: tuple[str, ...]
    explanation: tuple[str, ...]
    described: int = 0
    warnings: tuple[str, ...] = ()


def _body(text: str | None, is_json: bool, truncated: bool, encoding: str | None) -> Body:
    document = None
    if is_json and text:
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError:
            document = None
    return Body(text, document, encoding, bool(truncated))


def observation_of(row: CallRow, base_path: str) -> Observation:
    """The observation of one stored call (a row of ``CALL_COLUMNS``, in that order).

    Unpacked once and built positionally: this runs for every call.
    """
    (
        _id,
        method,
        url,
        protocol,
        _pattern,
        status,
        request_headers,
        request_body,
        request_is_json,
        request_truncated,
        request_encoding,
        response_headers,
        response_body,
        response_is_json,
        response_truncated,
        response_encoding,
        cors,
        error,
        direction,
        connection,
        graphql,
        *_keyset,  # SQLite's chunked reading adds its keys after the columns
    ) = cast("tuple[Any, ...]", row)
    path, query = split_target(url, base_path)
    return Observation(
        method,
        path,
        protocol,
        tuple(query),
        status,
        orjson.loads(request_headers) if request_headers else {},
        orjson.loads(response_headers) if response_headers else {},
        _body(request_body, request_is_json, request_truncated, request_encoding),
        _body(response_body, response_is_json, response_truncated, response_encoding),
        orjson.loads(cors) if cors else None,
        error,
        direction,
        connection,
        graphql,
    )


def _observe_path(analysis: Analysis, row: CallRow, base_path: str) -> None:
    """The first pass: method, path, status and the JSON type of the response body."""
    if row.messageDirection is not None:
        return  # a WebSocket message travels on its handshake's path
    path, _ = split_target(row.url, base_path)
    shape = _SHAPES.get(row.responseStart or "") if row.responseIsJson else None
    found = row.responseId if shape == "object" else row.responseFirstId if shape else None
    # Numbers are parameters by their shape already; "/" never fits one segment.
    ids = (found,) if found and not found.isdigit() and "/" not in found else ()
    analysis.observe_path_of(row.method, path, row.responseStatus, shape, ids)


class _PatternWriter:
    """Writes endpointPattern batches, each in its own short transaction.

    On PostgreSQL with a pool of its own, one batch at a time is written from a
    worker thread while the analysis goes on (the server does the work on its
    own core); otherwise inline; with ``session``, inside that session.
    """

    def __init__(self, database: Database, session: Session | None = None) -> None:
        self.database = database
        self.session = session
        self.changed = 0
        threaded = session is None and database.backend == "postgresql"
        self._pool = ThreadPoolExecutor(max_workers=1) if threaded else None
        self._running: Future[int] | None = None

    def _write(self, ids_by_pattern: dict[str | None, list[str]]) -> int:
        if self.session is not None:
            return ApiCallRepository(self.session).set_patterns(ids_by_pattern)
        with self.database.transaction() as session:
            return ApiCallRepository(session).set_patterns(ids_by_pattern)

    def _wait(self) -> None:
        if self._running is not None:
            running, self._running = self._running, None
            self.changed += running.result()

    def write(self, ids_by_pattern: dict[str | None, list[str]]) -> None:
        if not ids_by_pattern:
            return
        if self._pool is None:
            self.changed += self._write(ids_by_pattern)
            return
        self._wait()  # at most one batch in flight: memory stays bounded
        self._running = self._pool.submit(self._write, ids_by_pattern)

    def __enter__(self) -> _PatternWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)


def infer_endpoint(
    database: Database,
    actor: Actor,
    endpoint: str,
    *,
    rules: TemplateRules = TemplateRules(),
    secret_fields: Sequence[str] | None = None,
    explain: bool = False,
    describer: Describer | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> InferenceReport:
    """Infer ``endpoint``'s API from its stored calls and store the result.

    ``progress(done, total)`` is called as calls are read; ``total`` counts
    both passes. With a ``describer``, each operation also gets a description
    from it (stored beside the summary); if it fails, the report carries a
    warning and the deterministic summaries stand. Raises
    :class:`~apidisco.errors.ValidationError` for a malformed pin or forbid,
    before anything is written.
    """
    with database.session() as session:
        target = find_endpoint(session, actor, endpoint)
        endpoint_id = target.id
        base_path = urllib.parse.urlsplit(target.destination_url).path
        total = 2 * ApiCallRepository(session).count_for_endpoint(endpoint_id)
    analysis = Analysis(pins=rules.pins, forbids=rules.forbids, secret_fields=secret_fields)
    done = 0

    def advance(rows: Iterator[CallRow]) -> Iterator[CallRow]:
        nonlocal done
        for row in rows:
            yield row
            done += 1
            if progress is not None and done % 1000 == 0:
                progress(done, total)

    with database.session() as session:
        for row in advance(ApiCallRepository(session).stream(endpoint_id, PATH_COLUMNS)):
            _observe_path(analysis, row, base_path)
    analysis.finish_paths()

    pending: dict[str | None, list[str]] = {}
    pending_rows = 0
    calls = 0
    # Joined to a caller's transaction (Database.joining), a read session's
    # savepoint would be rolled back when it closes, taking the patterns with it:
    # there the second pass reads and writes in one transaction of its own.
    joined = database.connection is not None
    with (
        database.transaction() if joined else database.session() as session,
        _PatternWriter(database, session if joined else None) as writer,
    ):
        for row in advance(ApiCallRepository(session).stream(endpoint_id, CALL_COLUMNS)):
            calls += 1
            template = analysis.observe(observation_of(row, base_path))
            if template != row.endpointPattern:
                pending.setdefault(template, []).append(row.id)
                pending_rows += 1
                if pending_rows >= PATTERN_BATCH:
                    writer.write(pending)
                    pending, pending_rows = {}, 0
        writer.write(pending)
    patterns_set = writer.changed
    if progress is not None:
        progress(total, total)

    model = analysis.model()
    descriptions: dict[str, str] = {}
    warnings: list[str] = []
    if describer is not None and model.resources:
        try:
            descriptions = describer([brief for r in model.resources for brief in _briefs(r)])
        except DescriptionError as error:
            warnings.append(f"no descriptions: {error.message}; the summaries stand")
    rows = [_columns(resource, descriptions) for resource in model.resources]
    with database.transaction() as session:
        target = find_endpoint(session, actor, endpoint_id)
        counts = DiscoveredEndpointRepository(session).replace_all(endpoint_id, rows)
        audit.record(
            session,
            actor,
            "ENDPOINT_INFERRED",
            resource_type="ENDPOINT",
            resource_id=endpoint_id,
            details={
                "calls": calls,
                "discovered": len(model.resources),
                "created": counts.created,
                "updated": counts.updated,
                "removed": counts.removed,
            },
        )
    report = _report(endpoint_id, calls, model, rows, counts, patterns_set, explain)
    return dataclasses.replace(report, described=len(descriptions), warnings=tuple(warnings))


def _key(method: str, resource: Resource) -> str:
    return f"{method} {resource.pattern}"


def _fields(schemas: Any) -> tuple[str, ...]:
    """Top-level property names of a ``{media type: schema}`` map."""
    names: set[str] = set()
    for schema in (schemas or {}).values():
        if isinstance(schema, dict):
            target = schema.get("items", schema) if schema.get("type") == "array" else schema
            names.update((target or {}).get("properties", {}))
    return tuple(sorted(names))


def _briefs(resource: Resource) -> list[OperationBrief]:
    """What a language model is told about each operation: names only."""
    briefs = []
    for operation in resource.operations:
        success = [
            schemas for status, schemas in operation.responses.items() if status.startswith("2")
        ]
        briefs.append(
            OperationBrief(
                key=_key(operation.method, resource),
                method=operation.method,
                pattern=resource.pattern,
                summary=operation.names.summary,
                parameters=tuple(p["name"] for p in operation.parameters()),
                request_fields=_fields(operation.request_bodies),
                response_fields=tuple(
                    sorted({name for schemas in success for name in _fields(schemas)})
                ),
                statuses=tuple(operation.responses),
            )
        )
    return briefs


def _columns(resource: Resource, descriptions: dict[str, str]) -> dict[str, Any]:
    """The row of ``resource``, with the model's descriptions where it gave them."""
    columns = resource.columns()
    described = {
        method: descriptions[_key(method, resource)]
        for method in columns["operations"]
        if _key(method, resource) in descriptions
    }
    if described:
        for method, text in described.items():
            columns["operations"][method]["description"] = text
        columns["description"] = " ".join(
            described.get(op.method, f"{op.names.summary}.") for op in resource.operations
        )
    return columns


def _report(
    endpoint_id: str,
    calls: int,
    model: ApiModel,
    rows: list[dict[str, Any]],
    counts: ReplaceCounts,
    patterns_set: int,
    explain: bool,
) -> InferenceReport:
    resources = tuple(
        ResourceSummary(
            pattern=resource.pattern,
            protocol=resource.protocol,
            methods=tuple(resource.methods),
            calls=resource.calls,
            api_type=resource.api_type,
            auth_type=row["auth_type"],
            pagination_type=row["pagination_type"],
            description=row["description"],
        )
        for resource, row in zip(model.resources, rows, strict=True)
    )
    return InferenceReport(
        endpoint_id=endpoint_id,
        calls=calls,
        resources=resources,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        removed=counts.removed,
        patterns_set=patterns_set,
        unmatched=model.unmatched,
        unused_pins=model.paths.unused_pins,
        explanation=model.explain() if explain else (),
    )
