"""``infer_endpoint``: stored calls in, discovered endpoints and call patterns out."""

from __future__ import annotations

import functools
from pathlib import Path

import orjson
import pytest

from apidisco.describe import describe_operations
from apidisco.describe.chat import ChatClient
from apidisco.errors import NotFoundError, ValidationError
from apidisco.services import endpoints
from apidisco.services.actor import Actor
from apidisco.services.inference import (
    PATTERN_BATCH,
    TemplateRules,
    infer_endpoint,
    load_template_rules,
)
from apidisco.store import migrate
from apidisco.store.database import Database
from apidisco.store.models import ApiCall, AuditLog, DiscoveredEndpoint
from tests.describe.server import API_KEY, MODEL, ChatServer, Reply
from tests.services.support import DESTINATION, PRICING, actor_of, count, signup
from tests.services.traffic import exchange, shop, store


def _discovered(database: Database, endpoint_id: str) -> dict[str, DiscoveredEndpoint]:
    with database.session() as session:
        from sqlmodel import select

        rows = session.exec(
            select(DiscoveredEndpoint).where(DiscoveredEndpoint.endpoint_id == endpoint_id)
        )
        return {row.pattern: row for row in rows}


def _patterns(database: Database, endpoint_id: str) -> dict[str, str | None]:
    with database.session() as session:
        from sqlmodel import select

        rows = session.exec(select(ApiCall).where(ApiCall.endpoint_id == endpoint_id))
        return {row.url.removeprefix(DESTINATION): row.endpoint_pattern for row in rows}


