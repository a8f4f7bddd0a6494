"""Steps the payment tests share: buy, deliver an event, read back what changed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from apidisco.config import Settings
from apidisco.enums import CreditTransactionType
from apidisco.services import payments, webhooks
from apidisco.services.actor import Actor
from apidisco.services.payments import CheckoutView
from apidisco.store.database import Database
from apidisco.store.models import AuditLog, CreditTransaction, Payment
from tests.payments.provider import FakeProviders


def buy(
    database: Database, user: Actor, settings: Settings, provider: str, pack: str = "starter"
) -> CheckoutView:
    adapter = payments.connect(settings, provider)
    try:
        return payments.buy(database, user, settings, pack, adapter)
    finally:
        adapter.close()


def deliver(
    database: Database, settings: Settings, provider: str, delivery: tuple[bytes, dict[str, str]]
) -> webhooks.WebhookOutcome:
    body, headers = delivery
    return webhooks.deliver(database, settings, provider, body, headers)


def stored_payment(database: Database, payment_id: str) -> Payment:
    with database.session() as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        return payment


def ledger_of(database: Database, user_id: str) -> list[tuple[int, CreditTransactionType, Any]]:
    with database.session() as session:
        rows = session.execute(
            sa.select(CreditTransaction)
            .where(col(CreditTransaction.user_id) == user_id)
            .order_by(col(CreditTransaction.created_at), col(CreditTransaction.id))
        ).scalars()
        return [(row.amount, row.type, row.payment_id) for row in rows]


def audit_rows(database: Database, action: str) -> list[AuditLog]:
    with database.session() as session:
        statement = sa.select(AuditLog).where(col(AuditLog.action) == action)
        return list(session.execute(statement.order_by(col(AuditLog.created_at))).scalars())


def details_of(row: AuditLog) -> dict[str, Any]:
    assert row.details is not None
    return row.details


def paid_with_stripe(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> CheckoutView:
    checkout = buy(database, user, settings, "stripe")
    outcome = deliver(database, settings, "stripe", providers.stripe_pay(checkout.provider_id))
    assert outcome.result == "completed"
    return checkout


def paid_with_paypal(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> CheckoutView:
    checkout = buy(database, user, settings, "paypal")
    assert deliver(
        database, settings, "paypal", providers.paypal_approve(checkout.provider_id)
    ).result == ("captured")
    outcome = deliver(
        database, settings, "paypal", providers.paypal_capture_event(checkout.provider_id)
    )
    assert outcome.result == "completed"
    return checkout
