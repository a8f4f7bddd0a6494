"""Queries on ``audit_logs``."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from apidisco.store.models import AuditLog
from apidisco.store.repositories.bulk import delete_where

__all__ = ["AuditRepository"]


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: AuditLog) -> AuditLog:
        self.session.add(entry)
        self.session.flush()
        return entry

    def search(
        self,
        *,
        user_id: str | None = None,
        action: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
        limit: int = 100,
    ) -> list[AuditLog]:
        """Newest first."""
        statement = select(AuditLog)
        if user_id is not None:
            statement = statement.where(AuditLog.user_id == user_id)
        if action is not None:
            statement = statement.where(AuditLog.action == action)
        if resource_type is not None:
            statement = statement.where(AuditLog.resource_type == resource_type)
        if resource_id is not None:
            statement = statement.where(AuditLog.resource_id == resource_id)
        statement = statement.order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc())
        return list(self.session.exec(statement.limit(limit)))

    def count_older_than(self, cutoff: datetime) -> int:
        statement = (
            select(sa.func.count()).select_from(AuditLog).where(col(AuditLog.created_at) < cutoff)
        )
        return int(self.session.exec(statement).one())

    def delete_older_than(self, cutoff: datetime) -> int:
        return delete_where(self.session, AuditLog, col(AuditLog.created_at) < cutoff)
