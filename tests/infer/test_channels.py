"""GraphQL and WebSocket sections for the Markdown and TypeScript documents."""

from __future__ import annotations

from typing import Any

from apidisco.infer.channels import markdown_sections, message_schemas

LIVE: dict[str, Any] = {
    "pattern": "/live",
    "protocol": "wss",
    "api_type": "WebSocket",
    "websocket_messages": {
        "client": {
            "messages": 2,
            "binary": 0,
            "discriminator": "type",
            "kinds": {"subscribe": {"messages": 2, "schema": {"type": "object"}}},
        },
        "server": {"messages": 1, "binary": 1, "schema": {"type": "string"}},
        "order": {"first": "client", "pairing": {"field": "id", "pairs": 2}},
    },
}


def test_rest_only_apis_get_nothing_more() -> None:
    rest = {"pattern": "/x", "protocol": "https", "api_type": "REST"}
    assert markdown_sections([rest]) == ""
    assert message_schemas([rest]) == {}


def test_websocket_kinds_are_listed_and_named() -> None:
    text = markdown_sections([LIVE])
    assert text.startswith("## WebSocket\n")
    assert "The client usually speaks first." in text
    assert "Replies carry the request's `id` (2 pairs seen)." in text
    assert "- `subscribe` (2)" in text
    assert "- message (1)" in text  # no discriminator: one unnamed kind
    assert set(message_schemas([LIVE])) == {"LiveSubscribeClientMessage", "LiveServerMessage"}


def test_graphql_endpoints_show_their_sdl_and_operations() -> None:
    row = {
        "pattern": "/graphql",
        "protocol": "graphql",
        "api_type": "GraphQL",
        "graphql_schema": "type Query {\n  me: String\n}\n",
        "operations": {"POST": {"graphqlOperations": [{"name": None, "kind": None, "calls": 2}]}},
    }
    text = markdown_sections([row])
    assert "```graphql\ntype Query {\n  me: String\n}\n```" in text
    assert "| `(anonymous)` | persisted | 2 | 0 |" in text
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
