"""``apidisco db``: upgrade, current, check and seed on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from apidisco.store.migrate import head_revision
from tests.cli.conftest import Invoke, json_of
from tests.conftest import EmptyDatabaseFactory


@pytest.fixture
def db_url(empty_database_url: EmptyDatabaseFactory) -> str:
    return empty_database_url().render_as_string(hide_password=False)


def test_upgrade_builds_a_fresh_store_and_check_passes(apidisco: Invoke, db_url: str) -> None:
    current = apidisco("--db", db_url, "--json", "db", "current")
    assert current.exit_code == 0, current.stderr
    assert json_of(current)["current"] is None

    upgraded = apidisco("--db", db_url, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert f"from an empty database to revision {head_revision()}" in upgraded.stdout

    again = apidisco("--db", db_url, "db", "upgrade")
    assert "already at the newest revision" in again.stdout

    check = apidisco("--db", db_url, "db", "check")
    assert check.exit_code == 0, check.stderr
    assert "No drift" in check.stdout

    status = json_of(apidisco("--db", db_url, "--json", "db", "current"))
    assert status["at_head"] is True
    assert status["current"] == status["head"]


def test_other_commands_refuse_a_database_not_at_head(apidisco: Invoke, db_url: str) -> None:
    result = apidisco("--db", db_url, "db", "seed")
    assert result.exit_code == 8
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "run `apidisco db upgrade`" in result.stderr


def test_check_exits_1_on_drift(apidisco: Invoke, db_url: str) -> None:
    import sqlalchemy as sa

    assert apidisco("--db", db_url, "db", "upgrade").exit_code == 0
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.exec_driver_sql('DROP INDEX "endpoints_slug_idx"')
    engine.dispose()
    result = apidisco("--db", db_url, "--json", "db", "check")
    assert result.exit_code == 1
    report = json_of(result)
    assert report["clean"] is False
    assert any("endpoints_slug_idx" in line for line in report["differences"])


def test_seed_twice_changes_nothing(apidisco: Invoke, db_url: str) -> None:
    assert apidisco("--db", db_url, "db", "upgrade").exit_code == 0
    first = apidisco("--db", db_url, "--json", "db", "seed")
    assert first.exit_code == 0, first.stderr
    assert json_of(first)["created"] == 3
    second = apidisco("--db", db_url, "db", "seed")
    assert second.exit_code == 0
    assert second.stdout.count("exists") == 3
    assert "created" not in second.stdout


def test_the_embedded_store_is_upgraded_automatically(apidisco: Invoke, isolated_env: Path) -> None:
    result = apidisco("db", "seed")
    assert result.exit_code == 0, result.stderr
    assert (isolated_env / "apidisco.db").is_file()
    assert "demo1@example.com" in result.stdout
    status = json_of(apidisco("--json", "db", "current"))
    assert status["at_head"] is True
    assert status["backend"] == "sqlite"
