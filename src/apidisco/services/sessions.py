"""Login sessions: a random token for the client, only its hash in the store."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from apidisco.errors import AuthenticationError, ValidationError
from apidisco.services import audit
from apidisco.services.accounts import normalize_email
from apidisco.services.actor import Actor
from apidisco.services.passwords import verify_password
from apidisco.services.views import AccountView
from apidisco.store.database import Database
from apidisco.store.models import Session, utcnow
from apidisco.store.repositories import SessionRepository, UserRepository

__all__ = ["Login", "authenticate", "hash_token", "login", "logout", "whoami"]

LOGIN_AGAIN = "run `apidisco account login`"
# Verified when the email is unknown, so both failures take as long.
_DUMMY_HASH = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5gN7b6o9PqnD0r1BxgD1uI2KJb8nXWy"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Login:
    token: str
    expires_at: datetime
    account: AccountView


def login(
    database: Database,
    *,
    email: str,
    password: str,
    days: int = 30,
    now: datetime | None = None,
) -> Login:
    """Check the credentials and open a session of ``days`` days."""
    now = now or utcnow()
    try:
        email = normalize_email(email)
    except ValidationError:
        raise AuthenticationError("wrong email or password") from None
    with database.transaction() as session:
        user = UserRepository(session).by_email(email)
        valid = verify_password(password, user.password_hash if user else _DUMMY_HASH)
        if user is not None and valid and user.enabled:
            token = secrets.token_urlsafe(32)
            expires_at = now + timedelta(days=days)
            SessionRepository(session).add(
                Session(user_id=user.id, token=hash_token(token), expires_at=expires_at)
            )
            user.last_login = now
            actor = Actor(id=user.id, email=user.email, role=user.role)
            audit.record(session, actor, "USER_LOGIN", resource_type="USER", resource_id=user.id)
            session.flush()
            return Login(token=token, expires_at=expires_at, account=AccountView.of(user))
        # A refused login is audited too, in its own committed transaction.
        audit.record(
            session,
            None,
            "USER_LOGIN_FAILED",
            resource_type="USER",
            resource_id=user.id if user else None,
            details={"email": email, "reason": "disabled" if valid else "credentials"},
        )
    if user is not None and valid:
        raise AuthenticationError(f"the account {email} is disabled")
    raise AuthenticationError("wrong email or password")


def authenticate(database: Database, token: str | None, now: datetime | None = None) -> Actor:
    """The user a session token belongs to, or :class:`AuthenticationError`."""
    if not token:
        raise AuthenticationError(f"not logged in: {LOGIN_AGAIN}")
    now = now or utcnow()
    with database.session() as session:
        login_row = SessionRepository(session).by_token_hash(hash_token(token))
        if login_row is None:
            raise AuthenticationError(f"your session has ended: {LOGIN_AGAIN}")
        if login_row.expires_at <= now:
            raise AuthenticationError(f"your session expired: {LOGIN_AGAIN}")
        user = UserRepository(session).get(login_row.user_id)
        if user is None or not user.enabled:
            raise AuthenticationError(f"this account is disabled: {LOGIN_AGAIN} with another")
        return Actor(id=user.id, email=user.email, role=user.role)


def logout(database: Database, token: str | None) -> bool:
    """End the session; ``False`` when there was none to end."""
    if not token:
        return False
    with database.transaction() as session:
        sessions = SessionRepository(session)
        login_row = sessions.by_token_hash(hash_token(token))
        if login_row is None:
            return False
        user = UserRepository(session).get(login_row.user_id)
        sessions.delete(login_row)
        if user is not None:
            actor = Actor(id=user.id, email=user.email, role=user.role)
            audit.record(session, actor, "USER_LOGOUT", resource_type="USER", resource_id=user.id)
        return True


def whoami(database: Database, actor: Actor) -> AccountView:
    with database.session() as session:
        user = UserRepository(session).get(actor.id)
        if user is None:
            raise AuthenticationError(f"this account no longer exists: {LOGIN_AGAIN}")
        return AccountView.of(user)
