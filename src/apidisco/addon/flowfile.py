"""Reading mitmproxy flow files (``mitmdump -w``) for ``apidisco capture import``.

Each HTTP flow becomes an :class:`~apidisco.capture.exchange.Exchange` (a
WebSocket flow its handshake, followed by one
:class:`~apidisco.capture.exchange.WebSocketMessage` per message), converted
exactly as the live :class:`~apidisco.addon.recorder.Recorder` converts them.
TCP, UDP and DNS flows carry no HTTP API and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, BinaryIO, cast

from mitmproxy import exceptions, http, io

from apidisco.addon import convert
from apidisco.capture.exchange import Exchange, WebSocketMessage
from apidisco.errors import CaptureImportError

__all__ = ["read_flows"]


def read_flows(stream: IO[bytes], name: str) -> Iterator[Exchange | WebSocketMessage]:
    """The records of every HTTP flow in ``stream``, in file order."""
    count = 0
    try:
        for flow in io.FlowReader(cast(BinaryIO, stream)).stream():
            count += 1
            if not isinstance(flow, http.HTTPFlow):
                continue
            yield convert.exchange(flow)
            if flow.websocket is not None:
                for item in flow.websocket.messages:
                    yield convert.message(flow, item)
    except exceptions.FlowReadException as error:
        raise CaptureImportError(
            f"{name}: flow {count + 1} cannot be read as a mitmproxy flow: {error}"
        ) from None
