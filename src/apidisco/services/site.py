"""What the documentation site (``apidisco serve``) may show, and to whom.

An endpoint's documentation is readable by anyone at its slug once it is
public (``apidisco endpoint publish``) and documented (``apidisco document``);
its owner (and an admin) reads it whether public or not, by slug or by id.
Everything else (an unknown reference, someone else's private endpoint, an
endpoint with no documents yet) is the same :class:`NotFoundError`, so a
reader cannot tell which of them it was.

Documents are assembled by :mod:`apidisco.services.exports` from the
endpoint's discovered API, versioned as its stored ``endpoint_documentation``
rows are. The change history is read from ``api_changes``; a row is breaking
when ``diff["breaking"]`` is true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apidisco.errors import ExportError, NotFoundError
from apidisco.infer.openapi import ApiDescription, build_openapi
from apidisco.services.actor import Actor
from apidisco.services.exports import (
    describe_endpoint,
    render,
    render_openapi,
)
from apidisco.store.database import Database, Session
from apidisco.store.models import ApiChange, Endpoint
from apidisco.store.repositories import EndpointRepository
from apidisco.store.repositories.changes import ApiChangeRepository
from apidisco.store.repositories.documentation import DocumentationRepository
from apidisco.store.repositories.published import PublishedRepository

__all__ = [
    "DOWNLOADS",
    "About",
    "ChangeEntry",
    "Documentation",
    "DocumentationSummary",
    "Operation",
    "about",
    "changes",
    "documentation",
    "download",
    "owned_listing",
    "public_listing",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOWNLOADS: dict[str, tuple[str, str]] = {
    # name → (export kind, format)
    "openapi.yaml": ("openapi", "yaml"),
    "openapi.json": ("openapi", "json"),
    "api.md": ("markdown", "yaml"),
    "api.d.ts": ("typescript", "yaml"),
    "schema.graphql": ("graphql", "yaml"),
    "asyncapi.yaml": ("asyncapi", "yaml"),
}


@dataclass(frozen=True)
class DocumentationSummary:
    """One line of a listing: where the documentation lives and what it is."""

    reference: str  # the slug, or the id of an endpoint without one
    title: str
    slug: str | None
    is_public: bool
    version: str
    documented_at: datetime


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str
    summary: str
    operation_id: str | None
    deprecated: bool


@dataclass(frozen=True)
class About:
    """What every page of an endpoint's documentation shows: which pages there are."""

    summary: DocumentationSummary
    has_graphql: bool
    has_asyncapi: bool


@dataclass(frozen=True)
class Documentation:
    """An endpoint's documentation, as its overview page shows it."""

    about: About
    description: str
    operations: tuple[Operation, ...]
    markdown: str


@dataclass(frozen=True)
class ChangeEntry:
    id: str
    detected_at: datetime
    type: str
    description: str
    breaking: bool
    pattern: str | None
    method: str | None


def _reference(endpoint: Endpoint) -> str:
    return endpoint.slug or endpoint.id


def _title(endpoint: Endpoint) -> str:
    return endpoint.name or endpoint.slug or endpoint.destination_url


def _summary(session: Session, endpoint: Endpoint, documented_at: datetime) -> DocumentationSummary:
    version = DocumentationRepository(session).highest_version(endpoint.id) or "1.0.0"
    return DocumentationSummary(
        reference=_reference(endpoint),
        title=_title(endpoint),
        slug=endpoint.slug,
        is_public=endpoint.is_public,
        version=version,
        documented_at=documented_at,
    )


def public_listing(database: Database) -> list[DocumentationSummary]:
    """Every public, documented endpoint, by title."""
    with database.session() as session:
        rows = PublishedRepository(session).public()
        return [_summary(session, endpoint, at) for endpoint, at in rows]


def owned_listing(database: Database, actor: Actor) -> list[DocumentationSummary]:
    """The actor's own documented endpoints, public or private, by title."""
    with database.session() as session:
        rows = PublishedRepository(session).owned_by(actor.id)
        return [_summary(session, endpoint, at) for endpoint, at in rows]


def _visible(session: Session, viewer: Actor | None, reference: str) -> Endpoint:
    """The documented endpoint ``reference`` names, if ``viewer`` may read it."""
    endpoints = EndpointRepository(session)
    endpoint = endpoints.by_slug(reference)
    if endpoint is not None and endpoint.is_public:
        pass  # public at its slug, for anyone
    elif viewer is not None:
        endpoint = endpoint or endpoints.get(reference)
        if endpoint is not None and not viewer.may_act_for(endpoint.user_id):
            endpoint = None
    else:
        endpoint = None
    if endpoint is None or not PublishedRepository(session).is_documented(endpoint.id):
        raise NotFoundError(f"no documentation at {reference!r}")
    return endpoint


