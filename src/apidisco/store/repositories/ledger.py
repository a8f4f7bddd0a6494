"""The credit ledger: balance changes and the rows that explain them.

:meth:`LedgerRepository.record` changes a balance with one conditional
``UPDATE ... RETURNING``: the database applies it atomically, refuses it when
the balance would go below zero, and hands back the new balance for the
ledger row. No read-modify-write, so concurrent charges and grants on the same
user never double-spend, on PostgreSQL or SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from apidisco.enums import CreditTransactionType
from apidisco.store.models import CreditTransaction, User, metadata

__all__ = ["LedgerRepository"]


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self,
        user_id: str,
        amount: int,
        type: CreditTransactionType,
        *,
        description: str | None = None,
        endpoint_id: str | None = None,
        payment_id: str | None = None,
    ) -> CreditTransaction | None:
        """Add ``amount`` (negative to charge) to the balance and write its ledger row.

        Returns ``None``, changing nothing, when the user does not exist or the
        balance would go below zero.
        """
        users = metadata.tables["users"]
        statement = (
            sa.update(users)
            .where(users.c.id == user_id, users.c.credits + amount >= 0)
            .values(credits=users.c.credits + amount)
            .returning(users.c.credits)
        )
        balance = self.session.execute(statement).scalar_one_or_none()
        if balance is None:
            return None
        entry = CreditTransaction(
            user_id=user_id,
            amount=amount,
            balance_after=balance,
            type=type,
            description=description,
            endpoint_id=endpoint_id,
            payment_id=payment_id,
        )
        self.session.add(entry)
        self.session.flush()
        # The ORM copy of the user, if loaded, no longer matches the row.
        user = self.session.get(User, user_id)
        if user is not None:
            self.session.refresh(user, ["credits"])
        return entry

    def history(self, user_id: str) -> list[CreditTransaction]:
        statement = (
            select(CreditTransaction)
            .where(CreditTransaction.user_id == user_id)
            .order_by(col(CreditTransaction.created_at), col(CreditTransaction.id))
        )
        return list(self.session.exec(statement))
