"""Reading HAR 1.2 files as Chrome, Firefox and mitmproxy write them, entry by entry.

The file is streamed (``ijson``): memory stays flat however many entries it
holds. Each entry becomes an :class:`~apidisco.capture.exchange.Exchange`;
Chrome's WebSocket entries (``_resourceType: websocket`` with
``_webSocketMessages``) also yield one
:class:`~apidisco.capture.exchange.WebSocketMessage` per message. A malformed
entry raises :class:`CaptureImportError` naming its position.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import urlencode

import ijson

from apidisco.capture.exchange import Exchange, Headers, WebSocketMessage
from apidisco.errors import CaptureImportError

__all__ = ["read_har"]

Record = Exchange | WebSocketMessage


def read_har(stream: IO[bytes], name: str = "HAR file") -> Iterator[Record]:
    """Yield every recorded exchange (and WebSocket message) of a HAR stream, in order."""
    index = -1
    try:
        for index, entry in enumerate(ijson.items(stream, "log.entries.item", use_float=True)):
            yield from _records(entry, index, name)
    except ijson.JSONError as error:
        where = f"after entry {index + 1}" if index >= 0 else "before the first entry"
        raise CaptureImportError(f"{name} is not valid JSON ({where}): {error}") from None
    if index < 0:
        _require_har_shape(stream, name)


def _require_har_shape(stream: IO[bytes], name: str) -> None:
    """An empty entry list is fine; a file that is not HAR at all is not."""
    stream.seek(0)
    try:
        version = next(ijson.items(stream, "log.version"), None)
    except ijson.JSONError as error:
        raise CaptureImportError(f"{name} is not valid JSON: {error}") from None
    if version is None:
        raise CaptureImportError(f"{name} is not a HAR file: it has no log.version")


def _records(entry: Any, index: int, name: str) -> Iterator[Record]:
    where = f"{name}: entry {index + 1}"
    try:
        request = entry["request"]
        response = entry.get("response") or {}
        started = _timestamp(entry["startedDateTime"])
        method = str(request["method"])
        url = str(request["url"])
    except (KeyError, TypeError, ValueError) as error:
        raise CaptureImportError(f"{where} is malformed: {_describe(error)}") from None
    status = int(response.get("status") or 0)
    is_websocket = entry.get("_resourceType") == "websocket" or status == 101
    connection = f"har-{index + 1}" if is_websocket else None
    try:
        yield Exchange(
            method=method,
            url=url,
            request_headers=_headers(request.get("headers"), where),
            request_body=_request_body(request.get("postData"), where),
            started=started,
            status=status or None,
            response_headers=_headers(response.get("headers"), where),
            response_body=_response_body(response.get("content"), where),
            duration_ms=_duration(entry.get("time")),
            error=_error(entry, response, status),
            http_version=request.get("httpVersion"),
            websocket_connection=connection,
        )
    except (TypeError, ValueError, AttributeError) as error:
        raise CaptureImportError(f"{where} is malformed: {_describe(error)}") from None
    for number, message in enumerate(entry.get("_webSocketMessages") or []):
        yield _message(
            message,
            connection or f"har-{index + 1}",
            url,
            started,
            f"{where}, WebSocket message {number + 1}",
        )


def _describe(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing {error.args[0]!r}"
    return str(error)


def _timestamp(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _duration(value: Any) -> int | None:
    if value is None or float(value) < 0:
        return None
    return round(float(value))


def _headers(items: Any, where: str) -> Headers:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise CaptureImportError(f"{where} is malformed: headers must be a list")
    return tuple(
        (str(item["name"]), str(item.get("value", "")))
        for item in items
        if not str(item["name"]).startswith(":")  # HTTP/2 pseudo-headers
    )


def _decode(text: Any, encoding: Any, where: str) -> bytes | None:
    if text is None:
        return None
    if encoding == "base64":
        try:
            return base64.b64decode(str(text), validate=True)
        except (binascii.Error, ValueError):
            raise CaptureImportError(f"{where} is malformed: body is not valid base64") from None
    return str(text).encode("utf-8")


def _request_body(post: Any, where: str) -> bytes | None:
    if not post:
        return None
    if post.get("text") is None and post.get("params"):
        return urlencode([(p["name"], p.get("value", "")) for p in post["params"]]).encode()
    return _decode(post.get("text"), post.get("encoding"), where)


def _response_body(content: Any, where: str) -> bytes | None:
    if not content:
        return None
    return _decode(content.get("text"), content.get("encoding"), where)


def _error(entry: Any, response: Any, status: int) -> str | None:
    error = entry.get("_error") or response.get("_error")
    if error:
        return str(error)
    return "no response (status 0)" if status == 0 else None


def _message(
    message: Any, connection: str, url: str, started: datetime, where: str
) -> WebSocketMessage:
    try:
        kind = message["type"]
        data = message.get("data", "")
        moment = message.get("time")
        opcode = int(message.get("opcode", 1))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise CaptureImportError(f"{where} is malformed: {_describe(error)}") from None
    if kind not in {"send", "receive"}:
        raise CaptureImportError(f"{where} is malformed: type must be send or receive")
    text = opcode == 1
    content = str(data).encode("utf-8") if text else _decode(data, "base64", where) or b""
    timestamp = datetime.fromtimestamp(float(moment), UTC) if moment is not None else started
    ws_url = url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    return WebSocketMessage(
        connection_id=connection,
        url=ws_url,
        from_client=kind == "send",
        content=content,
        is_text=text,
        timestamp=timestamp,
    )
