"""Schema migrations, driven from Python through Alembic's API.

The Alembic environment lives in the repository's top-level ``migrations/``
and ships inside the wheel as ``apidisco/migrations``; :func:`script_location`
finds whichever is there. Every upgrade runs in one transaction (PostgreSQL
and SQLite both have transactional DDL), so a failed upgrade leaves the
database as it was. On SQLite, foreign keys are switched off while tables are
rebuilt (Alembic's batch mode copies them) and checked afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import exc

from apidisco.errors import SchemaNotAtHeadError, StoreError
from apidisco.store.database import Database
from apidisco.store.engine import error_reason
from apidisco.store.models import metadata

__all__ = [
    "Upgrade",
    "current_revision",
    "drift",
    "ensure_at_head",
    "head_revision",
    "script_location",
    "upgrade",
]

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def script_location() -> Path:
    """The Alembic environment: inside the installed package, else the checkout's."""
    for candidate in (_PACKAGE_DIR / "migrations", _PACKAGE_DIR.parent.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise StoreError("apidisco's migrations are missing from this installation; reinstall it")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest revision this version of apidisco knows."""
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise StoreError("apidisco's migrations have no revisions")
    return head


def current_revision(database: Database) -> str | None:
    """The revision the database is at; ``None`` for an empty database."""
    try:
        with database.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except exc.DBAPIError as error:
        raise StoreError(
            f"cannot read the schema revision of {database.describe()}: {error_reason(error)}"
        ) from error


@dataclass(frozen=True)
class Upgrade:
    """What :func:`upgrade` did."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade(database: Database, revision: str = "head") -> Upgrade:
    """Bring the schema to ``revision`` (the newest by default) in one transaction."""
    before = current_revision(database)
    config = _config()
    try:
        with (
            database.engine.connect() as connection,
            _sqlite_foreign_keys_deferred(connection),
            connection.begin(),
        ):
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except CommandError as error:
        raise StoreError(f"cannot upgrade {database.describe()}: {error}") from error
    except exc.DBAPIError as error:
        raise StoreError(
            f"upgrading {database.describe()} failed and was rolled back: {error_reason(error)}"
        ) from error
    after = current_revision(database)
    assert after is not None
    return Upgrade(before=before, after=after)


@contextlib.contextmanager
def _sqlite_foreign_keys_deferred(connection: sa.Connection) -> Iterator[None]:
    """Switch SQLite's foreign keys off around a migration, then verify them.

    Batch migrations rebuild a table by copy-and-rename; with foreign keys on,
    dropping the old table would cascade into its children. The pragma only
    takes effect outside a transaction, so it is set on the raw connection
    before SQLAlchemy begins one.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw: Any = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
        violations = raw.execute("PRAGMA foreign_key_check").fetchall()
        if violations:
            table = violations[0][0]
            raise StoreError(
                f"the migration left {len(violations)} rows with a broken foreign key "
                f"(first in {table}); the database needs repair"
            )
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def ensure_at_head(database: Database) -> None:
    """Raise :class:`SchemaNotAtHeadError` unless the database is at the newest revision."""
    current = current_revision(database)
    head = head_revision()
    if current == head:
        return
    where = database.describe()
    if current is None:
        raise SchemaNotAtHeadError(
            f"the database at {where} has no apidisco schema yet; run `apidisco db upgrade`"
        )
    try:
        known = _scripts().get_revision(current) is not None
    except CommandError:
        known = False
    if known:
        raise SchemaNotAtHeadError(
            f"the database at {where} is at schema revision {current}, "
            f"this apidisco needs {head}; run `apidisco db upgrade`"
        )
    raise SchemaNotAtHeadError(
        f"the database at {where} is at schema revision {current}, which this version "
        "of apidisco does not know (a newer apidisco upgraded it); upgrade apidisco"
    )


def drift(database: Database) -> list[str]:
    """Differences between the models and the database's actual schema.

    Empty when the migrations build exactly what the models declare. The
    database must be at head (see :func:`ensure_at_head`).
    """
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "target_metadata": metadata}
        )
        return [_describe(diff) for diff in compare_metadata(context, metadata)]


def _describe(diff: Any) -> str:
    """One readable line for an Alembic autogenerate diff."""
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return "; ".join(_describe(item) for item in diff)
    operation, *rest = diff
    if operation.startswith("modify_"):
        _schema, table, column, _info, old, new = rest
        return f"{operation} {table}.{column}: database has {old!r}, models declare {new!r}"
    subject = rest[-1] if operation.endswith("_column") else rest[0]
    name = getattr(subject, "name", subject)
    table = getattr(getattr(subject, "table", None), "name", None)
    return f"{operation} {table + '.' if table else ''}{name}"
