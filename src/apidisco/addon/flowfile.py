"""Reading mitmproxy flow files (``mitmdump -w``) for ``capture import`` and ``discover``.

Each HTTP flow becomes an :class:`~apidisco.capture.exchange.Exchange` (a
WebSocket flow its handshake, followed by one
:class:`~apidisco.capture.exchange.WebSocketMessage` per message), equal to
what :mod:`apidisco.addon.convert` makes of the live flow. TCP, UDP and DNS
flows carry no HTTP API and are skipped.

The records are built straight from each flow's serialized state — the
tnetstring dictionary that ``mitmdump -w`` wrote, brought to the current
format by mitmproxy's own ``migrate_flow`` — rather than through
``FlowReader``, which builds a full ``HTTPFlow`` first (connections, headers
objects, option checks): that costs more than parsing the file itself, for
objects apidisco reads a dozen fields of and drops. Importing mitmproxy's flow
model also costs about 25 MB, so the two small mitmproxy modules this needs
(the tnetstring parser and the format migrations, which import nothing of
mitmproxy's flow model) are loaded without the package that would import it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator, Mapping, Sequence
from types import ModuleType
from typing import IO, Any

from mitmproxy.net import encoding

from apidisco.addon.convert import moment, websocket_url
from apidisco.capture.exchange import Exchange, Headers, WebSocketMessage
from apidisco.errors import CaptureImportError

__all__ = ["exchange_from_state", "messages_from_state", "read_flows", "url_from_state"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TEXT_FRAME = 1  # wsproto's Opcode.TEXT


def _mitmproxy_module(name: str) -> ModuleType:
    """``mitmproxy.<name>``, loaded on its own when its package is not imported yet.

    ``mitmproxy/io/__init__.py`` imports the whole flow model; the tnetstring
    parser and the format migrations need none of it.
    """
    qualified = f"mitmproxy.{name}"
    if qualified in sys.modules or "mitmproxy.io" in sys.modules:
        return importlib.import_module(qualified)
    standalone = f"apidisco.addon._mitmproxy_{name.replace('.', '_')}"
    if standalone in sys.modules:
        return sys.modules[standalone]
    package = importlib.util.find_spec("mitmproxy")
    if package is None or not package.submodule_search_locations:  # pragma: no cover
        return importlib.import_module(qualified)
    location = f"{next(iter(package.submodule_search_locations))}/{name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(standalone, location)
    if spec is None or spec.loader is None:  # pragma: no cover - layout changed
        return importlib.import_module(qualified)
    module = importlib.util.module_from_spec(spec)
    sys.modules[standalone] = module
    spec.loader.exec_module(module)
    return module


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def _headers(fields: Sequence[Sequence[bytes]]) -> Headers:
    """Header pairs as sent; bytes that are not UTF-8 replaced, as :func:`convert.headers`."""
    return tuple(
        (name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
        for name, value in fields
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
    """The exchange an HTTP flow's serialized state records (see :func:`convert.exchange`)."""
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


def read_flows(stream: IO[bytes], name: str) -> Iterator[Exchange | WebSocketMessage]:
    """The records of every HTTP flow in ``stream``, in file order."""
    tnetstring = _mitmproxy_module("io.tnetstring")
    migrate_flow = _mitmproxy_module("io.compat").migrate_flow
    count = 0
    while True:
        try:
            loaded = tnetstring.load(stream)
        except ValueError as error:
            if str(error) == "not a tnetstring: empty file":
                return
            raise _unreadable(name, count, "invalid data format") from None
        except (TypeError, IndexError) as error:
            raise _unreadable(name, count, "invalid data format") from error
        count += 1
        if not isinstance(loaded, dict):
            raise _unreadable(name, count - 1, "not a flow")
        try:
            state = migrate_flow(loaded)
            if state.get("type") != "http":
                continue
            yield exchange_from_state(state)
            yield from messages_from_state(state)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
            raise _unreadable(name, count - 1, str(error) or type(error).__name__) from None


def _unreadable(name: str, count: int, why: str) -> CaptureImportError:
    return CaptureImportError(f"{name}: flow {count + 1} cannot be read as a mitmproxy flow: {why}")
