"""Message formats of one WebSocket endpoint: per direction, kinds, order, pairing.

:class:`WebSocketMessages` takes the messages of one connection URL pattern one
at a time (``add``) and :meth:`~WebSocketMessages.build` returns the
``discovered_endpoints.websocketMessages`` value::

    {"client": {"messages": 12, "text": 12, "binary": 0, "json": 12,
                "discriminator": "type",
                "kinds": {"subscribe": {"messages": 5, "schema": {...}}, ...},
                "schema": {...}},
     "server": {...},
     "order": {"connections": 3, "first": "client", "clientFirst": 3, "serverFirst": 0,
               "pairing": {"field": "id", "pairs": 7, "requests": 8}}}

A direction (``client`` sends to the server, ``server`` to the client) is there
once it has a message; ``order`` once a message named its connection.

The rules:

- **counts** — ``messages`` of the direction, ``text`` and ``binary`` frames,
  ``json`` the messages that parsed as JSON; ``schema`` merges every JSON
  message (:class:`~apidisco.infer.schema.SchemaBuilder`), absent when none was.
- **discriminator** — a top-level field whose value is a short string (at most
  :data:`~apidisco.infer.schema.ENUM_MAX_LENGTH` characters, not a uuid, date
  or time) in at least :data:`DISCRIMINATOR_PRESENCE` of the direction's JSON
  messages, with at most :data:`MAX_KINDS` distinct values, never a secret
  field. A field named in :data:`DISCRIMINATOR_NAMES` qualifies on that alone
  (first in that list wins); any other field needs the enum evidence of
  :mod:`apidisco.infer.schema` (at least
  :data:`~apidisco.infer.schema.ENUM_MIN_SAMPLES` messages, at least two and
  fewer distinct values than the square root of their number) and then the most
  present, fewest values, then name wins. ``kinds`` maps each value to its
  message count and merged schema, in which the field is ``const``;
  ``unclassified`` counts the JSON messages without it (absent when none).
- **order** — per connection, the side whose message came first (lowest
  ``sequence``, else the first added); ``first`` is the side that came first in
  more connections, ``client`` (it opened the connection) on a tie.
- **pairing** — a top-level field of :data:`PAIRING_NAMES` whose string or
  integer value in a client message reappears, in the same field, in a later
  server message of the same connection (later by ``sequence``, else by
  arrival; either may arrive first when sequences are given). Each client value
  pairs once. The field with the most pairs is reported (ties: list order) when
  its pairs are at least half of the client messages carrying it (``requests``).

Memory is bounded: schemas as :mod:`apidisco.infer.schema` bounds them; at most
:data:`MAX_CANDIDATES` field names are considered for the discriminator (the
preferred names always are; others from the first seen), each with at most
:data:`MAX_KINDS` values; at most :data:`MAX_CONNECTIONS` connections are
followed at once (the least recently active one is finished when another
arrives: counted for ``first``, its open ids forgotten — should it send again
it counts as a new connection); each keeps at most :data:`MAX_OPEN_IDS` open
ids per side (the oldest forgotten first). Messages with no ``connection_id``
count for the formats but not for order or pairing. The same messages added in
the same order give the same result, key for key; the formats and kinds do not
depend on the order at all (while a direction has at most :data:`MAX_CANDIDATES`
top-level string fields).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from apidisco.infer.formats import matching_formats
from apidisco.infer.schema import ENUM_MAX_LENGTH, ENUM_MIN_SAMPLES, SECRET_FIELDS, SchemaBuilder

__all__ = [
    "DIRECTIONS",
    "DISCRIMINATOR_NAMES",
    "DISCRIMINATOR_PRESENCE",
    "MAX_CANDIDATES",
    "MAX_CONNECTIONS",
    "MAX_KINDS",
    "MAX_OPEN_IDS",
    "PAIRING_NAMES",
    "WebSocketMessages",
]

DIRECTIONS = ("client", "server")
DISCRIMINATOR_NAMES = (
    "type",
    "op",
    "event",
    "action",
    "kind",
    "method",
    "msg_type",
    "msgType",
    "messageType",
    "cmd",
    "command",
)
PAIRING_NAMES = (
    "id",
    "request_id",
    "requestId",
    "correlation_id",
    "correlationId",
    "ref",
    "seq",
    "reqid",
    "req_id",
    "nonce",
    "msg_id",
    "msgId",
    "message_id",
    "messageId",
)
DISCRIMINATOR_PRESENCE = 0.9
MAX_KINDS = 32
MAX_CANDIDATES = 16
MAX_CONNECTIONS = 256
MAX_OPEN_IDS = 64

_NOT_VOCABULARY = ("uuid", "date", "date-time", "time")
_PREFERRED = frozenset(DISCRIMINATOR_NAMES)
_PAIRING_MAX_LENGTH = 200


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def _vocabulary(value: str) -> bool:
    """Could ``value`` name a kind of message (not free text, an id or a time)?"""
    return 0 < len(value) <= ENUM_MAX_LENGTH and not matching_formats(value, _NOT_VOCABULARY)


class _Candidate:
    """A field that might be the discriminator: how often it was there, per value."""

    def __init__(self) -> None:
        self.present = 0
        self.kinds: dict[str, SchemaBuilder] = {}

    def qualifies(self, name: str, documents: int) -> bool:
        if self.present < DISCRIMINATOR_PRESENCE * documents:
            return False
        if name in _PREFERRED:
            return True
        distinct = len(self.kinds)
        return self.present >= ENUM_MIN_SAMPLES and 2 <= distinct and distinct**2 < self.present


class _Direction:
    """What one side sent."""

    def __init__(self, secret_fields: Iterable[str]) -> None:
        self.secret_fields = tuple(secret_fields)
        self.messages = 0
        self.text = 0
        self.binary = 0
        self.json = 0
        self.schema = SchemaBuilder(secret_fields=self.secret_fields)
        self.candidates: dict[str, _Candidate | None] = {}  # None: ruled out for good

    def add(self, document: Any | None, text: bool) -> None:
        self.messages += 1
        if text:
            self.text += 1
        else:
            self.binary += 1
        if document is None:
            return
        self.json += 1
        self.schema.add(document)
        if isinstance(document, dict):
            self._classify(document)

    def _classify(self, document: dict[str, Any]) -> None:
        for name, value in document.items():
            if not isinstance(value, str):
                continue
            if name in self.candidates:
                candidate = self.candidates[name]
                if candidate is None:
                    continue
            else:
                if _normalise(name) in self.schema.secret_fields:
                    continue
                if len(self.candidates) >= MAX_CANDIDATES and name not in _PREFERRED:
                    continue
                candidate = self.candidates[name] = _Candidate()
            builder = candidate.kinds.get(value)
            if builder is None:
                if len(candidate.kinds) >= MAX_KINDS or not _vocabulary(value):
                    self.candidates[name] = None
                    continue
                builder = candidate.kinds[value] = SchemaBuilder(secret_fields=self.secret_fields)
            candidate.present += 1
            builder.add(document)

    def discriminator(self) -> str | None:
        ranked: list[tuple[tuple[int, int, int, int, str], str]] = []
        for name, candidate in self.candidates.items():
            if candidate is None or not candidate.qualifies(name, self.json):
                continue
            if name in _PREFERRED:
                rank = (0, DISCRIMINATOR_NAMES.index(name), 0, 0, "")
            else:
                rank = (1, 0, -candidate.present, len(candidate.kinds), name)
            ranked.append((rank, name))
        return min(ranked)[1] if ranked else None

    def build(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "messages": self.messages,
            "text": self.text,
            "binary": self.binary,
            "json": self.json,
        }
        name = self.discriminator()
        if name is not None:
            candidate = self.candidates[name]
            assert candidate is not None
            result["discriminator"] = name
            result["kinds"] = {
                value: {"messages": builder.samples, "schema": _const(builder.build(), name, value)}
                for value, builder in sorted(candidate.kinds.items())
            }
            if candidate.present < self.json:
                result["unclassified"] = self.json - candidate.present
        if self.json:
            result["schema"] = self.schema.build()
        return result

    def footprint(self) -> int:
        size = 1 + self.schema.footprint()
        for candidate in self.candidates.values():
            size += 1
            if candidate is not None:
                size += sum(1 + builder.footprint() for builder in candidate.kinds.values())
        return size


def _const(schema: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    """The kind's schema with its discriminator as a constant."""
    properties = schema.get("properties")
    if isinstance(properties, dict) and name in properties:
        properties[name] = {"type": "string", "const": value}
    return schema


