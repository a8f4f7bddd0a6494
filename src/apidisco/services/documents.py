"""``apidisco document``: the documentation step of the endpoint lifecycle.

ACTIVE, REVIEW, MONITORING or COMPLETE → PROCESSING → inference → one
``endpoint_documentation`` row per discovered endpoint (its OpenAPI fragment as
YAML, Markdown, TypeScript types, and the GraphQL SDL where there is one) →
MONITORING when monitoring is enabled, else COMPLETE, with ``processedAt`` set.
A failure on the way returns the endpoint to where it was and says why.

Each row's ``version`` follows semver (:mod:`apidisco.infer.versions`): an
unchanged document keeps its version, additions bump the minor number, removals
and type changes the major one, changes of examples or wording the patch.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from apidisco.enums import EndpointStatus
from apidisco.errors import ApidiscoError
from apidisco.infer.versions import bump, classify_change
from apidisco.services import audit
from apidisco.services.actor import Actor
from apidisco.services.endpoints import find_endpoint, transition
from apidisco.services.exports import (
    describe_endpoint,
    fragment,
    render_openapi,
    validated_openapi,
)
from apidisco.services.inference import Describer, InferenceReport, TemplateRules, infer_endpoint
from apidisco.store.database import Database
from apidisco.store.models import utcnow
from apidisco.store.repositories import DiscoveredEndpointRepository
from apidisco.store.repositories.documentation import DocumentationRepository

__all__ = ["DocumentedEndpoint", "DocumentReport", "document_endpoint"]

S = EndpointStatus


@dataclass(frozen=True)
class DocumentedEndpoint:
    pattern: str
    protocol: str
    version: str
    change: str  # new, none, patch, minor, major


@dataclass(frozen=True)
class DocumentReport:
    endpoint_id: str
    status: str
    inference: InferenceReport
    documents: tuple[DocumentedEndpoint, ...]


def document_endpoint(
    database: Database,
    actor: Actor,
    endpoint: str,
    *,
    rules: TemplateRules | None = None,
    describer: Describer | None = None,
) -> DocumentReport:
    """Run the documentation step for ``endpoint`` (see the module docstring)."""
    with database.transaction() as session:
        target = find_endpoint(session, actor, endpoint)
        previous = target.status
        transition(session, actor, target, S.PROCESSING)
        endpoint_id = target.id
    try:
        inference = infer_endpoint(
            database, actor, endpoint_id, rules=rules or TemplateRules(), describer=describer
        )
        documents, status = _store_documents(database, actor, endpoint_id)
    except ApidiscoError as error:
        _return_to(database, actor, endpoint_id, previous)
        error.message = (
            f"{error.message} (documenting failed; {endpoint_id} is {previous.value} again)"
        )
        raise
    except Exception:
        _return_to(database, actor, endpoint_id, previous)
        raise
    return DocumentReport(endpoint_id, status.value, inference, documents)


def _return_to(database: Database, actor: Actor, endpoint_id: str, status: S) -> None:
    with database.transaction() as session:
        target = find_endpoint(session, actor, endpoint_id)
        if target.status is S.PROCESSING:
            transition(session, actor, target, status)


def _store_documents(
    database: Database, actor: Actor, endpoint_id: str
) -> tuple[tuple[DocumentedEndpoint, ...], S]:
    documented: list[DocumentedEndpoint] = []
    with database.transaction() as session:
        target = find_endpoint(session, actor, endpoint_id)
        api = describe_endpoint(session, target)
        rows = {
            (row.pattern, row.protocol): row
            for row in DiscoveredEndpointRepository(session).list_for_endpoint(endpoint_id)
        }
        repository = DocumentationRepository(session)
        existing = repository.for_endpoint(endpoint_id)
        for resource in api.resources:
            row = rows[(resource["pattern"], resource["protocol"])]
            stored = existing.get(row.id)
            document = validated_openapi(fragment(api, resource))
            if stored is None or not stored.open_api_spec:
                change, version = "new", "1.0.0"
            else:
                change = classify_change(yaml.safe_load(stored.open_api_spec) or {}, document)
                version = bump(stored.version, change)
            document["info"]["version"] = version
            if stored is not None and change == "none":
                documented.append(DocumentedEndpoint(row.pattern, row.protocol, version, change))
                continue
            repository.put(
                stored,
                endpoint_id,
                row.id,
                {
                    "open_api_spec": render_openapi("openapi", document, [resource]),
                    "markdown": render_openapi("markdown", document, [resource]),
                    "typescript_types": render_openapi("typescript", document, [resource]),
                    "graphql_schema": row.graphql_schema,
                    "version": version,
                    "generated_at": utcnow(),
                },
            )
            documented.append(DocumentedEndpoint(row.pattern, row.protocol, version, change))
        status = S.MONITORING if target.monitoring_enabled else S.COMPLETE
        transition(session, actor, target, status)
        target.processed_at = utcnow()
        session.add(target)
        audit.record(
            session,
            actor,
            "ENDPOINT_DOCUMENTED",
            resource_type="ENDPOINT",
            resource_id=endpoint_id,
            details={"documents": len(documented), "status": status.value},
        )
    return tuple(documented), status
