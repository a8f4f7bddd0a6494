"""Queries on ``users``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from apidisco.enums import Role
from apidisco.store.models import User

__all__ = ["UserRepository"]


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user

    def get(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def lock(self, user_id: str) -> User | None:
        """The user's row, locked until the transaction ends (PostgreSQL; SQLite
        transactions already hold the write lock)."""
        statement = select(User).where(User.id == user_id).with_for_update()
        return self.session.exec(statement).first()

    def by_email(self, email: str) -> User | None:
        return self.session.exec(select(User).where(User.email == email)).first()

    def by_username(self, username: str) -> User | None:
        return self.session.exec(select(User).where(User.username == username)).first()

    def by_reference(self, reference: str) -> User | None:
        """A user named by id, email (case-insensitive) or username, in that order.

        An exact id always wins, so nobody can take over lookups of an account
        by choosing its id as their username.
        """
        user = self.get(reference)
        if user is not None:
            return user
        by_email = select(User).where(sa.func.lower(col(User.email)) == reference.lower())
        return self.session.exec(by_email).first() or self.by_username(reference)

    def by_subscription_id(self, subscription_id: str) -> User | None:
        """The account a provider subscription (Stripe sub_..., PayPal I-...) belongs to."""
        statement = select(User).where(User.subscription_id == subscription_id)
        return self.session.exec(statement).first()

    def active_admins(self) -> list[User]:
        """Enabled, non-demo ADMIN accounts: the ones who can actually administer."""
        statement = select(User).where(
            User.role == Role.ADMIN, col(User.enabled).is_(True), col(User.is_demo).is_(False)
        )
        return list(self.session.exec(statement))

    def has_admin(self) -> bool:
        """Whether any non-demo account is an ADMIN."""
        statement = select(User.id).where(User.role == Role.ADMIN, col(User.is_demo).is_(False))
        return self.session.exec(statement.limit(1)).first() is not None

    def all(self) -> list[User]:
        return list(self.session.exec(select(User).order_by(col(User.created_at), col(User.id))))
