"""The API model inference returns, and its mapping onto ``discovered_endpoints``.

A :class:`Resource` is one path template under one protocol (one
``discovered_endpoints`` row, whose key is endpoint, pattern and protocol); its
:class:`~apidisco.infer.operations.Operation` values are the methods on it. The
spec's columns hold one value per row, so the per-method parts are keyed by
method (``docs/inference.md`` shows each column's shape):

- ``requestSchema``: ``{method: {media type: schema}}``
- ``responseSchemas``: ``{method: {status: {media type: schema}}}`` (a status
  with no body maps to ``{}``)
- ``requestHeaders`` / ``responseHeaders``: ``{method: {name: {"required",
  "schema", "rateLimit"?}}}``
- ``examples``: ``{method: {"request": ..., "response": ...}}``
- ``operations`` (a column apidisco adds): ``{method: {"summary",
  "operationId", "tags", "parameters", "requestBodyRequired", "security",
  "authRequired", "pagination", "calls", "failed"}}``
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apidisco.infer.auth import Credential
from apidisco.infer.operations import Operation
from apidisco.infer.paths import PathModel

__all__ = ["ApiModel", "Resource"]


@dataclass(frozen=True)
class Resource:
    """One discovered endpoint: a template, a protocol and the operations on it."""

    pattern: str
    protocol: str
    api_type: str
    operations: tuple[Operation, ...]  # sorted by method
    cors: dict[str, Any] | None = None
    websocket_messages: dict[str, Any] | None = None
    graphql_schema: str | None = None
    graphql_operations: list[dict[str, Any]] | None = None

    @property
    def methods(self) -> list[str]:
        return [operation.method for operation in self.operations]

    @property
    def calls(self) -> int:
        return sum(operation.calls for operation in self.operations)

    @property
    def credential(self) -> Credential | None:
        """The credential most of this resource's calls carried."""
        counted: dict[Credential, int] = {}
        for operation in self.operations:
            if operation.credential is not None:
                counted[operation.credential] = counted.get(operation.credential, 0) + (
                    operation.calls
                )
        return min(counted, key=lambda c: (-counted[c], c)) if counted else None

    @property
    def description(self) -> str:
        return " ".join(f"{operation.names.summary}." for operation in self.operations)

    def columns(self) -> dict[str, Any]:
        """The ``discovered_endpoints`` row, keyed by the model's attribute names."""
        operations = self.operations
        credential = self.credential
        pagination = next(
            (op.pagination for op in operations if op.method == "GET" and op.pagination),
            next((op.pagination for op in operations if op.pagination), None),
        )
        return {
            "pattern": self.pattern,
            "protocol": self.protocol,
            "methods": self.methods,
            "description": self.description,
            "request_schema": {
                op.method: op.request_bodies for op in operations if op.request_bodies
            }
            or None,
            "response_schemas": {op.method: op.responses for op in operations if op.responses}
            or None,
            "request_headers": _headers({op.method: op.request_headers for op in operations}),
            "response_headers": _headers({op.method: op.response_headers for op in operations}),
            "cors_config": self.cors,
            "examples": {op.method: op.example for op in operations if op.example} or None,
            "auth_required": any(op.auth_required for op in operations),
            "auth_type": credential.type_name if credential else None,
            "pagination_type": pagination,
            "api_type": self.api_type,
            "websocket_messages": self.websocket_messages,
            "graphql_schema": self.graphql_schema,
            "operations": {op.method: _operation(op, self.graphql_operations) for op in operations},
        }


def _headers(per_method: dict[str, tuple[Any, ...]]) -> dict[str, Any] | None:
    result = {
        method: {header.name: header.as_dict() for header in headers}
        for method, headers in per_method.items()
        if headers
    }
    return result or None


def _operation(operation: Operation, graphql: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    extra = {"graphqlOperations": graphql} if graphql else {}
    return extra | {
        "summary": operation.names.summary,
        "operationId": operation.names.operation_id,
        "tags": [operation.names.tag],
        "parameters": operation.parameters(),
        "requestBodyRequired": operation.request_body_required,
        "authRequired": operation.auth_required,
        "security": operation.credential.as_dict() if operation.credential else None,
        "pagination": operation.pagination,
        "calls": operation.calls,
        "failed": operation.failed,
    }


@dataclass(frozen=True)
class ApiModel:
    """Everything inferred for one endpoint: the resources, sorted by pattern and protocol."""

    resources: tuple[Resource, ...]
    paths: PathModel
    unmatched: int = 0  # calls no template claimed (none, unless pins were odd)

    def explain(self) -> tuple[str, ...]:
        """The evidence behind every path parameter and merge, then each operation's."""
        lines = list(self.paths.explain())
        for pin in self.paths.unused_pins:
            lines.append(f"{pin} [*] pin: matched no captured path")
        for resource in self.resources:
            for operation in resource.operations:
                where = f"{operation.method} {resource.pattern}"
                lines.append(f"{where} auth: {operation.auth_evidence}")
                lines.extend(
                    f"{where} pagination: {line}" for line in operation.pagination_evidence
                )
        return tuple(lines)