def test_infer_stores_one_row_per_pattern_with_schemas_auth_and_pagination(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    store(database, endpoint_id, shop())
    report = infer_endpoint(database, user, endpoint_id)

    assert report.calls == 17
    assert [(r.pattern, r.methods) for r in report.resources] == [
        ("/users", ("GET", "POST")),
        ("/users/me", ("GET",)),
        ("/users/{userId}", ("DELETE", "GET")),
    ]
    found = _discovered(database, endpoint_id)
    item = found["/users/{userId}"]
    assert item.protocol == "https"
    assert item.api_type == "REST"
    assert item.auth_required is True  # the anonymous call was refused
    assert item.auth_type == "Bearer"
    schema = item.response_schemas["GET"]["200"]["application/json"]
    assert schema["required"] == ["id", "name", "tags"]
    assert schema["properties"]["id"]["type"] == "integer"
    assert item.response_schemas["DELETE"] == {"204": {}}
    assert item.operations is not None
    assert item.operations["GET"]["summary"] == "Get a user by userId"
    parameter = item.operations["GET"]["parameters"][0]
    assert parameter["name"] == "userId"
    assert parameter["schema"] == {"type": "integer"}
    collection = found["/users"]
    assert collection.pagination_type == "page"
    body = collection.request_schema["POST"]["application/json"]
    assert body["properties"]["password"]["examples"][0].startswith("‹masked:")
    assert "pw" not in orjson.dumps(collection.request_schema).decode()

    patterns = _patterns(database, endpoint_id)
    assert patterns["/users/3"] == "/users/{userId}"
    assert patterns["/users/me"] == "/users/me"
    assert patterns["/users?page=1&per_page=10"] == "/users"
    assert report.patterns_set == 17
    assert count(database, AuditLog, AuditLog.action == "ENDPOINT_INFERRED") == 1


def test_running_twice_changes_nothing(database: Database, user: Actor, endpoint_id: str) -> None:
    store(database, endpoint_id, shop())
    infer_endpoint(database, user, endpoint_id)
    before = {
        pattern: (row.id, row.updated_at, row.response_schemas, row.operations)
        for pattern, row in _discovered(database, endpoint_id).items()
    }
    again = infer_endpoint(database, user, endpoint_id)
    after = {
        pattern: (row.id, row.updated_at, row.response_schemas, row.operations)
        for pattern, row in _discovered(database, endpoint_id).items()
    }
    assert after == before
    assert (again.created, again.updated, again.removed, again.patterns_set) == (0, 0, 0, 0)
    assert again.unchanged == 3


def test_operations_no_longer_seen_are_removed_and_new_traffic_updates(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    store(database, endpoint_id, shop())
    infer_endpoint(database, user, endpoint_id)
    with database.transaction() as session:
        from sqlmodel import delete

        session.exec(delete(ApiCall).where(ApiCall.url.contains("/users/me")))  # type: ignore[attr-defined]
    store(database, endpoint_id, [exchange(60, "GET", "/orders", 200, [])])
    report = infer_endpoint(database, user, endpoint_id)
    assert (report.created, report.removed) == (1, 1)
    assert set(_discovered(database, endpoint_id)) == {"/users", "/users/{userId}", "/orders"}


def test_pins_and_forbids_apply_to_stored_traffic(
    database: Database, user: Actor, endpoint_id: str, tmp_path: Path
) -> None:
    store(database, endpoint_id, shop())
    rules_file = tmp_path / "templates.toml"
    rules_file.write_text('pin = ["/users/{who}"]\n')
    report = infer_endpoint(database, user, endpoint_id, rules=load_template_rules(rules_file))
    assert [r.pattern for r in report.resources] == ["/users", "/users/{who}"]
    assert _patterns(database, endpoint_id)["/users/me"] == "/users/{who}"

    report = infer_endpoint(
        database, user, endpoint_id, rules=TemplateRules(forbids=("/users/{}",)), explain=True
    )
    assert "/users/{userId}" not in [r.pattern for r in report.resources]
    assert "/users/5" in [r.pattern for r in report.resources]
    assert any("forbid" in line for line in report.explanation)


def test_a_bad_pin_is_refused_before_anything_is_written(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    store(database, endpoint_id, shop())
    with pytest.raises(ValidationError):
        infer_endpoint(database, user, endpoint_id, rules=TemplateRules(pins=("users/{",)))
    assert _discovered(database, endpoint_id) == {}
    assert set(_patterns(database, endpoint_id).values()) == {None}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pin = 'x'", "pin must be a list"),
        ("pins = []", "unknown key 'pins'"),
        ("pin = [", "not valid TOML"),
    ],
)
def test_bad_templates_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.toml"
    path.write_text(text)
    with pytest.raises(ValidationError, match=message):
        load_template_rules(path)


def test_only_the_owner_may_infer(
    database: Database, admin: Actor, user: Actor, endpoint_id: str
) -> None:
    other = Actor(id="someone-else", email="x@example.com", role="USER")
    with pytest.raises(NotFoundError):
        infer_endpoint(database, other, endpoint_id)
    assert infer_endpoint(database, admin, endpoint_id).calls == 0


def test_many_calls_stream_in_chunks(database: Database, user: Actor, endpoint_id: str) -> None:
    traffic = [
        exchange(n, "GET", f"/items/{n}", 200, {"id": n, "price": n / 2}) for n in range(4500)
    ]
    store(database, endpoint_id, traffic)
    seen: list[tuple[int, int]] = []
    report = infer_endpoint(database, user, endpoint_id, progress=lambda d, t: seen.append((d, t)))
    assert [r.pattern for r in report.resources] == ["/items/{itemId}"]
    assert report.patterns_set == 4500
    assert seen[-1] == (9000, 9000)
    assert len(seen) > 5
    assert set(_patterns(database, endpoint_id).values()) == {"/items/{itemId}"}
    schema = _discovered(database, endpoint_id)["/items/{itemId}"].response_schemas
    assert schema["GET"]["200"]["application/json"]["properties"]["price"]["type"] == "number"


def test_a_language_model_describes_operations_and_is_told_names_only(
    database: Database, user: Actor, endpoint_id: str, chat_server: ChatServer
) -> None:
    store(database, endpoint_id, shop())
    with ChatClient(chat_server.base_url, model=MODEL, api_key=API_KEY, timeout=5) as client:
        report = infer_endpoint(
            database, user, endpoint_id, describer=functools.partial(describe_operations, client)
        )
    assert report.described == 5
    assert report.warnings == ()
    item = _discovered(database, endpoint_id)["/users/{userId}"]
    assert item.operations is not None
    assert item.operations["GET"]["description"] == "Get a user by userId: GET /users/{userId}."
    assert item.operations["GET"]["summary"] == "Get a user by userId"
    assert item.description.startswith("Delete a user by userId: DELETE /users/{userId}.")
    sent = b"".join(request.raw for request in chat_server.requests)
    assert b"masked" not in sent
    assert b"password" not in sent  # a secret's name is not sent either
    assert b"secret-token" not in sent
    operations = [op for request in chat_server.requests for op in request.operations]
    create = next(op for op in operations if op["key"] == "POST /users")
    assert create["request_fields"] == ["name"]


def test_when_the_model_fails_the_summaries_stand(
    database: Database, user: Actor, endpoint_id: str, chat_server: ChatServer
) -> None:
    store(database, endpoint_id, shop())
    chat_server.replies.append(Reply(status=500, body=b'{"error": {"message": "overloaded"}}'))
    with ChatClient(chat_server.base_url, model=MODEL, api_key=API_KEY, timeout=5) as client:
        report = infer_endpoint(
            database, user, endpoint_id, describer=functools.partial(describe_operations, client)
        )
    assert report.described == 0
    assert len(report.warnings) == 1
    assert "the summaries stand" in report.warnings[0]
    item = _discovered(database, endpoint_id)["/users/{userId}"]
    assert item.operations is not None
    assert "description" not in item.operations["GET"]
    assert item.description == "Delete a user by userId. Get a user by userId."


def test_patterns_are_written_in_batches_outside_a_joined_transaction(
    empty_database: Database,
) -> None:
    """A store of its own (no caller's transaction): on PostgreSQL the batches are
    written by a worker thread while the analysis goes on, on SQLite inline."""
    migrate.upgrade(empty_database)
    owner = actor_of(signup(empty_database, "carol"))
    endpoint = endpoints.create(
        empty_database, owner, DESTINATION, pricing=PRICING, allow_private=True
    )
    calls = PATTERN_BATCH + 700
    store(
        empty_database,
        endpoint.id,
        [exchange(n, "GET", f"/things/{n}", 200, {"id": n}) for n in range(calls)],
    )
    report = infer_endpoint(empty_database, owner, endpoint.id)
    assert report.patterns_set == calls
    assert set(_patterns(empty_database, endpoint.id).values()) == {"/things/{thingId}"}
    again = infer_endpoint(empty_database, owner, endpoint.id)
    assert again.patterns_set == 0


def test_ids_named_by_responses_are_read_by_the_database(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    store(
        database,
        endpoint_id,
        [
            exchange(0, "POST", "/notes/checkpoints", 201, {"id": "checkpoint"}),
            exchange(1, "GET", "/notes/checkpoints", 200, [{"id": "draft"}]),
            exchange(2, "DELETE", "/notes/checkpoints/checkpoint", 204),
            exchange(3, "GET", "/notes/checkpoints/draft", 200, {"id": "draft"}),
        ],
    )
    report = infer_endpoint(database, user, endpoint_id)
    assert [r.pattern for r in report.resources] == [
        "/notes/checkpoints",
        "/notes/checkpoints/{checkpointId}",
    ]