def _pairing_keys(document: Any) -> list[tuple[str, str | int]]:
    if not isinstance(document, dict):
        return []
    keys: list[tuple[str, str | int]] = []
    for name in PAIRING_NAMES:
        value = document.get(name)
        if isinstance(value, bool):
            continue
        if isinstance(value, int) or (
            isinstance(value, str) and 0 < len(value) <= _PAIRING_MAX_LENGTH
        ):
            keys.append((name, value))
    return keys


def _remember(
    open_ids: OrderedDict[tuple[str, str | int], int], key: tuple[str, str | int], position: int
) -> None:
    open_ids.pop(key, None)
    open_ids[key] = position
    if len(open_ids) > MAX_OPEN_IDS:
        open_ids.popitem(last=False)


class _Connection:
    """One connection being followed: who spoke first, the ids still waiting for a pair."""

    def __init__(self) -> None:
        self.first: str | None = None
        self.first_position = 0
        self.arrivals = 0
        self.client_ids: OrderedDict[tuple[str, str | int], int] = OrderedDict()
        self.server_ids: OrderedDict[tuple[str, str | int], int] = OrderedDict()


class WebSocketMessages:
    """Folds the messages of one WebSocket endpoint into their formats; see the module
    docstring for the rules and the result's shape.

    ``secret_fields`` as for :class:`~apidisco.infer.schema.SchemaBuilder`.
    """

    def __init__(self, *, secret_fields: Iterable[str] | None = None) -> None:
        fields = tuple(SECRET_FIELDS if secret_fields is None else secret_fields)
        self._directions = {direction: _Direction(fields) for direction in DIRECTIONS}
        self._connections: OrderedDict[str, _Connection] = OrderedDict()
        self._finished = 0
        self._finished_first = dict.fromkeys(DIRECTIONS, 0)
        self._pairs: dict[str, int] = {}
        self._requests: dict[str, int] = {}

    def add(
        self,
        direction: str,
        document: Any | None,
        *,
        text: bool,
        connection_id: str | None,
        sequence: int | None = None,
    ) -> None:
        """Fold in one message.

        ``direction``: ``"client"`` (client to server) or ``"server"``;
        ``document``: the parsed JSON, ``None`` when the message was not JSON;
        ``text``: a text frame (``False``: binary); ``connection_id``: which
        connection carried it (``None``: unknown); ``sequence``: its position in
        that connection when known, else messages of a connection are taken to
        arrive in order.
        """
        side = self._directions.get(direction)
        if side is None:
            raise ValueError(f"direction must be 'client' or 'server', not {direction!r}")
        side.add(document, text)
        if connection_id is not None:
            self._follow(direction, document, connection_id, sequence)

    def _follow(
        self, direction: str, document: Any | None, connection_id: str, sequence: int | None
    ) -> None:
        connection = self._connections.get(connection_id)
        if connection is None:
            if len(self._connections) >= MAX_CONNECTIONS:
                _, oldest = self._connections.popitem(last=False)
                self._finish(oldest)
            connection = self._connections[connection_id] = _Connection()
        else:
            self._connections.move_to_end(connection_id)
        position = connection.arrivals if sequence is None else sequence
        connection.arrivals += 1
        if connection.first is None or position < connection.first_position:
            connection.first = direction
            connection.first_position = position
        for key in _pairing_keys(document):
            if direction == "client":
                self._requests[key[0]] = self._requests.get(key[0], 0) + 1
                mine, theirs = connection.client_ids, connection.server_ids
                answered = theirs.get(key, -1) > position
            else:
                mine, theirs = connection.server_ids, connection.client_ids
                asked = theirs.get(key)
                answered = asked is not None and asked < position
            if answered:
                del theirs[key]
                self._pairs[key[0]] = self._pairs.get(key[0], 0) + 1
            else:
                _remember(mine, key, position)

    def _finish(self, connection: _Connection) -> None:
        self._finished += 1
        if connection.first is not None:
            self._finished_first[connection.first] += 1

    def _order(self) -> dict[str, Any] | None:
        connections = self._finished + len(self._connections)
        if not connections:
            return None
        first = dict(self._finished_first)
        for connection in self._connections.values():
            if connection.first is not None:
                first[connection.first] += 1
        order: dict[str, Any] = {
            "connections": connections,
            "first": "server" if first["server"] > first["client"] else "client",
            "clientFirst": first["client"],
            "serverFirst": first["server"],
        }
        pairing = self._pairing()
        if pairing is not None:
            order["pairing"] = pairing
        return order

    def _pairing(self) -> dict[str, Any] | None:
        if not self._pairs:
            return None
        field = min(self._pairs, key=lambda name: (-self._pairs[name], PAIRING_NAMES.index(name)))
        pairs, requests = self._pairs[field], self._requests.get(field, 0)
        if 2 * pairs < requests:
            return None
        return {"field": field, "pairs": pairs, "requests": requests}

    def build(self) -> dict[str, Any]:
        """The ``websocketMessages`` value (``{}`` before the first message)."""
        result: dict[str, Any] = {
            direction: side.build() for direction, side in self._directions.items() if side.messages
        }
        order = self._order()
        if order is not None:
            result["order"] = order
        return result

    def footprint(self) -> int:
        """How many things the builder holds: bounded by the shape of the messages and
        the limits above, not by the number of messages or connections."""
        size = sum(side.footprint() for side in self._directions.values())
        for connection in self._connections.values():
            size += 1 + len(connection.client_ids) + len(connection.server_ids)
        return size + len(self._pairs) + len(self._requests)
