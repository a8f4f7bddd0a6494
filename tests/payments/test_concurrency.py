"""Deliveries racing each other credit once: real threads, separate connections, committed
transactions, on PostgreSQL (and SQLite); and the same through the HTTP receiver."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from threading import Barrier

import httpx
import pytest

from apidisco.config import Settings
from apidisco.enums import CreditTransactionType, PaymentStatus
from apidisco.errors import WebhookRefusedError
from apidisco.payments.receiver import WebhookReceiver
from apidisco.services import credits, webhooks
from apidisco.services.actor import Actor
from apidisco.store import migrate
from apidisco.store.database import Database
from tests.payments.flows import audit_rows, buy, details_of, ledger_of, stored_payment
from tests.payments.ledger import assert_ledger_invariant
from tests.payments.provider import FakeProviders, stripe_signature
from tests.services.support import actor_of, signup

WORKERS = 8


@pytest.fixture
def store(empty_database: Database) -> Iterator[Database]:
    """A migrated store whose transactions commit (no outer test transaction)."""
    migrate.upgrade(empty_database)
    yield empty_database
    assert_ledger_invariant(empty_database)


@pytest.fixture
def buyer(store: Database) -> Actor:
    signup(store, "admin")
    return actor_of(signup(store, "buyer"))


def _race(calls: list[Callable[[], webhooks.WebhookOutcome]]) -> Counter[str]:
    """Run every call at once, each on its own thread; count the outcomes."""
    barrier = Barrier(len(calls))

    def run(call: Callable[[], webhooks.WebhookOutcome]) -> str:
        barrier.wait()
        try:
            return call().result
        except WebhookRefusedError as refused:
            return "replay" if "a replay" in refused.message else f"refused: {refused}"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(run, calls))


def _purchases(store: Database, user: Actor) -> int:
    return sum(
        1 for _, kind, _ in ledger_of(store, user.id) if kind == CreditTransactionType.PURCHASE
    )


def test_racing_stripe_retries_of_one_event_credit_once(
    store: Database, buyer: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(store, buyer, settings, "stripe")
    body, _ = providers.stripe_pay(checkout.provider_id)
    now = int(datetime.now(UTC).timestamp())
    # Each delivery signed anew, as Stripe signs its retries.
    headers = [{"Stripe-Signature": stripe_signature(body, at=now - i)} for i in range(WORKERS)]
    outcomes = _race(
        [
            lambda h=h: webhooks.deliver(store, settings, "stripe", body, h)  # type: ignore[misc]
            for h in headers
        ]
    )
    assert outcomes == Counter({"completed": 1, "duplicate": WORKERS - 1})
    assert credits.balance(store, buyer) == 200
    assert _purchases(store, buyer) == 1
    assert checkout.payment is not None
    assert stored_payment(store, checkout.payment.id).status == PaymentStatus.COMPLETED


def test_racing_copies_of_one_delivery_credit_once(
    store: Database, buyer: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(store, buyer, settings, "stripe")
    body, headers = providers.stripe_pay(checkout.provider_id)
    outcomes = _race([lambda: webhooks.deliver(store, settings, "stripe", body, headers)] * WORKERS)
    assert outcomes["completed"] == 1
    assert outcomes["completed"] + outcomes["duplicate"] + outcomes["replay"] == WORKERS
    assert credits.balance(store, buyer) == 200
    assert _purchases(store, buyer) == 1
    # Once the race is over, the same delivery is a replay.
    with pytest.raises(WebhookRefusedError, match="a replay"):
        webhooks.deliver(store, settings, "stripe", body, headers)


def test_racing_paypal_capture_events_credit_once(
    store: Database, buyer: Actor, settings: Settings, providers: FakeProviders
) -> None:
    checkout = buy(store, buyer, settings, "paypal")
    body, headers = providers.paypal_approve(checkout.provider_id)
    assert webhooks.deliver(store, settings, "paypal", body, headers).result == "captured"
    deliveries = [providers.paypal_capture_event(checkout.provider_id) for _ in range(WORKERS)]
    outcomes = _race(
        [
            lambda d=d: webhooks.deliver(store, settings, "paypal", *d)  # type: ignore[misc]
            for d in deliveries
        ]
    )
    assert outcomes == Counter({"completed": 1, "duplicate": WORKERS - 1})
    assert credits.balance(store, buyer) == 200
    assert _purchases(store, buyer) == 1


def test_the_http_receiver_verifies_and_applies_racing_deliveries(
    store: Database, buyer: Actor, settings: Settings, providers: FakeProviders
) -> None:
    reports: list[tuple[str, int]] = []
    receiver: WebhookReceiver = webhooks.receiver(
        store,
        settings,
        port=0,
        report=lambda provider, status, _: reports.append((provider, status)),
    )
    receiver.start()
    try:
        assert receiver.address[0] == "127.0.0.1"
        checkout = buy(store, buyer, settings, "stripe")
        body, _ = providers.stripe_pay(checkout.provider_id)
        now = int(datetime.now(UTC).timestamp())
        forged = {"Stripe-Signature": stripe_signature(body, secret="whsec_forged")}
        answer = httpx.post(f"{receiver.url}/webhooks/stripe", content=body, headers=forged)
        assert answer.status_code == 400
        assert "does not match the payload" in answer.json()["error"]
        assert credits.balance(store, buyer) == 100

        barrier = Barrier(WORKERS)

        def post(i: int) -> tuple[int, str]:
            signed = {"Stripe-Signature": stripe_signature(body, at=now - i)}
            barrier.wait()
            response = httpx.post(f"{receiver.url}/webhooks/stripe", content=body, headers=signed)
            return response.status_code, response.json().get("result", "")

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            answers = Counter(pool.map(post, range(WORKERS)))
        assert answers == Counter({(200, "completed"): 1, (200, "duplicate"): WORKERS - 1})
        assert credits.balance(store, buyer) == 200

        page = httpx.get(f"{receiver.url}/checkout/done")
        assert (page.status_code, "credits are added" in page.text) == (200, True)
        assert httpx.post(f"{receiver.url}/elsewhere", content=b"{}").status_code == 404
    finally:
        receiver.stop()
    assert reports.count(("stripe", 200)) == WORKERS
    assert reports.count(("stripe", 400)) == 1
    # The refusal's audit row was committed although its own work was rolled back.
    refused = audit_rows(store, "PAYMENT_WEBHOOK_REFUSED")
    assert [details_of(row)["reason"][:40] for row in refused] == [
        "the Stripe-Signature does not match the "
    ]
