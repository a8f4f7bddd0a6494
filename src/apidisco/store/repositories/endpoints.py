"""Queries on ``endpoints``."""

from __future__ import annotations

from sqlmodel import Session, col, select

from apidisco.store.models import Endpoint

__all__ = ["EndpointRepository"]


class EndpointRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, endpoint: Endpoint) -> Endpoint:
        self.session.add(endpoint)
        self.session.flush()
        return endpoint

    def get(self, endpoint_id: str) -> Endpoint | None:
        return self.session.get(Endpoint, endpoint_id)

    def for_user(self, user_id: str) -> list[Endpoint]:
        statement = (
            select(Endpoint)
            .where(Endpoint.user_id == user_id)
            .order_by(col(Endpoint.created_at), col(Endpoint.id))
        )
        return list(self.session.exec(statement))
