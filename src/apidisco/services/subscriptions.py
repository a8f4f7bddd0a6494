"""Subscriptions: a provider's subscription event sets the account's tier.

The provider's price or plan id is mapped to a tier through the settings
(:meth:`apidisco.config.Settings.subscription_tiers`). While the subscription's
status is one of :data:`ENTITLED_STATUSES` the account has that tier; any other
status puts it back on FREE. An event that ends a subscription other than the
account's current one changes nothing, so ending an old plan after a switch
never downgrades the new one. Endpoint pricing reads the tier
(:class:`apidisco.services.endpoints.Pricing`), so it follows at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apidisco.enums import PaymentProvider
from apidisco.errors import WebhookRefusedError
from apidisco.payments.events import SubscriptionChanged
from apidisco.pricing import Tier
from apidisco.services import audit
from apidisco.services.actor import Actor
from apidisco.store.database import Session
from apidisco.store.repositories import UserRepository

__all__ = ["ENTITLED_STATUSES", "Applied", "apply", "tier_of"]

# Subscription statuses that keep the paid tier (past_due: while the provider retries).
ENTITLED_STATUSES = frozenset({"active", "trialing", "past_due"})


@dataclass(frozen=True)
class Applied:
    """What a subscription event did: ``result`` is subscription or ignored."""

    result: str
    detail: str
    user_id: str


def apply(
    session: Session,
    provider: PaymentProvider,
    event_id: str,
    fact: SubscriptionChanged,
    tiers: Sequence[Tier],
) -> Applied:
    """Set the account's tier, subscription id and status from ``fact``, in ``session``.

    Refused (:class:`WebhookRefusedError`) when no account has the subscription
    or an entitling subscription names a plan that is none of the tiers.
    """
    users = UserRepository(session)
    user = users.lock(fact.user_id) if fact.user_id else None
    if user is None:
        found = users.by_subscription_id(fact.subscription_id)
        user = users.lock(found.id) if found is not None else None
    if user is None:
        raise WebhookRefusedError(
            f"no account has subscription {fact.subscription_id} (user {fact.user_id})"
        )
    entitled = fact.status in ENTITLED_STATUSES
    if not entitled and user.subscription_id not in {None, fact.subscription_id}:
        return Applied(
            "ignored",
            f"{fact.subscription_id} is not the account's subscription ({user.subscription_id})",
            user.id,
        )
    tier = "FREE"
    if entitled:
        mapped = tier_of(provider, fact.plan, tiers)
        if mapped is None:
            raise WebhookRefusedError(
                f"the subscription's plan {fact.plan} is none of the configured tiers "
                "(stripe_price_pro/team, paypal_plan_pro/team)"
            )
        tier = mapped
    tier_before, status_before = user.subscription_tier, user.subscription_status
    user.subscription_tier = tier
    user.subscription_id = fact.subscription_id
    user.subscription_status = fact.status
    session.add(user)
    session.flush()
    audit.record(
        session,
        Actor(id=user.id, email=user.email, role=user.role),
        "SUBSCRIPTION_CHANGED",
        resource_type="USER",
        resource_id=user.id,
        details={
            "provider": provider.value,
            "event_id": event_id,
            "subscription_id": fact.subscription_id,
            "status": fact.status,
            "tier": tier,
            "tier_before": tier_before,
            "status_before": status_before,
        },
    )
    return Applied("subscription", f"tier {tier} ({fact.status})", user.id)


def tier_of(provider: PaymentProvider, plan: str | None, tiers: Sequence[Tier]) -> str | None:
    """The tier whose price (Stripe) or plan (PayPal) id is ``plan``."""
    if not plan:
        return None
    for tier in tiers:
        known = tier.stripe_price if provider == PaymentProvider.STRIPE else tier.paypal_plan
        if known and known == plan:
            return tier.name
    return None
