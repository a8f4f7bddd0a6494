"""Exchanges and messages become rows exactly as the capture contract says."""

from __future__ import annotations

import base64
import urllib.parse
from datetime import UTC, datetime

import orjson
import pytest

from apidisco.capture.exchange import Exchange, WebSocketMessage
from apidisco.capture.rows import RowBuilder
from apidisco.capture.secrets import fingerprint

MOMENT = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
JSON = (("Content-Type", "application/json"),)


def exchange(**changes: object) -> Exchange:
    values: dict[str, object] = {
        "method": "get",
        "url": "https://shop.example/api/items?page=2&tag=a&tag=b",
        "request_headers": (("Accept", "application/json"),),
        "request_body": None,
        "started": MOMENT,
        "status": 200,
        "response_headers": JSON,
        "response_body": b'{"items": [1, 2]}',
        "duration_ms": 12,
    }
    values.update(changes)
    return Exchange(**values)  # type: ignore[arg-type]


def test_an_http_exchange_is_one_row_with_every_field() -> None:
    [row] = RowBuilder("e1").exchange(exchange()).rows
    assert row["endpoint_id"] == "e1"
    assert (row["method"], row["protocol"], row["response_status"]) == ("GET", "https", 200)
    assert row["query_params"] == {"page": "2", "tag": ["a", "b"]}
    assert row["response_body_json"] == {"items": [1, 2]}
    assert row["response_headers"] == {"content-type": "application/json"}
    assert (row["timestamp"], row["duration"]) == (MOMENT, 12)
    assert row["request_body"] is None
    assert row["error"] is None
    assert row["cors_headers"] is None


def test_every_row_has_the_same_columns() -> None:
    builder = RowBuilder("e1")
    http = builder.exchange(exchange()).rows[0]
    message = builder.message(WebSocketMessage("c", "wss://x/ws", True, b"hi", True, MOMENT)).rows[
        0
    ]
    assert set(http) == set(message)


def test_a_url_without_secrets_is_stored_as_sent() -> None:
    url = "https://shop.example/search?q=red%20shoes&size=&page=2"
    [row] = RowBuilder("e1").exchange(exchange(url=url)).rows
    assert row["url"] == url
    assert row["query_params"] == {"q": "red shoes", "size": "", "page": "2"}


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example/items?",  # an empty query, which parsing and unparsing drop
        "https://shop.example/items?#top",
    ],
)
def test_a_url_without_secrets_keeps_what_reparsing_would_normalise(url: str) -> None:
    assert urllib.parse.urlunsplit(urllib.parse.urlsplit(url)) != url
    [row] = RowBuilder("e1").exchange(exchange(url=url)).rows
    assert row["url"] == url
    message = WebSocketMessage("c", url.replace("https", "wss"), True, b"hi", True, MOMENT)
    assert RowBuilder("e1").message(message).rows[0]["url"] == url.replace("https", "wss")


def test_sensitive_header_names_are_masked_in_any_case_and_others_kept() -> None:
    headers = (("AUTHORIZATION", "Bearer t0k3n"), ("X-Trace", "abc"), ("x-api-key", "k1"))
    [row] = RowBuilder("e1").exchange(exchange(request_headers=headers)).rows
    assert row["request_headers"] == {
        "authorization": f"Bearer ‹masked:{fingerprint('t0k3n')}›",
        "x-trace": "abc",
        "x-api-key": f"‹masked:{fingerprint('k1')}›",
    }


def test_a_url_with_a_secret_has_only_its_query_rewritten() -> None:
    url = "https://shop.example/search?q=red%20shoes&api_key=k1"
    [row] = RowBuilder("e1").exchange(exchange(url=url)).rows
    masked = f"‹masked:{fingerprint('k1')}›"
    quoted = urllib.parse.quote(masked, safe=":")
    assert row["url"] == f"https://shop.example/search?q=red+shoes&api_key={quoted}"
    assert row["query_params"] == {"q": "red shoes", "api_key": masked}


def test_a_json_body_without_secrets_is_stored_as_sent() -> None:
    body = b'{ "items": [1, 2],\n  "name": "caf\xc3\xa9" }'
    [row] = RowBuilder("e1").exchange(exchange(response_body=body)).rows
    assert row["response_body"] == body.decode()
    assert row["response_body_json"] == {"items": [1, 2], "name": "café"}


def test_a_json_body_with_a_secret_is_stored_masked() -> None:
    body = b'{ "user": "ann", "password": "hunter2" }'
    [row] = RowBuilder("e1").exchange(exchange(response_body=body)).rows
    masked = f"‹masked:{fingerprint('hunter2')}›"
    assert orjson.loads(row["response_body"]) == {"user": "ann", "password": masked}
    assert row["response_body_json"] == {"user": "ann", "password": masked}


def test_secrets_are_masked_everywhere_and_kept_only_on_request() -> None:
    headers = (("Authorization", "Bearer tok"), ("Content-Type", "application/json"))
    source = exchange(
        method="POST",
        url="https://shop.example/login?api_key=k1",
        request_headers=headers,
        request_body=b'{"user": "ann", "password": "hunter2"}',
        response_headers=(("Set-Cookie", "sid=s1; HttpOnly"), *JSON),
    )
    batch = RowBuilder("e1").exchange(source)
    [row] = batch.rows
    text = orjson.dumps(row, default=str).decode()
    for secret in ("tok", "k1", "hunter2", "s1"):
        assert f'"{secret}"' not in text
        assert f"={secret}" not in text
        assert f" {secret}" not in text
    assert row["request_headers"]["authorization"] == f"Bearer ‹masked:{fingerprint('tok')}›"
    assert row["request_body_json"]["password"] == f"‹masked:{fingerprint('hunter2')}›"
    assert "hunter2" not in row["request_body"]
    assert batch.secrets == {}
    kept = RowBuilder("e1", keep_secrets=True).exchange(source).secrets
    assert set(kept.values()) == {"tok", "k1", "hunter2", "s1"}


