"""Queries on ``payments``.

:meth:`PaymentRepository.settle` moves a payment out of the states it may
leave with one conditional ``UPDATE ... RETURNING``: of two transactions
settling the same payment, exactly one sees its row come back, so a payment is
credited once even where the row lock of :meth:`PaymentRepository.lock` is not
taken (it is on PostgreSQL; SQLite transactions hold the write lock).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from apidisco.enums import PaymentProvider, PaymentStatus
from apidisco.store.models import Payment, metadata

__all__ = ["PaymentRepository"]


class PaymentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, payment: Payment) -> Payment:
        self.session.add(payment)
        self.session.flush()
        return payment

    def get(self, payment_id: str) -> Payment | None:
        return self.session.get(Payment, payment_id)

    def lock(self, payment_id: str) -> Payment | None:
        """The payment's row, locked until the transaction ends (``FOR UPDATE``),
        read fresh from the database."""
        statement = (
            select(Payment)
            .where(Payment.id == payment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return self.session.exec(statement).first()

    def by_provider_id(self, provider: PaymentProvider, provider_payment_id: str) -> Payment | None:
        statement = select(Payment).where(
            Payment.provider == provider, Payment.provider_payment_id == provider_payment_id
        )
        return self.session.exec(statement).first()

    def listing(self, user_id: str | None = None) -> list[Payment]:
        """A user's payments (everyone's when ``user_id`` is None), newest first."""
        statement = select(Payment).order_by(col(Payment.created_at).desc(), col(Payment.id))
        if user_id is not None:
            statement = statement.where(Payment.user_id == user_id)
        return list(self.session.exec(statement))

    def settle(
        self,
        payment_id: str,
        *,
        leaving: Iterable[PaymentStatus],
        status: PaymentStatus,
        provider_data: dict[str, Any] | None,
        completed_at: datetime | None = None,
        failed_at: datetime | None = None,
    ) -> bool:
        """Set ``status`` if the payment is in one of ``leaving``; whether it was."""
        payments = metadata.tables["payments"]
        values: dict[str, Any] = {"status": status, "providerData": provider_data}
        if completed_at is not None:
            values["completedAt"] = completed_at
        if failed_at is not None:
            values["failedAt"] = failed_at
        statement = (
            sa.update(payments)
            .where(payments.c.id == payment_id, payments.c.status.in_(list(leaving)))
            .values(values)
            .returning(payments.c.id)
        )
        changed = self.session.execute(statement).scalar_one_or_none() is not None
        payment = self.session.get(Payment, payment_id)
        if payment is not None:
            self.session.refresh(payment)
        return changed

    def update_data(self, payment: Payment, provider_data: dict[str, Any]) -> None:
        payment.provider_data = provider_data
        self.session.add(payment)
        self.session.flush()
