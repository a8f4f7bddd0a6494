"""Column types that are one thing on PostgreSQL and another on SQLite.

- ``JSONDocument``: JSONB on PostgreSQL, JSON (text) on SQLite; Python ``None``
  is SQL NULL, never the JSON literal ``null``.
- ``TextArray``: ``text[]`` on PostgreSQL, a JSON array on SQLite.
- ``UTCDateTime`` (from SQLModel): ``timestamptz`` on PostgreSQL; refuses naive
  datetimes on the way in and returns aware UTC datetimes on the way out.
"""

from __future__ import annotations

import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel.sql.sqltypes import UTCDateTime

__all__ = ["JSONDocument", "Money", "TextArray", "UTCDateTime", "value_enum"]

JSONDocument: sa.types.TypeEngine[Any] = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)

TextArray: sa.types.TypeEngine[Any] = sa.JSON().with_variant(
    postgresql.ARRAY(sa.Text()), "postgresql"
)

# Prisma's Decimal @db.Decimal(10, 2).
Money = sa.Numeric(10, 2)


def value_enum(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    """A VARCHAR holding the enum's *values*, with a CHECK constraint listing them.

    Not a native PostgreSQL enum: adding a value is then a plain migration on
    both backends.
    """
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
