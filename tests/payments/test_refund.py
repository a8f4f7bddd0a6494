"""Refunds: through the provider, credits taken back once, never below zero (both backends)."""

from __future__ import annotations

import pytest

from apidisco.config import Settings
from apidisco.enums import CreditTransactionType, PaymentStatus
from apidisco.errors import (
    InsufficientCreditsError,
    PaymentError,
    PermissionDeniedError,
    ValidationError,
)
from apidisco.services import credits, endpoints, payments
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from tests.payments.flows import (
    audit_rows,
    buy,
    deliver,
    ledger_of,
    paid_with_paypal,
    paid_with_stripe,
    stored_payment,
)
from tests.payments.provider import FakeProviders
from tests.services.support import DESTINATION, PRICING


def _refund(
    database: Database, actor: Actor, settings: Settings, payment_id: str
) -> payments.PaymentView:
    return payments.refund(
        database, actor, payment_id, lambda provider: payments.connect(settings, provider)
    )


def test_a_stripe_refund_gives_the_money_back_and_takes_the_credits(
    database: Database, admin: Actor, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = paid_with_stripe(database, user, settings, providers)
    assert checkout.payment is not None
    payment_id = checkout.payment.id
    intent = providers.sessions[checkout.provider_id]["payment_intent"]
    view = _refund(database, admin, settings, payment_id)
    assert (view.status, view.credits) == (PaymentStatus.REFUNDED, 100)

    assert [(r["payment_intent"], r["status"]) for r in providers.refunds] == [
        (intent, "succeeded")
    ]
    assert providers.refunds[0]["metadata"] == {"payment_id": payment_id}
    payment = stored_payment(database, payment_id)
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.provider_data is not None
    assert payment.provider_data["refund_id"] == providers.refunds[0]["id"]
    assert credits.balance(database, user) == 100
    assert ledger_of(database, user.id)[-1] == (-100, CreditTransactionType.REFUND, payment_id)
    assert [row.resource_id for row in audit_rows(database, "PAYMENT_REFUNDED")] == [payment_id]


def test_a_paypal_refund_refunds_the_capture(
    database: Database, admin: Actor, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = paid_with_paypal(database, user, settings, providers)
    assert checkout.payment is not None
    _refund(database, admin, settings, checkout.payment.id)
    (capture,) = providers.captures.values()
    assert [(r["capture_id"], r["amount"]) for r in providers.refunds] == [
        (capture["id"], {"currency_code": "USD", "value": "5.00"})
    ]
    assert stored_payment(database, checkout.payment.id).status == PaymentStatus.REFUNDED
    assert credits.balance(database, user) == 100


def test_a_refund_is_refused_when_the_credits_were_spent(
    database: Database, admin: Actor, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = paid_with_stripe(database, user, settings, providers)
    assert checkout.payment is not None
    for _ in range(5):  # 200 - 5 × 25 = 75 credits left, fewer than the 100 bought
        endpoints.create(database, user, DESTINATION, pricing=PRICING)
    with pytest.raises(
        InsufficientCreditsError,
        match="bob@example.com has 75 credits left of the 100 it bought.*nothing was sent",
    ):
        _refund(database, admin, settings, checkout.payment.id)
    assert providers.refunds == []
    assert stored_payment(database, checkout.payment.id).status == PaymentStatus.COMPLETED
    assert credits.balance(database, user) == 75


def test_a_refund_the_provider_declines_takes_nothing(
    database: Database, admin: Actor, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = paid_with_stripe(database, user, settings, providers)
    assert checkout.payment is not None
    providers.refund_status = "failed"
    with pytest.raises(
        PaymentError, match="did not refund payment .*failed.*no credits were taken"
    ):
        _refund(database, admin, settings, checkout.payment.id)
    assert stored_payment(database, checkout.payment.id).status == PaymentStatus.COMPLETED
    assert credits.balance(database, user) == 200


def test_only_completed_payments_are_refunded_and_only_by_admins(
    database: Database, admin: Actor, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    pending = buy(database, user, settings, "stripe")
    assert pending.payment is not None
    with pytest.raises(ValidationError, match="is PENDING; only a COMPLETED payment"):
        _refund(database, admin, settings, pending.payment.id)
    paid = paid_with_stripe(database, user, settings, providers)
    assert paid.payment is not None
    with pytest.raises(PermissionDeniedError, match="only an admin can refund payments"):
        _refund(database, user, settings, paid.payment.id)
    _refund(database, admin, settings, paid.payment.id)
    with pytest.raises(ValidationError, match="is REFUNDED"):
        _refund(database, admin, settings, paid.payment.id)
    assert len(providers.refunds) == 1
    assert credits.balance(database, user) == 100


def test_a_late_event_for_a_refunded_payment_credits_nothing(
    database: Database, admin: Actor, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = paid_with_stripe(database, user, settings, providers)
    assert checkout.payment is not None
    _refund(database, admin, settings, checkout.payment.id)
    body, _ = providers.stripe_pay(checkout.provider_id)
    from tests.payments.provider import stripe_signature

    again = deliver(
        database, settings, "stripe", (body, {"Stripe-Signature": stripe_signature(body)})
    )
    assert again.result == "duplicate"
    assert credits.balance(database, user) == 100
