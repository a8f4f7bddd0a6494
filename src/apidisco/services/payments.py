"""Buying credits and subscriptions, refunds, and who may see which payment.

A purchase is a ``payments`` row and a checkout at the provider. The row is
written only once the provider has opened the checkout, complete with the
provider's id (``providerPaymentId``: the Stripe Checkout Session id, the
PayPal order id), so a failed provider call leaves nothing behind. The row
stays PENDING until a verified provider event settles it
(:mod:`apidisco.services.webhooks`); nothing here ever adds credits.

A refund (admins only) gives the money back through the provider and takes
the credits back with a REFUND ledger row, in one transaction that holds the
payment's and the account's rows locked while the provider is asked, so the
credits cannot be spent between the check and the deduction. A refund that
would take the balance below zero is refused before the provider is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from apidisco.config import Settings
from apidisco.enums import CreditTransactionType, PaymentProvider, PaymentStatus
from apidisco.errors import (
    ConfigError,
    InsufficientCreditsError,
    NotFoundError,
    PaymentError,
    ValidationError,
)
from apidisco.payments.provider import (
    Checkout,
    CheckoutRequest,
    PaymentProviderAdapter,
    RefundRequest,
    SubscriptionRequest,
    provider_for,
)
from apidisco.pricing import TIERS
from apidisco.services import audit
from apidisco.services.actor import Actor, require_admin
from apidisco.store.database import Database, Session
from apidisco.store.ids import new_id
from apidisco.store.models import Payment, utcnow
from apidisco.store.repositories import LedgerRepository, PaymentRepository, UserRepository

__all__ = [
    "CheckoutView",
    "PaymentView",
    "buy",
    "connect",
    "find_payment",
    "get",
    "listing",
    "refund",
    "subscribe",
]


@dataclass(frozen=True)
class PaymentView:
    id: str
    user_id: str
    amount: Decimal
    credits: int
    currency: str
    status: PaymentStatus
    provider: PaymentProvider
    provider_payment_id: str | None
    provider_data: dict[str, Any] | None
    sandbox: bool
    created_at: datetime
    completed_at: datetime | None
    failed_at: datetime | None

    @classmethod
    def of(cls, payment: Payment) -> PaymentView:
        return cls(**{name: getattr(payment, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class CheckoutView:
    """Where to pay: the checkout URL, and the payment (None for a subscription)."""

    url: str
    provider: PaymentProvider
    provider_id: str
    sandbox: bool
    payment: PaymentView | None = None
    tier: str | None = None

    @classmethod
    def of(
        cls,
        checkout: Checkout,
        provider: PaymentProviderAdapter,
        *,
        payment: PaymentView | None = None,
        tier: str | None = None,
    ) -> CheckoutView:
        """The view of a checkout ``provider`` opened."""
        return cls(
            url=checkout.url,
            provider=provider.provider,
            provider_id=checkout.provider_payment_id,
            sandbox=provider.sandbox,
            payment=payment,
            tier=tier,
        )


def connect(settings: Settings, provider: str) -> PaymentProviderAdapter:
    """The adapter for ``provider`` (stripe or paypal) the settings describe; close it after."""
    return provider_for(settings, provider)


def find_payment(session: Session, actor: Actor, payment_id: str) -> Payment:
    """The payment, if the actor may see it (someone else's looks like a missing one)."""
    payment = PaymentRepository(session).get(payment_id)
    if payment is None or not actor.may_act_for(payment.user_id):
        raise NotFoundError(f"no payment {payment_id!r}")
    return payment


def _require_account(database: Database, actor: Actor) -> None:
    """Refuse to open a checkout for an account that was deleted meanwhile."""
    with database.session() as session:
        if UserRepository(session).get(actor.id) is None:
            raise NotFoundError("your account no longer exists")


def buy(
    database: Database,
    actor: Actor,
    settings: Settings,
    pack_name: str,
    provider: PaymentProviderAdapter,
) -> CheckoutView:
    """Open a checkout for the credit pack ``pack_name``; the payment stays PENDING."""
    pack = settings.credit_packs.find(pack_name)
    _require_account(database, actor)
    payment_id = new_id()
    checkout = provider.create_checkout(
        CheckoutRequest(
            payment_id=payment_id,
            user_id=actor.id,
            email=actor.email,
            description=f"{pack.credits} apidisco credits ({pack.name})",
            amount=pack.price,
            currency=pack.currency,
            credits=pack.credits,
            success_url=settings.checkout_success_url,
            cancel_url=settings.checkout_cancel_url,
        )
    )
    with database.transaction() as session:
        payment = PaymentRepository(session).add(
            Payment(
                id=payment_id,
                user_id=actor.id,
                amount=pack.price,
                credits=pack.credits,
                currency=pack.currency,
                status=PaymentStatus.PENDING,
                provider=provider.provider,
                provider_payment_id=checkout.provider_payment_id,
                provider_data={"pack": pack.name, **checkout.data},
                sandbox=provider.sandbox,
            )
        )
        audit.record(
            session,
            actor,
            "PAYMENT_CREATED",
            resource_type="PAYMENT",
            resource_id=payment.id,
            details={
                "provider": provider.provider.value,
                "pack": pack.name,
                "amount": str(pack.price),
                "currency": pack.currency,
                "credits": pack.credits,
                "sandbox": payment.sandbox,
            },
        )
        view = PaymentView.of(payment)
    return CheckoutView.of(checkout, provider, payment=view)


def subscribe(
    database: Database,
    actor: Actor,
    settings: Settings,
    tier: str,
    provider: PaymentProviderAdapter,
) -> CheckoutView:
    """Open a subscription checkout for ``tier`` (PRO or TEAM).

    The account's tier changes only when the provider's subscription event
    arrives (:mod:`apidisco.services.webhooks`).
    """
    wanted = tier.strip().upper()
    tiers = {t.name: t for t in settings.subscription_tiers()}
    if wanted not in TIERS or wanted == "FREE":
        raise ValidationError(f"subscribe to PRO or TEAM, not {tier!r}")
    chosen = tiers[wanted]
    stripe = provider.provider == PaymentProvider.STRIPE
    plan = chosen.stripe_price if stripe else chosen.paypal_plan
    if not plan:
        setting = f"stripe_price_{wanted.lower()}" if stripe else f"paypal_plan_{wanted.lower()}"
        raise ConfigError(f"{setting} is not set: there is no {wanted} plan at {provider.provider}")
    _require_account(database, actor)
    checkout = provider.create_subscription(
        SubscriptionRequest(
            user_id=actor.id,
            email=actor.email,
            tier=wanted,
            plan=plan,
            success_url=settings.checkout_success_url,
            cancel_url=settings.checkout_cancel_url,
        )
    )
    with database.transaction() as session:
        audit.record(
            session,
            actor,
            "SUBSCRIPTION_CHECKOUT_CREATED",
            resource_type="USER",
            resource_id=actor.id,
            details={
                "provider": provider.provider.value,
                "tier": wanted,
                "checkout": checkout.provider_payment_id,
            },
        )
    return CheckoutView.of(checkout, provider, tier=wanted)


def listing(database: Database, actor: Actor, *, everyone: bool = False) -> list[PaymentView]:
    """The actor's payments, newest first; ``everyone`` (admins only): all payments."""
    if everyone:
        require_admin(actor, "list everyone's payments")
    with database.session() as session:
        rows = PaymentRepository(session).listing(None if everyone else actor.id)
        return [PaymentView.of(row) for row in rows]


def get(database: Database, actor: Actor, payment_id: str) -> PaymentView:
    with database.session() as session:
        return PaymentView.of(find_payment(session, actor, payment_id))


def refund(
    database: Database,
    actor: Actor,
    payment_id: str,
    providers: Callable[[str], PaymentProviderAdapter],
) -> PaymentView:
    """Refund a COMPLETED payment through its provider and take its credits back (admins).

    Refused, with nothing sent to the provider, when the payment is not
    COMPLETED or the account no longer holds the credits it bought.
    """
    require_admin(actor, "refund payments")
    with database.transaction() as session:
        payments = PaymentRepository(session)
        payment = payments.lock(payment_id)
        if payment is None:
            raise NotFoundError(f"no payment {payment_id!r}")
        if payment.status != PaymentStatus.COMPLETED:
            raise ValidationError(
                f"payment {payment.id} is {payment.status}; only a COMPLETED payment is refunded"
            )
        user = UserRepository(session).lock(payment.user_id)
        if user is None:
            raise NotFoundError(f"the account of payment {payment.id} no longer exists")
        if user.credits < payment.credits:
            raise InsufficientCreditsError(
                f"cannot refund payment {payment.id}: {user.email} has {user.credits} credits "
                f"left of the {payment.credits} it bought, and the balance cannot go below "
                "zero; nothing was sent to the provider"
            )
        data = dict(payment.provider_data or {})
        # The provider is asked while the rows are locked: nothing can spend the
        # credits before they are taken back. Its Idempotency-Key / PayPal-Request-Id
        # makes asking again after a failed commit safe.
        provider = providers(payment.provider.value)
        try:
            answer = provider.refund(
                RefundRequest(
                    payment_id=payment.id,
                    provider_payment_id=payment.provider_payment_id or "",
                    amount=payment.amount,
                    currency=payment.currency,
                    data=data,
                )
            )
        finally:
            provider.close()
        if not answer.accepted:
            raise PaymentError(
                f"{provider.provider} did not refund payment {payment.id} "
                f"(refund {answer.refund_id}: {answer.status}); no credits were taken"
            )
        entry = LedgerRepository(session).record(
            payment.user_id,
            -payment.credits,
            CreditTransactionType.REFUND,
            description=f"refund of payment {payment.id}",
            payment_id=payment.id,
        )
        if entry is None:  # the lock makes this unreachable; never refund past zero
            raise InsufficientCreditsError(f"cannot take {payment.credits} credits back")
        payments.settle(
            payment.id,
            leaving=[PaymentStatus.COMPLETED],
            status=PaymentStatus.REFUNDED,
            provider_data={**data, **answer.data, "refunded_at": utcnow().isoformat()},
        )
        audit.record(
            session,
            actor,
            "PAYMENT_REFUNDED",
            resource_type="PAYMENT",
            resource_id=payment.id,
            details={
                "provider": provider.provider.value,
                "refund_id": answer.refund_id,
                "refund_status": answer.status,
                "credits": -payment.credits,
                "balance_after": entry.balance_after,
                "user_email": user.email,
            },
        )
        return PaymentView.of(payment)
