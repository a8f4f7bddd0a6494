"""Login sessions: only the token's hash is stored, and every way a session ends."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from apidisco.errors import AuthenticationError
from apidisco.services import accounts, audit, sessions
from apidisco.services.views import AccountView
from apidisco.store.database import Database
from apidisco.store.models import AuditLog, User
from apidisco.store.models import Session as LoginSession
from apidisco.store.repositories import UserRepository
from tests.services.support import PASSWORD, actor_of, signup

MOMENT = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)


def _session_rows(database: Database) -> list[LoginSession]:
    with database.session() as session:
        return list(session.execute(sa.select(LoginSession)).scalars())


def _audit_rows(database: Database, action: str) -> list[AuditLog]:
    with database.session() as session:
        statement = sa.select(AuditLog).where(AuditLog.action == action)
        return list(session.execute(statement).scalars())


@pytest.fixture
def account(database: Database) -> AccountView:
    return signup(database, "alice")


def test_hash_token_is_sha256_hex() -> None:
    assert sessions.hash_token("abc") == hashlib.sha256(b"abc").hexdigest()


def test_login_stores_only_the_sha256_of_the_token(
    database: Database, account: AccountView
) -> None:
    login = sessions.login(database, email="alice@example.com", password=PASSWORD)
    assert len(login.token) >= 32
    [row] = _session_rows(database)
    assert row.user_id == account.id
    assert row.token == hashlib.sha256(login.token.encode()).hexdigest()
    with database.session() as session:
        raw = session.execute(
            sa.select(sa.func.count())
            .select_from(LoginSession)
            .where(LoginSession.token == login.token)
        ).scalar_one()
        assert raw == 0


def test_login_returns_the_account_and_the_expiry(database: Database, account: AccountView) -> None:
    login = sessions.login(
        database, email="ALICE@example.com", password=PASSWORD, days=7, now=MOMENT
    )
    assert login.account.id == account.id
    assert login.expires_at == MOMENT + timedelta(days=7)
    [row] = _session_rows(database)
    assert row.expires_at == MOMENT + timedelta(days=7)


def test_each_login_gets_its_own_token(database: Database, account: AccountView) -> None:
    first = sessions.login(database, email="alice@example.com", password=PASSWORD)
    second = sessions.login(database, email="alice@example.com", password=PASSWORD)
    assert first.token != second.token
    assert len(_session_rows(database)) == 2


def test_login_updates_last_login(database: Database, account: AccountView) -> None:
    assert account.last_login is None
    login = sessions.login(database, email="alice@example.com", password=PASSWORD, now=MOMENT)
    assert login.account.last_login == MOMENT
    with database.session() as session:
        stored = UserRepository(session).get(account.id)
        assert stored is not None
        assert stored.last_login == MOMENT


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("alice@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("not an email", PASSWORD),
    ],
    ids=["wrong-password", "unknown-email", "invalid-email"],
)
def test_bad_credentials_give_one_message(
    database: Database, account: AccountView, email: str, password: str
) -> None:
    with pytest.raises(AuthenticationError, match=r"^wrong email or password$"):
        sessions.login(database, email=email, password=password)
    assert _session_rows(database) == []
    with database.session() as session:
        stored = UserRepository(session).get(account.id)
        assert stored is not None
        assert stored.last_login is None


def test_a_failed_login_is_audited_although_login_raised(
    database: Database, account: AccountView
) -> None:
    with pytest.raises(AuthenticationError, match="wrong email or password"):
        sessions.login(database, email="alice@example.com", password="wrong password")
    with pytest.raises(AuthenticationError, match="wrong email or password"):
        sessions.login(database, email="nobody@example.com", password=PASSWORD)
    rows = _audit_rows(database, "USER_LOGIN_FAILED")
    assert sorted((r.resource_id or "", r.user_id, r.details["email"]) for r in rows) == sorted(
        [
            (account.id, None, "alice@example.com"),
            ("", None, "nobody@example.com"),
        ]
    )
    assert all(r.details["reason"] == "credentials" for r in rows)
    assert _audit_rows(database, "USER_LOGIN") == []


def test_a_disabled_account_cannot_log_in(database: Database, account: AccountView) -> None:
    bob = signup(database, "bob")
    accounts.set_enabled(database, actor_of(account), "bob", False)
    with pytest.raises(AuthenticationError, match="the account bob@example.com is disabled"):
        sessions.login(database, email="bob@example.com", password=PASSWORD)
    assert _session_rows(database) == []
    [failure] = _audit_rows(database, "USER_LOGIN_FAILED")
    assert failure.resource_id == bob.id
    assert failure.details == {"email": "bob@example.com", "reason": "disabled"}


def test_authenticate_returns_theactor_of(database: Database, account: AccountView) -> None:
    login = sessions.login(database, email="alice@example.com", password=PASSWORD)
    assert sessions.authenticate(database, login.token) == actor_of(account)


def test_an_expired_session_is_refused(database: Database, account: AccountView) -> None:
    login = sessions.login(
        database, email="alice@example.com", password=PASSWORD, days=1, now=MOMENT
    )
    just_before = MOMENT + timedelta(days=1) - timedelta(seconds=1)
    assert sessions.authenticate(database, login.token, now=just_before).id == account.id
    with pytest.raises(AuthenticationError, match="session expired: run `apidisco account login`"):
        sessions.authenticate(database, login.token, now=MOMENT + timedelta(days=1))


def test_a_logged_out_token_is_refused(database: Database, account: AccountView) -> None:
    login = sessions.login(database, email="alice@example.com", password=PASSWORD)
    assert sessions.logout(database, login.token) is True
    assert _session_rows(database) == []
    with pytest.raises(
        AuthenticationError, match="session has ended: run `apidisco account login`"
    ):
        sessions.authenticate(database, login.token)


@pytest.mark.parametrize("token", [None, ""])
def test_no_token_is_refused(database: Database, token: str | None) -> None:
    with pytest.raises(AuthenticationError, match="not logged in: run `apidisco account login`"):
        sessions.authenticate(database, token)


def test_an_unknown_token_is_refused(database: Database, account: AccountView) -> None:
    with pytest.raises(AuthenticationError, match="run `apidisco account login`"):
        sessions.authenticate(database, "made-up-token")


def test_logout_of_an_unknown_token_returns_false(database: Database, account: AccountView) -> None:
    login = sessions.login(database, email="alice@example.com", password=PASSWORD)
    assert sessions.logout(database, "made-up-token") is False
    assert sessions.logout(database, None) is False
    assert len(_session_rows(database)) == 1
    assert _audit_rows(database, "USER_LOGOUT") == []
    assert sessions.authenticate(database, login.token).id == account.id


def test_logout_ends_only_that_session(database: Database, account: AccountView) -> None:
    first = sessions.login(database, email="alice@example.com", password=PASSWORD)
    second = sessions.login(database, email="alice@example.com", password=PASSWORD)
    assert sessions.logout(database, first.token) is True
    assert sessions.logout(database, first.token) is False
    assert sessions.authenticate(database, second.token).id == account.id
    [row] = _audit_rows(database, "USER_LOGOUT")
    assert (row.user_id, row.resource_id) == (account.id, account.id)


def test_whoami_returns_the_account(database: Database, account: AccountView) -> None:
    view = sessions.whoami(database, actor_of(account))
    assert (view.id, view.email, view.credits) == (account.id, "alice@example.com", 100)


def test_whoami_of_a_deleted_account_is_refused(database: Database, account: AccountView) -> None:
    actor = actor_of(account)
    with database.transaction() as session:
        session.execute(sa.delete(User).where(User.id == account.id))
    with pytest.raises(AuthenticationError, match="no longer exists: run `apidisco account login`"):
        sessions.whoami(database, actor)


def test_login_is_audited(database: Database, account: AccountView) -> None:
    sessions.login(database, email="alice@example.com", password=PASSWORD)
    entries = audit.list_entries(database, actor_of(account), action="USER_LOGIN")
    assert [(e.user_id, e.resource_id) for e in entries] == [(account.id, account.id)]
