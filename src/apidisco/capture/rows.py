"""Exchanges and WebSocket messages → ``api_calls`` rows (the capture contract).

One row per HTTP exchange, one per GraphQL operation (a batched request gives
one row each, paired with its response by position), one for a WebSocket
handshake and one per WebSocket message. Bodies over ``max_body`` bytes are cut
and flagged; bodies that are not text are stored base64-encoded and flagged,
never decoded as garbage; JSON bodies are also stored parsed. Secrets are
masked everywhere they appear: headers, query, raw and parsed bodies.
"""

from __future__ import annotations

import base64
import urllib.parse
from typing import Any

import orjson

from apidisco.capture.classify import is_graphql_payload, is_grpc, media_type
from apidisco.capture.exchange import CaptureBatch, Exchange, Headers, WebSocketMessage
from apidisco.capture.secrets import Masker

__all__ = ["DEFAULT_MAX_BODY", "RowBuilder"]

DEFAULT_MAX_BODY = 1_048_576  # 1 MiB
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
)
_JSON_SUFFIXES = ("/json", "+json")
_EMPTY: dict[str, Any] = {"text": None, "json": None, "truncated": False, "encoding": None}
_CORS_REQUEST = ("origin", "access-control-request-method", "access-control-request-headers")


# Header fields with their names lowercased: each name is lowered once per exchange.
_Fields = list[tuple[str, str]]


def _lowered(headers: Headers) -> _Fields:
    return [(name.lower(), value) for name, value in headers]


def _first(fields: _Fields, name: str) -> str | None:
    """The first value of the (lowercase) header ``name``."""
    for key, value in fields:
        if key == name:
            return value
    return None


def _is_textual(kind: str) -> bool:
    return kind.startswith(_TEXT_TYPES) or kind.endswith(_JSON_SUFFIXES) or kind.endswith("+xml")


def _is_json(kind: str) -> bool:
    return kind.endswith(_JSON_SUFFIXES) or kind == "application/graphql-response+json"


