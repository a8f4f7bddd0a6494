"""Record a sequence from real captured exchanges, change the server, replay, find the change."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from apidisco.errors import ConfigError, NotFoundError, ValidationError
from apidisco.secretbox import SecretBox
from apidisco.services import endpoints
from apidisco.services.actor import Actor
from apidisco.services.changes import list_changes
from apidisco.services.replay import ReplayOptions, ReplayReport, replay_endpoint
from apidisco.services.sequences import (
    CallFilter,
    parse_call_filter,
    parse_header,
    record_sequence,
)
from apidisco.store.database import Database
from apidisco.store.models import ApiCall, Endpoint
from tests.services.apiserver import TOKEN, ShopServer
from tests.services.replaying import (
    BOX,
    KEY,
    STEPS_PER_SESSION,
    browse,
    recorded_endpoint,
    store_captured,
)
from tests.services.support import PRICING, count

RUN = ReplayOptions(speed=0, allow_private=True, timeout=5)


@pytest.fixture
def recorded(database: Database, user: Actor, shop_server: ShopServer) -> str:
    return recorded_endpoint(database, user, shop_server)


def replay(database: Database, user: Actor, endpoint_id: str, **options: Any) -> ReplayReport:
    chosen = dataclasses.replace(RUN, **options)
    return replay_endpoint(database, user, endpoint_id, box=BOX, options=chosen)


def kinds(report: ReplayReport) -> set[tuple[str, str, str | None, bool]]:
    return {(c.change_type, c.pattern, c.method, c.breaking) for c in report.changes}


def test_a_server_that_changes_only_timestamps_and_ids_shows_no_change(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    report = replay(database, user, recorded)
    assert report.stopped is None
    assert [row.outcome for row in report.steps] == ["ok"] * STEPS_PER_SESSION
    assert report.changes == ()
    assert list_changes(database, user, recorded) == []


def test_correlation_makes_the_replay_read_what_it_created(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    books_before = set(shop_server.books)
    report = replay(database, user, recorded)
    created = set(shop_server.books) - books_before
    assert len(created) == 1
    (book,) = created
    assert [row.path for row in report.steps[1:3]] == [f"/books/{book}"] * 2
    assert shop_server.count("GET", f"/api/books/{book}") == 2


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("field-removed", ("SCHEMA_CHANGED", "/books/{bookId}", "GET", True)),
        ("type-changed", ("SCHEMA_CHANGED", "/books/{bookId}", "GET", True)),
        ("endpoint-removed", ("REMOVED_ENDPOINT", "/authors/{authorId}", None, True)),
        ("method-added", ("METHOD_ADDED", "/books/{bookId}", "DELETE", False)),
        ("auth-added", ("AUTH_CHANGED", "/authors/{authorId}", "GET", True)),
    ],
)
def test_each_change_is_found_with_its_type_and_breaking_flag(
    database: Database,
    user: Actor,
    recorded: str,
    shop_server: ShopServer,
    version: str,
    expected: tuple[str, str, str | None, bool],
) -> None:
    shop_server.version = version
    report = replay(database, user, recorded)
    assert expected in kinds(report)
    stored = list_changes(database, user, recorded)
    assert expected in {(c.change_type, c.pattern, c.method, c.breaking) for c in stored}
    assert all(c.diff["breaking"] is c.breaking for c in stored)
    if version == "method-added":
        assert kinds(report) == {expected}


def test_a_type_change_names_the_field_and_both_types(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    shop_server.version = "type-changed"
    replay(database, user, recorded)
    (change,) = [
        c for c in list_changes(database, user, recorded) if c.pattern == "/books/{bookId}"
    ]
    assert change.diff["differences"] == [
        {
            "path": "$.price",
            "kind": "type",
            "old": "number",
            "new": "string",
            "breaking": True,
            "reason": "response field $.price changed type from number to string",
        }
    ]
    assert change.before["schema"]["properties"]["price"]["type"] == "number"
    assert change.after["schema"]["properties"]["price"]["type"] == "string"
    assert change.discovered_endpoint_id is not None


def test_the_same_change_is_not_written_twice(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    shop_server.version = "field-removed"
    first = replay(database, user, recorded)
    second = replay(database, user, recorded)
    assert first.written == 2  # GET /books/{bookId} and POST /books lost their title
    assert second.written == 0
    assert second.changes == first.changes
    shop_server.version = "type-changed"
    assert replay(database, user, recorded).written > 0


def test_a_stable_value_that_changes_is_a_response_change(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    original = shop_server.route

    def euro_to_dollar(
        method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        status, body, answer = original(method, path, headers, raw)
        if isinstance(body, dict) and body.get("currency") == "EUR":
            body = {**body, "currency": "USD"}
        return status, body, answer

    shop_server.route = euro_to_dollar  # type: ignore[method-assign]
    report = replay(database, user, recorded)
    changed = [c for c in report.changes if c.change_type == "RESPONSE_CHANGED"]
    assert {(c.pattern, c.breaking) for c in changed} == {
        ("/books", False),
        ("/books/{bookId}", False),
    }
    assert changed[0].diff["values"] == [{"path": "$.currency", "old": "EUR", "new": "USD"}]


def test_the_stored_sequence_holds_no_plain_text_token(
    database: Database, user: Actor, recorded: str
) -> None:
    with database.session() as session:
        row = session.execute(
            sa.text(
                'SELECT CAST("sequence" AS TEXT), CAST("authTokens" AS TEXT), '
                'CAST("baselineSnapshots" AS TEXT) FROM action_sequences WHERE "endpointId" = :id'
            ),
            {"id": recorded},
        ).one()
    text = " ".join(row)
    assert TOKEN not in text
    assert "masked:" in row[0]  # SQLite's JSON escapes the ‹ ›
    tokens = __import__("json").loads(row[1])
    assert TOKEN in {Fernet(KEY).decrypt(value.encode()).decode() for value in tokens.values()}


def test_header_values_given_at_record_time_are_kept_encrypted(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    report = record_sequence(
        database,
        user,
        recorded,
        calls=CallFilter(limit=STEPS_PER_SESSION),
        headers={"authorization": f"Bearer {TOKEN}", "x-tenant": "t-1"},
        box=BOX,
    )
    assert report.headers_kept == ("authorization", "x-tenant")
    with database.session() as session:
        raw = session.execute(
            sa.text('SELECT CAST("authTokens" AS TEXT) FROM action_sequences')
        ).scalar_one()
    assert TOKEN not in raw
    assert "t-1" not in raw
    assert replay(database, user, recorded).stopped is None
    with pytest.raises(ConfigError, match="APIDISCO_SECRET_KEY"):
        record_sequence(database, user, recorded, headers={"x-tenant": "t"}, box=None)


def test_replay_without_the_key_is_refused(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    before = sum(shop_server.requests.values())
    with pytest.raises(ConfigError, match="APIDISCO_SECRET_KEY is not set"):
        replay_endpoint(database, user, recorded, box=None, options=RUN)
    with pytest.raises(ConfigError, match="another key"):
        replay_endpoint(
            database, user, recorded, box=SecretBox(Fernet.generate_key().decode()), options=RUN
        )
    assert sum(shop_server.requests.values()) == before


def test_replay_refuses_loopback_unless_allowed(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    before = sum(shop_server.requests.values())
    with pytest.raises(ValidationError, match="loopback"):
        replay(database, user, recorded, allow_private=False)
    assert sum(shop_server.requests.values()) == before


def test_a_redirect_to_cloud_metadata_is_refused_even_when_private_is_allowed(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    shop_server.version = "metadata-redirect"
    report = replay(database, user, recorded)
    assert report.steps[1].outcome == "refused"
    assert "cloud metadata" in (report.stopped or "")
    assert [row.outcome for row in report.steps[2:]] == ["not-sent"] * 3


def test_replay_stops_at_the_first_refused_credential(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    report = replay(database, user, recorded, headers={"Authorization": "Bearer wrong"})
    assert report.steps[0].status == 401
    assert report.steps[0].outcome == "auth-failed"
    assert "credentials were refused" in (report.stopped or "")
    assert {row.outcome for row in report.steps[1:]} == {"not-sent"}
    assert report.changes == ()


def test_the_budget_bounds_the_requests(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    before = sum(shop_server.requests.values())
    report = replay(database, user, recorded, budget=2)
    assert sum(shop_server.requests.values()) - before == 2
    assert report.requests == 2
    assert "budget" in (report.stopped or "")


def test_a_dry_run_sends_nothing_and_shows_no_secret(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    before = sum(shop_server.requests.values())
    report = replay_endpoint(
        database, user, recorded, box=None, options=ReplayOptions(dry_run=True)
    )
    assert sum(shop_server.requests.values()) == before
    assert len(report.requests_planned) == STEPS_PER_SESSION
    assert TOKEN not in repr(report.requests_planned)
    assert report.requests_planned[0]["headers"]["authorization"].startswith("Bearer ‹masked:")
    assert report.requests_planned[1]["url"].endswith("/books/{steps[0].response.$.id}")


def test_replay_sets_last_replay_at_and_stores_the_replayed_calls(
    database: Database, user: Actor, recorded: str, shop_server: ShopServer
) -> None:
    calls = count(database, ApiCall, ApiCall.endpoint_id == recorded)
    replay(database, user, recorded)
    with database.session() as session:
        endpoint = session.get(Endpoint, recorded)
        assert endpoint is not None
        assert endpoint.last_replay_at is not None
    assert count(database, ApiCall, ApiCall.endpoint_id == recorded) == calls + STEPS_PER_SESSION
    with database.session() as session:
        stored = session.execute(
            sa.text(
                'SELECT CAST("requestHeaders" AS TEXT) FROM api_calls WHERE "endpointId" = :id'
            ),
            {"id": recorded},
        ).scalars()
        assert all(TOKEN not in headers for headers in stored)


def test_others_cannot_record_or_replay(
    database: Database, admin: Actor, user: Actor, recorded: str
) -> None:
    from tests.services.support import actor_of, signup

    carol = actor_of(signup(database, "carol"))
    with pytest.raises(NotFoundError):
        replay_endpoint(database, carol, recorded, box=BOX, options=RUN)
    with pytest.raises(NotFoundError):
        record_sequence(database, carol, recorded)
    with pytest.raises(NotFoundError):
        list_changes(database, carol, recorded)


def test_recording_needs_calls(database: Database, user: Actor, endpoint_id: str) -> None:
    with pytest.raises(ValidationError, match="no captured HTTP calls"):
        record_sequence(database, user, endpoint_id)
    with pytest.raises(ValidationError, match="no action sequence"):
        replay_endpoint(database, user, endpoint_id, box=BOX, options=RUN)


def test_call_filters_and_headers_parse() -> None:
    assert parse_call_filter("method=post, path=/books limit=3") == CallFilter(
        method="POST", path="/books", limit=3
    )
    assert parse_call_filter(None) == CallFilter()
    for bad in ("method", "colour=red", "limit=0", "limit=5000"):
        with pytest.raises(ValidationError):
            parse_call_filter(bad)
    assert parse_header("Authorization:  Bearer x ") == ("authorization", "Bearer x")
    with pytest.raises(ValidationError):
        parse_header("Authorization")


def test_a_sequence_recorded_before_inference_replays_by_raw_paths(
    database: Database, user: Actor, shop_server: ShopServer
) -> None:
    endpoint_id = endpoints.create(
        database, user, shop_server.destination, pricing=PRICING, allow_private=True
    ).id
    store_captured(database, endpoint_id, browse(shop_server, sessions=1))
    report = record_sequence(database, user, endpoint_id, box=BOX)
    assert report.operations[0].startswith("GET /authors/")
    assert replay(database, user, endpoint_id).changes == ()
    shop_server.version = "field-removed"
    assert ("SCHEMA_CHANGED", True) in {
        (c.change_type, c.breaking) for c in replay(database, user, endpoint_id).changes
    }
