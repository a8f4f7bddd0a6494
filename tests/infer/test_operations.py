"""One operation folded from its calls."""

from __future__ import annotations

from typing import Any

import orjson

from apidisco.infer.observation import Body, Observation
from apidisco.infer.operations import OperationBuilder, is_rate_limit_header
from apidisco.infer.summaries import name_operation
from tests.infer.support import json_body

JSON = {"content-type": "application/json"}


def _call(
    status: int | None = 200,
    document: Any = None,
    *,
    path: str = "/items",
    query: tuple[tuple[str, str], ...] = (),
    request_headers: dict[str, Any] | None = None,
    response_headers: dict[str, Any] | None = None,
    request: Any = None,
    error: str | None = None,
) -> Observation:
    return Observation(
        "GET",
        path,
        query=query,
        status=status,
        request_headers=request_headers or ({**JSON} if request is not None else {}),
        response_headers=response_headers if response_headers is not None else dict(JSON),
        request_body=json_body(request) if request is not None else Body(),
        response_body=Body(orjson.dumps(document).decode(), document)
        if document is not None
        else Body(),
        error=error,
    )


def _build(*calls: Observation, method: str = "GET", template: str = "/items") -> Any:
    builder = OperationBuilder(method, template)
    for call in calls:
        builder.add(call)
    return builder.build(name_operation(method, template), ())


def test_responses_per_status_and_media_type_never_invented() -> None:
    operation = _build(
        _call(200, {"id": 1}),
        _call(204, response_headers={}),
        _call(404, response_headers={"content-type": "text/html"}, document=None),
        _call(None, error="connection refused"),
    )
    assert set(operation.responses) == {"200", "204", "404"}
    assert operation.responses["204"] == {}
    assert operation.responses["404"] == {}  # no body seen: none described
    assert operation.failed == 1
    assert operation.calls == 4


def test_query_parameters_typed_with_presence() -> None:
    operation = _build(
        _call(200, [], query=(("limit", "10"), ("q", "a"))),
        _call(200, [], query=(("limit", "20"),)),
    )
    query = {parameter.name: parameter for parameter in operation.query}
    assert query["limit"].required
    assert query["limit"].schema["type"] == "integer"
    assert not query["q"].required
    parameters = operation.parameters()
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
        ("limit", "query", True),
        ("q", "query", False),
    ]


def test_common_request_headers_exclude_transport_and_credentials() -> None:
    headers = {
        "x-client-version": "3.2",
        "authorization": "Bearer ‹masked:0123abcd›",
        "user-agent": "curl",
        "content-length": "0",
        "sec-fetch-mode": "cors",
        "x-forwarded-for": "1.2.3.4",
    }
    rare = {**headers, "x-debug": "1"}
    operation = _build(
        _call(200, {}, request_headers=headers),
        _call(200, {}, request_headers=headers),
        _call(200, {}, request_headers=rare),
    )
    assert [header.name for header in operation.request_headers] == ["x-client-version"]
    assert operation.request_headers[0].required


def test_response_headers_keep_rate_limits_even_when_rare() -> None:
    common = {**JSON, "etag": '"abc"', "date": "Mon", "server": "x"}
    limited = {**common, "x-ratelimit-remaining": "59", "retry-after": "30"}
    operation = _build(
        *[_call(200, {}, response_headers=common) for _ in range(5)],
        _call(429, {}, response_headers=limited),
    )
    names = {header.name: header for header in operation.response_headers}
    assert set(names) == {"etag", "x-ratelimit-remaining", "retry-after"}
    assert names["x-ratelimit-remaining"].rate_limit
    assert names["x-ratelimit-remaining"].as_dict()["rateLimit"] is True
    assert is_rate_limit_header("ratelimit-reset")
    assert not is_rate_limit_header("etag")


def test_request_bodies_and_whether_they_are_required() -> None:
    operation = _build(
        _call(201, {"id": 1}, request={"name": "a"}),
        _call(201, {"id": 2}, request={"name": "b", "tags": ["x"]}),
        method="POST",
    )
    schema = operation.request_bodies["application/json"]
    assert schema["required"] == ["name"]
    assert operation.request_body_required
    optional = _build(_call(200, {}, request={"a": 1}), _call(200, {}), method="POST")
    assert not optional.request_body_required


def test_the_example_is_the_smallest_success_whatever_the_order() -> None:
    calls = [
        _call(200, {"id": 1, "name": "a long name"}, path="/items/1"),
        _call(200, {"id": 2}, path="/items/2"),
        _call(500, {}, path="/items/3"),
    ]
    first = _build(*calls).example
    second = _build(*reversed(calls)).example
    assert first == second
    assert first == {
        "request": {"path": "/items/2"},
        "response": {"status": 200, "body": {"id": 2}},
    }


def test_examples_are_trimmed() -> None:
    operation = _build(_call(200, {"items": list(range(100)), "text": "y" * 1000}))
    body = operation.example["response"]["body"]
    assert body["items"] == [0, 1, 2]
    assert len(body["text"]) == 201
