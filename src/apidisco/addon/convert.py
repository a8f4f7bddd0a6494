"""mitmproxy flows → the neutral capture records of :mod:`apidisco.capture.exchange`.

Pure functions: they read a flow and return an :class:`Exchange` or a
:class:`WebSocketMessage`; :class:`~apidisco.capture.rows.RowBuilder` turns
those into rows (masking secrets, cutting bodies), exactly as it does for an
imported HAR file.

- Timestamps are the flow's own (``timestamp_start`` ...), as aware UTC, so a
  saved flow file (``mitmdump -n -r``) records when the traffic happened.
- Bodies are the bytes the application saw: decoded from their
  ``Content-Encoding`` (gzip, br, zstd ...) when that succeeds, raw otherwise.
- Headers are the pairs as sent, in order, repeated names kept.
- A WebSocket's handshake and messages carry ``ws://``/``wss://`` URLs and the
  flow id as their connection id.

:func:`state` is the cheap alternative to :func:`exchange` for the proxy's
hook: it copies references to the few raw fields of a flow that an exchange is
made of (bytes and tuples, which mitmproxy replaces rather than mutates), in
the layout of ``flow.get_state()``, and leaves decoding and building the
record to whoever reads it
(:func:`apidisco.addon.flowfile.exchange_from_state`, in the writer process).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apidisco.capture.exchange import Exchange, Headers, WebSocketMessage

if TYPE_CHECKING:  # flow files are read without importing mitmproxy's flow model
    from mitmproxy import http, websocket

__all__ = ["exchange", "headers", "message", "moment", "state", "websocket_url"]


def moment(timestamp: float) -> datetime:
    """A mitmproxy timestamp (seconds since the epoch) as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, UTC)


def _milliseconds(start: float | None, end: float | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start) * 1000))


def headers(fields: http.Headers) -> Headers:
    """Header pairs as sent, in order; bytes that are not UTF-8 are replaced, not escaped."""
    return tuple(
        (name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
        for name, value in fields.fields
    )


def _body(message: http.Message) -> bytes | None:
    if message.raw_content is None:  # streamed: mitmproxy kept nothing
        return None
    return message.get_content(strict=False)


def websocket_url(url: str) -> str:
    """``http://`` → ``ws://`` and ``https://`` → ``wss://``."""
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :]
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :]
    return url


def exchange(flow: http.HTTPFlow) -> Exchange:
    """The exchange a finished (or failed) HTTP flow recorded.

    A flow that upgraded to a WebSocket is its handshake: its URL becomes
    ``ws(s)://`` and its connection id the flow id, which every message of
    the connection carries too.
    """
    request, response = flow.request, flow.response
    is_websocket = flow.websocket is not None
    end: float | None = None
    if response is not None:
        end = response.timestamp_end or response.timestamp_start
    elif flow.error is not None:
        end = flow.error.timestamp
    return Exchange(
        method=request.method,
        url=websocket_url(request.url) if is_websocket else request.url,
        request_headers=headers(request.headers),
        request_body=_body(request),
        started=moment(request.timestamp_start),
        status=response.status_code if response is not None else None,
        response_headers=headers(response.headers) if response is not None else (),
        response_body=_body(response) if response is not None else None,
        duration_ms=_milliseconds(request.timestamp_start, end),
        error=flow.error.msg if flow.error is not None else None,
        http_version=request.http_version or None,
        websocket_connection=flow.id if is_websocket else None,
    )


def state(flow: http.HTTPFlow) -> dict[str, Any]:
    """The part of ``flow.get_state()`` an exchange is made of, without copying anything.

    :func:`apidisco.addon.flowfile.exchange_from_state` turns it into what
    :func:`exchange` returns for the same flow. Bodies stay as sent (not
    decoded), headers as mitmproxy's tuple of byte pairs, so this costs a few
    attribute reads and pickles compactly.
    """
    request, response, error = flow.request.data, flow.response, flow.error
    return {
        "id": flow.id,
        "request": {
            "host": request.host,
            "port": request.port,
            "method": request.method,
            "scheme": request.scheme,
            "path": request.path,
            "http_version": request.http_version,
            "headers": request.headers.fields,
            "content": request.content,
            "timestamp_start": request.timestamp_start,
        },
        "response": None
        if response is None
        else {
            "status_code": response.data.status_code,
            "headers": response.data.headers.fields,
            "content": response.data.content,
            "timestamp_start": response.data.timestamp_start,
            "timestamp_end": response.data.timestamp_end,
        },
        "error": None if error is None else {"msg": error.msg, "timestamp": error.timestamp},
        "websocket": None if flow.websocket is None else {},
    }


def message(flow: http.HTTPFlow, item: websocket.WebSocketMessage) -> WebSocketMessage:
    """One message of the WebSocket connection ``flow`` carries."""
    return WebSocketMessage(
        connection_id=flow.id,
        url=websocket_url(flow.request.url),
        from_client=item.from_client,
        content=item.content,
        is_text=item.is_text,
        timestamp=moment(item.timestamp),
    )
