"""Endpoint slugs are unique: public documentation is addressed by its slug.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("endpoints", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("endpoints_slug_key"), ["slug"])


def downgrade() -> None:
    with op.batch_alter_table("endpoints", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("endpoints_slug_key"), type_="unique")
