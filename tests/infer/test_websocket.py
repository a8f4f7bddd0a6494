"""WebSocket message formats: every rule of apidisco.infer.websocket, and its bounds."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from apidisco.infer.websocket import (
    DISCRIMINATOR_NAMES,
    MAX_CANDIDATES,
    MAX_CONNECTIONS,
    MAX_KINDS,
    MAX_OPEN_IDS,
    WebSocketMessages,
)

Message = tuple[str, Any, bool, str | None]  # direction, document, text, connection


def _build(messages: list[Message]) -> dict[str, Any]:
    builder = WebSocketMessages()
    for direction, document, text, connection in messages:
        builder.add(direction, document, text=text, connection_id=connection)
    return builder.build()


def _client(documents: list[Any], connection: str | None = None) -> dict[str, Any]:
    return _build([("client", document, True, connection) for document in documents])


def _ticker() -> list[Message]:
    """A subscribe/ack protocol over three connections, the client speaking first."""
    messages: list[Message] = []
    for connection in ("a", "b", "c"):
        for number in range(4):
            kind = "subscribe" if number % 2 == 0 else "unsubscribe"
            request = {"type": kind, "id": number, "channel": "ticker"}
            messages.append(("client", request, True, connection))
            messages.append(("server", {"type": "ack", "id": number}, True, connection))
        messages.append(("server", {"type": "tick", "price": 1.5}, True, connection))
    return messages


# -- formats ---------------------------------------------------------------------------


def test_nothing_added_builds_nothing() -> None:
    assert WebSocketMessages().build() == {}


def test_each_direction_counts_frames_and_json_and_merges_one_schema() -> None:
    result = _build(
        [
            ("client", {"q": "a"}, True, None),
            ("client", {"q": "b", "limit": 2}, True, None),
            ("client", None, True, None),
            ("server", None, False, None),
        ]
    )
    client = result["client"]
    assert {key: client[key] for key in ("messages", "text", "binary", "json")} == {
        "messages": 3,
        "text": 3,
        "binary": 0,
        "json": 2,
    }
    assert client["schema"]["required"] == ["q"]
    assert client["schema"]["properties"]["limit"]["type"] == "integer"
    assert "discriminator" not in client
    assert "order" not in result  # no message named its connection


def test_binary_only_has_counts_and_no_schema() -> None:
    result = _build([("server", None, False, "a"), ("server", None, False, "a")])
    assert result["server"] == {"messages": 2, "text": 0, "binary": 2, "json": 0}
    assert "client" not in result
    assert result["order"]["first"] == "server"


def test_an_unknown_direction_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="direction"):
        WebSocketMessages().add("upstream", {}, text=True, connection_id=None)


# -- discriminator ---------------------------------------------------------------------


def test_a_type_field_splits_the_messages_into_kinds() -> None:
    result = _build(_ticker())
    client, server = result["client"], result["server"]
    assert client["discriminator"] == "type"
    assert sorted(client["kinds"]) == ["subscribe", "unsubscribe"]
    subscribe = client["kinds"]["subscribe"]
    assert subscribe["messages"] == 6
    assert subscribe["schema"]["properties"]["type"] == {"type": "string", "const": "subscribe"}
    assert subscribe["schema"]["required"] == ["channel", "id", "type"]
    assert server["kinds"]["tick"]["schema"]["required"] == ["price", "type"]
    assert server["kinds"]["ack"]["messages"] == 12
    assert "unclassified" not in client
    assert client["schema"]["properties"]["type"]["enum"] == ["subscribe", "unsubscribe"]


def test_a_preferred_name_needs_no_more_evidence_than_being_there() -> None:
    result = _client([{"op": "join"}, {"op": "leave"}])
    assert result["client"]["discriminator"] == "op"
    assert sorted(result["client"]["kinds"]) == ["join", "leave"]
    assert _client([{"event": "ping"}])["client"]["kinds"]["ping"]["messages"] == 1


def test_the_earlier_preferred_name_wins() -> None:
    documents = [{"event": f"e{n % 2}", "type": f"t{n % 3}", "channel": "c"} for n in range(30)]
    assert _client(documents)["client"]["discriminator"] == "type"
    documents = [{"event": f"e{n % 2}", "action": f"a{n % 3}"} for n in range(30)]
    assert _client(documents)["client"]["discriminator"] == "event"
    assert DISCRIMINATOR_NAMES[:4] == ("type", "op", "event", "action")


def test_another_field_needs_the_enum_evidence() -> None:
    few = [{"topic": f"t{n % 2}", "body": n} for n in range(3)]
    assert "discriminator" not in _client(few)["client"]
    many = [{"topic": f"t{n % 2}", "body": n} for n in range(20)]
    result = _client(many)["client"]
    assert result["discriminator"] == "topic"
    assert {value: kind["messages"] for value, kind in result["kinds"].items()} == {
        "t0": 10,
        "t1": 10,
    }


def test_a_constant_field_is_no_discriminator_unless_preferred() -> None:
    documents = [{"jsonrpc": "2.0", "params": [n]} for n in range(20)]
    assert "discriminator" not in _client(documents)["client"]


def test_among_other_fields_the_most_present_then_fewest_values_wins() -> None:
    documents = [{"topic": f"t{n % 3}", "room": f"r{n % 2}"} for n in range(40)]
    assert _client(documents)["client"]["discriminator"] == "room"
    documents = [{"topic": f"t{n % 2}", "room": f"r{n % 2}"} for n in range(40)]
    assert _client(documents)["client"]["discriminator"] == "room"  # a tie: by name


def test_the_field_must_be_in_nearly_every_json_message() -> None:
    nine = [{"type": "a", "n": n} for n in range(9)] + [{"n": 9}]
    result = _client(nine)["client"]
    assert result["discriminator"] == "type"
    assert result["unclassified"] == 1
    assert result["kinds"]["a"]["messages"] == 9
    eight = [{"type": "a"} for _ in range(8)] + [{"n": 1}, {"n": 2}]
    assert "discriminator" not in _client(eight)["client"]


def test_ids_times_free_text_and_secrets_are_no_kinds() -> None:
    uuids = [{"type": f"{n:08d}-0000-4000-8000-000000000000"} for n in range(20)]
    assert "discriminator" not in _client(uuids)["client"]
    times = [{"type": "2026-11-26T10:00:00Z"} for _ in range(20)]
    assert "discriminator" not in _client(times)["client"]
    text = [{"type": "x" * 41} for _ in range(20)]
    assert "discriminator" not in _client(text)["client"]
    secrets = [{"token": f"s{n % 2}", "n": n} for n in range(40)]
    assert "discriminator" not in _client(secrets)["client"]


def test_too_many_values_rule_a_field_out() -> None:
    fitting = [{"type": f"k{n % MAX_KINDS}"} for n in range(MAX_KINDS * 2)]
    assert len(_client(fitting)["client"]["kinds"]) == MAX_KINDS
    too_many = [{"type": f"k{n}"} for n in range(MAX_KINDS + 1)]
    assert "discriminator" not in _client(too_many)["client"]


def test_only_so_many_other_fields_are_considered_but_preferred_names_always() -> None:
    noise = {f"f{n:02d}": "x" for n in range(MAX_CANDIDATES)}
    documents = [{**noise, "topic": f"t{n % 2}", "kind": f"k{n % 2}"} for n in range(40)]
    result = _client(documents)["client"]
    assert result["discriminator"] == "kind"
    builder = WebSocketMessages()
    for document in documents:
        without_kind = {key: value for key, value in document.items() if key != "kind"}
        builder.add("client", without_kind, text=True, connection_id=None)
    assert "discriminator" not in builder.build()["client"]  # topic came too late


def test_kinds_and_formats_do_not_depend_on_message_order() -> None:
    messages = [(d, doc, text, None) for d, doc, text, _ in _ticker()]
    shuffled = list(messages)
    random.Random(7).shuffle(shuffled)
    assert json.dumps(_build(messages)) == json.dumps(_build(shuffled))


# -- order -----------------------------------------------------------------------------


def test_first_is_who_spoke_first_in_most_connections() -> None:
    result = _build(_ticker())
    assert result["order"] == {
        "connections": 3,
        "first": "client",
        "clientFirst": 3,
        "serverFirst": 0,
        "pairing": {"field": "id", "pairs": 12, "requests": 12},
    }
    greeting = [
        ("server", {"hello": 1}, True, "a"),
        ("client", {"hi": 1}, True, "a"),
        ("server", {"hello": 1}, True, "b"),
        ("client", {"hi": 1}, True, "c"),
    ]
    order = _build(greeting)["order"]
    assert (order["first"], order["clientFirst"], order["serverFirst"]) == ("server", 1, 2)


def test_a_tie_goes_to_the_client_which_opened_the_connection() -> None:
    tie = [("server", None, True, "a"), ("client", None, True, "b")]
    assert _build(tie)["order"]["first"] == "client"


def test_sequence_decides_the_order_over_arrival() -> None:
    builder = WebSocketMessages()
    builder.add("client", {"hi": 1}, text=True, connection_id="a", sequence=2)
    builder.add("server", {"hello": 1}, text=True, connection_id="a", sequence=1)
    assert builder.build()["order"]["first"] == "server"


def test_messages_without_a_connection_count_for_formats_only() -> None:
    result = _build([("client", {"id": 1}, True, None), ("server", {"id": 1}, True, None)])
    assert "order" not in result
    assert result["client"]["messages"] == 1


# -- pairing ---------------------------------------------------------------------------


def test_a_reply_carries_the_request_id_in_the_same_connection() -> None:
    messages: list[Message] = [
        ("client", {"method": "get", "request_id": "r1"}, True, "a"),
        ("client", {"method": "get", "request_id": "r2"}, True, "a"),
        ("server", {"request_id": "r2", "result": 2}, True, "a"),
        ("server", {"request_id": "r1", "result": 1}, True, "a"),
        ("server", {"request_id": "r1", "result": 1}, True, "a"),  # pairs once
        ("client", {"method": "get", "request_id": "r3"}, True, "b"),
        ("server", {"request_id": "r3", "result": 3}, True, "c"),  # another connection
    ]
    pairing = _build(messages)["order"]["pairing"]
    assert pairing == {"field": "request_id", "pairs": 2, "requests": 3}


def test_the_reply_must_come_after_the_request() -> None:
    before = [("server", {"id": 1}, True, "a"), ("client", {"id": 1}, True, "a")]
    assert "pairing" not in _build(before)["order"]
    builder = WebSocketMessages()  # arrived out of order, but the sequence says it replied
    builder.add("server", {"ref": "7"}, text=True, connection_id="a", sequence=2)
    builder.add("client", {"ref": "7"}, text=True, connection_id="a", sequence=1)
    assert builder.build()["order"]["pairing"] == {"field": "ref", "pairs": 1, "requests": 1}


def test_values_pair_by_type_and_booleans_never_pair() -> None:
    typed = [("client", {"id": 1}, True, "a"), ("server", {"id": "1"}, True, "a")]
    assert "pairing" not in _build(typed)["order"]
    flags = [("client", {"id": True}, True, "a"), ("server", {"id": True}, True, "a")]
    assert "pairing" not in _build(flags)["order"]


def test_pairing_needs_half_of_the_requests_answered() -> None:
    messages: list[Message] = [("client", {"seq": n}, True, "a") for n in range(5)]
    messages += [("server", {"seq": n}, True, "a") for n in range(2)]
    assert "pairing" not in _build(messages)["order"]
    messages.append(("server", {"seq": 2}, True, "a"))
    assert _build(messages)["order"]["pairing"] == {"field": "seq", "pairs": 3, "requests": 5}


def test_the_field_with_most_pairs_wins() -> None:
    messages: list[Message] = []
    for n in range(4):
        messages.append(("client", {"id": n, "nonce": n}, True, "a"))
        messages.append(("server", {"nonce": n, "id": n if n < 2 else -n - 1}, True, "a"))
    assert _build(messages)["order"]["pairing"]["field"] == "nonce"


# -- bounds and determinism -------------------------------------------------------------


def test_connections_beyond_the_limit_are_finished_not_forgotten() -> None:
    builder = WebSocketMessages()
    connections = MAX_CONNECTIONS * 4
    for number in range(connections):
        builder.add("client", {"type": "hi", "id": number}, text=True, connection_id=f"c{number}")
        builder.add("server", {"type": "ok", "id": number}, text=True, connection_id=f"c{number}")
    order = builder.build()["order"]
    assert order["connections"] == connections
    assert order["clientFirst"] == connections
    assert order["pairing"]["pairs"] == connections
    assert len(builder._connections) == MAX_CONNECTIONS


def test_memory_stays_bounded_however_many_connections_and_ids() -> None:
    builder = WebSocketMessages()

    def feed(start: int, stop: int, connections: int) -> None:
        for number in range(start, stop):
            connection = f"c{number % connections}"
            document = {"type": "req", "id": number, "request_id": str(number)}
            builder.add("client", document, text=True, connection_id=connection)
            builder.add(
                "server", {"type": "evt", "ref": number}, text=True, connection_id=connection
            )

    feed(0, 4_000, 20)  # many open ids in few connections
    feed(4_000, 8_000, MAX_CONNECTIONS * 3)  # more connections than are followed
    size = builder.footprint()
    feed(8_000, 12_000, 20)
    feed(12_000, 16_000, MAX_CONNECTIONS * 3)
    assert builder.footprint() <= size
    assert len(builder._connections) == MAX_CONNECTIONS
    for connection in builder._connections.values():
        assert len(connection.client_ids) <= MAX_OPEN_IDS
        assert len(connection.server_ids) <= MAX_OPEN_IDS


def test_one_long_connection_keeps_only_its_newest_open_ids() -> None:
    builder = WebSocketMessages()
    requests = MAX_OPEN_IDS + 10
    for number in range(requests):
        builder.add("client", {"id": number}, text=True, connection_id="a")
    # the 10 oldest requests were forgotten: their replies no longer pair
    for number in range(requests):
        builder.add("server", {"id": number}, text=True, connection_id="a")
    pairing = builder.build()["order"]["pairing"]
    assert pairing == {"field": "id", "pairs": MAX_OPEN_IDS, "requests": requests}


def test_the_same_messages_give_the_same_result() -> None:
    assert json.dumps(_build(_ticker())) == json.dumps(_build(_ticker()))


def test_secret_fields_can_be_configured() -> None:
    builder = WebSocketMessages(secret_fields=["channel"])
    for number in range(20):
        builder.add("client", {"channel": f"c{number % 2}"}, text=True, connection_id=None)
    result = builder.build()["client"]
    assert "discriminator" not in result
    assert result["schema"]["properties"]["channel"]["examples"][0].startswith("‹masked:")
