"""Reading HAR files: streamed, faithful, and precise about what is wrong."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from apidisco.capture.exchange import Exchange, WebSocketMessage
from apidisco.capture.har import read_har
from apidisco.errors import CaptureImportError
from tests.capture.hars import binary_entry, entry, har, websocket_entry


def test_entries_become_exchanges() -> None:
    data = har(
        entry(),
        entry(
            method="POST",
            url="https://shop.example/api/items",
            status=201,
            request_body='{"name": "x"}',
        ),
    )
    first, second = read_har(io.BytesIO(data))
    assert isinstance(first, Exchange)
    assert (first.method, first.url, first.status) == (
        "GET",
        "https://shop.example/api/items/1",
        200,
    )
    assert first.started == datetime(2026, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert first.duration_ms == 43
    assert first.response_body == b'{"id": 1}'
    assert first.request_headers == ()  # HTTP/2 pseudo-headers are dropped
    assert isinstance(second, Exchange)
    assert second.request_body == b'{"name": "x"}'


def test_base64_bodies_are_decoded() -> None:
    [record] = read_har(io.BytesIO(har(binary_entry())))
    assert isinstance(record, Exchange)
    assert record.response_body == b"\x89PNG"


def test_chrome_websocket_messages_are_read() -> None:
    handshake, sent, got, binary = read_har(io.BytesIO(har(websocket_entry())))
    assert isinstance(handshake, Exchange)
    assert handshake.websocket_connection == "har-1"
    assert isinstance(sent, WebSocketMessage)
    assert (sent.from_client, sent.content, sent.url) == (
        True,
        b'{"op": "subscribe"}',
        "wss://shop.example/live",
    )
    assert isinstance(got, WebSocketMessage)
    assert got.from_client is False
    assert isinstance(binary, WebSocketMessage)
    assert (binary.is_text, binary.content) == (False, b"\x01\x02")


def test_a_failed_request_carries_its_error() -> None:
    failed = entry(status=0, body=None, _error="net::ERR_CONNECTION_REFUSED")
    [record] = read_har(io.BytesIO(har(failed)))
    assert isinstance(record, Exchange)
    assert (record.status, record.error) == (None, "net::ERR_CONNECTION_REFUSED")


def test_an_empty_har_has_no_records() -> None:
    assert list(read_har(io.BytesIO(har()))) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            har(entry(), {"request": {"url": "x"}}),
            "entry 2 is malformed: missing 'startedDateTime'",
        ),
        (
            har(entry(), entry(headers=None) | {"request": {"method": "GET"}}),
            "entry 2 is malformed: missing 'url'",
        ),
        (b'{"log": {"entries": [', "is not valid JSON"),
        (b'{"something": "else"}', "is not a HAR file"),
    ],
)
def test_malformed_files_name_the_entry(data: bytes, message: str) -> None:
    with pytest.raises(CaptureImportError, match=message):
        list(read_har(io.BytesIO(data), "capture.har"))
