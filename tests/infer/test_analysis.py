"""Two passes from observations to resources; hard cases end to end."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from apidisco.infer.analysis import Analysis, response_ids, response_shape
from apidisco.infer.model import ApiModel
from apidisco.infer.observation import Body, Observation, split_target
from tests.infer.support import analyse, json_body

JSON = {"content-type": "application/json"}


def _get(path: str, document: Any = None, status: int = 200, **extra: Any) -> Observation:
    return Observation(
        extra.pop("method", "GET"),
        path,
        extra.pop("protocol", "https"),
        status=status,
        response_headers=JSON,
        response_body=json_body(document) if document is not None else Body(),
        **extra,
    )


def _patterns(model: ApiModel) -> list[str]:
    return [resource.pattern for resource in model.resources]


def test_nested_resources_with_named_typed_parameters() -> None:
    traffic = [
        _get(f"/buckets/{b}/collections/{c}", {"id": c})
        for b in ("b1x9", "b2y8")
        for c in range(1, 12)
    ]
    # Word-like bucket ids: some only read, some with collections below, some both.
    traffic += [_get(f"/buckets/bucket-{n}", {"id": n}) for n in range(8)]
    traffic += [_get("/buckets/b1x9", {"id": "b1x9"})]
    model = analyse(traffic)
    assert _patterns(model) == [
        "/buckets/{bucketId}",
        "/buckets/{bucketId}/collections/{collectionId}",
    ]
    nested = model.resources[1].operations[0]
    assert [p.name for p in nested.path_parameters] == ["bucketId", "collectionId"]
    assert nested.path_parameters[1].type == "integer"


def test_one_sample_only() -> None:
    model = analyse([_get("/orders/42", {"id": 42, "lines": []})])
    assert _patterns(model) == ["/orders/{orderId}"]
    schema = model.resources[0].operations[0].responses["200"]["application/json"]
    assert schema["properties"]["lines"] == {"type": "array"}  # only ever empty: no items


def test_ids_that_look_like_words_need_numbers_of_them() -> None:
    few = analyse([_get(f"/tags/{word}", {"tag": word}) for word in ("red", "blue", "green")])
    assert _patterns(few) == ["/tags/blue", "/tags/green", "/tags/red"]
    words = ["red", "blue", "green", "teal", "pink", "gold", "gray", "navy", "plum", "rose"]
    many = analyse(
        [_get(f"/tags/{word}", {"tag": word}) for word in words] + [_get("/tags/search", [])]
    )
    assert _patterns(many) == ["/tags/search", "/tags/{tagId}"]


def test_dates_in_paths() -> None:
    model = analyse([_get(f"/reports/2026-03-{day:02}", {"n": day}) for day in (1, 2)])
    assert _patterns(model) == ["/reports/{date}"]
    assert model.resources[0].operations[0].path_parameters[0].format == "date"


def test_mixed_types_null_only_fields_and_huge_arrays() -> None:
    traffic = [
        _get("/stats", {"value": 1, "gone": None, "rows": list(range(100_000))}),
        _get("/stats", {"value": "n/a", "gone": None, "rows": []}),
    ]
    schema = analyse(traffic).resources[0].operations[0].responses["200"]["application/json"]
    assert schema["properties"]["value"]["type"] == ["integer", "string"]
    assert schema["properties"]["gone"] == {"type": "null"}
    assert schema["properties"]["rows"]["items"]["type"] == "integer"


def test_protocols_give_api_types_and_websocket_messages() -> None:
    handshake = _get("/live", None, 101, protocol="wss")
    messages = [
        Observation(
            "GET",
            "/live",
            "wss",
            message_direction="client",
            request_body=json_body({"op": "subscribe", "topic": "a"}),
        ),
        Observation(
            "GET",
            "/live",
            "wss",
            message_direction="server",
            response_body=json_body({"op": "event", "n": 1}),
        ),
        Observation(
            "GET",
            "/live",
            "wss",
            message_direction="server",
            response_body=Body("AAE=", encoding="base64"),
        ),
    ]
    graphql = _get("/graphql", {"data": {}}, method="POST", protocol="graphql")
    soap = Observation(
        "POST",
        "/soap",
        "https",
        status=200,
        request_headers={"content-type": "text/xml"},
        request_body=Body(
            '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
            "<s:Body><Ping/></s:Body></s:Envelope>"
        ),
    )
    model = analyse([handshake, *messages, graphql, soap, _get("/rest", {})])
    types = {(r.pattern, r.protocol): r.api_type for r in model.resources}
    assert types == {
        ("/graphql", "graphql"): "GraphQL",
        ("/live", "wss"): "WebSocket",
        ("/rest", "https"): "REST",
        ("/soap", "https"): "SOAP",
    }
    live = next(r for r in model.resources if r.pattern == "/live")
    assert live.methods == ["GET"]
    assert live.websocket_messages["client"]["messages"] == 1
    assert live.websocket_messages["server"]["messages"] == 2
    assert live.websocket_messages["server"]["schema"]["properties"]["op"]["type"] == "string"


def test_the_model_does_not_depend_on_the_order_of_calls() -> None:
    traffic = [_get(f"/users/{n}", {"id": n, "name": f"u{n}"}) for n in range(1, 10)]
    traffic += [_get("/users", [{"id": 1}], query=(("page", "1"),)), _get("/users/me", {"id": 1})]
    reference = [r.columns() for r in analyse(traffic).resources]
    for permutation in itertools.islice(itertools.permutations(traffic[-4:]), 6):
        shuffled = traffic[:-4] + list(permutation)
        assert [r.columns() for r in analyse(shuffled).resources] == reference


def test_columns_hold_per_method_parts_and_explain_gives_evidence() -> None:
    model = analyse(
        [_get(f"/users/{n}", {"id": n}) for n in range(1, 4)]
        + [_get("/users/1", None, 204, method="DELETE")]
    )
    columns = model.resources[0].columns()
    assert columns["methods"] == ["DELETE", "GET"]
    assert columns["response_schemas"]["DELETE"] == {"204": {}}
    assert columns["operations"]["GET"]["operationId"] == "getUser"
    assert columns["description"] == "Delete a user by userId. Get a user by userId."
    lines = model.explain()
    assert any("[{userId}] shape" in line for line in lines)
    assert any(line.startswith("GET /users/{userId} auth:") for line in lines)


def test_unused_pins_are_explained_and_calls_outside_templates_are_counted() -> None:
    model = analyse([_get("/a/1", {})], pins=["/nowhere/{x}"])
    assert model.paths.unused_pins == ("/nowhere/{x}",)
    assert any("matched no captured path" in line for line in model.explain())


def test_the_second_pass_needs_the_first() -> None:
    analysis = Analysis()
    with pytest.raises(RuntimeError):
        analysis.observe(_get("/x"))
    with pytest.raises(RuntimeError):
        analysis.model()


@pytest.mark.parametrize(
    ("document", "shape"),
    [
        ({}, "object"),
        ([], "array"),
        (None, None),
        (True, "boolean"),
        (1.5, "number"),
        ("s", "string"),
    ],
)
def test_response_shapes(document: Any, shape: str | None) -> None:
    assert response_shape(document) == shape


def test_split_target_strips_the_destination_path() -> None:
    assert split_target("https://h/api/users/1?a=1&a=2", "/api") == (
        "/users/1",
        [("a", "1"), ("a", "2")],
    )
    assert split_target("https://h/api", "/api/") == ("/", [])
    assert split_target("https://h/apis/x", "/api") == ("/apis/x", [])


@pytest.mark.parametrize(
    ("document", "ids"),
    [
        ({"id": "checkpoint"}, ("checkpoint",)),
        ([{"id": "a"}, {"id": "b"}], ("a",)),
        ({"id": 7}, ()),  # numbers are parameters by their shape already
        ({"id": "7"}, ()),
        ({"id": "a/b"}, ()),  # never a single segment
        ([], ()),
        ({"name": "x"}, ()),
        (None, ()),
    ],
)
def test_response_ids(document: Any, ids: tuple[str, ...]) -> None:
    assert response_ids(document) == ids
