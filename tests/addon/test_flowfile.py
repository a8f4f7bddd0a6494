"""Flow files → exchange records, built from each flow's saved state."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable

import pytest
from mitmproxy import http
from mitmproxy import io as mitmio
from mitmproxy.test import tflow, tutils

from apidisco.addon import convert
from apidisco.addon.convert import exchange_from_state, messages_from_state
from apidisco.addon.flowfile import read_flows
from apidisco.capture.exchange import Exchange
from apidisco.errors import CaptureImportError
from tests.addon.test_convert import make_flow


def _saved(*flows: object) -> io.BytesIO:
    buffer = io.BytesIO()
    writer = mitmio.FlowWriter(buffer)
    for flow in flows:
        writer.add(flow)  # type: ignore[arg-type]
    buffer.seek(0)
    return buffer


def _undecodable() -> http.HTTPFlow:
    flow = make_flow()
    assert flow.response is not None
    flow.response.headers["Content-Encoding"] = "br"
    flow.response.raw_content = b"not brotli at all"
    return flow


def _streamed() -> http.HTTPFlow:
    flow = make_flow()
    assert flow.response is not None
    flow.response.raw_content = None
    return flow


def _failed() -> http.HTTPFlow:
    flow = tflow.tflow(err=True)
    assert flow.error is not None
    flow.error.timestamp = flow.request.timestamp_start + 1.5
    return flow


def _odd_port_and_bytes() -> http.HTTPFlow:
    flow = tflow.tflow(
        req=tutils.treq(host="[::1]", port=8443, scheme=b"https", path=b"/caf\xc3\xa9?q=%20"),
        resp=True,
    )
    flow.request.headers.fields = ((b"X-Name", b"caf\xe9"),)
    return flow


def _connect() -> http.HTTPFlow:
    return tflow.tflow(req=tutils.treq(method=b"CONNECT", host="example.com", port=443, path=b""))


def _options_star() -> http.HTTPFlow:
    return tflow.tflow(req=tutils.treq(method=b"OPTIONS", path=b"*"), resp=True)


def _secure_websocket() -> http.HTTPFlow:
    flow = tflow.twebsocketflow()
    flow.request.scheme = "https"
    flow.request.port = 443
    return flow


FLOWS: dict[str, Callable[[], http.HTTPFlow]] = {
    "gzip-json": make_flow,
    "undecodable": _undecodable,
    "streamed": _streamed,
    "failed": _failed,
    "odd-port-and-bytes": _odd_port_and_bytes,
    "connect": _connect,
    "options-star": _options_star,
    "no-response": tflow.tflow,
    "websocket": tflow.twebsocketflow,
    "secure-websocket": _secure_websocket,
}


@pytest.mark.parametrize("make", FLOWS.values(), ids=FLOWS.keys())
def test_the_saved_state_gives_what_the_live_flow_gives(make: Callable[[], http.HTTPFlow]) -> None:
    flow = make()
    (record, *messages) = read_flows(_saved(flow), "saved.flows")
    assert record == convert.exchange(flow)
    live = flow.websocket.messages if flow.websocket is not None else []
    assert messages == [convert.message(flow, item) for item in live]


def test_state_functions_read_the_flows_own_state() -> None:
    flow = tflow.twebsocketflow()
    state = flow.get_state()
    assert exchange_from_state(state) == convert.exchange(flow)
    assert [m.is_text for m in messages_from_state(state)] == [False, True, True]


def test_a_flow_file_reads_as_exchanges_and_messages_skipping_other_flows() -> None:
    http_flow, ws_flow = make_flow(), tflow.twebsocketflow()
    records = list(read_flows(_saved(http_flow, tflow.ttcpflow(), ws_flow), "saved.flows"))
    assert [type(record).__name__ for record in records] == [
        "Exchange",
        "Exchange",
        "WebSocketMessage",
        "WebSocketMessage",
        "WebSocketMessage",
    ]
    assert records[0] == convert.exchange(http_flow)
    assert isinstance(records[1], Exchange)
    assert records[1].websocket_connection == ws_flow.id


def test_an_empty_file_has_no_records() -> None:
    assert list(read_flows(io.BytesIO(b""), "empty.flows")) == []


def test_a_corrupt_flow_file_names_the_file() -> None:
    with pytest.raises(CaptureImportError, match="broken.flows: flow 1"):
        list(read_flows(io.BytesIO(b"this is not a flow file"), "broken.flows"))


def test_a_damaged_second_flow_is_named() -> None:
    data = _saved(make_flow()).getvalue()
    with pytest.raises(CaptureImportError, match="cut.flows: flow 2"):
        list(read_flows(io.BytesIO(data + data[: len(data) // 2]), "cut.flows"))


def test_reading_a_flow_file_does_not_load_mitmproxys_flow_model() -> None:
    code = (
        "import io, sys\n"
        "from apidisco.addon.flowfile import read_flows\n"
        "list(read_flows(io.BytesIO(sys.stdin.buffer.read()), 'x'))\n"
        "print(sorted(m for m in ('mitmproxy.http', 'mitmproxy.io', 'mitmproxy.flow')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=_saved(make_flow()).getvalue(),
        capture_output=True,
        check=True,
    )
    assert done.stdout.decode().strip() == "[]"
