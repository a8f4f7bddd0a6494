"""Credits under concurrent requests: never negative, never double-spent.

Each worker is a real thread with its own connection from the pool, running the
same services the CLI runs, against a store whose transactions really commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import sqlalchemy as sa

from apidisco.enums import Role
from apidisco.errors import InsufficientCreditsError
from apidisco.services import accounts, credits, endpoints
from apidisco.services.actor import Actor
from apidisco.store import migrate
from apidisco.store.database import Database
from apidisco.store.models import CreditTransaction, Endpoint, User

PRICING = endpoints.Pricing(endpoint_price=25, included={"FREE": 0, "PRO": 0, "TEAM": 0})
WORKERS = 12


@pytest.fixture
def store(empty_database: Database) -> Database:
    """A migrated store whose transactions commit (no outer test transaction)."""
    migrate.upgrade(empty_database)
    return empty_database


def _actor(store: Database, email: str) -> Actor:
    account = accounts.signup(store, email=email, password="long enough", rounds=4)
    return Actor(id=account.id, email=account.email, role=account.role)


def _race(calls: list[Callable[[], object]]) -> Counter[str]:
    """Run every call at once (each on its own thread); count the outcomes by type."""
    barrier = Barrier(len(calls))

    def run(call: Callable[[], object]) -> str:
        barrier.wait()
        try:
            call()
        except InsufficientCreditsError:
            return "refused"
        return "ok"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(run, calls))


def assert_ledger_explains_balance(store: Database, user_id: str) -> list[CreditTransaction]:
    """Balance = sum of amounts; each balanceAfter is the running balance; never negative."""
    with store.session() as session:
        user = session.get(User, user_id)
        entries = list(
            session.execute(
                sa.select(CreditTransaction)
                .where(CreditTransaction.user_id == user_id)
                .order_by(CreditTransaction.created_at)
            ).scalars()
        )
    assert user is not None
    running = 0
    for entry in entries:
        running += entry.amount
        assert entry.balance_after == running
        assert running >= 0
    assert user.credits == running
    return entries


def test_parallel_endpoint_creations_spend_each_credit_once(store: Database) -> None:
    admin = _actor(store, "admin@example.com")
    assert admin.role == Role.ADMIN
    user = _actor(store, "user@example.com")  # 100 credits: exactly 4 endpoints at 25
    calls: list[Callable[[], object]] = [
        lambda i=i: endpoints.create(
            store, user, f"http://127.0.0.1:{8000 + i}/", pricing=PRICING, allow_private=True
        )
        for i in range(WORKERS)
    ]
    outcomes = _race(calls)
    assert outcomes == Counter({"ok": 4, "refused": WORKERS - 4})

    entries = assert_ledger_explains_balance(store, user.id)
    assert credits.balance(store, user) == 0
    with store.session() as session:
        made = session.execute(
            sa.select(sa.func.count()).select_from(Endpoint).where(Endpoint.user_id == user.id)
        ).scalar_one()
    assert made == 4
    assert sorted(e.amount for e in entries) == [-25, -25, -25, -25, 100]


def test_parallel_grants_and_charges_keep_the_ledger_exact(store: Database) -> None:
    admin = _actor(store, "admin@example.com")
    user = _actor(store, "user@example.com")
    calls: list[Callable[[], object]] = []
    for i in range(WORKERS // 3):
        calls.append(
            lambda i=i: endpoints.create(
                store, user, f"http://127.0.0.1:{9000 + i}/", pricing=PRICING, allow_private=True
            )
        )
        calls.append(lambda: credits.grant(store, admin, user.id, -30, "correction"))
        calls.append(lambda: credits.grant(store, admin, user.id, 20, "bonus"))
    outcomes = _race(calls)
    assert outcomes["ok"] + outcomes["refused"] == len(calls)
    assert outcomes["ok"] >= WORKERS // 3  # every +20 grant succeeds

    entries = assert_ledger_explains_balance(store, user.id)
    with store.session() as session:
        made = session.execute(
            sa.select(sa.func.count()).select_from(Endpoint).where(Endpoint.user_id == user.id)
        ).scalar_one()
    charges = [e for e in entries if e.amount == -25]
    assert len(charges) == made
    assert sum(e.amount for e in entries) == credits.balance(store, user)
