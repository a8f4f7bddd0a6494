"""An OpenAPI 3.1 document from discovered endpoints.

:func:`build_openapi` takes an :class:`ApiDescription` — the API's title,
version, servers and its discovered endpoints, each as the ``discovered_endpoints``
row's values (:meth:`apidisco.infer.model.Resource.columns` gives them, and so
does the store) — and returns the document as plain, ordered data:

- ``paths``: one path item per pattern (REST, SOAP, GraphQL and gRPC over
  HTTP; WebSocket endpoints belong in AsyncAPI), operations in the usual method
  order, each with its operationId (unique), summary, description, tag, typed
  path, query and header parameters, request body and responses per media type,
  with captured examples;
- ``components/schemas``: every object body schema, named and deduplicated
  (:mod:`apidisco.infer.components`): a response of ``/users/{userId}`` is
  ``User``, a request of ``createUser`` is ``CreateUserRequest``;
- ``components/securitySchemes`` from the detected credentials, and each
  operation's ``security`` (``[{}, {...}]`` when auth was optional);
- ``x-pagination`` (operation), ``x-cors`` (path item) and ``x-api-type``
  (operation, when not REST) for what OpenAPI has no field for; a GraphQL
  endpoint lists its GraphQL operations by name in ``x-graphql-operations``.

Deterministic: the same endpoints give the same document, key for key.
"""

from __future__ import annotations

import http
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apidisco.infer.components import SchemaRegistry, pascal_case
from apidisco.infer.segments import SegmentKind, classify, singular
from apidisco.infer.templates import PARAMETER, template_segments

__all__ = ["OPENAPI_VERSION", "ApiDescription", "build_openapi", "security_scheme_name"]

OPENAPI_VERSION = "3.1.0"
_METHOD_ORDER = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_HTTP_API_TYPES = frozenset({"REST", "SOAP", "GraphQL", "gRPC", None})
_JSON = "application/json"


@dataclass(frozen=True)
class ApiDescription:
    title: str
    version: str
    resources: Sequence[Mapping[str, Any]]
    servers: tuple[str, ...] = ()
    description: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # extra info.x-* fields


def security_scheme_name(credential: Mapping[str, Any]) -> str:
    """``bearerAuth``, ``basicAuth``, ``apiKeyHeaderXApiKey``, ``cookieSessionid`` ..."""
    kind = credential.get("kind")
    if kind == "http":
        return f"{credential.get('scheme', 'http')}Auth"
    if kind == "cookie":
        return "cookie" + pascal_case(str(credential.get("name", "")))
    location = str(credential.get("location", "header"))
    return "apiKey" + pascal_case(location, str(credential.get("name", "")))


def _security_scheme(credential: Mapping[str, Any]) -> dict[str, Any]:
    if credential.get("kind") == "http":
        scheme: dict[str, Any] = {"type": "http", "scheme": credential.get("scheme", "bearer")}
        if credential.get("format"):
            scheme["bearerFormat"] = credential["format"]
        return scheme
    return {
        "type": "apiKey",
        "in": credential.get("location", "header"),
        "name": credential.get("name", ""),
    }


def _status_description(status: str, content: Mapping[str, Any]) -> str:
    try:
        phrase = http.HTTPStatus(int(status)).phrase
    except ValueError:
        phrase = "Response"
    return phrase if content else f"{phrase} (no body)"


def _resource_noun(pattern: str) -> str:
    """``User`` for ``/users/{userId}`` and ``/users``: the last resource named."""
    for segment in reversed(template_segments(pattern)):
        if segment and not PARAMETER.fullmatch(segment):
            if classify(segment).kind is SegmentKind.VERSION:
                continue
            return pascal_case(singular(segment))
    return "Root"


