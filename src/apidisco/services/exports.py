"""Documents from an inferred API: ``apidisco export`` and the drift check.

An endpoint's discovered endpoints become an OpenAPI 3.1 document
(:func:`apidisco.infer.openapi.build_openapi`), which is validated with
openapi-spec-validator before anything is written: apidisco never writes an
invalid spec. Markdown and TypeScript are rendered from that document, so all
three agree on names. Text output is deterministic, so it diffs cleanly.
"""

from __future__ import annotations

import difflib
import json
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apidisco.errors import ExportError, ValidationError
from apidisco.infer.channels import markdown_sections, message_schemas
from apidisco.infer.openapi import ApiDescription, build_openapi
from apidisco.services.actor import Actor
from apidisco.services.openapi_validation import ValidatorProcess, openapi_problem

if TYPE_CHECKING:  # the store loads only where it is used: `discover` needs none of it
    from apidisco.store.database import Database, Session
    from apidisco.store.models import DiscoveredEndpoint, Endpoint

__all__ = [
    "KINDS",
    "CheckResult",
    "check_kind",
    "check_text",
    "describe_endpoint",
    "export_endpoint",
    "render",
    "render_openapi",
    "render_openapi_exports",
    "row_values",
    "validated_openapi",
]

KINDS = ("openapi", "markdown", "typescript", "graphql", "asyncapi")
FORMATS = ("yaml", "json")
_ROW_FIELDS = (
    "pattern",
    "protocol",
    "methods",
    "description",
    "request_schema",
    "response_schemas",
    "request_headers",
    "response_headers",
    "cors_config",
    "examples",
    "auth_required",
    "auth_type",
    "pagination_type",
    "api_type",
    "graphql_schema",
    "websocket_messages",
    "operations",
)


def row_values(row: DiscoveredEndpoint) -> dict[str, Any]:
    """A stored discovered endpoint as the values :class:`ApiDescription` takes."""
    return {name: getattr(row, name) for name in _ROW_FIELDS}


def _title(endpoint: Endpoint) -> str:
    if endpoint.name:
        return endpoint.name
    return urllib.parse.urlsplit(endpoint.destination_url).netloc or endpoint.destination_url


def describe_endpoint(
    session: Session, endpoint: Endpoint, *, version: str = "1.0.0"
) -> ApiDescription:
    from apidisco.store.repositories import DiscoveredEndpointRepository

    rows = DiscoveredEndpointRepository(session).list_for_endpoint(endpoint.id)
    return ApiDescription(
        title=_title(endpoint),
        version=version,
        resources=[row_values(row) for row in rows],
        servers=(endpoint.destination_url.rstrip("/"),),
        description=f"Discovered by apidisco from traffic captured for {endpoint.destination_url}.",
    )


def validated_openapi(api: ApiDescription) -> dict[str, Any]:
    """The OpenAPI document of ``api``; :class:`ExportError` if it would not be valid."""
    document = build_openapi(api)
    _refuse_invalid(openapi_problem(document))
    return document


def render_openapi_exports(
    api: ApiDescription,
    wanted: Sequence[tuple[str, str]],
    *,
    validator: ValidatorProcess | None = None,
) -> list[str]:
    """The texts of the ``(kind, format)`` exports ``wanted`` of ``api``, all from one
    OpenAPI document validated once; :class:`ExportError` if it would not be valid.

    With a ``validator``, the document is checked in its process while the
    texts are rendered here.
    """
    for kind, format in wanted:
        check_kind(kind, format)
        if kind not in ("openapi", "markdown", "typescript"):
            raise ValidationError(f"{kind} is not rendered from the OpenAPI document")
    document = build_openapi(api)
    verdict = validator.submit(document) if validator else lambda: openapi_problem(document)
    try:
        texts = [render_openapi(kind, document, api.resources, format=f) for kind, f in wanted]
    except Exception:
        _refuse_invalid(verdict())  # an invalid document is the better reason
        raise
    _refuse_invalid(verdict())
    return texts


def _refuse_invalid(problem: str | None) -> None:
    if problem is not None:
        raise ExportError(
            f"the OpenAPI document would not be valid ({problem}); nothing was written"
        )


def _yaml(document: Any) -> str:
    # Imported here: ``apidisco discover`` hands the document to its validator
    # before it renders, and PyYAML's import (~8 ms) would hold that up.
    import yaml

    return yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


def check_kind(kind: str, format: str = "yaml") -> None:
    """:class:`ValidationError` for an export or format apidisco does not make."""
    if kind not in KINDS:
        raise ValidationError(f"unknown export {kind!r}; choose one of {', '.join(KINDS)}")
    if format not in FORMATS:
        raise ValidationError(f"unknown format {format!r}; choose yaml or json")


