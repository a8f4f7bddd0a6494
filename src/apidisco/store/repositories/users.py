"""Queries on ``users``."""

from __future__ import annotations

from sqlmodel import Session, select

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

    def by_email(self, email: str) -> User | None:
        return self.session.exec(select(User).where(User.email == email)).first()
