"""The ledger invariant of the accounts issue, checked for every account in a store."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from apidisco.store.database import Database
from apidisco.store.models import CreditTransaction, User


def assert_ledger_invariant(database: Database) -> None:
    """For every account: the balance is the sum of its ledger amounts, each row's
    balanceAfter is the running balance, and nothing is ever below zero."""
    with database.session() as session:
        users = list(session.execute(sa.select(User)).scalars())
        rows = list(
            session.execute(
                sa.select(CreditTransaction).order_by(
                    col(CreditTransaction.created_at), col(CreditTransaction.id)
                )
            ).scalars()
        )
    by_user: dict[str, list[CreditTransaction]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    for user in users:
        running = 0
        for entry in by_user.get(user.id, []):
            running += entry.amount
            assert entry.balance_after == running, (user.email, entry.type, entry.amount)
            assert running >= 0, user.email
        assert user.credits == running, (user.email, user.credits, running)
