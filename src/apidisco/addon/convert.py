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

:func:`state` copies references to the few raw fields of a flow that an
exchange is made of (bytes and tuples, which mitmproxy replaces rather than
mutates), in the layout of ``flow.get_state()``; :func:`exchange_from_state`
decodes and builds the record from that, or from a state a flow file holds
(:mod:`apidisco.addon.flowfile`). The proxy's hook only calls :func:`state`
and leaves the rest to the writer process; :func:`exchange` is both in one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apidisco.capture.exchange import Exchange, Headers, WebSocketMessage

if TYPE_CHECKING:  # flow files are read without importing mitmproxy's flow model
    from mitmproxy import http, websocket

__all__ = [
    "exchange",
    "exchange_from_state",
    "message",
    "messages_from_state",
    "moment",
    "state",
    "url_from_state",
    "websocket_url",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TEXT_FRAME = 1  # wsproto's Opcode.TEXT


def moment(timestamp: float) -> datetime:
    """A mitmproxy timestamp (seconds since the epoch) as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, UTC)


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
    return exchange_from_state(state(flow))


def state(flow: http.HTTPFlow) -> dict[str, Any]:
    """The part of ``flow.get_state()`` an exchange is made of, without copying anything.

    :func:`apidisco.addon.convert.exchange_from_state` turns it into what
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


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def _headers(fields: Sequence[Sequence[bytes]]) -> Headers:
    """Header pairs as sent, in order; bytes that are not UTF-8 are replaced, not escaped."""
    return tuple(
        [
            (name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
            for name, value in fields
        ]
    )


def _body(message: Mapping[str, Any]) -> bytes | None:
    """The body as the application saw it: decoded from its Content-Encoding if that works."""
    raw: bytes | None = message["content"]
    if raw is None:  # streamed: mitmproxy kept nothing
        return None
    codings = [
        value.decode("utf-8", "surrogateescape")
        for name, value in message["headers"]
        if name.lower() == b"content-encoding"
    ]
    if not codings or not (coding := ", ".join(codings)):
        return raw
    from mitmproxy.net import encoding  # with gzip, brotli and zstd: for encoded bodies only

    try:
        decoded = encoding.decode(raw, coding)
    except ValueError:
        return raw
    return decoded if isinstance(decoded, bytes) else raw


def _url(request: Mapping[str, Any]) -> str:
    """``Request.url``: the CONNECT authority, or scheme, host, port (unless default) and path."""
    host, port = request["host"], request["port"]
    if _text(request["method"]).upper() == "CONNECT":
        return f"{host}:{port}"
    scheme = _text(request["scheme"])
    path = _text(request["path"])
    authority = host if _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    return f"{scheme}://{authority}{'' if path == '*' else path}"


def url_from_state(state: Mapping[str, Any]) -> str:
    """The URL :func:`exchange_from_state` records for an HTTP flow's state."""
    url = _url(state["request"])
    return websocket_url(url) if state.get("websocket") is not None else url


def exchange_from_state(state: Mapping[str, Any]) -> Exchange:
    """The exchange an HTTP flow's state (:func:`state`, or a flow file's) records."""
    request, response = state["request"], state["response"]
    error = state.get("error")
    is_websocket = state.get("websocket") is not None
    end: float | None = None
    if response is not None:
        end = response["timestamp_end"] or response["timestamp_start"]
    elif error is not None:
        end = error["timestamp"]
    start = request["timestamp_start"]
    return Exchange(
        method=_text(request["method"]).upper(),
        url=url_from_state(state),
        request_headers=_headers(request["headers"]),
        request_body=_body(request),
        started=moment(start),
        status=response["status_code"] if response is not None else None,
        response_headers=_headers(response["headers"]) if response is not None else (),
        response_body=_body(response) if response is not None else None,
        duration_ms=None if start is None or end is None else max(0, round((end - start) * 1000)),
        error=error["msg"] if error is not None else None,
        http_version=_text(request["http_version"]) or None,
        websocket_connection=state["id"] if is_websocket else None,
    )


def messages_from_state(state: Mapping[str, Any]) -> Iterator[WebSocketMessage]:
    """The messages of the WebSocket connection an HTTP flow's state holds, if any."""
    websocket = state.get("websocket")
    if websocket is None:
        return
    url = websocket_url(_url(state["request"]))
    for kind, from_client, content, timestamp, *_ in websocket["messages"]:
        yield WebSocketMessage(
            connection_id=state["id"],
            url=url,
            from_client=bool(from_client),
            content=content,
            is_text=kind == _TEXT_FRAME,
            timestamp=moment(timestamp),
        )
