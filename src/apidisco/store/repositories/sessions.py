"""Queries on ``sessions`` (login sessions; only token hashes are stored)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from apidisco.store.models import Session
from apidisco.store.repositories.bulk import delete_where

__all__ = ["SessionRepository"]


class SessionRepository:
    def __init__(self, session: DbSession) -> None:
        self.session = session

    def add(self, login: Session) -> Session:
        self.session.add(login)
        self.session.flush()
        return login

    def by_token_hash(self, token_hash: str) -> Session | None:
        return self.session.exec(select(Session).where(Session.token == token_hash)).first()

    def delete(self, login: Session) -> None:
        self.session.delete(login)
        self.session.flush()

    def delete_for_user(self, user_id: str) -> int:
        return delete_where(self.session, Session, col(Session.user_id) == user_id)

    def count_expired(self, now: datetime) -> int:
        statement = (
            select(sa.func.count()).select_from(Session).where(col(Session.expires_at) <= now)
        )
        return int(self.session.exec(statement).one())

    def delete_expired(self, now: datetime) -> int:
        return delete_where(self.session, Session, col(Session.expires_at) <= now)