def render(kind: str, api: ApiDescription, *, format: str = "yaml") -> str:
    """The text of one export: ``openapi`` (YAML or JSON), ``markdown`` or ``typescript``
    (both cover GraphQL and WebSocket endpoints too), ``graphql`` (SDL) or ``asyncapi``."""
    check_kind(kind, format)
    if kind == "graphql":
        return _graphql_sdl(api)
    if kind == "asyncapi":
        from apidisco.services.asyncapi_validation import validated_asyncapi

        asyncapi = validated_asyncapi(api)
        if format == "json":
            return json.dumps(asyncapi, indent=2, ensure_ascii=False) + "\n"
        return _yaml(asyncapi)
    return render_openapi(kind, validated_openapi(api), api.resources, format=format)


def render_openapi(
    kind: str,
    document: dict[str, Any],
    resources: Sequence[Mapping[str, Any]],
    *,
    format: str = "yaml",
) -> str:
    """``openapi``, ``markdown`` or ``typescript`` text of an already validated
    OpenAPI ``document``; ``resources`` add the GraphQL and WebSocket parts."""
    if kind == "openapi":
        if format == "json":
            return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        return _yaml(document)
    if kind == "markdown":
        from apidisco.infer.markdown import render_markdown

        extra = markdown_sections(resources)
        text = render_markdown(document)
        return f"{text}\n{extra}" if extra else text
    from apidisco.infer.typescript import render_typescript

    messages = message_schemas(resources)
    if messages:
        # WebSocket payloads join the component schemas, for declarations only.
        components = dict(document.get("components") or {})
        schemas = dict(components.get("schemas") or {})
        for name, schema in messages.items():
            schemas.setdefault(name, schema)
        document = {**document, "components": {**components, "schemas": schemas}}
    text = render_typescript(document)
    from apidisco.infer.graphql_typescript import declared_names, graphql_namespaces

    # Each GraphQL endpoint's types in a namespace of their own, after the REST ones.
    try:
        namespaces = graphql_namespaces(resources, taken=declared_names(text))
    except ValueError as error:
        raise ExportError(f"{error}; nothing was written") from error
    return f"{text}\n{namespaces}" if namespaces else text


def _graphql_sdl(api: ApiDescription) -> str:
    """The GraphQL schemas rebuilt from traffic, checked with graphql-core's build_schema."""
    from graphql import GraphQLError, build_schema

    parts = []
    for row in api.resources:
        sdl = row.get("graphql_schema")
        if not sdl:
            continue
        try:
            build_schema(sdl)
        except GraphQLError as error:
            raise ExportError(
                f"the GraphQL schema of {row['pattern']} would not be valid ({error.message}); "
                "nothing was written"
            ) from error
        header = f"# {api.title}: GraphQL endpoint {row['pattern']}, rebuilt from traffic\n"
        parts.append(header + sdl.rstrip("\n") + "\n")
    if not parts:
        raise ExportError("no GraphQL endpoint was discovered")
    return "\n".join(parts)


def export_endpoint(
    database: Database, actor: Actor, endpoint: str, kind: str, *, format: str = "yaml"
) -> str:
    """The export of an endpoint's inferred API (run ``apidisco infer`` first)."""
    from apidisco.services.endpoints import find_endpoint

    check_kind(kind, format)
    with database.session() as session:
        target = find_endpoint(session, actor, endpoint)
        api = describe_endpoint(session, target, version=_current_version(session, target))
    if not api.resources:
        raise ExportError(
            f"nothing to export for {target.id}: no API inferred yet "
            f"(run `apidisco infer {target.id}` first)"
        )
    return render(kind, api, format=format)


def _current_version(session: Session, endpoint: Endpoint) -> str:
    from apidisco.store.repositories.documentation import DocumentationRepository

    return DocumentationRepository(session).highest_version(endpoint.id) or "1.0.0"


@dataclass(frozen=True)
class CheckResult:
    matches: bool
    diff: str  # unified diff, empty when it matches
    missing: bool = False


def check_text(path: Path, text: str) -> CheckResult:
    """Does ``path`` hold exactly ``text``? The drift gate of ``export --check``."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return CheckResult(False, f"{path} does not exist\n", missing=True)
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"cannot read {path}: {error}") from error
    if current == text:
        return CheckResult(True, "")
    lines: Sequence[str] = list(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=str(path),
            tofile=f"{path} (as exported now)",
        )
    )
    return CheckResult(
        False, "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    )


def fragment(api: ApiDescription, resource: Mapping[str, Any]) -> ApiDescription:
    """``api`` narrowed to one discovered endpoint (its documentation row's document)."""
    return ApiDescription(
        title=api.title,
        version=api.version,
        resources=[resource],
        servers=api.servers,
        description=api.description,
    )