class _Builder:
    def __init__(self, api: ApiDescription) -> None:
        self.api = api
        self.registry = SchemaRegistry()
        self.security_schemes: dict[str, dict[str, Any]] = {}
        self.operation_ids: set[str] = set()
        self.tags: set[str] = set()

    def rows(self) -> list[Mapping[str, Any]]:
        rows = [r for r in self.api.resources if r.get("api_type") in _HTTP_API_TYPES]
        return sorted(rows, key=lambda r: (str(r["pattern"]), str(r.get("protocol", ""))))

    # -- components -------------------------------------------------------------------

    def offer_schemas(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Offer every body schema with the name it should have.

        A successful GET names the resource (``/users/{userId}`` → ``User``),
        single items first, so a list whose items differ from the single item
        gets ``UserSummary``; requests are ``<OperationId>Request``, other
        successes ``<OperationId>Response``, errors ``Error``.
        """
        for row in rows:
            pattern = str(row["pattern"])
            noun = _resource_noun(pattern)
            item = bool(pattern) and PARAMETER.fullmatch(pattern.rsplit("/", 1)[-1]) is not None
            operations = row.get("operations") or {}
            for method in _methods(row):
                operation_id = str(operations.get(method, {}).get("operationId", method))
                requests = ((row.get("request_schema") or {}).get(method)) or {}
                for media, schema in sorted(requests.items()):
                    order = ("2", pattern, method, "request", media)
                    self._offer(pascal_case(operation_id, "request"), schema, order)
                responses = (row.get("response_schemas") or {}).get(method) or {}
                for status, per_media in sorted(responses.items()):
                    for media, schema in sorted(per_media.items()):
                        alternative = None
                        if status.startswith(("4", "5")):
                            wanted, rank = "Error", "3"
                        elif method == "GET":
                            wanted, rank = noun, "0" if item else "1"
                            alternative = f"{noun}Summary"
                        else:
                            wanted, rank = pascal_case(operation_id, "response"), "2"
                        order = (rank, pattern, method, status, media)
                        self._offer(wanted, schema, order, alternative)

    def _offer(
        self, name: str, schema: Any, order: tuple[str, ...], alternative: str | None = None
    ) -> None:
        if not isinstance(schema, dict):
            return
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            schema = schema["items"]
        self.registry.offer(name, schema, order, alternative=alternative)

    # -- paths ------------------------------------------------------------------------

    def path_item(self, rows: list[Mapping[str, Any]]) -> dict[str, Any]:
        item: dict[str, Any] = {}
        cors = next((row.get("cors_config") for row in rows if row.get("cors_config")), None)
        operations: dict[str, dict[str, Any]] = {}
        for row in rows:
            for method in _methods(row):
                key = method.lower()
                if key in _METHOD_ORDER and key not in operations:
                    operations[key] = self.operation(row, method)
        for key in _METHOD_ORDER:
            if key in operations:
                item[key] = operations[key]
        if cors:
            item["x-cors"] = cors
        return item

    def operation(self, row: Mapping[str, Any], method: str) -> dict[str, Any]:
        pattern = str(row["pattern"])
        details = (row.get("operations") or {}).get(method) or {}
        operation: dict[str, Any] = {}
        tags = list(details.get("tags") or [])
        if tags:
            operation["tags"] = tags
            self.tags.update(tags)
        operation["summary"] = details.get("summary") or f"{method} {pattern}"
        if details.get("description"):
            operation["description"] = details["description"]
        operation["operationId"] = self._unique_id(
            str(details.get("operationId") or method.lower())
        )
        parameters = self.parameters(pattern, details.get("parameters") or [])
        if parameters:
            operation["parameters"] = parameters
        example = ((row.get("examples") or {}).get(method)) or {}
        body = self.request_body(row, method, details, example)
        if body is not None:
            operation["requestBody"] = body
        operation["responses"] = self.responses(row, method, example)
        security = self.security(details)
        if security is not None:
            operation["security"] = security
        if details.get("pagination"):
            operation["x-pagination"] = {"style": details["pagination"]}
        api_type = row.get("api_type")
        if api_type and api_type != "REST":
            operation["x-api-type"] = api_type
        if details.get("graphqlOperations"):
            operation["x-graphql-operations"] = details["graphqlOperations"]
        return operation

    def _unique_id(self, wanted: str) -> str:
        name, suffix = wanted, 1
        while name in self.operation_ids:
            suffix += 1
            name = f"{wanted}{suffix}"
        self.operation_ids.add(name)
        return name

    @staticmethod
    def parameters(pattern: str, listed: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        declared = {(p.get("in"), p.get("name")) for p in listed}
        for segment in template_segments(pattern):
            match = PARAMETER.fullmatch(segment)
            if match and match.group(1) and ("path", match.group(1)) not in declared:
                listed = [*listed, {"name": match.group(1), "in": "path", "required": True}]
        for parameter in listed:
            location = parameter.get("in")
            if location == "header" and str(parameter.get("name", "")).lower() in (
                "accept",
                "content-type",
                "authorization",
            ):
                continue
            entry: dict[str, Any] = {
                "name": parameter["name"],
                "in": location,
                "required": True if location == "path" else bool(parameter.get("required")),
                "schema": dict(parameter.get("schema") or {"type": "string"}),
            }
            examples = parameter.get("examples")
            if examples:
                entry["schema"].setdefault("examples", list(examples))
            result.append(entry)
        return result

    def request_body(
        self,
        row: Mapping[str, Any],
        method: str,
        details: Mapping[str, Any],
        example: Mapping[str, Any],
    ) -> dict[str, Any] | None:
        bodies = (row.get("request_schema") or {}).get(method) or {}
        if not bodies:
            return None
        content: dict[str, Any] = {}
        for media, schema in sorted(bodies.items()):
            entry: dict[str, Any] = {"schema": self.registry.ref(schema)}
            sample = (example.get("request") or {}).get("body")
            if sample is not None and _is_json(media):
                entry["examples"] = {"captured": {"value": sample}}
            content[media] = entry
        return {"required": bool(details.get("requestBodyRequired")), "content": content}

    def responses(
        self, row: Mapping[str, Any], method: str, example: Mapping[str, Any]
    ) -> dict[str, Any]:
        statuses = (row.get("response_schemas") or {}).get(method) or {}
        headers = ((row.get("response_headers") or {}).get(method)) or {}
        captured = example.get("response") or {}
        result: dict[str, Any] = {}
        for status, per_media in sorted(statuses.items()):
            response: dict[str, Any] = {"description": _status_description(status, per_media)}
            if headers and (status.startswith("2") or status == "429"):
                response["headers"] = {
                    name: {"required": bool(h.get("required")), "schema": h.get("schema", {})}
                    | ({"description": "Rate limit"} if h.get("rateLimit") else {})
                    for name, h in sorted(headers.items())
                    if name.lower() != "content-type"
                }
            if per_media:
                content: dict[str, Any] = {}
                for media, schema in sorted(per_media.items()):
                    entry: dict[str, Any] = {"schema": self.registry.ref(schema)}
                    if (
                        str(captured.get("status")) == status
                        and "body" in captured
                        and _is_json(media)
                    ):
                        entry["examples"] = {"captured": {"value": captured["body"]}}
                    content[media] = entry
                response["content"] = content
            result[status] = response
        if not result:
            result["default"] = {"description": "No response was captured"}
        return result

    def security(self, details: Mapping[str, Any]) -> list[dict[str, list[str]]] | None:
        credential = details.get("security")
        if not credential:
            return None
        name = security_scheme_name(credential)
        self.security_schemes.setdefault(name, _security_scheme(credential))
        requirement: dict[str, list[str]] = {name: []}
        return [requirement] if details.get("authRequired") else [{}, requirement]


def _is_json(media: str) -> bool:
    return media == _JSON or media.endswith("+json")


def _methods(row: Mapping[str, Any]) -> list[str]:
    return [str(method).upper() for method in row.get("methods") or []]


def build_openapi(api: ApiDescription) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``api``'s HTTP endpoints (see the module docstring)."""
    builder = _Builder(api)
    rows = builder.rows()
    builder.offer_schemas(rows)
    builder.registry.resolve()
    by_pattern: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_pattern.setdefault(str(row["pattern"]), []).append(row)
    paths = {pattern: builder.path_item(group) for pattern, group in sorted(by_pattern.items())}
    info: dict[str, Any] = {"title": api.title, "version": api.version}
    if api.description:
        info["description"] = api.description
    info.update(api.extra)
    document: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info}
    if api.servers:
        document["servers"] = [{"url": url} for url in api.servers]
    if builder.tags:
        document["tags"] = [{"name": tag} for tag in sorted(builder.tags)]
    document["paths"] = paths
    components: dict[str, Any] = {}
    schemas = builder.registry.components()
    if schemas:
        components["schemas"] = schemas
    if builder.security_schemes:
        components["securitySchemes"] = dict(sorted(builder.security_schemes.items()))
    if components:
        document["components"] = components
    return document
