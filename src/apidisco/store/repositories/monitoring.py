"""Claiming endpoints for scheduled replay, so concurrent workers never share one.

A worker reads the MONITORING endpoints whose last replay is older than their
period (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so rows another worker
is claiming are passed over), then claims each with a compare-and-set on
``lastReplayAt``: the update succeeds only if the value is still the one it
read. One winner per endpoint and due period, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from apidisco.enums import EndpointStatus
from apidisco.store.models import Endpoint

__all__ = ["MonitoringRepository"]


class MonitoringRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def monitored(self, user_id: str | None = None) -> list[Endpoint]:
        """MONITORING endpoints with monitoring on, oldest replay first; rows another
        transaction holds are skipped on PostgreSQL."""
        statement = select(Endpoint).where(
            Endpoint.status == EndpointStatus.MONITORING,
            col(Endpoint.monitoring_enabled).is_(True),
        )
        if user_id is not None:
            statement = statement.where(Endpoint.user_id == user_id)
        statement = statement.order_by(
            col(Endpoint.last_replay_at).is_not(None),
            col(Endpoint.last_replay_at),
            col(Endpoint.id),
        )
        if self.session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True, of=Endpoint)
        return list(self.session.exec(statement))

    def claim(self, endpoint_id: str, seen: datetime | None, now: datetime) -> bool:
        """Set ``lastReplayAt`` to ``now`` if it is still ``seen``; whether it was."""
        column = col(Endpoint.last_replay_at)
        unchanged = column.is_(None) if seen is None else column == seen
        result = self.session.execute(
            sa.update(Endpoint)
            .where(col(Endpoint.id) == endpoint_id, unchanged)
            .values(last_replay_at=now, updated_at=Endpoint.updated_at)
        )
        return int(getattr(result, "rowcount", 0)) == 1

    def touch(self, endpoint_id: str, now: datetime) -> None:
        """Record a replay (a manual one) in ``lastReplayAt``."""
        self.session.execute(
            sa.update(Endpoint)
            .where(col(Endpoint.id) == endpoint_id)
            .values(last_replay_at=now, updated_at=Endpoint.updated_at)
        )
