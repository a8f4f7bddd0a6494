"""Migrations: built from empty on each backend, no drift, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from apidisco.errors import SchemaNotAtHeadError, StoreError
from apidisco.store import migrate
from apidisco.store.database import Database
from apidisco.store.engine import create_engine, sqlite_url


def test_upgrade_from_empty_reaches_head(empty_database: Database) -> None:
    assert migrate.current_revision(empty_database) is None
    result = migrate.upgrade(empty_database)
    assert result.before is None
    assert result.after == migrate.head_revision()
    assert result.changed
    migrate.ensure_at_head(empty_database)


def test_upgrade_twice_changes_nothing(empty_database: Database) -> None:
    migrate.upgrade(empty_database)
    again = migrate.upgrade(empty_database)
    assert not again.changed


def test_models_and_migrations_do_not_drift(migrated_database: Database) -> None:
    assert migrate.drift(migrated_database) == []


def test_drift_is_reported(empty_database: Database) -> None:
    migrate.upgrade(empty_database)
    with empty_database.engine.begin() as connection:
        connection.exec_driver_sql('DROP INDEX "api_calls_method_idx"')
        connection.exec_driver_sql('ALTER TABLE users ADD COLUMN "nickname" TEXT')
    differences = migrate.drift(empty_database)
    assert any("api_calls_method_idx" in line for line in differences), differences
    assert any("nickname" in line for line in differences), differences


def test_an_empty_database_is_refused_with_the_command_to_run(empty_database: Database) -> None:
    with pytest.raises(SchemaNotAtHeadError, match="run `apidisco db upgrade`"):
        migrate.ensure_at_head(empty_database)


def test_a_database_from_a_newer_apidisco_is_refused(empty_database: Database) -> None:
    migrate.upgrade(empty_database)
    with empty_database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeed'")
    with pytest.raises(SchemaNotAtHeadError, match="does not know .* upgrade apidisco"):
        migrate.ensure_at_head(empty_database)


def test_the_migrations_are_found(empty_database: Database) -> None:
    location = migrate.script_location()
    assert (location / "env.py").is_file()
    assert list((location / "versions").glob("*.py"))


def test_sqlite_foreign_keys_are_back_on_after_an_upgrade(tmp_path: Path) -> None:
    database = Database(engine=create_engine(sqlite_url(tmp_path / "fk.db")))
    try:
        migrate.upgrade(database)
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        database.dispose()


def test_a_failed_upgrade_leaves_the_database_as_it_was(empty_database: Database) -> None:
    # A table in the way makes the initial revision fail part-way through.
    with empty_database.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE api_calls (id TEXT)")
    with pytest.raises(StoreError, match="failed and was rolled back"):
        migrate.upgrade(empty_database)
    with empty_database.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert tables == {"api_calls"}
    assert migrate.current_revision(empty_database) is None
