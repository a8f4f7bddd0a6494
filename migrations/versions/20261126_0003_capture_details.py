"""Capture details: truncation flags, body encodings, upstream errors, WebSocket messages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_calls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "requestBodyTruncated", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "responseBodyTruncated", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("requestBodyEncoding", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("responseBodyEncoding", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("connectionId", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("messageDirection", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("graphqlOperation", sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("api_calls_messageDirection_check"),
            "\"messageDirection\" IS NULL OR \"messageDirection\" IN ('client', 'server')",
        )
        batch_op.create_index(batch_op.f("api_calls_connectionId_idx"), ["connectionId"])


def downgrade() -> None:
    with op.batch_alter_table("api_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("api_calls_connectionId_idx"))
        batch_op.drop_constraint(batch_op.f("api_calls_messageDirection_check"), type_="check")
        for column in (
            "graphqlOperation",
            "messageDirection",
            "connectionId",
            "error",
            "responseBodyEncoding",
            "requestBodyEncoding",
            "responseBodyTruncated",
            "requestBodyTruncated",
        ):
            batch_op.drop_column(column)