class RowBuilder:
    """Builds the rows of one endpoint's traffic; one instance may serve many exchanges."""

    def __init__(
        self,
        endpoint_id: str,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        masker_factory: type[Masker] | None = None,
        keep_secrets: bool = False,
    ) -> None:
        self.endpoint_id = endpoint_id
        self.max_body = max_body
        self.masker_factory = masker_factory or Masker
        self.keep_secrets = keep_secrets

    # -- public ------------------------------------------------------------------------

    def exchange(self, exchange: Exchange) -> CaptureBatch:
        """The rows recording one HTTP exchange (several for a GraphQL batch)."""
        masker = self.masker_factory()
        url = exchange.url
        parts = urllib.parse.urlsplit(url)
        request_fields = _lowered(exchange.request_headers)
        response_fields = _lowered(exchange.response_headers)
        request_kind = media_type(_first(request_fields, "content-type"))
        response_kind = media_type(_first(response_fields, "content-type"))
        request = self._body(exchange.request_body, request_kind, masker)
        response = self._body(exchange.response_body, response_kind, masker)
        sent, masked = self._parameters(parts.query, masker)
        base: dict[str, Any] = {
            "endpoint_id": self.endpoint_id,
            "method": exchange.method.upper(),
            "url": url if masked == sent else self._url(parts, masked),
            "protocol": self._protocol(exchange, parts, request_kind, request["json"]),
            "request_headers": self._headers(request_fields, masker),
            "query_params": self._query(masked),
            "response_status": exchange.status,
            "response_headers": self._headers(response_fields, masker),
            "cors_headers": self._cors(exchange.method, request_fields, response_fields),
            "timestamp": exchange.started,
            "duration": exchange.duration_ms,
            "error": exchange.error,
            "connection_id": exchange.websocket_connection,
            "message_direction": None,
            "graphql_operation": None,
            **self._columns("request", request),
            **self._columns("response", response),
        }
        rows = self._graphql_rows(base, request["json"], response["json"])
        return self._batch(rows, masker)

    def message(self, message: WebSocketMessage) -> CaptureBatch:
        """The row recording one WebSocket message."""
        masker = self.masker_factory()
        parts = urllib.parse.urlsplit(message.url)
        kind = "text/plain" if message.is_text else "application/octet-stream"
        body = self._body(message.content, kind, masker, sniff_json=message.is_text)
        sent, masked = self._parameters(parts.query, masker)
        row: dict[str, Any] = {
            "endpoint_id": self.endpoint_id,
            "method": "GET",
            "url": message.url if masked == sent else self._url(parts, masked),
            "protocol": "wss" if parts.scheme in {"wss", "https"} else "ws",
            "request_headers": {},
            "response_headers": {},
            "query_params": self._query(masked),
            "response_status": None,
            "cors_headers": None,
            "duration": None,
            "error": None,
            "graphql_operation": None,
            "timestamp": message.timestamp,
            "connection_id": message.connection_id,
            "message_direction": "client" if message.from_client else "server",
            **self._columns("request", body if message.from_client else _EMPTY),
            **self._columns("response", _EMPTY if message.from_client else body),
        }
        return self._batch([row], masker)

    # -- parts -------------------------------------------------------------------------

    def _batch(self, rows: list[dict[str, Any]], masker: Masker) -> CaptureBatch:
        secrets = dict(masker.originals) if self.keep_secrets else {}
        return CaptureBatch(endpoint_id=self.endpoint_id, rows=tuple(rows), secrets=secrets)

    @staticmethod
    def _protocol(
        exchange: Exchange, parts: urllib.parse.SplitResult, kind: str, document: Any
    ) -> str:
        scheme = parts.scheme
        if exchange.websocket_connection is not None:
            return "wss" if scheme in {"https", "wss"} else "ws"
        if is_grpc(kind):
            return "grpc"
        if document is not None and is_graphql_payload(document):
            return "graphql"
        if exchange.method.upper() == "GET" and "query=" in parts.query:
            query = dict(urllib.parse.parse_qsl(parts.query))
            if "query" in query and is_graphql_payload({"query": query["query"]}):
                return "graphql"
        return "https" if scheme in {"https", "wss"} else "http"

    @staticmethod
    def _parameters(
        query: str, masker: Masker
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The query's parameters as sent, and with secret values masked."""
        if not query:
            return [], []
        sent = urllib.parse.parse_qsl(query, keep_blank_values=True)
        return sent, masker.parameters(sent)

    @staticmethod
    def _url(parts: urllib.parse.SplitResult, masked: list[tuple[str, str]]) -> str:
        """The URL with its query rewritten from ``masked`` (used only when the query held
        a secret: otherwise a row stores the URL as sent)."""
        query = urllib.parse.urlencode(masked, safe=":/@")
        return urllib.parse.urlunsplit(parts._replace(query=query))

    @staticmethod
    def _query(pairs: list[tuple[str, str]]) -> dict[str, Any] | None:
        if not pairs:
            return None
        result: dict[str, Any] = {}
        for name, value in pairs:
            if name in result:
                existing = result[name]
                result[name] = (
                    [*existing, value] if isinstance(existing, list) else [existing, value]
                )
            else:
                result[name] = value
        return result

    @staticmethod
    def _headers(fields: _Fields, masker: Masker) -> dict[str, Any]:
        """Lowercase names to values (a list for a repeated name), secrets masked."""
        sensitive = masker.sensitive_headers
        result: dict[str, Any] = {}
        for key, value in fields:
            masked = masker.header(key, value) if key in sensitive else value
            if key in result:
                existing = result[key]
                result[key] = (
                    [*existing, masked] if isinstance(existing, list) else [existing, masked]
                )
            else:
                result[key] = masked
        return result

    @staticmethod
    def _cors(method: str, request: _Fields, response: _Fields) -> dict[str, Any] | None:
        """The response's ``Access-Control-*`` headers (the last of each name) and the
        request's CORS headers (the first of each), unmasked; ``preflight`` for one."""
        found: dict[str, Any] = {}
        for key, value in response:
            if key.startswith("access-control-"):
                found[key] = value
        sent: dict[str, str] = {}  # the first value of each CORS request header
        for key, value in request:
            if key in _CORS_REQUEST and key not in sent:
                sent[key] = value
        for name in _CORS_REQUEST:
            if name in sent:
                found[name] = sent[name]
        if method.upper() == "OPTIONS" and sent.get("access-control-request-method"):
            found["preflight"] = True
        return found or None

    def _body(
        self, content: bytes | None, kind: str, masker: Masker, *, sniff_json: bool = False
    ) -> dict[str, Any]:
        """``{"text", "json", "truncated", "encoding"}`` for one body."""
        if content is None or content == b"":
            return _EMPTY
        truncated = len(content) > self.max_body
        kept = content[: self.max_body]
        document: Any = None
        if not truncated and (_is_json(kind) or sniff_json or kind == ""):
            try:
                parsed = orjson.loads(kept)
            except orjson.JSONDecodeError:
                parsed = None
            document = None if parsed is None else masker.json(parsed)
        if document is not None:
            # As sent (it parsed, so it is UTF-8), unless a secret had to be masked in it.
            sent = kept.decode() if document is parsed else orjson.dumps(document).decode()
            return {"text": sent, "json": document, "truncated": False, "encoding": None}
        text = self._text(kept, kind, truncated)
        if text is None:
            return {
                "text": base64.b64encode(kept).decode("ascii"),
                "json": None,
                "truncated": truncated,
                "encoding": "base64",
            }
        if kind == "application/x-www-form-urlencoded" and not truncated:
            pairs = masker.parameters(urllib.parse.parse_qsl(text, keep_blank_values=True))
            text = urllib.parse.urlencode(pairs, safe=":/@")
        return {"text": text, "json": None, "truncated": truncated, "encoding": None}

    @staticmethod
    def _text(content: bytes, kind: str, truncated: bool) -> str | None:
        """The body as text, or None when it is not text (it is then stored base64)."""
        if kind and not _is_textual(kind) and not kind.startswith("multipart/"):
            return None
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError as error:
            # A cut may split a multi-byte character at the very end.
            if truncated and error.start >= len(content) - 3:
                return content[: error.start].decode("utf-8")
            return None

    @staticmethod
    def _columns(side: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            f"{side}_body": body["text"],
            f"{side}_body_json": body["json"],
            f"{side}_body_truncated": body["truncated"],
            f"{side}_body_encoding": body["encoding"],
        }

    @staticmethod
    def _graphql_rows(base: dict[str, Any], request: Any, response: Any) -> list[dict[str, Any]]:
        if base["protocol"] != "graphql" or not isinstance(request, list | dict):
            return [base]
        operations = request if isinstance(request, list) else [request]
        responses = response if isinstance(response, list) else [response]
        rows = []
        for index, operation in enumerate(operations):
            paired = responses[index] if index < len(responses) else None
            rows.append(
                {
                    **base,
                    "request_body_json": operation,
                    "request_body": orjson.dumps(operation).decode(),
                    "response_body_json": paired,
                    "response_body": None if paired is None else orjson.dumps(paired).decode(),
                    "graphql_operation": _operation_name(operation),
                }
            )
        return rows


def _operation_name(operation: Any) -> str | None:
    if not isinstance(operation, dict):
        return None
    name = operation.get("operationName")
    if isinstance(name, str) and name:
        return name
    query = operation.get("query")
    if isinstance(query, str):
        words = query.replace("{", " { ").replace("(", " ( ").split()
        if len(words) >= 2 and words[0] in {"query", "mutation", "subscription"}:
            return words[1] if words[1] not in {"{", "("} else None
    return None
