"""The ``Database`` handle services work with, and how one is opened.

A ``Database`` owns an engine and hands out sessions. Services open one
transaction per use case with :meth:`Database.transaction`; repositories
receive that session and never commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from apidisco.config import Settings
from apidisco.store.engine import (
    SQLITE_BEGIN,
    create_engine,
    describe_url,
    parse_database_url,
    sqlite_url,
    translate_connect_errors,
)

__all__ = ["Database", "Session", "open_database"]


@dataclass
class Database:
    """An engine plus the rules for using it."""

    engine: sa.Engine
    embedded: bool = False
    connection: sa.Connection | None = None

    @classmethod
    def joining(cls, connection: sa.Connection) -> Database:
        """A handle whose sessions all run inside ``connection``'s transaction.

        Each :meth:`transaction` becomes a SAVEPOINT of the caller's transaction,
        so a program (or a test) can embed apidisco's use cases in a transaction
        of its own and roll all of them back.
        """
        return cls(engine=connection.engine, connection=connection)

    def _session(self, *, read_only: bool = False) -> Session:
        if self.connection is None:
            bind = (
                self.engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
                if read_only
                else self.engine
            )
            return Session(bind, expire_on_commit=False)
        return Session(
            self.connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    @property
    def url(self) -> sa.URL:
        return self.engine.url

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def describe(self) -> str:
        """The URL without its password, for messages."""
        return describe_url(self.url)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with self._session(read_only=True) as session:
            yield session

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._session() as session, session.begin():
            yield session

    def ping(self) -> None:
        """Connect once; a failure becomes one readable :class:`StoreError`."""
        with translate_connect_errors(self.url), self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings, *, require_head: bool = True) -> Database:
    """Open the configured store.

    With no database URL configured, the embedded SQLite file is created if
    needed and upgraded to the newest schema automatically. Any other database
    must already be at head (``apidisco db upgrade``), or
    :class:`SchemaNotAtHeadError` names the command to run. With
    ``require_head=False`` the schema is neither checked nor upgraded (for the
    ``db`` commands that inspect or upgrade it).
    """
    from apidisco.store import migrate

    embedded = settings.database_url is None
    if embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = sqlite_url(settings.embedded_database_path)
    else:
        assert settings.database_url is not None
        url = parse_database_url(settings.database_url)
    engine = create_engine(
        url, pool_min=settings.database_pool_min, pool_max=settings.database_pool_max
    )
    database = Database(engine=engine, embedded=embedded)
    try:
        database.ping()
        if require_head and embedded:
            migrate.upgrade(database)
        elif require_head:
            migrate.ensure_at_head(database)
    except BaseException:
        database.dispose()
        raise
    return database
