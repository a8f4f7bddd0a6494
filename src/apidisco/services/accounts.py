"""Accounts: signing up, and what admins may do to accounts.

Validation follows the platform specification: a real email address, a
username of 3 to 30 letters, digits, ``_`` or ``-``, a password of at least 8
characters (hashed with bcrypt). The first account on a store without an admin
becomes ADMIN (demo accounts never count); later ones are USER. Every account
starts with 100 credits, recorded in the ledger as a SIGNUP entry.
"""

from __future__ import annotations

import re

import email_validator

from apidisco.enums import CreditTransactionType, Role
from apidisco.errors import NotFoundError, ValidationError
from apidisco.services import audit
from apidisco.services.actor import Actor, require_admin
from apidisco.services.passwords import DEFAULT_ROUNDS, hash_password
from apidisco.services.views import AccountView
from apidisco.store.database import Database, Session
from apidisco.store.models import User
from apidisco.store.repositories import LedgerRepository, SessionRepository, UserRepository

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "SIGNUP_CREDITS",
    "create_account",
    "find_account",
    "list_accounts",
    "normalize_email",
    "set_enabled",
    "set_role",
    "signup",
    "validate_password",
    "validate_username",
]

SIGNUP_CREDITS = 100
MIN_PASSWORD_LENGTH = 8
USERNAME = re.compile(r"[A-Za-z0-9_-]{3,30}")


def normalize_email(email: str) -> str:
    """The canonical form of an email address, or :class:`ValidationError`."""
    try:
        result = email_validator.validate_email(email.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise ValidationError(f"{email.strip()!r} is not a valid email address: {error}") from None
    return result.normalized.lower()


def validate_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise ValidationError(f"username {username!r} must be 3 to 30 letters, digits, '_' or '-'")
    return username


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    return password


def create_account(
    session: Session,
    *,
    email: str,
    username: str | None,
    password_hash: str,
    is_demo: bool = False,
) -> User:
    """Insert an account with its signup credits, inside the caller's transaction.

    Refuses a taken email or username, naming which. Used by :func:`signup` and
    by the demo seed (whose password is the one exception to the length rule).
    """
    users = UserRepository(session)
    if users.by_email(email) is not None:
        raise ValidationError(f"an account with the email {email} already exists")
    if username is not None and users.by_username(username) is not None:
        raise ValidationError(f"the username {username} is taken")
    role = Role.USER if is_demo or users.has_admin() else Role.ADMIN
    user = users.add(
        User(
            email=email,
            username=username,
            password_hash=password_hash,
            role=role,
            is_demo=is_demo,
            credits=0,
        )
    )
    LedgerRepository(session).record(
        user.id, SIGNUP_CREDITS, CreditTransactionType.SIGNUP, description="Free credits on signup"
    )
    actor = Actor(id=user.id, email=user.email, role=user.role)
    audit.record(
        session,
        actor,
        "USER_SIGNUP",
        resource_type="USER",
        resource_id=user.id,
        details={"username": username, "role": role.value, "demo": is_demo},
    )
    return user


def signup(
    database: Database,
    *,
    email: str,
    password: str,
    username: str | None = None,
    rounds: int = DEFAULT_ROUNDS,
) -> AccountView:
    """Create an account; see the module docstring for the rules."""
    email = normalize_email(email)
    if username is not None:
        validate_username(username)
    password_hash = hash_password(validate_password(password), rounds=rounds)
    with database.transaction() as session:
        user = create_account(session, email=email, username=username, password_hash=password_hash)
        return AccountView.of(user)


def find_account(session: Session, reference: str) -> User:
    user = UserRepository(session).by_reference(reference)
    if user is None:
        raise NotFoundError(f"no account {reference!r}")
    return user


def list_accounts(database: Database, actor: Actor) -> list[AccountView]:
    require_admin(actor, "list accounts")
    with database.session() as session:
        return [AccountView.of(user) for user in UserRepository(session).all()]


def set_enabled(database: Database, actor: Actor, reference: str, enabled: bool) -> AccountView:
    """Enable or disable an account (admins only). Disabling ends its sessions."""
    require_admin(actor, "enable or disable accounts")
    with database.transaction() as session:
        user = find_account(session, reference)
        if user.id == actor.id and not enabled:
            raise ValidationError("you cannot disable your own account")
        if not enabled:
            _keep_an_admin(session, user, "disabled")
        user.enabled = enabled
        ended = 0 if enabled else SessionRepository(session).delete_for_user(user.id)
        audit.record(
            session,
            actor,
            "USER_ENABLED" if enabled else "USER_DISABLED",
            resource_type="USER",
            resource_id=user.id,
            details={"email": user.email, "sessions_ended": ended},
        )
        session.flush()
        return AccountView.of(user)


def _keep_an_admin(session: Session, user: User, change: str) -> None:
    """Refuse to leave the store without an enabled, non-demo admin."""
    admins = UserRepository(session).active_admins()
    if [admin.id for admin in admins] == [user.id]:
        raise ValidationError(
            f"{user.email} is the only active admin and cannot be {change}; "
            "make another admin first"
        )


def set_role(database: Database, actor: Actor, reference: str, role: Role) -> AccountView:
    """Change an account's role (admins only); the last active admin cannot step down."""
    require_admin(actor, "change roles")
    with database.transaction() as session:
        user = find_account(session, reference)
        previous = user.role
        if role != Role.ADMIN:
            _keep_an_admin(session, user, "demoted")
        user.role = role
        audit.record(
            session,
            actor,
            "USER_ROLE_CHANGED",
            resource_type="USER",
            resource_id=user.id,
            details={"email": user.email, "from": previous.value, "to": role.value},
        )
        session.flush()
        return AccountView.of(user)
