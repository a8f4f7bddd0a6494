"""The ledger repository: atomic balance changes that never go below zero."""

from __future__ import annotations

from apidisco.enums import CreditTransactionType
from apidisco.store.database import Database
from apidisco.store.models import User
from apidisco.store.repositories import LedgerRepository, UserRepository


def _user(database: Database, credits: int = 0) -> str:
    with database.transaction() as session:
        return (
            UserRepository(session)
            .add(User(email="ledger@example.com", password_hash="x", credits=credits))
            .id
        )


def test_record_changes_the_balance_and_writes_the_running_balance(database: Database) -> None:
    user_id = _user(database)
    with database.transaction() as session:
        ledger = LedgerRepository(session)
        ledger.record(user_id, 100, CreditTransactionType.SIGNUP)
        ledger.record(user_id, -25, CreditTransactionType.ENDPOINT, description="x")
        ledger.record(user_id, 10, CreditTransactionType.ADMIN_ADJUST)
        user = session.get(User, user_id)
        assert user is not None
        assert user.credits == 85
    with database.session() as session:
        history = LedgerRepository(session).history(user_id)
        assert [(e.amount, e.balance_after) for e in history] == [(100, 100), (-25, 75), (10, 85)]


def test_a_charge_beyond_the_balance_changes_nothing(database: Database) -> None:
    user_id = _user(database, credits=20)
    with database.transaction() as session:
        assert (
            LedgerRepository(session).record(user_id, -25, CreditTransactionType.ENDPOINT) is None
        )
    with database.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.credits == 20
        assert LedgerRepository(session).history(user_id) == []


def test_charging_the_whole_balance_is_allowed(database: Database) -> None:
    user_id = _user(database, credits=25)
    with database.transaction() as session:
        entry = LedgerRepository(session).record(user_id, -25, CreditTransactionType.ENDPOINT)
        assert entry is not None
        assert entry.balance_after == 0


def test_an_unknown_user_is_not_charged(database: Database) -> None:
    with database.transaction() as session:
        assert LedgerRepository(session).record("nobody", 5, CreditTransactionType.SIGNUP) is None
