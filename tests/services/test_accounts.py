"""Accounts: signup rules, the first admin, and what only admins may do to accounts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from apidisco.enums import CreditTransactionType, Role
from apidisco.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from apidisco.services import accounts, sessions
from apidisco.services.actor import Actor
from apidisco.services.demo import seed_demo
from apidisco.store.database import Database
from apidisco.store.models import AuditLog, CreditTransaction, User
from apidisco.store.models import Session as LoginSession
from apidisco.store.repositories import LedgerRepository, UserRepository
from tests.services.support import PASSWORD, signup


def _count(database: Database, model: type[User | CreditTransaction | AuditLog]) -> int:
    with database.session() as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


def _user(database: Database, user_id: str) -> User:
    with database.session() as session:
        user = UserRepository(session).get(user_id)
        assert user is not None
        return user


# -- signup -----------------------------------------------------------------------------


def test_signup_gives_100_credits_recorded_as_a_signup_ledger_row(database: Database) -> None:
    account = signup(database, "alice")
    assert account.credits == 100
    with database.session() as session:
        stored = UserRepository(session).get(account.id)
        assert stored is not None
        assert stored.credits == 100
        ledger = LedgerRepository(session).history(account.id)
        assert [(e.amount, e.balance_after, e.type) for e in ledger] == [
            (100, 100, CreditTransactionType.SIGNUP)
        ]


def test_signup_stores_a_bcrypt_hash_not_the_password(database: Database) -> None:
    account = signup(database, "alice")
    stored = _user(database, account.id)
    assert stored.password_hash.startswith("$2b$04$")
    assert PASSWORD not in stored.password_hash


def test_the_first_account_is_admin_and_the_second_a_user(database: Database) -> None:
    first = signup(database, "alice")
    second = signup(database, "bob")
    assert first.role == Role.ADMIN
    assert second.role == Role.USER
    assert _user(database, second.id).role == Role.USER


def test_demo_accounts_do_not_count_as_an_admin(database: Database) -> None:
    report = seed_demo(database, rounds=4)
    for seeded in report.accounts:
        assert _user(database, seeded.user_id).role == Role.USER
    assert signup(database, "alice").role == Role.ADMIN


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "alice@",
        "@example.com",
        "alice@example",
        "a b@example.com",
        "alice@@example.com",
        "",
    ],
)
def test_invalid_emails_are_refused(database: Database, email: str) -> None:
    with pytest.raises(ValidationError, match="is not a valid email address"):
        accounts.signup(database, email=email, password=PASSWORD, rounds=4)
    assert _count(database, User) == 0


def test_emails_are_normalised_to_lowercase(database: Database) -> None:
    account = accounts.signup(database, email="  Alice@Example.COM ", password=PASSWORD, rounds=4)
    assert account.email == "alice@example.com"
    assert accounts.normalize_email("BOB@EXAMPLE.ORG") == "bob@example.org"


def test_the_same_email_in_another_case_is_a_duplicate(database: Database) -> None:
    accounts.signup(database, email="Alice@Example.com", password=PASSWORD, rounds=4)
    with pytest.raises(ValidationError, match="email alice@example.com already exists"):
        accounts.signup(database, email="ALICE@example.COM", password=PASSWORD, rounds=4)
    assert _count(database, User) == 1


@pytest.mark.parametrize("username", ["abc", "a" * 30, "Under_score", "dash-ed", "123"])
def test_valid_usernames_are_accepted(username: str) -> None:
    assert accounts.validate_username(username) == username


@pytest.mark.parametrize(
    "username", ["ab", "a" * 31, "with space", "dot.ted", "at@sign", "", "ümlaut"]
)
def test_invalid_usernames_are_refused(database: Database, username: str) -> None:
    with pytest.raises(ValidationError, match="must be 3 to 30 letters, digits"):
        accounts.signup(
            database, email="alice@example.com", username=username, password=PASSWORD, rounds=4
        )
    assert _count(database, User) == 0


def test_a_short_password_is_refused(database: Database) -> None:
    with pytest.raises(ValidationError, match="at least 8 characters"):
        signup(database, "alice", password="1234567")
    assert _count(database, User) == 0
    assert accounts.validate_password("12345678") == "12345678"


def test_a_duplicate_email_is_refused_naming_the_email(database: Database) -> None:
    signup(database, "alice")
    with pytest.raises(ValidationError, match="email alice@example.com already exists"):
        accounts.signup(
            database, email="alice@example.com", username="other", password=PASSWORD, rounds=4
        )
    assert _count(database, User) == 1
    assert _count(database, CreditTransaction) == 1


def test_a_duplicate_username_is_refused_naming_the_username(database: Database) -> None:
    signup(database, "alice")
    with pytest.raises(ValidationError, match="the username alice is taken"):
        accounts.signup(
            database, email="other@example.com", username="alice", password=PASSWORD, rounds=4
        )
    assert _count(database, User) == 1
    assert _count(database, CreditTransaction) == 1


def test_create_account_refuses_a_taken_email_inside_a_transaction(database: Database) -> None:
    signup(database, "alice")
    with (
        pytest.raises(ValidationError, match="already exists"),
        database.transaction() as session,
    ):
        accounts.create_account(
            session, email="alice@example.com", username="someone", password_hash="x"
        )
    assert _count(database, User) == 1


# -- finding ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["id", "email", "EMAIL", "username"])
def test_find_account_by_id_email_or_username(database: Database, how: str) -> None:
    alice = signup(database, "alice")
    signup(database, "bob")
    reference = {
        "id": alice.id,
        "email": "alice@example.com",
        "EMAIL": "ALICE@EXAMPLE.COM",
        "username": "alice",
    }[how]
    with database.session() as session:
        assert accounts.find_account(session, reference).id == alice.id


def test_find_account_refuses_an_unknown_reference(database: Database) -> None:
    signup(database, "alice")
    with database.session() as session, pytest.raises(NotFoundError, match="no account 'nobody'"):
        accounts.find_account(session, "nobody")


def test_a_username_equal_to_another_accounts_id_does_not_hijack_lookups(
    database: Database,
) -> None:
    alice = signup(database, "alice")
    # Ids are 24 lowercase letters and digits: a valid username too.
    accounts.signup(
        database, email="mallory@example.com", username=alice.id, password=PASSWORD, rounds=4
    )
    # Any later write to alice's row (here: logging in) moves it on PostgreSQL's heap.
    sessions.login(database, email="alice@example.com", password=PASSWORD)
    with database.session() as session:
        assert accounts.find_account(session, alice.id).id == alice.id


# -- admin-only operations --------------------------------------------------------------


def test_list_accounts_is_for_admins(database: Database, admin: Actor, user: Actor) -> None:
    listed = accounts.list_accounts(database, admin)
    assert [a.email for a in listed] == ["alice@example.com", "bob@example.com"]
    with pytest.raises(PermissionDeniedError, match="only an admin can list accounts"):
        accounts.list_accounts(database, user)


def test_set_enabled_is_for_admins(database: Database, admin: Actor, user: Actor) -> None:
    with pytest.raises(PermissionDeniedError, match="only an admin can enable or disable"):
        accounts.set_enabled(database, user, "alice", False)
    assert _user(database, admin.id).enabled is True


def test_set_role_is_for_admins(database: Database, admin: Actor, user: Actor) -> None:
    with pytest.raises(PermissionDeniedError, match="only an admin can change roles"):
        accounts.set_role(database, user, "bob", Role.ADMIN)
    assert _user(database, user.id).role == Role.USER


def test_disabling_an_account_ends_its_sessions(
    database: Database, admin: Actor, user: Actor
) -> None:
    login = sessions.login(database, email="bob@example.com", password=PASSWORD)
    assert sessions.authenticate(database, login.token).id == user.id
    view = accounts.set_enabled(database, admin, "bob@example.com", False)
    assert view.enabled is False
    with database.session() as session:
        rows = session.execute(sa.select(LoginSession).where(LoginSession.user_id == user.id)).all()
        assert rows == []
    with pytest.raises(AuthenticationError, match="apidisco account login"):
        sessions.authenticate(database, login.token)
    with pytest.raises(AuthenticationError, match="is disabled"):
        sessions.login(database, email="bob@example.com", password=PASSWORD)


def test_enabling_again_lets_the_user_log_in(database: Database, admin: Actor, user: Actor) -> None:
    accounts.set_enabled(database, admin, "bob", False)
    assert accounts.set_enabled(database, admin, "bob", True).enabled is True
    login = sessions.login(database, email="bob@example.com", password=PASSWORD)
    assert sessions.authenticate(database, login.token).id == user.id


def test_an_admin_cannot_disable_themself(database: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError, match="cannot disable your own account"):
        accounts.set_enabled(database, admin, admin.id, False)
    assert _user(database, admin.id).enabled is True


def test_set_enabled_refuses_an_unknown_account(database: Database, admin: Actor) -> None:
    with pytest.raises(NotFoundError, match="no account 'ghost'"):
        accounts.set_enabled(database, admin, "ghost", False)


def test_the_only_admin_cannot_be_demoted(database: Database, admin: Actor, user: Actor) -> None:
    with pytest.raises(ValidationError, match="alice@example.com is the only active admin"):
        accounts.set_role(database, admin, "alice", Role.USER)
    assert _user(database, admin.id).role == Role.ADMIN


def test_a_disabled_admin_does_not_count_as_another_admin(
    database: Database, admin: Actor, user: Actor
) -> None:
    accounts.set_role(database, admin, "bob", Role.ADMIN)
    accounts.set_enabled(database, admin, "bob", False)
    with pytest.raises(ValidationError, match="only active admin and cannot be demoted"):
        accounts.set_role(database, admin, "alice", Role.USER)
    assert _user(database, admin.id).role == Role.ADMIN


def test_the_last_active_admin_cannot_be_disabled(
    database: Database, admin: Actor, user: Actor
) -> None:
    accounts.set_role(database, admin, "bob", Role.ADMIN)
    bob = Actor(id=user.id, email=user.email, role=Role.ADMIN)
    accounts.set_enabled(database, bob, "alice", False)
    with pytest.raises(ValidationError, match="only active admin and cannot be disabled"):
        accounts.set_enabled(database, admin, "bob", False)
    assert _user(database, user.id).enabled is True


def test_an_admin_can_be_demoted_once_there_is_another(
    database: Database, admin: Actor, user: Actor
) -> None:
    assert accounts.set_role(database, admin, "bob", Role.ADMIN).role == Role.ADMIN
    assert accounts.set_role(database, admin, "alice", Role.USER).role == Role.USER
    assert _user(database, admin.id).role == Role.USER
    assert _user(database, user.id).role == Role.ADMIN
