"""Credits: the ledger explains every balance; grants are admin-only and never overdraw."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from apidisco.enums import CreditTransactionType
from apidisco.errors import (
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from apidisco.services import credits, endpoints
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from apidisco.store.models import AuditLog, CreditTransaction, User
from tests.services.support import DESTINATION, PRICING


def _stored_credits(database: Database, user_id: str) -> int:
    with database.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.credits


def _ledger(database: Database, user_id: str) -> list[tuple[int, int, CreditTransactionType]]:
    with database.session() as session:
        rows = session.execute(
            sa.select(CreditTransaction)
            .where(CreditTransaction.user_id == user_id)
            .order_by(CreditTransaction.created_at, CreditTransaction.id)
        ).scalars()
        return [(row.amount, row.balance_after, row.type) for row in rows]


def _grants_audited(database: Database) -> int:
    with database.session() as session:
        statement = (
            sa.select(sa.func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "CREDITS_GRANTED")
        )
        return int(session.execute(statement).scalar_one())


def test_the_ledger_explains_the_balance_after_grants_and_charges(
    database: Database, admin: Actor, user: Actor
) -> None:
    credits.grant(database, admin, "bob", 50, "welcome bonus")
    endpoints.create(database, user, DESTINATION, pricing=PRICING)
    credits.grant(database, admin, "bob", -30, "correction")
    endpoints.create(database, user, DESTINATION, pricing=PRICING)
    credits.grant(database, admin, "bob", 7, "goodwill")

    ledger = _ledger(database, user.id)
    assert [(amount, kind) for amount, _, kind in ledger] == [
        (100, CreditTransactionType.SIGNUP),
        (50, CreditTransactionType.ADMIN_ADJUST),
        (-25, CreditTransactionType.ENDPOINT),
        (-30, CreditTransactionType.ADMIN_ADJUST),
        (-25, CreditTransactionType.ENDPOINT),
        (7, CreditTransactionType.ADMIN_ADJUST),
    ]
    running = 0
    for amount, balance_after, _ in ledger:
        running += amount
        assert balance_after == running
    assert sum(amount for amount, _, _ in ledger) == _stored_credits(database, user.id) == 77
    assert credits.balance(database, user) == 77
    history = credits.history(database, user)
    assert [(e.amount, e.balance_after) for e in history] == [(a, b) for a, b, _ in ledger]


def test_grant_returns_the_entry_and_audits_it(
    database: Database, admin: Actor, user: Actor
) -> None:
    entry = credits.grant(database, admin, "bob@example.com", 40, "  for testing  ")
    assert (entry.amount, entry.balance_after, entry.type) == (
        40,
        140,
        CreditTransactionType.ADMIN_ADJUST,
    )
    assert entry.description == "for testing"
    assert _grants_audited(database) == 1


def test_taking_more_than_the_balance_is_refused_and_changes_nothing(
    database: Database, admin: Actor, user: Actor
) -> None:
    before = _ledger(database, user.id)
    with pytest.raises(
        InsufficientCreditsError,
        match="cannot take 101 credits from bob@example.com: the balance is 100",
    ):
        credits.grant(database, admin, "bob", -101, "too much")
    assert _stored_credits(database, user.id) == 100
    assert _ledger(database, user.id) == before
    assert _grants_audited(database) == 0


def test_taking_the_whole_balance_is_allowed(database: Database, admin: Actor, user: Actor) -> None:
    entry = credits.grant(database, admin, "bob", -100, "reset")
    assert entry.balance_after == 0
    assert credits.balance(database, user) == 0


def test_a_zero_grant_is_refused(database: Database, admin: Actor, user: Actor) -> None:
    with pytest.raises(ValidationError, match="must not be zero"):
        credits.grant(database, admin, "bob", 0, "nothing")
    assert len(_ledger(database, user.id)) == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_grant_without_a_reason_is_refused(
    database: Database, admin: Actor, user: Actor, reason: str
) -> None:
    with pytest.raises(ValidationError, match="give a reason"):
        credits.grant(database, admin, "bob", 10, reason)
    assert _stored_credits(database, user.id) == 100
    assert len(_ledger(database, user.id)) == 1


def test_only_admins_grant(database: Database, admin: Actor, user: Actor) -> None:
    with pytest.raises(PermissionDeniedError, match="only an admin can grant credits"):
        credits.grant(database, user, "bob", 1000, "myself")
    assert _stored_credits(database, user.id) == 100
    assert _ledger(database, user.id) == [(100, 100, CreditTransactionType.SIGNUP)]


def test_grant_to_an_unknown_account_is_refused(database: Database, admin: Actor) -> None:
    with pytest.raises(NotFoundError, match="no account 'ghost'"):
        credits.grant(database, admin, "ghost", 10, "hello")
    assert _grants_audited(database) == 0


def test_a_user_reads_their_own_history(database: Database, admin: Actor, user: Actor) -> None:
    own = credits.history(database, user)
    by_name = credits.history(database, user, "bob")
    assert [(e.amount, e.type) for e in own] == [(100, CreditTransactionType.SIGNUP)]
    assert by_name == own


def test_another_accounts_history_is_admin_only(
    database: Database, admin: Actor, user: Actor
) -> None:
    credits.grant(database, admin, "bob", 5, "five")
    assert [e.amount for e in credits.history(database, admin, "bob")] == [100, 5]
    with pytest.raises(PermissionDeniedError, match="read another account's credits"):
        credits.history(database, user, "alice")


def test_balance_of_each_account(database: Database, admin: Actor, user: Actor) -> None:
    credits.grant(database, admin, "alice", 11, "self")
    assert credits.balance(database, admin) == 111
    assert credits.balance(database, user) == 100
