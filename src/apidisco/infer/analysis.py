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
fold into their connection's resource (``websocketMessages``: a schema per
direction); the handshake is its ``GET``. The API type is ``GraphQL``,
``gRPC`` or ``WebSocket`` by protocol, ``SOAP`` when the bodies are SOAP
envelopes, else ``REST``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from apidisco.infer.cors import CorsEvidence
from apidisco.infer.model import ApiModel, Resource
from apidisco.infer.observation import Observation
from apidisco.infer.operations import OperationBuilder
from apidisco.infer.paths import PathModel, PathTemplate, PathTemplater
from apidisco.infer.schema import SchemaBuilder
from apidisco.infer.summaries import name_operation

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


class _ResourceBuilder:
    def __init__(self, template: str, protocol: str, secret_fields: Sequence[str] | None) -> None:
        self.template = template
        self.protocol = protocol
        self.secret_fields = secret_fields
        self.operations: dict[str, OperationBuilder] = {}
        self.cors = CorsEvidence()
        self.messages: dict[str, SchemaBuilder] = {}
        self.message_counts: dict[str, int] = {}

    def add(self, observation: Observation) -> None:
        direction = observation.message_direction
        if direction is not None:
            body = observation.request_body if direction == "client" else observation.response_body
            builder = self.messages.get(direction)
            if builder is None:
                builder = self.messages[direction] = (
                    SchemaBuilder()
                    if self.secret_fields is None
                    else SchemaBuilder(secret_fields=self.secret_fields)
                )
                self.message_counts[direction] = 0
            self.message_counts[direction] += 1
            if body.document is not None:
                builder.add(body.document)
            return
        method = observation.method.upper()
        operation = self.operations.get(method)
        if operation is None:
            operation = self.operations[method] = OperationBuilder(
                method, self.template, secret_fields=self.secret_fields
            )
        operation.add(observation)
        self.cors.add(observation.cors)

    def build(self, template: PathTemplate | None) -> Resource:
        parameters = template.parameters if template is not None else ()
        operations = tuple(
            self.operations[method].build(name_operation(method, self.template), parameters)
            for method in sorted(self.operations)
        )
        api_type = _API_TYPES.get(self.protocol, "REST")
        if api_type == "REST" and any(operation.soap for operation in operations):
            api_type = "SOAP"
        messages = None
        if self.messages:
            messages = {
                direction: {
                    "messages": self.message_counts[direction],
                    "schema": builder.build(),
                }
                for direction, builder in sorted(self.messages.items())
            }
        return Resource(
            pattern=self.template,
            protocol=self.protocol,
            api_type=api_type,
            operations=operations,
            cors=self.cors.config(),
            websocket_messages=messages,
        )


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
