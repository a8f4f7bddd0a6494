"""Flows → exchange records: timestamps, headers, bodies, errors, WebSockets."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from mitmproxy import http
from mitmproxy.test import tflow, tutils
from wsproto.frame_protocol import Opcode

from apidisco.addon import convert
from apidisco.capture.exchange import Exchange, WebSocketMessage
from apidisco.capture.rows import RowBuilder


def make_flow() -> http.HTTPFlow:
    request = tutils.treq(
        method=b"POST",
        scheme=b"https",
        host="api.example.com",
        port=443,
        path=b"/v1/items?page=2",
        headers=http.Headers(
            [
                (b"Content-Type", b"application/json"),
                (b"Authorization", b"Bearer s3cret-token"),
                (b"Accept", b"application/json"),
                (b"Accept", b"text/plain"),
            ]
        ),
        content=b'{"name": "pen"}',
        timestamp_start=1_700_000_000.25,
        timestamp_end=1_700_000_000.30,
    )
    response = tutils.tresp(
        status_code=201,
        headers=http.Headers(
            [
                (b"Content-Type", b"application/json"),
                (b"Content-Encoding", b"gzip"),
                (b"Set-Cookie", b"a=1; Path=/"),
                (b"Set-Cookie", b"b=2; Path=/"),
            ]
        ),
        content=gzip.compress(b'{"id": 7}'),
        timestamp_start=1_700_000_000.40,
        timestamp_end=1_700_000_000.5,
    )
    return tflow.tflow(req=request, resp=response)


def test_an_http_flow_becomes_an_exchange() -> None:
    record = convert.exchange(make_flow())
    assert record == Exchange(
        method="POST",
        url="https://api.example.com/v1/items?page=2",
        request_headers=(
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer s3cret-token"),
            ("Accept", "application/json"),
            ("Accept", "text/plain"),
        ),
        request_body=b'{"name": "pen"}',
        started=datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=UTC),
        status=201,
        response_headers=(
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2; Path=/"),
        ),
        response_body=b'{"id": 7}',  # decoded from gzip
        duration_ms=250,
        error=None,
        http_version="HTTP/1.1",
        websocket_connection=None,
    )


def test_timestamps_are_aware_utc() -> None:
    moment = convert.moment(0.5)
    assert moment.tzinfo is UTC
    assert moment == datetime(1970, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)


def test_a_body_that_cannot_be_decoded_is_kept_raw() -> None:
    flow = make_flow()
    assert flow.response is not None
    flow.response.headers["Content-Encoding"] = "br"
    flow.response.raw_content = b"not brotli at all"
    assert convert.exchange(flow).response_body == b"not brotli at all"


def test_a_streamed_body_is_absent_not_empty() -> None:
    flow = make_flow()
    assert flow.response is not None
    flow.response.raw_content = None
    assert convert.exchange(flow).response_body is None


def test_header_bytes_that_are_not_utf8_are_replaced() -> None:
    flow = make_flow()
    flow.request.headers.fields = ((b"X-Name", b"caf\xe9"),)
    assert convert.exchange(flow).request_headers == (("X-Name", "caf\ufffd"),)


def test_a_failed_flow_has_its_error_and_no_status() -> None:
    flow = tflow.tflow(err=True)
    flow.error = tflow.terr("Connection refused")
    flow.error.timestamp = flow.request.timestamp_start + 1.5
    record = convert.exchange(flow)
    assert record.status is None
    assert record.response_headers == ()
    assert record.response_body is None
    assert record.error == "Connection refused"
    assert record.duration_ms == 1500


def test_a_websocket_handshake_carries_the_connection_id() -> None:
    flow = tflow.twebsocketflow()
    flow.request.scheme = "https"
    flow.request.port = 443
    record = convert.exchange(flow)
    assert record.url == "wss://example.com/ws"
    assert record.status == 101
    assert record.websocket_connection == flow.id


def test_websocket_messages_keep_direction_kind_and_time() -> None:
    flow = tflow.twebsocketflow()
    assert flow.websocket is not None
    binary, text, reply = flow.websocket.messages
    assert convert.message(flow, binary) == WebSocketMessage(
        connection_id=flow.id,
        url="ws://example.com/ws",
        from_client=True,
        content=b"hello binary",
        is_text=False,
        timestamp=convert.moment(binary.timestamp),
    )
    assert convert.message(flow, text).is_text
    assert not convert.message(flow, reply).from_client
    assert binary.type is Opcode.BINARY


def test_the_exchange_feeds_the_row_builder_with_secrets_masked() -> None:
    (row,) = RowBuilder("e1").exchange(convert.exchange(make_flow())).rows
    assert row["request_headers"]["authorization"].startswith("Bearer ‹masked:")
    assert row["request_headers"]["accept"] == ["application/json", "text/plain"]
    assert row["response_body_json"] == {"id": 7}
    assert row["query_params"] == {"page": "2"}
    assert row["protocol"] == "https"
