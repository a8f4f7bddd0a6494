"""An AsyncAPI 3.0 document from an API's WebSocket endpoints.

:func:`build_asyncapi` takes the same :class:`~apidisco.infer.openapi.ApiDescription`
as the OpenAPI export and describes its ``WebSocket`` rows, whose
``websocket_messages`` hold what :class:`~apidisco.infer.websocket.WebSocketMessages`
built. The document describes a client of the API (as the AsyncAPI WebSocket
examples do): it ``send``s what clients sent and ``receive``s what servers sent.

- ``info``: the title, version, description and ``x-`` fields of the API;
- ``servers``: one per server URL and WebSocket protocol (``ws``/``wss``), keyed
  by the protocol (``wss``, then ``wss2`` ... for further URLs), with the URL's
  host and path (``pathname``);
- ``channels``: one per pattern, keyed in lower camel case (``/ws/{room}`` →
  ``wsRoom``), its ``address`` the pattern, each ``{param}`` declared in
  ``parameters``, its servers, its messages, and a description of who usually
  speaks first and which field pairs replies with requests;
- ``operations``: per channel ``send<Channel>`` (client messages) and
  ``receive<Channel>`` (server messages); when replies are paired, the send
  operation's ``reply`` lists the server messages carrying the pairing field;
- ``components.messages``: one per kind (``SubscribeMessage``; a kind both sides
  send is ``SubscribeClientMessage`` and ``SubscribeServerMessage``), or one per
  direction (``ClientMessage``) when there is no discriminator, plus
  ``ClientOtherMessage`` for JSON messages without the discriminator and
  ``ClientTextMessage`` / ``ClientBinaryMessage`` for text that was not JSON and
  binary frames. A name another channel took is prefixed with the channel
  (``WsRoomClientMessage``), then numbered. JSON messages are
  ``application/json`` with the inferred schema as ``payload`` (a paired one
  has a ``correlationId``), text ``text/plain``, binary
  ``application/octet-stream`` with a ``binary`` string payload; JSON that came
  in binary frames says so in its description.

Payloads use the default schema format, the AsyncAPI Schema: a superset of JSON
Schema draft-07. The inferred schemas are 2020-12; :func:`draft07_schema`
rewrites the keywords draft-07 lacks (the inferred ones need none, but a
stored schema may have been edited). Deterministic: the same rows give the same
document, key for key.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from apidisco.infer.components import pascal_case
from apidisco.infer.openapi import ApiDescription
from apidisco.infer.templates import PARAMETER, template_segments

__all__ = ["ASYNCAPI_VERSION", "build_asyncapi", "draft07_schema"]

ASYNCAPI_VERSION = "3.0.0"
_JSON = "application/json"
_TEXT = "text/plain"
_BINARY = "application/octet-stream"
_DIRECTIONS = ("client", "server")
_ACTIONS = {"client": "send", "server": "receive"}
_SIDE = {"client": "Client", "server": "Server"}

# Keywords whose value is one subschema / a list of them / a map of them.
_ONE = ("additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames")
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
# 2020-12 keywords without a draft-07 counterpart: each only narrows, so leaving it out
# describes the same messages a little more loosely.
_DROPPED = frozenset(
    {
        "$schema",
        "$anchor",
        "$dynamicAnchor",
        "$dynamicRef",
        "$vocabulary",
        "$comment",
        "unevaluatedItems",
        "unevaluatedProperties",
        "minContains",
        "maxContains",
    }
)


def draft07_schema(schema: Any) -> Any:
    """``schema`` (JSON Schema 2020-12) in the draft-07 vocabulary AsyncAPI extends.

    ``$defs`` become ``definitions`` (and ``$ref`` s to them follow),
    ``prefixItems`` an ``items`` list (the 2020-12 ``items`` then
    ``additionalItems``), ``dependentRequired`` and ``dependentSchemas``
    ``dependencies``; the keywords of ``_DROPPED`` are left out. Everything else
    (``type`` arrays, ``const``, ``examples``, ``format``, ``contentMediaType``)
    is draft-07 already.
    """
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED or key in ("prefixItems", "items", "dependentRequired"):
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
            result[key] = "#/definitions/" + value.removeprefix("#/$defs/")
        elif key in _ONE:
            result[key] = draft07_schema(value)
        elif key in _MANY and isinstance(value, list):
            result[key] = [draft07_schema(item) for item in value]
        elif key in _MAP and isinstance(value, dict):
            converted = {name: draft07_schema(item) for name, item in value.items()}
            if key == "$defs":
                result["definitions"] = {**result.get("definitions", {}), **converted}
            elif key == "dependentSchemas":
                result["dependencies"] = {**result.get("dependencies", {}), **converted}
            else:
                result[key] = converted
        else:
            result[key] = value
    if isinstance(schema.get("dependentRequired"), dict):
        result["dependencies"] = {**result.get("dependencies", {}), **schema["dependentRequired"]}
    items = schema.get("items")
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list):
        result["items"] = [draft07_schema(item) for item in prefix]
        if items is not None:
            result["additionalItems"] = draft07_schema(items)
    elif items is not None:
        result["items"] = draft07_schema(items)
    return result


def _lower_camel(*parts: str) -> str:
    name = pascal_case(*parts)
    return name[:1].lower() + name[1:]


def _channel_words(pattern: str) -> list[str]:
    words = [segment.strip("{}") for segment in template_segments(pattern) if segment]
    return words or ["root"]


def _parameters(pattern: str) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    for segment in template_segments(pattern):
        match = PARAMETER.fullmatch(segment)
        if match and match.group(1):
            parameters[match.group(1)] = {"description": f"The `{match.group(1)}` path segment."}
    return parameters


def _servers(api: ApiDescription, protocols: Iterable[str]) -> dict[str, dict[str, Any]]:
    servers: dict[str, dict[str, Any]] = {}
    for index, url in enumerate(api.servers):
        parts = urllib.parse.urlsplit(url)
        for protocol in protocols:
            server: dict[str, Any] = {"host": parts.netloc or url, "protocol": protocol}
            pathname = parts.path.rstrip("/") if parts.netloc else ""
            if pathname:
                server["pathname"] = pathname
            servers[protocol if index == 0 else f"{protocol}{index + 1}"] = server
    return servers


def _has_property(schema: Any, name: str) -> bool:
    if not isinstance(schema, dict):
        return False
    if isinstance(schema.get("properties"), dict) and name in schema["properties"]:
        return True
    return any(_has_property(branch, name) for branch in schema.get("anyOf") or ())


class _Builder:
    def __init__(self) -> None:
        self.messages: dict[str, dict[str, Any]] = {}

    def name(self, words: list[str], channel: str) -> str:
        for wanted in (pascal_case(*words, "message"), pascal_case(channel, *words, "message")):
            if wanted not in self.messages:
                return wanted
        number = 2
        while f"{wanted}{number}" in self.messages:
            number += 1
        return f"{wanted}{number}"

    def add(self, words: list[str], channel: str, message: dict[str, Any]) -> str:
        name = self.name(words, channel)
        self.messages[name] = message
        return name

    def direction(
        self,
        channel: str,
        direction: str,
        formats: Mapping[str, Any],
        other_kinds: Iterable[str],
        pairing: str | None,
    ) -> list[str]:
        """The messages of one side of one channel; their names."""
        side = _SIDE[direction]
        total = int(formats.get("messages") or 0)
        text = int(formats.get("text") or 0)
        json_count = int(formats.get("json") or 0)
        json_note = None
        if json_count and text < json_count:
            json_note = "Binary frames." if text == 0 else "Text and binary frames."
        names: list[str] = []

        def json_message(words: list[str], schema: Any, summary: str) -> None:
            message: dict[str, Any] = {
                "name": " ".join(words),
                "summary": summary,
                "contentType": _JSON,
                "payload": draft07_schema(schema if isinstance(schema, dict) else {}),
            }
            if json_note:
                message["description"] = json_note
            if pairing is not None and _has_property(schema, pairing):
                message["correlationId"] = {"location": f"$message.payload#/{pairing}"}
            names.append(self.add(words, channel, message))

        kinds = formats.get("kinds") or {}
        discriminator = formats.get("discriminator")
        if kinds and discriminator:
            shared = set(other_kinds)
            for value, kind in sorted(kinds.items()):
                words = [value, direction] if value in shared else [value]
                summary = f"{side} message whose `{discriminator}` is `{value}`."
                json_message(words, (kind or {}).get("schema"), summary)
            if formats.get("unclassified"):
                summary = f"{side} JSON message without a `{discriminator}`."
                json_message([direction, "other"], formats.get("schema"), summary)
        elif json_count:
            json_message([direction], formats.get("schema"), f"{side} JSON message.")
        plain_text = max(0, text - json_count)
        binary = max(0, total - json_count - plain_text)
        if plain_text:
            message = {
                "name": f"{direction} text",
                "summary": f"{side} text message that is not JSON.",
                "contentType": _TEXT,
                "payload": {"type": "string"},
            }
            names.append(self.add([direction, "text"], channel, message))
        if binary:
            message = {
                "name": f"{direction} binary",
                "summary": f"{side} binary message.",
                "contentType": _BINARY,
                "payload": {"type": "string", "format": "binary"},
            }
            names.append(self.add([direction, "binary"], channel, message))
        return names


def _description(order: Mapping[str, Any]) -> str | None:
    sentences = []
    if order.get("connections"):
        sentences.append(f"The {order.get('first', 'client')} usually sends the first message.")
    field = (order.get("pairing") or {}).get("field")
    if field:
        sentences.append(f"A server message with a client message's `{field}` is the reply to it.")
    return " ".join(sentences) or None


def build_asyncapi(api: ApiDescription) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of ``api``'s WebSocket endpoints (see the module docstring)."""
    rows = sorted(
        (row for row in api.resources if row.get("api_type") == "WebSocket"),
        key=lambda row: (str(row["pattern"]), str(row.get("protocol") or "")),
    )
    protocols = sorted({str(row.get("protocol") or "wss") for row in rows})
    servers = _servers(api, protocols)
    builder = _Builder()
    channels: dict[str, dict[str, Any]] = {}
    operations: dict[str, dict[str, Any]] = {}
    for row in rows:
        pattern = str(row["pattern"])
        protocol = str(row.get("protocol") or "wss")
        key = _lower_camel(*_channel_words(pattern))
        if key in channels:
            key = _lower_camel(key, protocol)
        base, number = key, 2
        while key in channels:
            key, number = f"{base}{number}", number + 1
        channel_name = pascal_case(key)
        formats = row.get("websocket_messages") or {}
        order = formats.get("order") or {}
        pairing = (order.get("pairing") or {}).get("field")
        channel: dict[str, Any] = {"address": pattern}
        description = _description(order)
        if description:
            channel["description"] = description
        channel_servers = [
            {"$ref": f"#/servers/{name}"}
            for name, server in servers.items()
            if server["protocol"] == protocol
        ]
        if channel_servers:
            channel["servers"] = channel_servers
        parameters = _parameters(pattern)
        if parameters:
            channel["parameters"] = parameters
        names: dict[str, list[str]] = {}
        for direction in _DIRECTIONS:
            side = formats.get(direction)
            if not side:
                continue
            opposite = "server" if direction == "client" else "client"
            other = (formats.get(opposite) or {}).get("kinds") or {}
            names[direction] = builder.direction(channel_name, direction, side, other, pairing)
        every = [name for direction in _DIRECTIONS for name in names.get(direction, [])]
        if every:
            channel["messages"] = {
                name: {"$ref": f"#/components/messages/{name}"} for name in sorted(every)
            }
        channels[key] = channel
        for direction in _DIRECTIONS:
            if not names.get(direction):
                continue
            operation: dict[str, Any] = {
                "action": _ACTIONS[direction],
                "channel": {"$ref": f"#/channels/{key}"},
                "summary": f"Messages the {direction} sends on {pattern}.",
                "messages": [
                    {"$ref": f"#/channels/{key}/messages/{name}"} for name in names[direction]
                ],
            }
            replies = [
                name
                for name in names.get("server", [])
                if "correlationId" in builder.messages[name]
            ]
            if direction == "client" and replies:
                operation["reply"] = {
                    "channel": {"$ref": f"#/channels/{key}"},
                    "messages": [{"$ref": f"#/channels/{key}/messages/{name}"} for name in replies],
                }
            operations[_lower_camel(_ACTIONS[direction], channel_name)] = operation
    info: dict[str, Any] = {"title": api.title, "version": api.version}
    if api.description:
        info["description"] = api.description
    info.update(api.extra)
    document: dict[str, Any] = {"asyncapi": ASYNCAPI_VERSION, "info": info}
    if servers:
        document["servers"] = servers
    if channels:
        document["channels"] = channels
    if operations:
        document["operations"] = operations
    if builder.messages:
        document["components"] = {"messages": dict(sorted(builder.messages.items()))}
    return document
