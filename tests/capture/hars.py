"""Building HAR documents for tests, shaped as Chrome and Firefox write them."""

from __future__ import annotations

import base64
from typing import Any

import orjson


def entry(
    method: str = "GET",
    url: str = "https://shop.example/api/items/1",
    status: int = 200,
    body: str | None = '{"id": 1}',
    request_body: str | None = None,
    headers: list[tuple[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    content: dict[str, Any] = {"size": len(body or ""), "mimeType": "application/json"}
    if body is not None:
        content["text"] = body
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/2",
        "headers": [{"name": k, "value": v} for k, v in (headers or [(":authority", "x")])],
        "queryString": [],
        "cookies": [],
        "headersSize": -1,
        "bodySize": -1,
    }
    if request_body is not None:
        request["postData"] = {"mimeType": "application/json", "text": request_body}
    return {
        "startedDateTime": "2026-03-01T10:00:00.123Z",
        "time": 42.6,
        "request": request,
        "response": {
            "status": status,
            "statusText": "OK",
            "httpVersion": "HTTP/2",
            "headers": [{"name": "content-type", "value": "application/json"}],
            "cookies": [],
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 40, "receive": 2},
        **extra,
    }


def binary_entry() -> dict[str, Any]:
    item = entry(url="https://shop.example/logo.png", body=None)
    item["response"]["content"] = {
        "size": 4,
        "mimeType": "image/png",
        "encoding": "base64",
        "text": base64.b64encode(b"\x89PNG").decode(),
    }
    return item


def websocket_entry() -> dict[str, Any]:
    item = entry(url="https://shop.example/live", status=101, body=None, _resourceType="websocket")
    item["_webSocketMessages"] = [
        {"type": "send", "time": 1772359200.5, "opcode": 1, "data": '{"op": "subscribe"}'},
        {"type": "receive", "time": 1772359200.6, "opcode": 1, "data": '{"op": "event", "n": 1}'},
        {
            "type": "receive",
            "time": 1772359200.7,
            "opcode": 2,
            "data": base64.b64encode(b"\x01\x02").decode(),
        },
    ]
    return item


def har(*entries: dict[str, Any]) -> bytes:
    return orjson.dumps(
        {
            "log": {
                "version": "1.2",
                "creator": {"name": "test", "version": "1"},
                "pages": [],
                "entries": list(entries),
            }
        }
    )
