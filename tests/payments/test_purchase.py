"""Buying credits end to end against the local Stripe and PayPal, on both backends.

purchase → signed provider event → credits, once; and every way an event is
refused (forged, stale, replayed, wrong amount or currency, unknown payment)
changes nothing and leaves an audit row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from apidisco.config import Settings, resolve_settings
from apidisco.enums import CreditTransactionType, PaymentProvider, PaymentStatus
from apidisco.errors import ConfigError, NotFoundError, PaymentError, WebhookRefusedError
from apidisco.services import credits, payments, webhooks
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from tests.payments.flows import (
    audit_rows,
    buy,
    deliver,
    details_of,
    ledger_of,
    paid_with_paypal,
    stored_payment,
)
from tests.payments.provider import FakeProviders, stripe_signature

# -- purchase → event → credits ----------------------------------------------------------


def test_stripe_purchase_credits_the_account_when_the_signed_event_arrives(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "stripe")
    assert checkout.payment is not None
    payment_id = checkout.payment.id
    session = providers.sessions[checkout.provider_id]
    assert checkout.url == session["url"]
    assert session["metadata"] == {"payment_id": payment_id, "user_id": user.id, "credits": "100"}
    assert session["client_reference_id"] == payment_id
    assert (session["amount_total"], session["currency"], session["mode"]) == (
        500,
        "usd",
        "payment",
    )

    pending = stored_payment(database, payment_id)
    assert pending.status == PaymentStatus.PENDING
    assert (pending.amount, pending.currency, pending.credits) == (Decimal("5.00"), "USD", 100)
    assert (pending.provider, pending.provider_payment_id) == (
        PaymentProvider.STRIPE,
        checkout.provider_id,
    )
    assert pending.sandbox is True
    assert credits.balance(database, user) == 100

    outcome = deliver(database, settings, "stripe", providers.stripe_pay(checkout.provider_id))
    assert (outcome.result, outcome.payment_id) == ("completed", payment_id)
    done = stored_payment(database, payment_id)
    assert done.status == PaymentStatus.COMPLETED
    assert done.completed_at is not None
    assert done.provider_data is not None
    assert done.provider_data["payment_intent"].startswith("pi_")
    assert credits.balance(database, user) == 200
    assert ledger_of(database, user.id)[-1] == (100, CreditTransactionType.PURCHASE, payment_id)
    assert [row.resource_id for row in audit_rows(database, "CREDITS_PURCHASED")] == [payment_id]
    assert len(audit_rows(database, "PAYMENT_EVENT_RECEIVED")) == 1


def test_paypal_purchase_is_captured_on_approval_and_credited_on_capture_completed(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "paypal", "standard")
    assert checkout.payment is not None
    payment_id = checkout.payment.id
    order = providers.orders[checkout.provider_id]
    unit = order["purchase_units"][0]
    assert unit["custom_id"] == payment_id
    assert unit["amount"] == {"currency_code": "USD", "value": "20.00"}
    assert checkout.url.endswith(f"checkoutnow?token={checkout.provider_id}")

    approved = deliver(database, settings, "paypal", providers.paypal_approve(order["id"]))
    assert approved.result == "captured"
    captured = stored_payment(database, payment_id)
    assert captured.status == PaymentStatus.PENDING  # only the capture event completes it
    assert captured.provider_data is not None
    assert captured.provider_data["capture_id"].startswith("CAPTURE-")
    assert credits.balance(database, user) == 100

    outcome = deliver(database, settings, "paypal", providers.paypal_capture_event(order["id"]))
    assert outcome.result == "completed"
    assert stored_payment(database, payment_id).status == PaymentStatus.COMPLETED
    assert credits.balance(database, user) == 600
    assert providers.verifications == 2


def test_the_same_event_twice_credits_once(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "stripe")
    body, _ = providers.stripe_pay(checkout.provider_id)
    first = deliver(
        database, settings, "stripe", (body, {"Stripe-Signature": stripe_signature(body)})
    )
    # Stripe retries a delivery with a new signature: accepted, and changes nothing.
    retry = stripe_signature(body, at=int(datetime.now(UTC).timestamp()) - 5)
    again = deliver(database, settings, "stripe", (body, {"Stripe-Signature": retry}))
    assert (first.result, again.result) == ("completed", "duplicate")
    assert credits.balance(database, user) == 200
    purchases = [e for e in ledger_of(database, user.id) if e[1] == CreditTransactionType.PURCHASE]
    assert len(purchases) == 1


def test_paypal_events_twice_capture_and_credit_once(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = paid_with_paypal(database, user, settings, providers)
    # A second approval (PayPal resends) and a second capture event change nothing.
    again = deliver(
        database,
        settings,
        "paypal",
        providers.paypal_event("CHECKOUT.ORDER.APPROVED", providers.orders[checkout.provider_id]),
    )
    assert again.result == "duplicate"
    second = deliver(
        database, settings, "paypal", providers.paypal_capture_event(checkout.provider_id)
    )
    assert second.result == "duplicate"
    assert credits.balance(database, user) == 200
    assert len(providers.captures) == 1


# -- refused deliveries ------------------------------------------------------------------


def _assert_refused_and_unchanged(
    database: Database, user: Actor, payment_id: str, reason: str
) -> None:
    assert stored_payment(database, payment_id).status == PaymentStatus.PENDING
    assert credits.balance(database, user) == 100
    assert [t for _, t, _ in ledger_of(database, user.id)] == [CreditTransactionType.SIGNUP]
    refusals = audit_rows(database, "PAYMENT_WEBHOOK_REFUSED")
    assert refusals, "a refusal leaves an audit row"
    assert reason in details_of(refusals[-1])["reason"]


Delivery = tuple[bytes, dict[str, str]]


def _forged_signature(body: bytes, headers: dict[str, str]) -> Delivery:
    return body, {"Stripe-Signature": stripe_signature(body, secret="whsec_not_the_secret")}


def _changed_payload(body: bytes, headers: dict[str, str]) -> Delivery:
    changed = body.replace(b'"amount_total": 500', b'"amount_total": 50000')
    assert changed != body
    return changed, headers  # under the genuine signature


def _stale_signature(body: bytes, headers: dict[str, str]) -> Delivery:
    old = int(datetime.now(UTC).timestamp()) - 300 - 60  # the default webhook_tolerance
    return body, {"Stripe-Signature": stripe_signature(body, at=old)}


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        pytest.param(_forged_signature, "does not match the payload", id="forged-signature"),
        pytest.param(_changed_payload, "does not match the payload", id="changed-payload"),
        pytest.param(_stale_signature, "outside the tolerance of 300 s", id="stale-signature"),
    ],
)
def test_a_stripe_delivery_that_is_not_genuine_or_fresh_is_refused_and_audited(
    database: Database,
    user: Actor,
    settings: Settings,
    providers: FakeProviders,
    tamper: Callable[[bytes, dict[str, str]], Delivery],
    reason: str,
) -> None:
    assert settings.webhook_tolerance == 300
    checkout = buy(database, user, settings, "stripe")
    assert checkout.payment is not None
    delivery = tamper(*providers.stripe_pay(checkout.provider_id))
    with pytest.raises(WebhookRefusedError, match=reason):
        deliver(database, settings, "stripe", delivery)
    _assert_refused_and_unchanged(database, user, checkout.payment.id, reason)


def test_a_replayed_delivery_is_refused(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "stripe")
    assert checkout.payment is not None
    expired = providers.stripe_event(
        "checkout.session.expired", providers.sessions[checkout.provider_id]
    )
    assert deliver(database, settings, "stripe", expired).result == "failed"
    with pytest.raises(WebhookRefusedError, match="already received .* \\(a replay\\)"):
        deliver(database, settings, "stripe", expired)
    refusal = audit_rows(database, "PAYMENT_WEBHOOK_REFUSED")[-1]
    assert "a replay" in details_of(refusal)["reason"]
    assert len(audit_rows(database, "PAYMENT_EVENT_RECEIVED")) == 1


def test_a_replayed_paypal_transmission_is_refused(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = paid_with_paypal(database, user, settings, providers)
    body, headers = providers.paypal_capture_event(checkout.provider_id)
    assert deliver(database, settings, "paypal", (body, headers)).result == "duplicate"
    with pytest.raises(WebhookRefusedError, match="a replay"):
        deliver(database, settings, "paypal", (body, headers))
    assert credits.balance(database, user) == 200


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount_total": 400}, "the event pays 4.00 but payment"),
        ({"currency": "eur"}, "the event pays in EUR but payment"),
        ({"id": "cs_test_other"}, "not cs_test_other"),  # it names another checkout
        ({"livemode": True}, None),
    ],
)
def test_a_signed_event_that_does_not_match_the_payment_is_refused(
    database: Database,
    user: Actor,
    settings: Settings,
    providers: FakeProviders,
    change: dict[str, Any],
    reason: str | None,
) -> None:
    checkout = buy(database, user, settings, "stripe")
    assert checkout.payment is not None
    if reason is None:  # a live event for a sandbox payment
        session = {**providers.sessions[checkout.provider_id], "payment_status": "paid"}
        delivery = providers.stripe_event("checkout.session.completed", session, livemode=True)
        reason = "a live event cannot pay the sandbox payment"
    else:
        delivery = providers.stripe_pay(checkout.provider_id, **change)
    with pytest.raises(WebhookRefusedError, match=reason):
        deliver(database, settings, "stripe", delivery)
    _assert_refused_and_unchanged(database, user, checkout.payment.id, reason)


def test_a_paypal_capture_of_another_amount_is_refused(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "paypal")
    assert checkout.payment is not None
    deliver(database, settings, "paypal", providers.paypal_approve(checkout.provider_id))
    delivery = providers.paypal_capture_event(
        checkout.provider_id, amount={"currency_code": "USD", "value": "0.50"}
    )
    with pytest.raises(WebhookRefusedError, match="the event pays 0.50"):
        deliver(database, settings, "paypal", delivery)
    _assert_refused_and_unchanged(database, user, checkout.payment.id, "the event pays 0.50")


def test_an_event_about_an_unknown_payment_is_refused(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    session = {
        "id": "cs_test_unknown",
        "mode": "payment",
        "payment_status": "paid",
        "amount_total": 500,
        "currency": "usd",
        "metadata": {"payment_id": "no-such-payment"},
    }
    delivery = providers.stripe_event("checkout.session.completed", session)
    with pytest.raises(WebhookRefusedError, match="unknown payment \\(no-such-payment\\)"):
        deliver(database, settings, "stripe", delivery)
    refusal = audit_rows(database, "PAYMENT_WEBHOOK_REFUSED")[-1]
    assert (refusal.resource_type, refusal.resource_id) == ("PAYMENT", "no-such-payment")
    assert credits.balance(database, user) == 100


def test_a_forged_paypal_event_fails_paypals_verification(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "paypal")
    assert checkout.payment is not None
    deliver(database, settings, "paypal", providers.paypal_approve(checkout.provider_id))
    body, headers = providers.paypal_capture_event(checkout.provider_id)
    tampered = body.replace(b'"value": "5.00"', b'"value": "5.00" ')
    assert tampered != body
    with pytest.raises(WebhookRefusedError, match="verification_status FAILURE"):
        deliver(database, settings, "paypal", (tampered, headers))
    other_hook = providers.paypal_capture_event(checkout.provider_id)
    foreign = resolve_settings(
        environ={**providers.environ(), "APIDISCO_PAYPAL_WEBHOOK_ID": "WH-SOMEONE-ELSE"},
        config_file=settings.config_file,
    )
    with pytest.raises(WebhookRefusedError, match="verification_status FAILURE"):
        deliver(database, foreign, "paypal", other_hook)
    _assert_refused_and_unchanged(database, user, checkout.payment.id, "FAILURE")
    assert len(audit_rows(database, "PAYMENT_WEBHOOK_REFUSED")) == 2


def test_a_stale_paypal_transmission_is_refused(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "paypal")
    assert checkout.payment is not None
    old = datetime.now(UTC) - timedelta(hours=1)
    delivery = providers.paypal_event(
        "CHECKOUT.ORDER.APPROVED", providers.orders[checkout.provider_id], at=old
    )
    with pytest.raises(WebhookRefusedError, match="outside the tolerance"):
        deliver(database, settings, "paypal", delivery)
    assert providers.captures == {}
    _assert_refused_and_unchanged(database, user, checkout.payment.id, "outside the tolerance")


def test_missing_paypal_transmission_headers_are_refused(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    body, headers = providers.paypal_event("PAYMENT.CAPTURE.COMPLETED", {"id": "X"})
    del headers["PAYPAL-TRANSMISSION-SIG"]
    with pytest.raises(WebhookRefusedError, match="lacks the PAYPAL-TRANSMISSION-SIG header"):
        deliver(database, settings, "paypal", (body, headers))
    assert providers.verifications == 0


# -- failures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["checkout.session.expired", "checkout.session.async_payment_failed"]
)
def test_a_failed_stripe_checkout_marks_the_payment_failed(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders, kind: str
) -> None:
    checkout = buy(database, user, settings, "stripe")
    assert checkout.payment is not None
    delivery = providers.stripe_event(kind, providers.sessions[checkout.provider_id])
    assert deliver(database, settings, "stripe", delivery).result == "failed"
    payment = stored_payment(database, checkout.payment.id)
    assert payment.status == PaymentStatus.FAILED
    assert payment.failed_at is not None
    assert credits.balance(database, user) == 100


def test_a_denied_paypal_capture_marks_the_payment_failed(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "paypal")
    assert checkout.payment is not None
    deliver(database, settings, "paypal", providers.paypal_approve(checkout.provider_id))
    delivery = providers.paypal_capture_event(
        checkout.provider_id, "PAYMENT.CAPTURE.DENIED", status="DENIED"
    )
    assert deliver(database, settings, "paypal", delivery).result == "failed"
    payment = stored_payment(database, checkout.payment.id)
    assert (payment.status, payment.failed_at is not None) == (PaymentStatus.FAILED, True)
    assert credits.balance(database, user) == 100


def test_an_unsettled_stripe_checkout_waits_for_the_async_result(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "stripe")
    assert checkout.payment is not None
    delivery = providers.stripe_pay(checkout.provider_id, payment_status="unpaid")
    assert deliver(database, settings, "stripe", delivery).result == "ignored"
    assert stored_payment(database, checkout.payment.id).status == PaymentStatus.PENDING
    session = {**providers.sessions[checkout.provider_id]}
    later = providers.stripe_event("checkout.session.async_payment_succeeded", session)
    assert deliver(database, settings, "stripe", later).result == "completed"
    assert credits.balance(database, user) == 200


# -- buying ------------------------------------------------------------------------------


def test_an_unknown_pack_is_refused_before_the_provider_is_asked(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    with pytest.raises(NotFoundError, match="no credit pack 'huge'; the packs are starter"):
        buy(database, user, settings, "stripe", "huge")
    assert providers.requests == []


def test_missing_keys_are_a_config_error_and_write_nothing(
    database: Database, user: Actor, tmp_path_factory: pytest.TempPathFactory
) -> None:
    bare = resolve_settings(environ={}, config_file=tmp_path_factory.mktemp("c") / "none.toml")
    with pytest.raises(ConfigError, match="stripe_api_key is not set"):
        buy(database, user, bare, "stripe")
    with pytest.raises(ConfigError, match="paypal_client_id and paypal_client_secret"):
        buy(database, user, bare, "paypal")
    with pytest.raises(ConfigError, match="stripe_webhook_secret is not set"):
        webhooks.deliver(database, bare, "stripe", b"{}", {"Stripe-Signature": "t=1,v1=0"})
    assert payments.listing(database, user) == []


def test_a_provider_refusal_is_a_payment_error_and_writes_nothing(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    wrong = resolve_settings(
        environ={**providers.environ(), "APIDISCO_STRIPE_API_KEY": "sk_test_wrong"},
        config_file=settings.config_file,
    )
    with pytest.raises(PaymentError, match="Stripe answered HTTP 401 .*: bad key"):
        buy(database, user, wrong, "stripe")
    assert payments.listing(database, user) == []


def test_live_keys_make_live_payments(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    live = resolve_settings(
        environ={**providers.environ(), "APIDISCO_PAYPAL_LIVE": "1"},
        config_file=settings.config_file,
    )
    checkout = buy(database, user, live, "paypal")
    assert checkout.payment is not None
    assert (checkout.sandbox, checkout.payment.sandbox) == (False, False)
    assert buy(database, user, settings, "paypal").sandbox is True


# -- listing ------------------------------------------------------------------------------


def test_users_see_their_own_payments_and_admins_everyones(
    database: Database, admin: Actor, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    mine = buy(database, user, settings, "stripe")
    theirs = buy(database, admin, settings, "paypal")
    assert mine.payment is not None
    assert theirs.payment is not None
    assert [p.id for p in payments.listing(database, user)] == [mine.payment.id]
    assert {p.id for p in payments.listing(database, admin, everyone=True)} == {
        mine.payment.id,
        theirs.payment.id,
    }
    assert payments.get(database, admin, mine.payment.id).id == mine.payment.id
    with pytest.raises(NotFoundError, match="no payment"):
        payments.get(database, user, theirs.payment.id)
    with pytest.raises(Exception, match="only an admin can list everyone's payments"):
        payments.listing(database, user, everyone=True)
    json.dumps([p.id for p in payments.listing(database, user)])


def test_a_declined_paypal_capture_fails_the_payment_at_once(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(database, user, settings, "paypal")
    assert checkout.payment is not None
    providers.capture_status = "DECLINED"
    outcome = deliver(database, settings, "paypal", providers.paypal_approve(checkout.provider_id))
    assert (outcome.result, outcome.detail) == ("failed", "capture DECLINED")
    payment = stored_payment(database, checkout.payment.id)
    assert payment.status == PaymentStatus.FAILED
    assert payment.failed_at is not None
    assert credits.balance(database, user) == 100


def test_events_apidisco_does_not_act_on_are_acknowledged_and_audited(
    database: Database, user: Actor, settings: Settings, providers: FakeProviders
) -> None:
    outcome = deliver(
        database, settings, "stripe", providers.stripe_event("invoice.paid", {"id": "in_1"})
    )
    assert (outcome.result, outcome.detail) == ("ignored", "apidisco does not act on invoice.paid")
    paypal = deliver(
        database,
        settings,
        "paypal",
        providers.paypal_event("CUSTOMER.DISPUTE.CREATED", {"id": "D"}),
    )
    assert paypal.result == "ignored"
    received = audit_rows(database, "PAYMENT_EVENT_RECEIVED")
    assert [details_of(row)["event_type"] for row in received] == [
        "invoice.paid",
        "CUSTOMER.DISPUTE.CREATED",
    ]
    assert credits.balance(database, user) == 100
