"""End to end: a real WebSocket feed, mitmdump with the addon, inference, the AsyncAPI export.

The feed (a ``websockets`` server) greets each connection, then answers subscribe,
ping and unsubscribe messages with acks, events and pongs; replies echo the request's
``id``. A real ``websockets`` client talks to it through mitmdump in reverse mode.
What inference makes of the recorded messages must be the protocol: ``type`` tells
the kinds apart on each side, the server speaks first, ``id`` pairs replies with
requests; and the AsyncAPI document says so and validates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from websockets.asyncio.server import ServerConnection
from websockets.sync.client import ClientConnection, connect

from apidisco.services.asyncapi_validation import validate_asyncapi
from apidisco.services.exports import export_endpoint
from apidisco.services.inference import infer_endpoint
from apidisco.store.database import Database
from apidisco.store.models import DiscoveredEndpoint
from tests.addon.support import calls, endpoint, owner, url_of
from tests.e2e.conftest import Processes, WebSocketServer, free_port

CONNECTIONS = 3
TITLES = ["Cosmos", "SPQR", "Beowulf"]


async def feed(connection: ServerConnection) -> None:
    """hello first; subscribe → ack and two events; ping → pong; unsubscribe → ack."""
    hello = {"type": "hello", "session": str(connection.id), "heartbeat": 30}
    await connection.send(json.dumps(hello))
    async for message in connection:
        request = json.loads(message)
        kind, id_ = request["type"], request["id"]
        if kind == "subscribe":
            channel = request["channel"]
            await connection.send(json.dumps({"type": "ack", "id": id_, "channel": channel}))
            for number, title in enumerate(TITLES[:2]):
                event = {"title": title, "rank": number + 1, "price": 9.5 + number}
                await connection.send(
                    json.dumps({"type": "event", "channel": channel, "data": event})
                )
        elif kind == "unsubscribe":
            await connection.send(
                json.dumps({"type": "ack", "id": id_, "channel": request["channel"]})
            )
        elif kind == "ping":
            await connection.send(json.dumps({"type": "pong", "id": id_, "time": request["time"]}))


@pytest.fixture
def feed_server() -> Iterator[str]:
    server = WebSocketServer(feed)
    try:
        server.start()
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def receive(socket: ClientConnection) -> dict[str, Any]:
    message = socket.recv(timeout=10)
    assert isinstance(message, str)
    document: dict[str, Any] = json.loads(message)
    return document


def converse(uri: str, channel: str) -> None:
    """One connection of a client: wait for hello, subscribe, ping, unsubscribe."""
    with connect(uri, compression=None, open_timeout=10) as socket:
        assert receive(socket)["type"] == "hello"
        socket.send(json.dumps({"type": "subscribe", "id": "s1", "channel": channel}))
        assert receive(socket) == {"type": "ack", "id": "s1", "channel": channel}
        assert [receive(socket)["type"] for _ in range(2)] == ["event", "event"]
        socket.send(json.dumps({"type": "ping", "id": "p1", "time": 1_700_000_000}))
        assert receive(socket) == {"type": "pong", "id": "p1", "time": 1_700_000_000}
        socket.send(json.dumps({"type": "unsubscribe", "id": "u1", "channel": channel}))
        assert receive(socket)["id"] == "u1"


def test_the_feed_protocol_is_inferred_and_exported_as_asyncapi(
    store_database: Database, feed_server: str, processes: Processes
) -> None:
    alice = owner(store_database)
    endpoint_id = endpoint(store_database, alice, feed_server)
    port = free_port()
    mitmdump = processes.mitmdump(
        "--mode",
        f"reverse:{feed_server}",
        "--set",
        f"apidisco_endpoint={endpoint_id}",
        "--set",
        f"apidisco_db={url_of(store_database)}",
        port=port,
    )
    mitmdump.wait_for_port(port)
    for channel in ("books", "authors", "reviews")[:CONNECTIONS]:
        converse(f"ws://127.0.0.1:{port}/feed", channel)
    assert mitmdump.interrupt() == 0, mitmdump.output()

    messages = [r for r in calls(store_database, endpoint_id) if r.message_direction]
    assert len(messages) == CONNECTIONS * (3 + 6)

    infer_endpoint(store_database, alice, endpoint_id)
    with store_database.session() as session:
        statement = sa.select(DiscoveredEndpoint).where(
            DiscoveredEndpoint.endpoint_id == endpoint_id
        )
        (row,) = session.execute(statement).scalars()
    assert (row.pattern, row.protocol, row.api_type) == ("/feed", "ws", "WebSocket")
    formats = row.websocket_messages
    client, server, order = formats["client"], formats["server"], formats["order"]
    assert client["discriminator"] == server["discriminator"] == "type"
    assert {k: v["messages"] for k, v in client["kinds"].items()} == {
        "ping": CONNECTIONS,
        "subscribe": CONNECTIONS,
        "unsubscribe": CONNECTIONS,
    }
    assert {k: v["messages"] for k, v in server["kinds"].items()} == {
        "ack": 2 * CONNECTIONS,
        "event": 2 * CONNECTIONS,
        "hello": CONNECTIONS,
        "pong": CONNECTIONS,
    }
    assert "unclassified" not in client
    assert "unclassified" not in server
    event = server["kinds"]["event"]["schema"]["properties"]
    assert event["type"] == {"type": "string", "const": "event"}
    assert set(event["data"]["properties"]) == {"title", "rank", "price"}
    assert order["connections"] == CONNECTIONS
    assert (order["first"], order["serverFirst"], order["clientFirst"]) == (
        "server",
        CONNECTIONS,
        0,
    )
    assert order["pairing"] == {
        "field": "id",
        "pairs": 3 * CONNECTIONS,
        "requests": 3 * CONNECTIONS,
    }

    document = yaml.safe_load(export_endpoint(store_database, alice, endpoint_id, "asyncapi"))
    assert validate_asyncapi(document) == []
    assert document["asyncapi"] == "3.0.0"
    (channel,) = document["channels"].values()
    assert channel["address"] == "/feed"
    assert "The server usually sends the first message." in channel["description"]
    assert "`id`" in channel["description"]
    messages_of = {
        operation["action"]: sorted(ref["$ref"].rpartition("/")[2] for ref in operation["messages"])
        for operation in document["operations"].values()
    }
    assert messages_of == {
        "send": ["PingMessage", "SubscribeMessage", "UnsubscribeMessage"],
        "receive": ["AckMessage", "EventMessage", "HelloMessage", "PongMessage"],
    }
    (send,) = [op for op in document["operations"].values() if op["action"] == "send"]
    replies = sorted(ref["$ref"].rpartition("/")[2] for ref in send["reply"]["messages"])
    assert replies == ["AckMessage", "PongMessage"]  # the server messages carrying `id`
    components = document["components"]["messages"]
    assert components["PongMessage"]["correlationId"] == {"location": "$message.payload#/id"}
    assert "correlationId" not in components["EventMessage"]
    subscribe = components["SubscribeMessage"]["payload"]["properties"]
    assert subscribe["type"] == {"type": "string", "const": "subscribe"}
