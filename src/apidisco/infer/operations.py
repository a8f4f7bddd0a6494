"""One operation (a method on a path template) folded from its calls.

An :class:`OperationBuilder` takes every call of ``GET /users/{userId}`` and
keeps, in memory bounded by the shape of the traffic (never by the number of
calls):

- request bodies per media type and responses per status per media type
  (:mod:`apidisco.infer.bodies`); a status whose responses never had a body
  is described as having none (``204``, a ``HEAD``), never invented;
- query parameters, common request headers (not hop-by-hop, not credentials,
  not the ones HTTP itself describes) and response headers (rate-limit headers
  always), each typed from its values and marked ``required`` when every call
  had it (:mod:`apidisco.infer.parameters`);
- authentication and pagination evidence (:mod:`apidisco.infer.auth`,
  :mod:`apidisco.infer.pagination`);
- one example exchange: of the successful calls, the one with the smallest
  bodies (ties by text), so the pick does not depend on order;
- calls that failed upstream (no response), counted.

:meth:`~OperationBuilder.build` returns a frozen :class:`Operation`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from apidisco.infer.auth import AuthEvidence, Credential
from apidisco.infer.bodies import BodyModel
from apidisco.infer.observation import Body, Observation, header_values
from apidisco.infer.pagination import PaginationEvidence
from apidisco.infer.parameters import ParameterSet, coerce, pairs_document
from apidisco.infer.paths import PathParameter
from apidisco.infer.summaries import OperationNames
from apidisco.sensitive import DEFAULT_SENSITIVE_HEADERS

__all__ = ["Operation", "OperationBuilder", "is_rate_limit_header"]

MAX_STATUSES = 64
MAX_MEDIA_TYPES = 8
EXAMPLE_TEXT = 2000
EXAMPLE_ITEMS = 3

#: Request headers that describe the transport, the body or the credentials, not the API.
_SKIPPED_REQUEST_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "access-control-request-headers",
        "access-control-request-method",
        "cache-control",
        "connection",
        "content-length",
        "content-type",
        "content-encoding",
        "expect",
        "forwarded",
        "host",
        "keep-alive",
        "origin",
        "pragma",
        "proxy-connection",
        "referer",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "via",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-port",
        "x-forwarded-proto",
        "x-real-ip",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
    }
)
_SKIPPED_RESPONSE_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "content-type",
        "content-encoding",
        "date",
        "keep-alive",
        "proxy-connection",
        "server",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "vary",
        "via",
        "alt-svc",
    }
)
_RATE_LIMIT_PREFIXES = ("x-ratelimit-", "x-rate-limit-", "ratelimit-", "ratelimit")


def is_rate_limit_header(name: str) -> bool:
    return name == "retry-after" or name.startswith(_RATE_LIMIT_PREFIXES)


@functools.lru_cache(maxsize=4096)
def _api_request_header(name: str) -> bool:
    return (
        name not in _SKIPPED_REQUEST_HEADERS
        and name not in DEFAULT_SENSITIVE_HEADERS
        and not name.startswith(("sec-", "x-forwarded-"))
    )


@functools.lru_cache(maxsize=4096)
def _api_response_header(name: str) -> bool:
    return name not in _SKIPPED_RESPONSE_HEADERS and not name.startswith("access-control-")


def _header_document(headers: Mapping[str, Any], keep: Any) -> dict[str, Any]:
    return {
        name: [coerce(str(v)) for v in value] if isinstance(value, list) else coerce(str(value))
        for name, value in headers.items()
        if keep(name)
    }


def _trim(document: Any, depth: int = 0) -> Any:
    """An example document cut to a few items per array and a few levels deep."""
    if isinstance(document, list):
        return [_trim(item, depth + 1) for item in document[:EXAMPLE_ITEMS]]
    if isinstance(document, dict):
        if depth > 6:
            return {}
        return {key: _trim(value, depth + 1) for key, value in document.items()}
    if isinstance(document, str) and len(document) > 200:
        return document[:200] + "…"
    return document


def _example_body(body: Body) -> Any:
    if body.document is not None:
        return _trim(body.document)
    if body.text is None or body.encoding == "base64":
        return None
    return body.text[:EXAMPLE_TEXT]


def _size(body: Body) -> int:
    return len(body.text or "")


@dataclass(frozen=True)
class Header:
    name: str
    required: bool
    schema: dict[str, Any]
    seen: int
    rate_limit: bool = False

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"required": self.required, "schema": self.schema}
        if self.rate_limit:
            result["rateLimit"] = True
        return result


@dataclass(frozen=True)
class Operation:
    """Everything inferred about one method on one template."""

    method: str
    template: str
    names: OperationNames
    calls: int
    failed: int
    path_parameters: tuple[PathParameter, ...]
    query: tuple[Header, ...]
    request_headers: tuple[Header, ...]
    response_headers: tuple[Header, ...]
    request_bodies: dict[str, dict[str, Any]]
    request_body_required: bool
    responses: dict[str, dict[str, dict[str, Any]]]
    auth_required: bool
    credential: Credential | None
    auth_evidence: str
    pagination: str | None
    pagination_evidence: tuple[str, ...]
    soap: bool
    example: dict[str, Any] | None = field(default=None)

    def parameters(self) -> list[dict[str, Any]]:
        """Path, query and header parameters, as the ``operations`` column lists them."""
        result: list[dict[str, Any]] = []
        for parameter in self.path_parameters:
            entry: dict[str, Any] = {"name": parameter.name, "in": "path", "required": True}
            entry["schema"] = parameter.schema()
            if parameter.examples:
                read = coerce if parameter.type == "integer" else str
                entry["examples"] = [read(example) for example in parameter.examples]
            result.append(entry)
        for location, headers in (("query", self.query), ("header", self.request_headers)):
            for header in headers:
                result.append(
                    {
                        "name": header.name,
                        "in": location,
                        "required": header.required,
                        "schema": header.schema,
                    }
                )
        return result


class OperationBuilder:
    def __init__(
        self, method: str, template: str, *, secret_fields: Iterable[str] | None = None
    ) -> None:
        self.method = method
        self.template = template
        self.calls = 0
        self.failed = 0
        self._secret_fields = tuple(secret_fields) if secret_fields is not None else None
        self._requests: dict[str, BodyModel] = {}
        self._request_without_body = 0
        self._responses: dict[str, dict[str, BodyModel]] = {}
        self._query = ParameterSet(secret_fields=self._secret_fields)
        self._request_headers = ParameterSet(secret_fields=self._secret_fields)
        self._response_headers = ParameterSet(secret_fields=self._secret_fields)
        self.auth = AuthEvidence()
        self.pagination = PaginationEvidence()
        self._example: tuple[tuple[int, int, str], dict[str, Any]] | None = None

    def _body_model(self, media: str) -> BodyModel:
        if self._secret_fields is None:
            return BodyModel(media)
        return BodyModel(media, secret_fields=self._secret_fields)

    def add(self, observation: Observation) -> None:
        self.calls += 1
        self.auth.add(observation)
        self.pagination.add(observation)
        self._query.add(pairs_document(observation.query))
        self._request_headers.add(
            _header_document(observation.request_headers, _api_request_header)
        )
        self._add_request_body(observation)
        if observation.status is None:
            if observation.error is not None:
                self.failed += 1
            return
        self._response_headers.add(
            _header_document(observation.response_headers, _api_response_header)
        )
        status = str(observation.status)
        per_status = self._responses.get(status)
        if per_status is None:
            if len(self._responses) >= MAX_STATUSES:
                return
            per_status = self._responses[status] = {}
        body = observation.response_body
        if not body.empty:
            media = observation.response_media_type or "application/octet-stream"
            model = per_status.get(media)
            if model is None and len(per_status) < MAX_MEDIA_TYPES:
                model = per_status[media] = self._body_model(media)
            if model is not None:
                content_type = header_values(observation.response_headers, "content-type")
                model.add(body, content_type[0] if content_type else "")
        self._consider_example(observation)

    def _add_request_body(self, observation: Observation) -> None:
        body = observation.request_body
        if body.empty:
            self._request_without_body += 1
            return
        media = observation.request_media_type or "application/octet-stream"
        model = self._requests.get(media)
        if model is None:
            if len(self._requests) >= MAX_MEDIA_TYPES:
                return
            model = self._requests[media] = self._body_model(media)
        content_type = header_values(observation.request_headers, "content-type")
        model.add(body, content_type[0] if content_type else "")

    def _consider_example(self, observation: Observation) -> None:
        status = observation.status or 0
        if not 200 <= status < 300:
            return
        request, response = observation.request_body, observation.response_body
        size = _size(request) + _size(response)
        if self._example is not None and self._example[0][:2] < (size, status):
            return  # decided without building the text of the tie-breaker
        key = (
            size,
            status,
            f"{observation.path}?{observation.query}{request.text}{response.text}",
        )
        if self._example is not None and self._example[0] <= key:
            return
        example: dict[str, Any] = {"request": {"path": observation.path}}
        if observation.query:
            example["request"]["query"] = pairs_document(observation.query)
        if (request_body := _example_body(request)) is not None:
            example["request"]["body"] = request_body
        example["response"] = {"status": status}
        if (response_body := _example_body(response)) is not None:
            example["response"]["body"] = response_body
        self._example = (key, example)

    @staticmethod
    def _headers(parameters: ParameterSet, *, keep_rate_limits: bool) -> tuple[Header, ...]:
        """The common headers (in at least half the calls), and every rate-limit header."""
        headers: list[Header] = []
        for stats in parameters.build():
            rate_limit = is_rate_limit_header(stats.name)
            common = stats.seen * 2 >= parameters.calls
            if common or (keep_rate_limits and rate_limit):
                headers.append(
                    Header(stats.name, stats.required, stats.schema, stats.seen, rate_limit)
                )
        return tuple(headers)

    def build(self, names: OperationNames, parameters: tuple[PathParameter, ...]) -> Operation:
        query = tuple(
            Header(stats.name, stats.required, stats.schema, stats.seen)
            for stats in self._query.build()
        )
        responses = {
            status: {media: model.schema() for media, model in sorted(per_status.items())}
            for status, per_status in sorted(self._responses.items())
        }
        soap = any(model.soap for model in self._requests.values()) or any(
            model.soap for per_status in self._responses.values() for model in per_status.values()
        )
        return Operation(
            method=self.method,
            template=self.template,
            names=names,
            calls=self.calls,
            failed=self.failed,
            path_parameters=parameters,
            query=query,
            request_headers=self._headers(self._request_headers, keep_rate_limits=False),
            response_headers=self._headers(self._response_headers, keep_rate_limits=True),
            request_bodies={
                media: model.schema() for media, model in sorted(self._requests.items())
            },
            request_body_required=bool(self._requests) and self._request_without_body == 0,
            responses=responses,
            auth_required=self.auth.required,
            credential=self.auth.credential,
            auth_evidence=self.auth.evidence(),
            pagination=self.pagination.style if self.method in ("GET", "POST") else None,
            pagination_evidence=tuple(self.pagination.evidence()),
            soap=soap,
            example=self._example[1] if self._example else None,
        )
