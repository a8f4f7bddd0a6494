"""Queries on ``api_changes``: what replays found, and whether it was announced."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from apidisco.store.models import ApiChange, Endpoint

__all__ = ["ApiChangeRepository"]


class ApiChangeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, change: ApiChange) -> ApiChange:
        self.session.add(change)
        self.session.flush()
        return change

    def listing(
        self, endpoint_id: str, *, since: datetime | None = None, limit: int | None = None
    ) -> list[ApiChange]:
        """The endpoint's changes, newest first (the newest ``limit`` of them)."""
        statement = select(ApiChange).where(ApiChange.endpoint_id == endpoint_id)
        if since is not None:
            statement = statement.where(col(ApiChange.detected_at) >= since)
        statement = statement.order_by(col(ApiChange.detected_at).desc(), col(ApiChange.id))
        if limit is not None:
            statement = statement.limit(limit)
        return list(self.session.exec(statement))

    def latest_by_type(self, endpoint_id: str, change_types: Sequence[str]) -> list[ApiChange]:
        """The endpoint's changes of these types, newest first (for deduplication)."""
        if not change_types:
            return []
        statement = (
            select(ApiChange)
            .where(
                ApiChange.endpoint_id == endpoint_id,
                col(ApiChange.change_type).in_(list(change_types)),
            )
            .order_by(col(ApiChange.detected_at).desc(), col(ApiChange.id))
        )
        return list(self.session.exec(statement))

    def unnotified(self, endpoint_ids: Sequence[str] | None = None) -> list[ApiChange]:
        """Changes not yet announced, oldest first, locked so one worker sends each
        (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
        statement = select(ApiChange).where(col(ApiChange.notified_at).is_(None))
        if endpoint_ids is not None:
            statement = statement.where(col(ApiChange.endpoint_id).in_(list(endpoint_ids)))
        statement = statement.order_by(col(ApiChange.detected_at), col(ApiChange.id))
        if self.session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        return list(self.session.exec(statement))

    def owned_by(self, user_id: str | None) -> list[str]:
        """Ids of the endpoints of ``user_id`` (everyone's when None)."""
        statement = select(Endpoint.id)
        if user_id is not None:
            statement = statement.where(Endpoint.user_id == user_id)
        return list(self.session.exec(statement))

    def mark_notified(self, change_ids: Sequence[str], at: datetime) -> int:
        if not change_ids:
            return 0
        result = self.session.execute(
            sa.update(ApiChange)
            .where(col(ApiChange.id).in_(list(change_ids)), col(ApiChange.notified_at).is_(None))
            .values(notified_at=at)
        )
        return int(getattr(result, "rowcount", 0))
