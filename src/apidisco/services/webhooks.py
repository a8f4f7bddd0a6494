"""Provider events: the only way a payment is completed, failed, or a subscription changed.

:func:`receive` takes one delivery as it arrived (body and headers), has the
provider's adapter verify it (Stripe: the signed header; PayPal: its
verification API) and read it, then applies what it says in one transaction:

- a payment that succeeded becomes COMPLETED and its credits are added with a
  PURCHASE ledger row, in the same transaction, with the payment's row locked;
  the status change is conditional (PENDING or FAILED → COMPLETED), so the same
  event delivered twice, or two deliveries racing, credit once;
- a payment that failed (an expired checkout, a declined payment) becomes FAILED
  with ``failedAt``;
- an approved PayPal order is captured through PayPal's API; the payment is
  completed by the PAYMENT.CAPTURE.COMPLETED event that follows, never by the
  capture's answer;
- a subscription event sets the account's tier, subscription id and status
  (:mod:`apidisco.services.subscriptions`).

A delivery that is refused (bad or stale signature, a replay of a delivery
already received, an unknown payment, a wrong amount or currency, a live event
for a test payment) raises :class:`WebhookRefusedError`, changes nothing, and
leaves a ``PAYMENT_WEBHOOK_REFUSED`` audit row written in a transaction of its
own, so the refusal is on record although its own work was rolled back. Every
accepted delivery leaves a ``PAYMENT_EVENT_RECEIVED`` row naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apidisco.config import Settings
from apidisco.enums import CreditTransactionType, PaymentProvider, PaymentStatus
from apidisco.errors import WebhookRefusedError
from apidisco.payments.events import (
    Event,
    Fact,
    Ignored,
    OrderApproved,
    PaymentFailed,
    PaymentSucceeded,
    SubscriptionChanged,
)
from apidisco.payments.provider import PaymentProviderAdapter, provider_for
from apidisco.payments.receiver import Report, WebhookReceiver
from apidisco.pricing import Tier
from apidisco.services import audit, subscriptions
from apidisco.services.actor import Actor
from apidisco.store.database import Database, Session
from apidisco.store.models import Payment, User, utcnow
from apidisco.store.repositories import (
    AuditRepository,
    LedgerRepository,
    PaymentRepository,
    UserRepository,
)

__all__ = [
    "WebhookOutcome",
    "deliver",
    "outcome_summary",
    "receive",
    "receiver",
]

RECEIVED = "PAYMENT_EVENT_RECEIVED"
REFUSED = "PAYMENT_WEBHOOK_REFUSED"


@dataclass(frozen=True)
class WebhookOutcome:
    """What one accepted delivery did.

    ``result`` is completed, duplicate, failed, captured, subscription or ignored.
    """

    provider: PaymentProvider
    event_id: str
    event_type: str
    result: str
    detail: str
    payment_id: str | None = None
    user_id: str | None = None


def receive(
    database: Database,
    provider: PaymentProviderAdapter,
    body: bytes,
    headers: Mapping[str, str],
    *,
    tiers: Sequence[Tier],
    now: datetime | None = None,
) -> WebhookOutcome:
    """Verify one delivery and apply it; :class:`WebhookRefusedError` when refused."""
    moment = now or utcnow()
    try:
        event = provider.verify_event(body, headers, moment)
    except WebhookRefusedError as refused:
        _record_refusal(database, provider.provider, refused, None, None)
        raise
    fact = provider.interpret(event)
    try:
        return _apply(database, provider, event, fact, tiers, moment)
    except WebhookRefusedError as refused:
        _record_refusal(database, provider.provider, refused, event, fact)
        raise


def deliver(
    database: Database,
    settings: Settings,
    provider: str,
    body: bytes,
    headers: Mapping[str, str],
) -> WebhookOutcome:
    """:func:`receive` with the adapter and tiers the settings describe."""
    adapter = provider_for(settings, provider)
    try:
        return receive(database, adapter, body, headers, tiers=settings.subscription_tiers())
    finally:
        adapter.close()


def outcome_summary(outcome: WebhookOutcome) -> dict[str, Any]:
    """The outcome as a JSON object."""
    return {
        "provider": outcome.provider.value,
        "event_id": outcome.event_id,
        "event_type": outcome.event_type,
        "result": outcome.result,
        "detail": outcome.detail,
        "payment_id": outcome.payment_id,
        "user_id": outcome.user_id,
    }


def receiver(
    database: Database,
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    report: Report | None = None,
) -> WebhookReceiver:
    """An HTTP receiver (not yet serving) that applies each delivery with :func:`deliver`."""

    def handle(provider: str, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        return outcome_summary(deliver(database, settings, provider, body, headers))

    return WebhookReceiver(handle, host=host, port=port, report=report)


def _record_refusal(
    database: Database,
    provider: PaymentProvider,
    refused: WebhookRefusedError,
    event: Event | None,
    fact: Fact | None,
) -> None:
    payment_id = getattr(fact, "payment_id", None)
    details: dict[str, Any] = {"provider": provider.value, "reason": refused.message}
    if event is not None:
        details.update(event_id=event.id, event_type=event.type, delivery=event.delivery)
    with database.transaction() as session:
        audit.record(
            session,
            None,
            REFUSED,
            resource_type="PAYMENT" if payment_id else "WEBHOOK",
            resource_id=payment_id,
            details=details,
        )


def _apply(
    database: Database,
    provider: PaymentProviderAdapter,
    event: Event,
    fact: Fact,
    tiers: Sequence[Tier],
    now: datetime,
) -> WebhookOutcome:
    with database.session() as session:
        _refuse_replay(session, provider.provider, event)
    if isinstance(fact, OrderApproved):
        return _capture(database, provider, event, fact, now)
    with database.transaction() as session:
        _refuse_replay(session, provider.provider, event)
        if isinstance(fact, PaymentSucceeded):
            outcome = _complete(session, provider.provider, event, fact, now)
        elif isinstance(fact, PaymentFailed):
            outcome = _fail(session, provider.provider, event, fact, now)
        elif isinstance(fact, SubscriptionChanged):
            applied = subscriptions.apply(session, provider.provider, event.id, fact, tiers)
            outcome = _outcome(
                provider.provider,
                event,
                applied.result,
                applied.detail,
                user_id=applied.user_id,
            )
        else:
            assert isinstance(fact, Ignored)
            outcome = _outcome(provider.provider, event, "ignored", fact.reason)
        _record_delivery(session, event, outcome)
        return outcome


def _outcome(
    provider: PaymentProvider,
    event: Event,
    result: str,
    detail: str,
    payment_id: str | None = None,
    user_id: str | None = None,
) -> WebhookOutcome:
    return WebhookOutcome(provider, event.id, event.type, result, detail, payment_id, user_id)


def _delivery_key(provider: PaymentProvider, event: Event) -> str:
    return f"{provider.value}:{event.delivery}"


def _refuse_replay(session: Session, provider: PaymentProvider, event: Event) -> None:
    seen = AuditRepository(session).search(
        action=RECEIVED,
        resource_type="WEBHOOK",
        resource_id=_delivery_key(provider, event),
        limit=1,
    )
    if seen:
        raise WebhookRefusedError(
            f"this delivery of event {event.id} was already received at "
            f"{seen[0].created_at.isoformat(timespec='seconds')} (a replay)"
        )


def _record_delivery(session: Session, event: Event, outcome: WebhookOutcome) -> None:
    audit.record(
        session,
        None,
        RECEIVED,
        resource_type="WEBHOOK",
        resource_id=_delivery_key(outcome.provider, event),
        details={
            "event_id": event.id,
            "event_type": event.type,
            "result": outcome.result,
            "detail": outcome.detail,
            "payment_id": outcome.payment_id,
            "user_id": outcome.user_id,
        },
    )


def _locked_payment(
    session: Session,
    provider: PaymentProvider,
    payment_id: str | None,
    provider_payment_id: str,
) -> Payment:
    """The payment an event is about, locked; refused unless it matches the event."""
    payments = PaymentRepository(session)
    if payment_id is None:
        found = payments.by_provider_id(provider, provider_payment_id)
        payment_id = found.id if found is not None else None
    payment = payments.lock(payment_id) if payment_id else None
    if payment is None:
        raise WebhookRefusedError(
            f"the event is about an unknown payment ({payment_id or provider_payment_id})"
        )
    if payment.provider != provider:
        raise WebhookRefusedError(
            f"payment {payment.id} was made with {payment.provider}, not {provider}"
        )
    if payment.provider_payment_id != provider_payment_id:
        raise WebhookRefusedError(
            f"payment {payment.id} belongs to {provider} checkout {payment.provider_payment_id}, "
            f"not {provider_payment_id}"
        )
    return payment


def _as_actor(user: User) -> Actor:
    return Actor(id=user.id, email=user.email, role=user.role)


def _complete(
    session: Session,
    provider: PaymentProvider,
    event: Event,
    fact: PaymentSucceeded,
    now: datetime,
) -> WebhookOutcome:
    payment = _locked_payment(session, provider, fact.payment_id, fact.provider_payment_id)
    if fact.amount is None or fact.amount != payment.amount:
        raise WebhookRefusedError(
            f"the event pays {fact.amount} but payment {payment.id} is for {payment.amount}"
        )
    if fact.currency != payment.currency:
        raise WebhookRefusedError(
            f"the event pays in {fact.currency} but payment {payment.id} is in {payment.currency}"
        )
    if event.live is not None and event.live == payment.sandbox:
        mode = "live" if event.live else "test"
        kind = "sandbox" if payment.sandbox else "live"
        raise WebhookRefusedError(f"a {mode} event cannot pay the {kind} payment {payment.id}")
    if payment.status in {PaymentStatus.COMPLETED, PaymentStatus.REFUNDED}:
        return _outcome(
            provider, event, "duplicate", f"already {payment.status}", payment.id, payment.user_id
        )
    data = {**(payment.provider_data or {}), **fact.data, "event_id": event.id}
    settled = PaymentRepository(session).settle(
        payment.id,
        leaving=[PaymentStatus.PENDING, PaymentStatus.FAILED],
        status=PaymentStatus.COMPLETED,
        provider_data=data,
        completed_at=now,
    )
    if not settled:
        return _outcome(provider, event, "duplicate", "already settled", payment.id)
    entry = LedgerRepository(session).record(
        payment.user_id,
        payment.credits,
        CreditTransactionType.PURCHASE,
        description=f"{payment.credits} credits bought ({provider}, payment {payment.id})",
        payment_id=payment.id,
    )
    user = UserRepository(session).get(payment.user_id)
    if entry is None or user is None:
        raise WebhookRefusedError(f"the account of payment {payment.id} no longer exists")
    audit.record(
        session,
        _as_actor(user),
        "CREDITS_PURCHASED",
        resource_type="PAYMENT",
        resource_id=payment.id,
        details={
            "provider": provider.value,
            "event_id": event.id,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "credits": payment.credits,
            "balance_after": entry.balance_after,
        },
    )
    return _outcome(
        provider,
        event,
        "completed",
        f"{payment.credits} credits added; balance {entry.balance_after}",
        payment.id,
        payment.user_id,
    )


def _fail(
    session: Session,
    provider: PaymentProvider,
    event: Event,
    fact: PaymentFailed,
    now: datetime,
) -> WebhookOutcome:
    payment = _locked_payment(session, provider, fact.payment_id, fact.provider_payment_id)
    if payment.status != PaymentStatus.PENDING:
        return _outcome(
            provider, event, "ignored", f"already {payment.status}", payment.id, payment.user_id
        )
    PaymentRepository(session).settle(
        payment.id,
        leaving=[PaymentStatus.PENDING],
        status=PaymentStatus.FAILED,
        provider_data={**(payment.provider_data or {}), "failure": fact.reason},
        failed_at=now,
    )
    audit.record(
        session,
        None,
        "PAYMENT_FAILED",
        resource_type="PAYMENT",
        resource_id=payment.id,
        details={"provider": provider.value, "event_id": event.id, "reason": fact.reason},
    )
    return _outcome(provider, event, "failed", fact.reason, payment.id, payment.user_id)


def _capture(
    database: Database,
    provider: PaymentProviderAdapter,
    event: Event,
    fact: OrderApproved,
    now: datetime,
) -> WebhookOutcome:
    name = provider.provider
    with database.session() as session:
        payments = PaymentRepository(session)
        payment = (
            payments.get(fact.payment_id)
            if fact.payment_id
            else payments.by_provider_id(name, fact.provider_payment_id)
        )
        if payment is None or payment.provider_payment_id != fact.provider_payment_id:
            raise WebhookRefusedError(
                f"the event is about an unknown payment "
                f"({fact.payment_id or fact.provider_payment_id})"
            )
        payment_id, status = payment.id, payment.status
    if status != PaymentStatus.PENDING:
        captured = None
    else:
        # Outside any transaction: no row stays locked while PayPal answers.
        captured = provider.capture(fact.provider_payment_id, payment_id)
    with database.transaction() as session:
        _refuse_replay(session, name, event)
        payment = _locked_payment(session, name, payment_id, fact.provider_payment_id)
        if captured is None:
            outcome = _outcome(
                name, event, "duplicate", f"already {payment.status}", payment.id, payment.user_id
            )
        elif captured.status in {"DECLINED", "FAILED"} and payment.status == PaymentStatus.PENDING:
            PaymentRepository(session).settle(
                payment.id,
                leaving=[PaymentStatus.PENDING],
                status=PaymentStatus.FAILED,
                provider_data={**(payment.provider_data or {}), **captured.data},
                failed_at=now,
            )
            outcome = _outcome(
                name, event, "failed", f"capture {captured.status}", payment.id, payment.user_id
            )
        else:
            if captured.data and payment.status == PaymentStatus.PENDING:
                PaymentRepository(session).update_data(
                    payment, {**(payment.provider_data or {}), **captured.data}
                )
            outcome = _outcome(
                name,
                event,
                "captured",
                f"order captured ({captured.status}); credits follow PAYMENT.CAPTURE.COMPLETED",
                payment.id,
                payment.user_id,
            )
        _record_delivery(session, event, outcome)
        return outcome
