"""Inference of one endpoint's API in two streaming passes over its calls.

::

    analysis = Analysis(pins=["/repos/{owner}/{repo}"])
    for observation in calls():            # pass 1: paths only
        analysis.observe_path(observation)
    analysis.finish_paths()
    for observation in calls():            # pass 2: everything else
        template = analysis.observe(observation)   # the call's endpointPattern
    model = analysis.model()

Two passes because a call's operation is only known once the templates are:
the first pass feeds :class:`~apidisco.infer.paths.PathTemplater` (method,
path, status and a coarse response shape), the second folds each call into the
:class:`~apidisco.infer.operations.OperationBuilder` of its template and method.
Memory is bounded by the distinct operations in both passes; the result does
not depend on the order of the calls.

Resources are keyed by template and protocol (``http``/``https`` for REST;
``graphql``, ``grpc``, ``ws``/``wss`` for the others). WebSocket message rows
fold into their connection's resource (``websocketMessages``, by
:mod:`apidisco.infer.websocket`: kinds, order and pairing per direction); the
handshake is its ``GET``. GraphQL calls also rebuild the schema
(:mod:`apidisco.infer.graphql`): ``graphqlSchema`` holds the SDL. The API type is ``GraphQL``,
``gRPC`` or ``WebSocket`` by protocol, ``SOAP`` when the bodies are SOAP
envelopes, else ``REST``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from apidisco.infer.cors import CorsEvidence
from apidisco.infer.model import ApiModel, Resource
from apidisco.infer.observation import Observation
from apidisco.infer.operations import OperationBuilder
from apidisco.infer.paths import PathModel, PathTemplate, PathTemplater
from apidisco.infer.summaries import name_operation
from apidisco.infer.websocket import WebSocketMessages

if TYPE_CHECKING:
    from apidisco.infer.graphql import GraphQLModel, GraphQLSchemaBuilder

__all__ = ["Analysis", "response_ids", "response_shape"]

_API_TYPES = {"graphql": "GraphQL", "grpc": "gRPC", "ws": "WebSocket", "wss": "WebSocket"}


def response_shape(document: Any) -> str | None:
    """A coarse fingerprint of a response body for the path templater: its JSON type.

    Coarse on purpose: items of one collection differ in optional fields, so a
    finer fingerprint would split them; a list beside objects is what tells
    ``/tags/overview`` from ``/tags/{tag}``.
    """
    if document is None:
        return None
    if isinstance(document, dict):
        return "object"
    if isinstance(document, list):
        return "array"
    if isinstance(document, bool):
        return "boolean"
    if isinstance(document, int | float):
        return "number"
    return "string"


def response_ids(document: Any) -> tuple[str, ...]:
    """The identifiers a response body names: its ``id``, or its first item's.

    Reported to the path templater for the identity rule: a path segment that
    a response of its parent named as an id is a parameter, whatever its shape
    (``POST /checkpoints`` answers ``{"id": "checkpoint"}``, then
    ``/checkpoints/checkpoint`` is ``/checkpoints/{checkpointId}``). Only the
    first item of a list counts, as the store's query reads it.
    """
    if isinstance(document, list):
        document = document[0] if document else None
    if isinstance(document, dict):
        value = document.get("id")
        if isinstance(value, str) and value and not value.isdigit() and "/" not in value:
            return (value,)
    return ()


def graphql_request(observation: Observation) -> dict[str, Any] | None:
    """The GraphQL request object a call carried: its JSON body, or a GET's query
    parameters (``query``, ``operationName``, and ``variables``/``extensions``
    decoded from JSON)."""
    document = observation.request_body.document
    if isinstance(document, dict):
        return document
    if not observation.query:
        return None
    request: dict[str, Any] = {}
    for name, value in observation.query:
        if name in ("variables", "extensions"):
            try:
                request[name] = json.loads(value)
            except ValueError:
                request[name] = None
        elif name in ("query", "operationName"):
            request[name] = value
    return request if "query" in request or "extensions" in request else None


class _ResourceBuilder:
    def __init__(self, template: str, protocol: str, secret_fields: Sequence[str] | None) -> None:
        self.template = template
        self.protocol = protocol
        self.secret_fields = secret_fields
        self.operations: dict[str, OperationBuilder] = {}
        self.cors = CorsEvidence()
        self.messages: WebSocketMessages | None = None
        self.graphql: GraphQLSchemaBuilder | None = None

    def add(self, observation: Observation) -> None:
        direction = observation.message_direction
        if direction is not None:
            if self.messages is None:
                self.messages = (
                    WebSocketMessages()
                    if self.secret_fields is None
                    else WebSocketMessages(secret_fields=self.secret_fields)
                )
            body = observation.request_body if direction == "client" else observation.response_body
            self.messages.add(
                direction,
                body.document,
                text=body.encoding != "base64",
                connection_id=observation.connection_id,
            )
            return
        method = observation.method.upper()
        operation = self.operations.get(method)
        if operation is None:
            operation = self.operations[method] = OperationBuilder(
                method, self.template, secret_fields=self.secret_fields
            )
        operation.add(observation)
        self.cors.add(observation.cors)
        if self.protocol == "graphql":
            request = graphql_request(observation)
            if request is not None:
                if self.graphql is None:
                    # graphql-core is loaded with the first GraphQL call, not for every API.
                    from apidisco.infer.graphql import GraphQLSchemaBuilder

                    self.graphql = (
                        GraphQLSchemaBuilder()
                        if self.secret_fields is None
                        else GraphQLSchemaBuilder(secret_fields=self.secret_fields)
                    )
                self.graphql.add(request, observation.response_body.document)

    def build(self, template: PathTemplate | None) -> Resource:
        parameters = template.parameters if template is not None else ()
        operations = tuple(
            self.operations[method].build(name_operation(method, self.template), parameters)
            for method in sorted(self.operations)
        )
        api_type = _API_TYPES.get(self.protocol, "REST")
        if api_type == "REST" and any(operation.soap for operation in operations):
            api_type = "SOAP"
        graphql = self.graphql.build() if self.graphql is not None else None
        return Resource(
            pattern=self.template,
            protocol=self.protocol,
            api_type=api_type,
            operations=operations,
            cors=self.cors.config(),
            websocket_messages=self.messages.build() if self.messages is not None else None,
            graphql_schema=graphql.sdl or None if graphql is not None else None,
            graphql_operations=graphql_operations(graphql) if graphql is not None else None,
        )


def graphql_operations(model: GraphQLModel) -> list[dict[str, Any]]:
    """The GraphQL operations seen, as the ``x-graphql-operations`` the exports show."""
    return [
        {
            "name": operation.name,
            "kind": operation.kind,
            "rootFields": list(operation.root_fields),
            "variables": {variable.name: variable.type for variable in operation.variables},
            "calls": operation.count,
            "persistedOnly": operation.persisted_only,
            "errors": operation.error_count,
        }
        for operation in model.operations
    ]


class Analysis:
    """Two passes over one endpoint's observations; see the module docstring."""

    def __init__(
        self,
        *,
        pins: Iterable[str] = (),
        forbids: Iterable[str] = (),
        secret_fields: Sequence[str] | None = None,
        templater: PathTemplater | None = None,
    ) -> None:
        self.pins = tuple(pins)
        self.forbids = tuple(forbids)
        self.secret_fields = secret_fields
        self._templater = templater or PathTemplater()
        self._paths: PathModel | None = None
        self._templates: dict[str, PathTemplate] = {}
        self._resources: dict[tuple[str, str], _ResourceBuilder] = {}
        self._matched: dict[str, str | None] = {}
        self.unmatched = 0

    # -- pass 1 ------------------------------------------------------------------------

    def observe_path(self, observation: Observation) -> None:
        if observation.message_direction is not None:
            return  # a WebSocket message travels on its handshake's path
        document = observation.response_body.document
        self._templater.observe(
            observation.method,
            observation.path,
            status=observation.status,
            shape=response_shape(document),
            ids=response_ids(document),
        )

    def observe_path_of(
        self,
        method: str,
        path: str,
        status: int | None,
        shape: str | None,
        ids: tuple[str, ...] = (),
    ) -> None:
        """:meth:`observe_path` from the parts alone (no observation to build);
        ``shape`` and ``ids`` as :func:`response_shape` and :func:`response_ids`
        give them. Not for WebSocket messages."""
        self._templater.observe(method, path, status=status, shape=shape, ids=ids)

    def finish_paths(self) -> PathModel:
        """The path templates; raises ValidationError for a malformed pin or forbid."""
        self._paths = self._templater.finish(self.pins, self.forbids)
        self._templates = {template.template: template for template in self._paths.templates}
        return self._paths

    # -- pass 2 ------------------------------------------------------------------------

    def template_for(self, path: str) -> str | None:
        if self._paths is None:
            raise RuntimeError("finish_paths() comes before the second pass")
        cached = self._matched.get(path, "")
        if cached != "":
            return cached
        template = self._paths.template_for(path)
        if len(self._matched) < 10_000:
            self._matched[path] = template
        return template

    def observe(self, observation: Observation) -> str | None:
        """Fold one call in; its template (the ``endpointPattern``), or ``None``."""
        template = self.template_for(observation.path)
        if template is None:
            self.unmatched += 1
            return None
        key = (template, observation.protocol)
        resource = self._resources.get(key)
        if resource is None:
            resource = self._resources[key] = _ResourceBuilder(
                template, observation.protocol, self.secret_fields
            )
        resource.add(observation)
        return template

    def model(self) -> ApiModel:
        if self._paths is None:
            raise RuntimeError("finish_paths() comes before model()")
        resources = tuple(
            self._resources[key].build(self._templates.get(key[0]))
            for key in sorted(self._resources)
        )
        return ApiModel(resources=resources, paths=self._paths, unmatched=self.unmatched)
