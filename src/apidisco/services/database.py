"""Opening the store and managing its schema: ``apidisco db ...``."""

from __future__ import annotations

from dataclasses import dataclass

from apidisco.config import Settings
from apidisco.store import migrate
from apidisco.store.database import Database, open_database

__all__ = [
    "Database",
    "DriftReport",
    "SchemaStatus",
    "UpgradeReport",
    "check_schema",
    "connect",
    "schema_status",
    "upgrade_schema",
]


def connect(settings: Settings, *, require_head: bool = True) -> Database:
    """Open the configured store (see :func:`apidisco.store.database.open_database`)."""
    return open_database(settings, require_head=require_head)


@dataclass(frozen=True)
class UpgradeReport:
    database: str
    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade_schema(database: Database) -> UpgradeReport:
    """Bring the schema to the newest revision."""
    result = migrate.upgrade(database)
    return UpgradeReport(database=database.describe(), before=result.before, after=result.after)


@dataclass(frozen=True)
class SchemaStatus:
    database: str
    backend: str
    current: str | None
    head: str

    @property
    def at_head(self) -> bool:
        return self.current == self.head


def schema_status(database: Database) -> SchemaStatus:
    """Which revision the database is at, and which this apidisco needs."""
    return SchemaStatus(
        database=database.describe(),
        backend=database.backend,
        current=migrate.current_revision(database),
        head=migrate.head_revision(),
    )


@dataclass(frozen=True)
class DriftReport:
    database: str
    revision: str
    differences: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.differences


def check_schema(database: Database) -> DriftReport:
    """Compare the models with the schema the migrations built.

    Raises :class:`SchemaNotAtHeadError` when the database is not at head.
    """
    migrate.ensure_at_head(database)
    return DriftReport(
        database=database.describe(),
        revision=migrate.head_revision(),
        differences=tuple(migrate.drift(database)),
    )
