"""The interface every payment provider adapter has, and how one is chosen.

A provider creates checkouts (one-off purchases and subscriptions), refunds,
captures (PayPal), and verifies and reads its own webhook deliveries. Adapters
are made from the settings by :func:`provider_for`; a missing key is a
:class:`~apidisco.errors.ConfigError` naming the setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from apidisco.config import Settings
from apidisco.enums import PaymentProvider
from apidisco.payments.events import Event, Fact

__all__ = [
    "Capture",
    "Checkout",
    "CheckoutRequest",
    "PaymentProviderAdapter",
    "Refund",
    "RefundRequest",
    "SubscriptionRequest",
    "provider_for",
]


@dataclass(frozen=True)
class CheckoutRequest:
    """What the buyer is asked to pay for one credit pack."""

    payment_id: str
    user_id: str
    email: str
    description: str
    amount: Decimal
    currency: str
    credits: int
    success_url: str
    cancel_url: str


@dataclass(frozen=True)
class SubscriptionRequest:
    """A subscription checkout for one tier."""

    user_id: str
    email: str
    tier: str
    plan: str
    success_url: str
    cancel_url: str


@dataclass(frozen=True)
class Checkout:
    """A checkout the provider opened: its id, where to pay, and what to keep of it."""

    provider_payment_id: str
    url: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Capture:
    """The answer to capturing an approved PayPal order."""

    capture_id: str | None
    status: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundRequest:
    """A completed payment to give back, with what the provider recorded about it."""

    payment_id: str
    provider_payment_id: str
    amount: Decimal
    currency: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Refund:
    """The provider's answer to a refund: ``accepted`` means the money goes back."""

    refund_id: str
    status: str
    accepted: bool
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any], accepted: frozenset[str]) -> Refund:
        """The refund a provider answered with (its ``id`` and ``status``), accepted
        when that status is one of ``accepted``."""
        status = str(answer.get("status") or "")
        return cls(
            refund_id=str(answer.get("id") or ""),
            status=status,
            accepted=status in accepted,
            data={"refund_id": answer.get("id"), "refund_status": status},
        )


class PaymentProviderAdapter(Protocol):
    """What the payments service needs of a provider."""

    provider: PaymentProvider

    @property
    def sandbox(self) -> bool:
        """Whether payments made through this adapter are test payments."""
        ...

    def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    def create_subscription(self, request: SubscriptionRequest) -> Checkout: ...

    def capture(self, provider_payment_id: str, payment_id: str) -> Capture: ...

    def refund(self, request: RefundRequest) -> Refund: ...

    def verify_event(self, body: bytes, headers: Mapping[str, str], now: datetime) -> Event:
        """The delivery, if its signature checks out; else WebhookRefusedError."""
        ...

    def interpret(self, event: Event) -> Fact: ...

    def close(self) -> None: ...


def provider_for(settings: Settings, provider: PaymentProvider | str) -> PaymentProviderAdapter:
    """The adapter for ``provider`` (stripe or paypal), configured from ``settings``."""
    name = str(provider).strip().upper()
    if name == PaymentProvider.STRIPE:
        from apidisco.payments.stripe import StripeProvider

        return StripeProvider.from_settings(settings)
    if name == PaymentProvider.PAYPAL:
        from apidisco.payments.paypal import PayPalProvider

        return PayPalProvider.from_settings(settings)
    from apidisco.errors import ValidationError

    raise ValidationError(f"unknown payment provider {provider!r}; use stripe or paypal")
