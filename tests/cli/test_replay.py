"""``apidisco replay``, ``changes`` and ``monitor`` from the command line, against a real server."""

from __future__ import annotations

import os
from typing import Any, cast

import pytest
from click.testing import Result

from apidisco.store.database import Database
from apidisco.store.engine import create_engine, parse_database_url
from tests.cli.conftest import Invoke, json_of
from tests.services.apiserver import TOKEN, ShopServer
from tests.services.replaying import KEY, STEPS_PER_SESSION, browse, store_captured


def rows(result: Result) -> list[dict[str, Any]]:
    return cast("list[dict[str, Any]]", json_of(result))


@pytest.fixture
def shop(
    fresh_store: Invoke, shop_server: ShopServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[Invoke, str]:
    """A logged-in store with an endpoint on the shop server: captured, inferred, recorded."""
    monkeypatch.setenv("APIDISCO_ALLOW_PRIVATE_DESTINATIONS", "1")
    monkeypatch.setenv("APIDISCO_SECRET_KEY", KEY)
    for args in (["account", "signup"], ["account", "login"]):
        result = fresh_store(
            *args, "--email", "ann@example.com", "--password-stdin", input="long password\n"
        )
        assert result.exit_code == 0, result.stderr
    created = fresh_store("--json", "endpoint", "create", shop_server.destination)
    assert created.exit_code == 0, created.stderr
    endpoint = str(json_of(created)["id"])  # type: ignore[index]
    database = Database(
        engine=create_engine(parse_database_url(os.environ["APIDISCO_DATABASE_URL"]))
    )
    try:
        store_captured(database, endpoint, browse(shop_server))
    finally:
        database.dispose()
    assert fresh_store("infer", endpoint).exit_code == 0
    recorded = fresh_store(
        "replay", "record", endpoint, "--from-calls", f"limit={STEPS_PER_SESSION}"
    )
    assert recorded.exit_code == 0, recorded.stderr
    assert f"Recorded {STEPS_PER_SESSION} steps" in recorded.stdout
    return fresh_store, endpoint


def test_run_prints_each_call_and_no_change(shop: tuple[Invoke, str]) -> None:
    apidisco, endpoint = shop
    result = apidisco("replay", "run", endpoint, "--speed", "0")
    assert result.exit_code == 0, result.stderr
    assert "Replay of" in result.stdout
    assert result.stdout.count(" ok ") >= STEPS_PER_SESSION
    assert "No API changes." in result.stdout
    report = json_of(apidisco("--json", "replay", "run", endpoint, "--speed", "0"))
    assert [step["outcome"] for step in report["steps"]] == ["ok"] * STEPS_PER_SESSION  # type: ignore[index]
    assert report["changes"] == []  # type: ignore[index]


def test_changes_are_listed_and_filtered(shop: tuple[Invoke, str], shop_server: ShopServer) -> None:
    apidisco, endpoint = shop
    shop_server.version = "method-added"
    assert apidisco("replay", "run", endpoint, "--speed", "0").exit_code == 0
    shop_server.version = "field-removed"
    result = apidisco("replay", "run", endpoint, "--speed", "0")
    assert result.exit_code == 0, result.stderr
    assert "SCHEMA_CHANGED" in result.stdout
    assert "BREAKING" in result.stdout

    listed = rows(apidisco("--json", "changes", "list", endpoint))
    assert {(c["change_type"], c["breaking"]) for c in listed} == {
        ("METHOD_ADDED", False),
        ("SCHEMA_CHANGED", True),
    }
    breaking = rows(apidisco("--json", "changes", "list", endpoint, "--breaking"))
    assert {c["change_type"] for c in breaking} == {"SCHEMA_CHANGED"}
    future = json_of(apidisco("--json", "changes", "list", endpoint, "--since", "2999-01-01"))
    assert future == []
    table = apidisco("changes", "list", endpoint, "--breaking")
    assert "SCHEMA_CHANGED" in table.stdout
    assert "METHOD_ADDED" not in table.stdout
    bad = apidisco("changes", "list", endpoint, "--since", "yesterday")
    assert bad.exit_code == 2
    assert "not a date" in bad.stderr


def test_dry_run_shows_requests_with_secrets_masked(
    shop: tuple[Invoke, str], shop_server: ShopServer
) -> None:
    apidisco, endpoint = shop
    before = sum(shop_server.requests.values())
    result = apidisco("replay", "run", endpoint, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "authorization: Bearer ‹masked:" in result.stdout
    assert "/books/{steps[0].response.$.id}" in result.stdout
    assert TOKEN not in result.stdout
    assert sum(shop_server.requests.values()) == before


def test_errors_are_one_line(
    shop: tuple[Invoke, str], shop_server: ShopServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    apidisco, endpoint = shop
    monkeypatch.delenv("APIDISCO_SECRET_KEY")
    no_key = apidisco("replay", "run", endpoint)
    assert no_key.exit_code == 2
    assert "APIDISCO_SECRET_KEY is not set" in no_key.stderr
    assert no_key.stderr.count("\n") == 1
    monkeypatch.setenv("APIDISCO_SECRET_KEY", KEY)
    monkeypatch.setenv("APIDISCO_ALLOW_PRIVATE_DESTINATIONS", "0")
    refused = apidisco("replay", "run", endpoint)
    assert refused.exit_code == 2
    assert "loopback" in refused.stderr
    allowed = apidisco("replay", "run", endpoint, "--allow-private", "--speed", "0")
    assert allowed.exit_code == 0, allowed.stderr
    bad_header = apidisco("replay", "record", endpoint, "--header", "Authorization")
    assert bad_header.exit_code == 2


def test_a_refused_credential_stops_with_exit_1(shop: tuple[Invoke, str]) -> None:
    apidisco, endpoint = shop
    result = apidisco(
        "replay", "run", endpoint, "--speed", "0", "-H", "Authorization: Bearer wrong"
    )
    assert result.exit_code == 1
    assert "auth-failed" in result.stdout
    assert "replay stopped" in result.stderr


def test_monitor_run_replays_due_endpoints_and_announces_changes(
    shop: tuple[Invoke, str], shop_server: ShopServer
) -> None:
    apidisco, endpoint = shop
    monitored = apidisco("endpoint", "monitor", endpoint, "--frequency", "daily")
    assert monitored.exit_code == 0, monitored.stderr
    assert apidisco("document", endpoint).exit_code == 0
    shop_server.version = "endpoint-removed"
    result = apidisco("monitor", "run", "--due")
    assert result.exit_code == 0, result.stderr
    assert "1 endpoint replayed" in result.stdout
    assert "BREAKING REMOVED_ENDPOINT" in result.stdout
    again = json_of(apidisco("--json", "monitor", "run", "--due"))
    assert again["runs"] == []  # type: ignore[index]
    assert again["notifications"]["delivered"] == []  # type: ignore[index]
