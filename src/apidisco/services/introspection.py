"""``apidisco graphql compare``: the schema rebuilt from traffic against the live server's.

The endpoint's GraphQL endpoint (its destination URL plus the GraphQL path the
traffic used, ``https://api.example/graphql``) is asked for its schema by
introspection (:mod:`apidisco.introspect.client`), and the rebuilt SDL is
compared with it (:func:`apidisco.infer.graphql_compare.compare_with_server`).

The URL is checked against the SSRF rules first
(:func:`apidisco.destinations.check_destination`, on the resolved addresses):
loopback, private and link-local addresses only with ``allow_private`` (the
operator's ``allow_private_destinations`` setting or ``--allow-private``),
cloud metadata addresses never; the request then goes to the checked address
only, follows no redirect and gives up after ``timeout`` seconds. The database
is read, and its session closed, before the request is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from apidisco.errors import IntrospectionError, NotFoundError, ValidationError
from apidisco.infer.graphql_compare import SchemaComparison, compare_with_server
from apidisco.services.actor import Actor

if TYPE_CHECKING:
    from apidisco.store.database import Database

__all__ = ["IntrospectionReport", "compare_endpoint"]


@dataclass(frozen=True)
class IntrospectionReport:
    """One comparison: which endpoint, which GraphQL path, which URL was asked."""

    endpoint_id: str
    pattern: str
    url: str
    comparison: SchemaComparison


@dataclass(frozen=True)
class _Target:
    endpoint_id: str
    pattern: str
    url: str
    sdl: str


def _target(database: Database, actor: Actor, endpoint: str, path: str | None) -> _Target:
    from apidisco.services.endpoints import find_endpoint
    from apidisco.store.repositories import DiscoveredEndpointRepository

    with database.session() as session:
        found = find_endpoint(session, actor, endpoint)
        rows = DiscoveredEndpointRepository(session).list_for_endpoint(found.id)
        schemas = {
            row.pattern: row.graphql_schema
            for row in rows
            if row.api_type == "GraphQL" and row.graphql_schema
        }
        endpoint_id, destination = found.id, found.destination_url
    if not schemas:
        raise NotFoundError(
            f"no GraphQL endpoint was discovered for {endpoint_id} "
            f"(run `apidisco infer {endpoint_id}` first)"
        )
    if path is None:
        if len(schemas) > 1:
            raise ValidationError(
                f"{endpoint_id} has {len(schemas)} GraphQL endpoints "
                f"({', '.join(sorted(schemas))}): choose one with --path"
            )
        (path,) = schemas
    elif path not in schemas:
        raise NotFoundError(
            f"{endpoint_id} has no GraphQL endpoint {path!r} (it has {', '.join(sorted(schemas))})"
        )
    sdl = schemas[path]
    assert sdl is not None
    return _Target(endpoint_id, path, destination.rstrip("/") + path, sdl)


def compare_endpoint(
    database: Database,
    actor: Actor,
    endpoint: str,
    *,
    path: str | None = None,
    allow_private: bool = False,
    timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
) -> IntrospectionReport:
    """Compare the GraphQL schema rebuilt for ``endpoint`` (at ``path``, when it
    has several GraphQL endpoints) with the one its server gives by introspection.

    :class:`ValidationError` when the URL breaks the SSRF rules (nothing is
    sent); :class:`IntrospectionError` when the server gives no schema.
    """
    if timeout <= 0:
        raise ValidationError("the timeout must be a positive number of seconds")
    target = _target(database, actor, endpoint, path)
    from apidisco.introspect.client import fetch_schema

    data = fetch_schema(target.url, allow_private=allow_private, timeout=timeout, headers=headers)
    try:
        comparison = compare_with_server(target.sdl, data)
    except ValueError as error:
        raise IntrospectionError(f"cannot compare with {target.url}: {error}") from error
    return IntrospectionReport(target.endpoint_id, target.pattern, target.url, comparison)
