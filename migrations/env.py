"""Alembic environment for apidisco.

Normally driven by ``apidisco db upgrade`` (``apidisco.store.migrate``), which
passes an open connection in ``config.attributes["connection"]`` and owns the
transaction. Run through the ``alembic`` command instead (to write a new
revision: ``alembic revision --autogenerate -m "..."`` from the repository
root), it connects to the database the apidisco settings resolve to.
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext

from apidisco.store.models import metadata

config = context.config


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render SQLModel's UTCDateTime as the column type the database sees."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    from apidisco.config import resolve_settings
    from apidisco.store.database import open_database

    database = open_database(resolve_settings(environ=os.environ), require_head=False)
    try:
        with database.engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        database.dispose()


if context.is_offline_mode():
    raise SystemExit("apidisco migrations run online only: use `apidisco db upgrade`")
run_migrations_online()