def test_form_bodies_are_masked() -> None:
    source = exchange(
        method="POST",
        request_headers=(("Content-Type", "application/x-www-form-urlencoded"),),
        request_body=b"user=ann&password=hunter2",
    )
    [row] = RowBuilder("e1").exchange(source).rows
    assert "hunter2" not in row["request_body"]
    assert row["request_body"].startswith("user=ann&password=")


def test_large_bodies_are_cut_and_flagged() -> None:
    body = b'{"data": "' + b"x" * 100 + b'"}'
    [row] = RowBuilder("e1", max_body=50).exchange(exchange(response_body=body)).rows
    assert row["response_body_truncated"] is True
    assert len(row["response_body"]) == 50
    assert row["response_body_json"] is None  # a cut document is not parsed


def test_binary_bodies_are_stored_base64_never_as_garbage_text() -> None:
    png = bytes(range(256))
    source = exchange(response_headers=(("Content-Type", "image/png"),), response_body=png)
    [row] = RowBuilder("e1").exchange(source).rows
    assert row["response_body_encoding"] == "base64"
    assert base64.b64decode(row["response_body"]) == png


def test_an_upstream_failure_is_recorded_with_its_error() -> None:
    source = exchange(
        status=None, response_headers=(), response_body=None, error="connection refused"
    )
    [row] = RowBuilder("e1").exchange(source).rows
    assert (row["response_status"], row["error"]) == (None, "connection refused")


def test_a_preflight_keeps_its_cors_headers() -> None:
    source = exchange(
        method="OPTIONS",
        request_headers=(
            ("Origin", "https://app.example"),
            ("Access-Control-Request-Method", "PUT"),
        ),
        status=204,
        response_headers=(
            ("Access-Control-Allow-Origin", "https://app.example"),
            ("Access-Control-Allow-Methods", "GET, PUT"),
        ),
        response_body=None,
    )
    [row] = RowBuilder("e1").exchange(source).rows
    assert row["cors_headers"] == {
        "access-control-allow-origin": "https://app.example",
        "access-control-allow-methods": "GET, PUT",
        "origin": "https://app.example",
        "access-control-request-method": "PUT",
        "preflight": True,
    }


def test_a_graphql_batch_gives_one_row_per_operation() -> None:
    body = orjson.dumps(
        [
            {"query": "query Me { me { id } }"},
            {
                "operationName": "Rename",
                "query": "mutation Rename($n: String) { rename(n: $n) }",
                "variables": {"n": "x"},
            },
        ]
    )
    answer = orjson.dumps([{"data": {"me": {"id": 1}}}, {"data": {"rename": True}}])
    source = exchange(
        method="POST",
        url="https://shop.example/graphql",
        request_headers=JSON,
        request_body=body,
        response_body=answer,
    )
    rows = RowBuilder("e1").exchange(source).rows
    assert [r["protocol"] for r in rows] == ["graphql", "graphql"]
    assert [r["graphql_operation"] for r in rows] == ["Me", "Rename"]
    assert rows[1]["request_body_json"]["variables"] == {"n": "x"}
    assert rows[0]["response_body_json"] == {"data": {"me": {"id": 1}}}


@pytest.mark.parametrize(
    ("url", "body", "protocol"),
    [
        ("https://x/graphql?query=%7B%20me%20%7D", None, "graphql"),
        ("https://x/q", b'{"extensions": {"persistedQuery": {"sha256Hash": "ab"}}}', "graphql"),
        ("https://x/search", b'{"query": "red shoes"}', "https"),
        ("http://x/plain", None, "http"),
    ],
)
def test_graphql_is_recognised_by_payload(url: str, body: bytes | None, protocol: str) -> None:
    method = "POST" if body else "GET"
    source = exchange(method=method, url=url, request_headers=JSON, request_body=body)
    assert RowBuilder("e1").exchange(source).rows[0]["protocol"] == protocol


def test_grpc_is_recognised() -> None:
    source = exchange(
        method="POST",
        request_headers=(("Content-Type", "application/grpc"),),
        request_body=b"\x00\x00\x00\x00\x02\x08\x01",
        response_headers=(("Content-Type", "application/grpc"),),
        response_body=b"\x00\x00\x00\x00\x00",
    )
    [row] = RowBuilder("e1").exchange(source).rows
    assert row["protocol"] == "grpc"
    assert row["request_body_encoding"] == "base64"


def test_websocket_handshake_and_messages() -> None:
    builder = RowBuilder("e1")
    [handshake] = builder.exchange(
        exchange(url="https://x/ws", status=101, response_body=None, websocket_connection="c1")
    ).rows
    assert (handshake["protocol"], handshake["connection_id"]) == ("wss", "c1")
    [sent] = builder.message(
        WebSocketMessage("c1", "wss://x/ws", True, b'{"op": "sub", "token": "t"}', True, MOMENT)
    ).rows
    [got] = builder.message(
        WebSocketMessage("c1", "wss://x/ws", False, b"\x00\xff", False, MOMENT)
    ).rows
    assert (sent["message_direction"], sent["response_status"]) == ("client", None)
    assert sent["request_body_json"]["op"] == "sub"
    assert sent["request_body_json"]["token"].startswith("‹masked:")
    assert (got["message_direction"], got["response_body_encoding"]) == ("server", "base64")
    assert got["request_body"] is None
