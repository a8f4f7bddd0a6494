"""What a verified provider event says, in apidisco's terms.

An adapter verifies a delivery (:meth:`PaymentProvider.verify_event`) and reads
it (:meth:`PaymentProvider.interpret`) into exactly one of these facts; the
payments service applies the fact. Provider-specific shapes stop here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from apidisco.errors import WebhookRefusedError

__all__ = [
    "Event",
    "Fact",
    "Ignored",
    "OrderApproved",
    "PaymentFailed",
    "PaymentSucceeded",
    "SubscriptionChanged",
    "require_fresh",
]


@dataclass(frozen=True)
class Event:
    """A delivery whose signature checked out.

    ``delivery`` names this one delivery (Stripe: a digest of the signature
    header; PayPal: the transmission id), so the same delivery sent again can
    be told apart from the provider's own retries, which are signed anew.
    """

    id: str
    type: str
    delivery: str
    signed_at: datetime
    live: bool | None
    document: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class PaymentSucceeded:
    """The buyer paid: credit the payment ``payment_id`` once."""

    payment_id: str | None
    provider_payment_id: str
    amount: Decimal | None
    currency: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class PaymentFailed:
    """The checkout expired or the payment was declined."""

    payment_id: str | None
    provider_payment_id: str
    reason: str


@dataclass(frozen=True)
class OrderApproved:
    """The buyer approved a PayPal order: apidisco captures it."""

    payment_id: str | None
    provider_payment_id: str


@dataclass(frozen=True)
class SubscriptionChanged:
    """A subscription was created, changed, or ended.

    ``status`` is normalised to lower case (active, trialing, past_due,
    suspended, canceled, ...); ``plan`` is the provider's price or plan id;
    ``user_id`` is apidisco's account id when the provider carries it.
    """

    subscription_id: str
    status: str
    plan: str | None
    user_id: str | None


@dataclass(frozen=True)
class Ignored:
    """An event apidisco does not act on (it is still acknowledged and audited)."""

    reason: str


Fact = PaymentSucceeded | PaymentFailed | OrderApproved | SubscriptionChanged | Ignored


def require_fresh(age: int, tolerance: int, *, action: str) -> None:
    """Refuse a delivery ``action`` (``signed``, ``sent``) ``age`` seconds ago (negative:
    in the future) when that is more than ``tolerance`` seconds either way."""
    if abs(age) > tolerance:
        when = f"{age} s ago" if age > 0 else f"{-age} s in the future"
        raise WebhookRefusedError(
            f"the event was {action} {when}, outside the tolerance of {tolerance} s "
            "(a replayed or delayed delivery, or a clock that is off)"
        )