def _operations(document: dict[str, Any]) -> tuple[Operation, ...]:
    found = []
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if not isinstance(operation, dict):
                continue
            found.append(
                Operation(
                    method=method.upper(),
                    path=str(path),
                    summary=str(operation.get("summary") or ""),
                    operation_id=operation.get("operationId"),
                    deprecated=bool(operation.get("deprecated")),
                )
            )
    return tuple(found)


def _opened(
    session: Session, viewer: Actor | None, reference: str
) -> tuple[Endpoint, DocumentationSummary]:
    endpoint = _visible(session, viewer, reference)
    rows = DocumentationRepository(session).for_endpoint(endpoint.id).values()
    return endpoint, _summary(session, endpoint, max(row.generated_at for row in rows))


def _about(summary: DocumentationSummary, api: ApiDescription) -> About:
    return About(
        summary=summary,
        has_graphql=any(row.get("graphql_schema") for row in api.resources),
        has_asyncapi=any(row.get("api_type") == "WebSocket" for row in api.resources),
    )


def about(database: Database, viewer: Actor | None, reference: str) -> About:
    """What documentation ``reference`` has, for ``viewer`` (``None``: nobody logged
    in); :class:`NotFoundError` if they may not read it."""
    with database.session() as session:
        endpoint, summary = _opened(session, viewer, reference)
        return _about(summary, describe_endpoint(session, endpoint, version=summary.version))


def documentation(database: Database, viewer: Actor | None, reference: str) -> Documentation:
    """The documentation of ``reference`` (a slug; an id too for its owner) for
    ``viewer`` (``None``: nobody logged in); :class:`NotFoundError` if they may not read it."""
    with database.session() as session:
        endpoint, summary = _opened(session, viewer, reference)
        api = describe_endpoint(session, endpoint, version=summary.version)
    # Shown, not written: the downloads are validated, each page view need not be.
    document = build_openapi(api)
    return Documentation(
        about=_about(summary, api),
        description=str(document.get("info", {}).get("description") or ""),
        operations=_operations(document),
        markdown=render_openapi("markdown", document, api.resources),
    )


def download(database: Database, viewer: Actor | None, reference: str, name: str) -> str:
    """The text of one download (a key of :data:`DOWNLOADS`) of ``reference``'s
    documentation; :class:`NotFoundError` for what does not exist or may not be read."""
    if name not in DOWNLOADS:
        raise NotFoundError(f"no download {name!r}")
    kind, format = DOWNLOADS[name]
    with database.session() as session:
        endpoint = _visible(session, viewer, reference)
        version = DocumentationRepository(session).highest_version(endpoint.id) or "1.0.0"
        api = describe_endpoint(session, endpoint, version=version)
    if kind == "graphql" and not any(row.get("graphql_schema") for row in api.resources):
        raise NotFoundError(f"no GraphQL schema at {reference!r}")
    if kind == "asyncapi" and not any(row.get("api_type") == "WebSocket" for row in api.resources):
        raise NotFoundError(f"no WebSocket API at {reference!r}")
    try:
        return render(kind, api, format=format)
    except ExportError as error:
        if not api.resources:
            raise NotFoundError(f"no documentation at {reference!r}") from error
        raise


def _entry(row: ApiChange) -> ChangeEntry:
    diff = row.diff if isinstance(row.diff, dict) else {}
    return ChangeEntry(
        id=row.id,
        detected_at=row.detected_at,
        type=str(row.change_type.value),
        description=row.change_description,
        breaking=diff.get("breaking") is True,
        pattern=diff.get("pattern") if isinstance(diff.get("pattern"), str) else None,
        method=diff.get("method") if isinstance(diff.get("method"), str) else None,
    )


def changes(
    database: Database, viewer: Actor | None, reference: str, *, limit: int = 500
) -> tuple[About, list[ChangeEntry]]:
    """The change history of ``reference``'s API, newest first (at most ``limit`` rows)."""
    with database.session() as session:
        endpoint, summary = _opened(session, viewer, reference)
        api = describe_endpoint(session, endpoint, version=summary.version)
        rows = ApiChangeRepository(session).listing(endpoint.id, limit=limit)
        return _about(summary, api), [_entry(row) for row in rows]
