"""AsyncAPI 3.0 documents from WebSocket endpoints: valid, named, deterministic.

Every document built here is validated against the vendored AsyncAPI 3.0.0
JSON Schema (:func:`_document`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from apidisco.infer.asyncapi import ASYNCAPI_VERSION, _Builder, build_asyncapi, draft07_schema
from apidisco.infer.openapi import ApiDescription
from apidisco.infer.websocket import WebSocketMessages
from apidisco.services.asyncapi_validation import validate_asyncapi

Message = tuple[str, Any, bool, str | None]


def _messages(messages: list[Message]) -> dict[str, Any]:
    builder = WebSocketMessages()
    for direction, document, text, connection in messages:
        builder.add(direction, document, text=text, connection_id=connection)
    return builder.build()


def _row(pattern: str, messages: dict[str, Any] | None, protocol: str = "wss") -> dict[str, Any]:
    return {
        "pattern": pattern,
        "protocol": protocol,
        "methods": ["GET"],
        "api_type": "WebSocket",
        "websocket_messages": messages,
    }


def _document(*rows: dict[str, Any], servers: tuple[str, ...] = ()) -> dict[str, Any]:
    api = ApiDescription(title="Live", version="1.2.0", resources=list(rows), servers=servers)
    document = build_asyncapi(api)
    assert validate_asyncapi(document) == []
    return document


def _ticker() -> dict[str, Any]:
    messages: list[Message] = []
    for connection in ("a", "b"):
        for number in range(3):
            messages.append(("client", {"type": "subscribe", "id": number}, True, connection))
            messages.append(("server", {"type": "subscribed", "id": number}, True, connection))
        messages.append(("server", {"type": "tick", "price": 2.5}, True, connection))
    return _messages(messages)


def _refs(entries: list[dict[str, str]]) -> list[str]:
    return [entry["$ref"].rsplit("/", 1)[-1] for entry in entries]


def test_kinds_become_messages_of_a_channel_with_send_and_receive() -> None:
    document = _document(_row("/ws/{room}", _ticker()), servers=("https://api.example.com/v2",))
    assert document["asyncapi"] == ASYNCAPI_VERSION == "3.0.0"
    assert document["info"] == {"title": "Live", "version": "1.2.0"}
    assert document["servers"] == {
        "wss": {"host": "api.example.com", "protocol": "wss", "pathname": "/v2"}
    }
    channel = document["channels"]["wsRoom"]
    assert channel["address"] == "/ws/{room}"
    assert channel["parameters"] == {"room": {"description": "The `room` path segment."}}
    assert channel["servers"] == [{"$ref": "#/servers/wss"}]
    assert sorted(channel["messages"]) == ["SubscribeMessage", "SubscribedMessage", "TickMessage"]
    send = document["operations"]["sendWsRoom"]
    assert send["action"] == "send"
    assert send["channel"] == {"$ref": "#/channels/wsRoom"}
    assert send["messages"] == [{"$ref": "#/channels/wsRoom/messages/SubscribeMessage"}]
    receive = document["operations"]["receiveWsRoom"]
    assert receive["action"] == "receive"
    assert _refs(receive["messages"]) == ["SubscribedMessage", "TickMessage"]
    subscribe = document["components"]["messages"]["SubscribeMessage"]
    assert subscribe["contentType"] == "application/json"
    assert subscribe["name"] == "subscribe"
    assert subscribe["payload"]["properties"]["type"] == {"type": "string", "const": "subscribe"}


def test_paired_replies_get_a_correlation_id_and_a_reply() -> None:
    document = _document(_row("/ws/{room}", _ticker()))
    messages = document["components"]["messages"]
    location = {"location": "$message.payload#/id"}
    assert messages["SubscribeMessage"]["correlationId"] == location
    assert messages["SubscribedMessage"]["correlationId"] == location
    assert "correlationId" not in messages["TickMessage"]
    reply = document["operations"]["sendWsRoom"]["reply"]
    assert reply["channel"] == {"$ref": "#/channels/wsRoom"}
    assert _refs(reply["messages"]) == ["SubscribedMessage"]
    description = document["channels"]["wsRoom"]["description"]
    assert description == (
        "The client usually sends the first message. "
        "A server message with a client message's `id` is the reply to it."
    )


def test_without_a_discriminator_each_direction_is_one_message() -> None:
    messages = _messages(
        [
            ("server", {"price": 1}, True, "a"),
            ("client", {"symbol": "X"}, True, "a"),
        ]
    )
    document = _document(_row("/stream", messages))
    assert sorted(document["components"]["messages"]) == ["ClientMessage", "ServerMessage"]
    assert document["channels"]["stream"]["description"] == (
        "The server usually sends the first message."
    )
    server = document["components"]["messages"]["ServerMessage"]
    assert server["payload"]["required"] == ["price"]
    assert "servers" not in document
    assert "servers" not in document["channels"]["stream"]


def test_binary_and_plain_text_frames_are_messages_of_their_own() -> None:
    messages = _messages(
        [
            ("server", None, False, "a"),
            ("client", None, True, "a"),
            ("client", {"q": 1}, True, "a"),
        ]
    )
    components = _document(_row("/feed", messages))["components"]["messages"]
    assert components["ServerBinaryMessage"]["contentType"] == "application/octet-stream"
    assert components["ServerBinaryMessage"]["payload"] == {"type": "string", "format": "binary"}
    assert components["ClientTextMessage"]["contentType"] == "text/plain"
    assert components["ClientMessage"]["contentType"] == "application/json"
    assert sorted(components) == ["ClientMessage", "ClientTextMessage", "ServerBinaryMessage"]


def test_binary_only_endpoint() -> None:
    messages = _messages([("server", None, False, "a"), ("client", None, False, "a")])
    document = _document(_row("/bin", messages, protocol="ws"), servers=("http://h:8080",))
    assert sorted(document["components"]["messages"]) == [
        "ClientBinaryMessage",
        "ServerBinaryMessage",
    ]
    assert document["servers"] == {"ws": {"host": "h:8080", "protocol": "ws"}}


def test_json_in_binary_frames_is_noted() -> None:
    messages = _messages([("client", {"a": 1}, False, None), ("client", {"a": 2}, True, None)])
    message = _document(_row("/mix", messages))["components"]["messages"]["ClientMessage"]
    assert message["description"] == "Text and binary frames."
    binary = _messages([("client", {"a": 1}, False, None)])
    message = _document(_row("/bin", binary))["components"]["messages"]["ClientMessage"]
    assert message["description"] == "Binary frames."
    assert "ClientBinaryMessage" not in _document(_row("/bin", binary))["components"]["messages"]


def test_a_kind_both_sides_send_is_named_with_its_side() -> None:
    messages = _messages(
        [
            ("client", {"type": "ping"}, True, "a"),
            ("server", {"type": "ping"}, True, "a"),
            ("server", {"type": "news", "text": "hi"}, True, "a"),
        ]
    )
    components = _document(_row("/ws", messages))["components"]["messages"]
    assert sorted(components) == ["NewsMessage", "PingClientMessage", "PingServerMessage"]


def test_json_without_the_discriminator_is_an_other_message() -> None:
    documents = [{"type": "a", "n": n} for n in range(9)] + [{"n": 9}]
    messages = _messages([("client", document, True, None) for document in documents])
    components = _document(_row("/ws", messages))["components"]["messages"]
    assert sorted(components) == ["AMessage", "ClientOtherMessage"]


def test_names_another_channel_took_are_prefixed_then_numbered() -> None:
    hello = _messages([("client", {"type": "hello"}, True, None)])
    both = _messages(
        [("client", {"type": "hello"}, True, None), ("client", {"type": "bHello"}, True, None)]
    )
    document = _document(
        _row("/a", both), _row("/b", hello), _row("/c", hello, "ws"), _row("/c", hello)
    )
    assert sorted(document["components"]["messages"]) == [
        "BHelloMessage",  # /a's kind bHello
        "BHelloMessage2",  # /b's hello
        "CHelloMessage",
        "CWssHelloMessage",
        "HelloMessage",
    ]
    assert sorted(document["channels"]) == ["a", "b", "c", "cWss"]
    assert document["channels"]["cWss"]["address"] == "/c"
    assert document["channels"]["cWss"]["messages"] == {
        "CWssHelloMessage": {"$ref": "#/components/messages/CWssHelloMessage"}
    }
    assert sorted(document["operations"]) == ["sendA", "sendB", "sendC", "sendCWss"]


def test_message_and_channel_names_are_numbered_past_the_prefixed_ones() -> None:
    builder = _Builder()
    for name in ("HelloMessage", "BHelloMessage", "BHelloMessage2"):
        builder.messages[name] = {}
    assert builder.name(["hello"], "B") == "BHelloMessage3"
    messages = _messages([("client", {"x": 1}, True, None)])
    rows = [_row(pattern, messages) for pattern in ("/ws/room", "/ws-room", "/ws_room")]
    assert sorted(_document(*rows)["channels"]) == ["wsRoom", "wsRoomWss", "wsRoomWss2"]


def test_a_correlation_id_where_the_payload_can_hold_the_field() -> None:
    either = {"anyOf": [{"type": "array"}, {"type": "object", "properties": {"id": {}}}]}
    messages = {
        "client": {"messages": 2, "text": 2, "binary": 0, "json": 2, "schema": either},
        "server": {
            "messages": 1,
            "text": 1,
            "binary": 0,
            "json": 1,
            "discriminator": "type",
            "kinds": {"ack": {"messages": 1}},
        },
        "order": {"connections": 1, "first": "client", "pairing": {"field": "id", "pairs": 1}},
    }
    components = _document(_row("/rpc", messages))["components"]["messages"]
    assert components["ClientMessage"]["correlationId"] == {"location": "$message.payload#/id"}
    assert components["AckMessage"]["payload"] == {}
    assert "correlationId" not in components["AckMessage"]


def test_servers_per_url_and_protocol() -> None:
    messages = _messages([("client", {"x": 1}, True, None)])
    document = _document(
        _row("/", messages, "ws"),
        _row("/secure", messages, "wss"),
        servers=("https://one.example", "https://two.example/api/"),
    )
    assert document["servers"] == {
        "ws": {"host": "one.example", "protocol": "ws"},
        "wss": {"host": "one.example", "protocol": "wss"},
        "ws2": {"host": "two.example", "protocol": "ws", "pathname": "/api"},
        "wss2": {"host": "two.example", "protocol": "wss", "pathname": "/api"},
    }
    assert document["channels"]["root"]["servers"] == [
        {"$ref": "#/servers/ws"},
        {"$ref": "#/servers/ws2"},
    ]


def test_only_websocket_rows_and_an_empty_api_is_still_valid() -> None:
    rest = {"pattern": "/users", "protocol": "https", "api_type": "REST", "methods": ["GET"]}
    document = _document(rest)
    assert document == {"asyncapi": "3.0.0", "info": {"title": "Live", "version": "1.2.0"}}
    quiet = _document(_row("/ws/{id}", None))
    assert quiet["channels"] == {
        "wsId": {
            "address": "/ws/{id}",
            "parameters": {"id": {"description": "The `id` path segment."}},
        }
    }
    assert "operations" not in quiet


def test_info_carries_the_description_and_extensions() -> None:
    api = ApiDescription(
        title="Live",
        version="2.0.0",
        resources=[],
        description="Captured.",
        extra={"x-generator": "apidisco"},
    )
    document = build_asyncapi(api)
    assert validate_asyncapi(document) == []
    assert document["info"] == {
        "title": "Live",
        "version": "2.0.0",
        "description": "Captured.",
        "x-generator": "apidisco",
    }


def test_the_same_rows_give_the_same_document_in_any_order() -> None:
    rows = [_row("/ws/{room}", _ticker()), _row("/feed", _ticker(), "ws")]
    first = json.dumps(_document(*rows))
    assert first == json.dumps(_document(*reversed(rows)))


# -- draft-07 --------------------------------------------------------------------------


def test_inferred_schemas_need_no_conversion() -> None:
    schema = _ticker()["client"]["kinds"]["subscribe"]["schema"]
    assert draft07_schema(schema) == schema


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {"$defs": {"A": {"type": "string"}}, "$ref": "#/$defs/A"},
            {"definitions": {"A": {"type": "string"}}, "$ref": "#/definitions/A"},
        ),
        (
            {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}},
            {
                "type": "array",
                "items": [{"type": "string"}],
                "additionalItems": {"type": "integer"},
            },
        ),
        (
            {"dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {"required": ["d"]}}},
            {"dependencies": {"c": {"required": ["d"]}, "a": ["b"]}},
        ),
        (
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "unevaluatedProperties": False,
                "properties": {"$defs": {"items": {"const": 1}, "minContains": 1}},
            },
            {"type": "object", "properties": {"$defs": {"items": {"const": 1}}}},
        ),
        (
            {"anyOf": [{"type": "array", "items": {"type": ["null", "string"]}}], "examples": [1]},
            {"anyOf": [{"type": "array", "items": {"type": ["null", "string"]}}], "examples": [1]},
        ),
        (
            {"not": {"$defs": {}}, "additionalProperties": {"prefixItems": []}},
            {"not": {"definitions": {}}, "additionalProperties": {"items": []}},
        ),
        (True, True),
    ],
)
def test_2020_12_keywords_are_rewritten_for_draft_07(schema: Any, expected: Any) -> None:
    assert draft07_schema(schema) == expected


def test_converted_payloads_validate() -> None:
    schema = {
        "$defs": {"Item": {"type": "string"}},
        "type": "object",
        "properties": {"items": {"type": "array", "prefixItems": [{"$ref": "#/$defs/Item"}]}},
    }
    messages = {"client": {"messages": 1, "text": 1, "binary": 0, "json": 1, "schema": schema}}
    payload = _document(_row("/ws", messages))["components"]["messages"]["ClientMessage"]["payload"]
    assert payload["properties"]["items"]["items"] == [{"$ref": "#/definitions/Item"}]
