"""Queries on ``endpoints`` and the rows that belong to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from apidisco.enums import EndpointStatus
from apidisco.store.models import (
    ActionSequence,
    ApiCall,
    ApiChange,
    DiscoveredEndpoint,
    Endpoint,
    EndpointDocumentation,
    User,
)

__all__ = ["OWNED_TABLES", "EndpointRepository"]

# What deleting an endpoint deletes with it (ON DELETE CASCADE).
OWNED_TABLES = (ApiCall, DiscoveredEndpoint, EndpointDocumentation, ActionSequence, ApiChange)


class EndpointRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, endpoint: Endpoint) -> Endpoint:
        self.session.add(endpoint)
        self.session.flush()
        return endpoint

    def get(self, endpoint_id: str) -> Endpoint | None:
        return self.session.get(Endpoint, endpoint_id)

    def by_slug(self, slug: str) -> Endpoint | None:
        return self.session.exec(select(Endpoint).where(Endpoint.slug == slug)).first()

    def listing(self, user_id: str | None = None) -> list[Endpoint]:
        """A user's endpoints (everyone's when ``user_id`` is None), oldest first."""
        statement = select(Endpoint).order_by(col(Endpoint.created_at), col(Endpoint.id))
        if user_id is not None:
            statement = statement.where(Endpoint.user_id == user_id)
        return list(self.session.exec(statement))

    def with_destination_prefix(self, prefix: str) -> list[Endpoint]:
        """Endpoints whose ``destinationUrl`` starts with ``prefix`` (literally), oldest first.

        The proxy matches traffic to endpoints by origin: it asks for
        ``https://api.example.com`` and picks among the answers itself.
        """
        statement = (
            select(Endpoint)
            .where(col(Endpoint.destination_url).startswith(prefix, autoescape=True))
            .order_by(col(Endpoint.created_at), col(Endpoint.id))
        )
        return list(self.session.exec(statement))

    def count_included(self, user_id: str) -> int:
        """The user's endpoints that the plan paid for (created free), archived ones aside."""
        statement = (
            select(sa.func.count())
            .select_from(Endpoint)
            .where(
                Endpoint.user_id == user_id,
                Endpoint.credits_used == 0,
                Endpoint.status != EndpointStatus.ARCHIVED,
            )
        )
        return int(self.session.exec(statement).one())

    def delete(self, endpoint: Endpoint) -> None:
        # The database cascades to the owned tables.
        self.session.execute(sa.delete(Endpoint).where(col(Endpoint.id) == endpoint.id))
        self.session.expunge(endpoint)

    def expired(self, cutoff: datetime) -> list[Endpoint]:
        """Endpoints created before ``cutoff`` whose owner is not a demo account."""
        statement = (
            select(Endpoint)
            .join(User, col(User.id) == col(Endpoint.user_id))
            .where(col(Endpoint.created_at) < cutoff, col(User.is_demo).is_(False))
            .order_by(col(Endpoint.created_at), col(Endpoint.id))
        )
        return list(self.session.exec(statement))

    def owned_counts(self, endpoint_ids: list[str]) -> dict[str, int]:
        """How many rows of each owned table belong to these endpoints."""
        counts = {}
        for model in OWNED_TABLES:
            statement = (
                select(sa.func.count())
                .select_from(model)
                .where(col(model.endpoint_id).in_(endpoint_ids))
            )
            counts[model.__tablename__] = int(self.session.exec(statement).one())
        return counts
