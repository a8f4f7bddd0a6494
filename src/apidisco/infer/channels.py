"""GraphQL and WebSocket endpoints in the Markdown and TypeScript documents.

OpenAPI describes request and response; a GraphQL endpoint's types live in its
SDL and a WebSocket endpoint's in its messages. These helpers add them to the
documents made from the OpenAPI description:

- :func:`markdown_sections`: a ``## GraphQL`` section (each endpoint's SDL and
  the operations seen) and a ``## WebSocket`` section (each endpoint's message
  kinds per direction, who speaks first, request/response pairing, and each
  kind's payload fields), appended to the Markdown reference;
- :func:`message_schemas`: each WebSocket message kind's payload schema, named
  (``LiveSubscribeClientMessage``), for the TypeScript declarations.

Deterministic: endpoints by pattern, kinds by name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from apidisco.infer.components import pascal_case

__all__ = ["markdown_sections", "message_schemas"]


def _rows(resources: Sequence[Mapping[str, Any]], api_type: str) -> list[Mapping[str, Any]]:
    rows = [row for row in resources if row.get("api_type") == api_type]
    return sorted(rows, key=lambda row: (str(row["pattern"]), str(row.get("protocol", ""))))


def _kinds(side: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Each message kind of one direction with its schema (one unnamed kind without a
    discriminator)."""
    kinds = side.get("kinds")
    if isinstance(kinds, Mapping) and kinds:
        return {str(name): kind for name, kind in sorted(kinds.items())}
    if side.get("schema"):
        return {"": {"messages": side.get("messages", 0), "schema": side["schema"]}}
    return {}


def message_schemas(resources: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """``{TypeName: payload schema}`` for every WebSocket message kind."""
    schemas: dict[str, dict[str, Any]] = {}
    for row in _rows(resources, "WebSocket"):
        messages = row.get("websocket_messages") or {}
        for direction in ("client", "server"):
            for kind, details in _kinds(messages.get(direction) or {}).items():
                schema = details.get("schema")
                if isinstance(schema, dict):
                    name = pascal_case(str(row["pattern"]), kind, direction, "message")
                    schemas[name] = schema
    return schemas


def _graphql(rows: list[Mapping[str, Any]]) -> list[str]:
    lines = ["## GraphQL", ""]
    for row in rows:
        lines += [f"### {row['pattern']}", ""]
        operations: list[Mapping[str, Any]] = []
        for details in (row.get("operations") or {}).values():
            operations += details.get("graphqlOperations") or []
        if operations:
            lines += ["| operation | kind | calls | errors |", "| --- | --- | ---: | ---: |"]
            for operation in sorted(operations, key=lambda op: str(op.get("name") or "")):
                name = operation.get("name") or "(anonymous)"
                lines.append(
                    f"| `{name}` | {operation.get('kind') or 'persisted'} | "
                    f"{operation.get('calls', 0)} | {operation.get('errors', 0)} |"
                )
            lines.append("")
        if row.get("graphql_schema"):
            lines += ["```graphql", str(row["graphql_schema"]).rstrip("\n"), "```", ""]
    return lines


def _websocket(rows: list[Mapping[str, Any]]) -> list[str]:
    lines = ["## WebSocket", ""]
    for row in rows:
        messages = row.get("websocket_messages") or {}
        lines += [f"### {row.get('protocol', 'ws')} {row['pattern']}", ""]
        order = messages.get("order") or {}
        if order.get("first"):
            lines.append(f"The {order['first']} usually speaks first.")
        pairing = order.get("pairing") or {}
        if pairing.get("field"):
            lines.append(
                f"Replies carry the request's `{pairing['field']}` "
                f"({pairing.get('pairs', 0)} pairs seen)."
            )
        if order:
            lines.append("")
        for direction in ("client", "server"):
            side = messages.get(direction) or {}
            if not side:
                continue
            by = f", by `{side['discriminator']}`" if side.get("discriminator") else ""
            lines += [
                f"**{direction.capitalize()} messages** ({side.get('messages', 0)}, "
                f"{side.get('binary', 0)} binary{by}):",
                "",
            ]
            for kind, details in _kinds(side).items():
                label = f"`{kind}`" if kind else "message"
                lines += [f"- {label} ({details.get('messages', 0)})", ""]
                schema = json.dumps(details.get("schema", {}), indent=2, sort_keys=True)
                lines += ["  ```json", *("  " + line for line in schema.splitlines()), "  ```", ""]
    return lines


def markdown_sections(resources: Sequence[Mapping[str, Any]]) -> str:
    """The GraphQL and WebSocket sections, or ``""`` when there are no such endpoints."""
    lines: list[str] = []
    graphql = [row for row in _rows(resources, "GraphQL") if row.get("graphql_schema")]
    if graphql:
        lines += _graphql(graphql)
    websocket = _rows(resources, "WebSocket")
    if websocket:
        lines += _websocket(websocket)
    return "\n".join(lines).rstrip("\n") + "\n" if lines else ""
