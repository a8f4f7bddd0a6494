"""Subscriptions: provider events set the tier, and endpoint pricing follows it (both backends)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import col

from apidisco.config import Settings
from apidisco.errors import ConfigError, ValidationError, WebhookRefusedError
from apidisco.services import credits, endpoints, payments
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from apidisco.store.models import User
from tests.payments.flows import (
    audit_rows,
    deliver,
    details_of,
)
from tests.payments.provider import FakeProviders
from tests.services.support import DESTINATION


def _subscription(database: Database, user_id: str) -> tuple[str | None, str | None, str | None]:
    with database.session() as session:
        user = session.execute(sa.select(User).where(col(User.id) == user_id)).scalar_one()
        return user.subscription_tier, user.subscription_id, user.subscription_status


def _create_endpoint(database: Database, user: Actor, settings: Settings) -> int:
    created = endpoints.create(
        database, user, DESTINATION, pricing=endpoints.Pricing.from_settings(settings)
    )
    return created.credits_used


def test_a_stripe_subscription_upgrades_changes_and_cancels_the_tier(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    assert _subscription(database, user.id) == ("FREE", None, None)
    assert _create_endpoint(database, user, settings) == 25

    created = providers.stripe_subscription(
        "created", "sub_1", "active", "price_pro_monthly", user.id
    )
    assert deliver(database, settings, "stripe", created).result == "subscription"
    assert _subscription(database, user.id) == ("PRO", "sub_1", "active")
    assert _create_endpoint(database, user, settings) == 0  # PRO includes 20

    upgraded = providers.stripe_subscription(
        "updated", "sub_1", "active", "price_team_monthly", None
    )
    deliver(database, settings, "stripe", upgraded)  # found by subscription id
    assert _subscription(database, user.id) == ("TEAM", "sub_1", "active")

    late = providers.stripe_subscription(
        "updated", "sub_1", "past_due", "price_team_monthly", user.id
    )
    deliver(database, settings, "stripe", late)
    assert _subscription(database, user.id) == ("TEAM", "sub_1", "past_due")

    deleted = providers.stripe_subscription(
        "deleted", "sub_1", "canceled", "price_team_monthly", user.id
    )
    deliver(database, settings, "stripe", deleted)
    assert _subscription(database, user.id) == ("FREE", "sub_1", "canceled")
    assert _create_endpoint(database, user, settings) == 25
    assert credits.balance(database, user) == 50
    changes = audit_rows(database, "SUBSCRIPTION_CHANGED")
    assert [(details_of(c)["tier_before"], details_of(c)["tier"]) for c in changes] == [
        ("FREE", "PRO"),
        ("PRO", "TEAM"),
        ("TEAM", "TEAM"),
        ("TEAM", "FREE"),
    ]


def test_a_paypal_subscription_activates_suspends_and_cancels(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    activated = providers.paypal_subscription("ACTIVATED", "I-1", "ACTIVE", "P-TEAM", user.id)
    deliver(database, settings, "paypal", activated)
    assert _subscription(database, user.id) == ("TEAM", "I-1", "active")
    suspended = providers.paypal_subscription("SUSPENDED", "I-1", "SUSPENDED", "P-TEAM", user.id)
    deliver(database, settings, "paypal", suspended)
    assert _subscription(database, user.id) == ("FREE", "I-1", "suspended")
    again = providers.paypal_subscription("ACTIVATED", "I-1", "ACTIVE", "P-TEAM", user.id)
    deliver(database, settings, "paypal", again)
    assert _subscription(database, user.id)[0] == "TEAM"
    cancelled = providers.paypal_subscription("CANCELLED", "I-1", "CANCELLED", "P-TEAM", None)
    deliver(database, settings, "paypal", cancelled)
    assert _subscription(database, user.id) == ("FREE", "I-1", "canceled")


def test_an_old_subscription_ending_does_not_cancel_the_new_one(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    old = providers.stripe_subscription(
        "created", "sub_old", "active", "price_pro_monthly", user.id
    )
    deliver(database, settings, "stripe", old)
    new = providers.stripe_subscription(
        "created", "sub_new", "active", "price_team_monthly", user.id
    )
    deliver(database, settings, "stripe", new)
    ended = providers.stripe_subscription(
        "deleted", "sub_old", "canceled", "price_pro_monthly", user.id
    )
    assert deliver(database, settings, "stripe", ended).result == "ignored"
    assert _subscription(database, user.id) == ("TEAM", "sub_new", "active")


def test_a_subscription_to_an_unknown_plan_or_account_is_refused(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    unknown_plan = providers.stripe_subscription(
        "created", "sub_x", "active", "price_elsewhere", user.id
    )
    with pytest.raises(WebhookRefusedError, match="plan price_elsewhere is none of"):
        deliver(database, settings, "stripe", unknown_plan)
    stranger = providers.stripe_subscription(
        "created", "sub_y", "active", "price_pro_monthly", None
    )
    with pytest.raises(WebhookRefusedError, match="no account has subscription sub_y"):
        deliver(database, settings, "stripe", stranger)
    assert _subscription(database, user.id) == ("FREE", None, None)
    assert len(audit_rows(database, "PAYMENT_WEBHOOK_REFUSED")) == 2


@pytest.mark.parametrize(
    ("provider", "plan"), [("stripe", "price_pro_monthly"), ("paypal", "P-PRO")]
)
def test_subscribe_opens_a_subscription_checkout(
    database: Database,
    user: Actor,
    settings: Settings,
    providers: FakeProviders,
    provider: str,
    plan: str,
) -> None:
    adapter = payments.connect(settings, provider)
    try:
        checkout = payments.subscribe(database, user, settings, "pro", adapter)
    finally:
        adapter.close()
    assert checkout.tier == "PRO"
    if provider == "stripe":
        session = providers.sessions[checkout.provider_id]
        assert (session["mode"], session["line_price"]) == ("subscription", plan)
        assert session["client_reference_id"] == user.id
        assert checkout.url == session["url"]
    else:
        subscription = providers.subscriptions[checkout.provider_id]
        assert (subscription["plan_id"], subscription["custom_id"]) == (plan, user.id)
        assert "billing?ba=" in checkout.url
    assert _subscription(database, user.id) == ("FREE", None, None)  # until the event


def test_subscribe_needs_a_paid_tier_with_a_plan(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    adapter = payments.connect(settings, "stripe")
    try:
        with pytest.raises(ValidationError, match="subscribe to PRO or TEAM, not 'free'"):
            payments.subscribe(database, user, settings, "free", adapter)
        bare = Settings(**{**settings.__dict__, "stripe_price_team": ""})
        with pytest.raises(ConfigError, match="stripe_price_team is not set"):
            payments.subscribe(database, user, bare, "TEAM", adapter)
    finally:
        adapter.close()
    assert providers.requests == []
