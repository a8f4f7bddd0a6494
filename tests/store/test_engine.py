"""Database URLs, engines and connection errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from apidisco.errors import ConfigError, StoreError
from apidisco.store.database import Database
from apidisco.store.engine import (
    create_engine,
    describe_url,
    parse_database_url,
    sqlite_url,
    translate_connect_errors,
)


@pytest.mark.parametrize(
    ("raw", "driver"),
    [
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg"),
        ("postgres://u@h/d", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg"),
        ("sqlite:///relative.db", "sqlite+pysqlite"),
        ("sqlite:////abs/path.db", "sqlite+pysqlite"),
    ],
)
def test_urls_are_normalised_to_the_shipped_drivers(raw: str, driver: str) -> None:
    assert parse_database_url(raw).drivername == driver


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not a url", "is not a URL"),
        ("mysql://root@localhost/db", "'mysql' is not supported"),
        ("postgresql+psycopg2://u@h/d", "driver 'psycopg2' is not supported"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
    ],
)
def test_unusable_urls_are_config_errors(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_database_url(raw)


def test_passwords_never_reach_messages() -> None:
    url = parse_database_url("postgresql://alice:s3cret@db.example:5432/api")
    assert "s3cret" not in describe_url(url)
    with pytest.raises(ConfigError) as raised:
        parse_database_url("oracle://alice:s3cret@db.example/api")
    assert "s3cret" not in str(raised.value)


def test_an_unreachable_server_is_one_readable_error() -> None:
    # Port 9 (discard) on loopback: nothing listens there.
    url = parse_database_url("postgresql://alice:s3cret@127.0.0.1:9/api")
    database = Database(engine=create_engine(url))
    with pytest.raises(StoreError) as raised:
        database.ping()
    message = str(raised.value)
    assert message.startswith("cannot use the database at postgresql+psycopg://alice:***@")
    assert "s3cret" not in message
    assert "\n" not in message


def test_an_unopenable_sqlite_file_is_one_readable_error(tmp_path: Path) -> None:
    database = Database(engine=create_engine(sqlite_url(tmp_path / "missing-dir" / "x.db")))
    with pytest.raises(StoreError, match="unable to open database file"):
        database.ping()


def test_sqlite_connections_are_configured_for_apidisco(tmp_path: Path) -> None:
    engine = create_engine(sqlite_url(tmp_path / "x.db"))
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()


def test_connect_errors_pass_other_exceptions_through() -> None:
    url = parse_database_url("sqlite:///x.db")
    with pytest.raises(KeyError), translate_connect_errors(url):
        raise KeyError("not a database error")


def test_sqlite_reads_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    import sqlite3
    import time

    import sqlalchemy as sa

    from apidisco.store import migrate

    path = tmp_path / "busy.db"
    database = Database(engine=create_engine(sqlite_url(path)))
    migrate.upgrade(database)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        started = time.monotonic()
        with database.session() as session:
            assert session.execute(sa.text("SELECT count(*) FROM users")).scalar_one() == 0
        assert time.monotonic() - started < 1.0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        database.dispose()
