"""Database URLs and engines for the two supported backends.

PostgreSQL (``postgresql+psycopg``) is the production store; SQLite is the
embedded default. Each engine is configured for how apidisco uses it:

- PostgreSQL: a pool sized by ``database_pool_min``/``database_pool_max``,
  pre-ping, a connect timeout.
- SQLite: foreign keys enforced, WAL journal, a busy timeout, and every
  transaction opened with ``BEGIN IMMEDIATE`` so concurrent writers queue
  instead of failing on a lock upgrade (read-only sessions begin DEFERRED and
  never wait for a writer). (pysqlite's own transaction handling
  is switched off so SAVEPOINTs work; see SQLAlchemy's "Serializable isolation
  / Savepoints / Transactional DDL" notes for pysqlite.)
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc

from apidisco.errors import ConfigError, StoreError

__all__ = [
    "SQLITE_BEGIN",
    "create_engine",
    "describe_url",
    "error_reason",
    "is_sqlite",
    "parse_database_url",
    "sqlite_url",
    "translate_connect_errors",
]

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option naming how a SQLite transaction begins: IMMEDIATE (default) or DEFERRED.
SQLITE_BEGIN = "apidisco_sqlite_begin"
PG_CONNECT_TIMEOUT_S = 10


def sqlite_url(path: Path) -> sa.URL:
    return sa.URL.create("sqlite+pysqlite", database=str(path))


def parse_database_url(raw: str) -> sa.URL:
    """Parse and normalise a database URL, or raise :class:`ConfigError`.

    ``postgres://`` and ``postgresql://`` select the psycopg 3 driver; ``sqlite://``
    selects pysqlite. Any other backend is refused.
    """
    try:
        url = sa.make_url(raw.strip())
    except exc.ArgumentError:
        raise ConfigError(
            f"database URL {_redact(raw)!r} is not a URL; expected "
            "sqlite:///path/to/file.db or postgresql://user:password@host:port/dbname"
        ) from None
    backend, _, driver = url.drivername.partition("+")
    if backend in {"postgres", "postgresql"}:
        if driver not in {"", "psycopg"}:
            raise ConfigError(
                f"database driver {driver!r} is not supported; use postgresql:// (psycopg 3)"
            )
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if driver not in {"", "pysqlite"}:
            raise ConfigError(f"database driver {driver!r} is not supported; use sqlite://")
        if not url.database or url.database == ":memory:":
            raise ConfigError(
                "an in-memory SQLite database keeps nothing; give a file: sqlite:///path/to/file.db"
            )
        return url.set(drivername="sqlite+pysqlite")
    raise ConfigError(
        f"database {backend!r} is not supported; apidisco stores into SQLite or PostgreSQL"
    )


def _redact(raw: str) -> str:
    with contextlib.suppress(exc.ArgumentError):
        return describe_url(sa.make_url(raw))
    return raw


def describe_url(url: sa.URL) -> str:
    """The URL as it may be shown to a person: never with its password."""
    return url.render_as_string(hide_password=True)


def is_sqlite(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_engine(url: sa.URL, *, pool_min: int = 5, pool_max: int = 15) -> sa.Engine:
    """An engine for ``url`` configured for apidisco (see the module docstring)."""
    if is_sqlite(url):
        return _sqlite_engine(url)
    return sa.create_engine(
        url,
        pool_size=pool_min,
        max_overflow=max(pool_max - pool_min, 0),
        pool_pre_ping=True,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "apidisco"},
    )


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    # SQLite has no DECIMAL type and SQLAlchemy warns that Numeric is stored as
    # a float. Payment amounts have two decimal places and are read back
    # quantized to them, so the warning carries no information here.
    warnings.filterwarnings(
        "ignore",
        message=r"Dialect sqlite\+pysqlite does \*not\* support Decimal objects natively",
        category=exc.SAWarning,
    )
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Writers take the write lock up front; read-only sessions ask for a
        # deferred BEGIN and, in WAL mode, never wait for a writer.
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextlib.contextmanager
def translate_connect_errors(url: sa.URL) -> Iterator[None]:
    """Turn a failure to reach the database into one readable :class:`StoreError`."""
    try:
        yield
    except exc.DBAPIError as error:
        raise StoreError(
            f"cannot use the database at {describe_url(url)}: {error_reason(error)}"
        ) from error


def error_reason(error: BaseException) -> str:
    """The first line of what the driver said, without SQLAlchemy's wrapping."""
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__
