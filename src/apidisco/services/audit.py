"""The audit trail: every state change leaves a row, and who may read which."""

from __future__ import annotations

from typing import Any

from apidisco.services.actor import Actor
from apidisco.services.views import AuditEntryView
from apidisco.store.database import Database, Session
from apidisco.store.models import AuditLog
from apidisco.store.repositories import AuditRepository

__all__ = ["list_entries", "record"]


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    resource_type: str | None = None,
    resource_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an audit row inside the caller's transaction (``actor`` None: the system)."""
    AuditRepository(session).add(
        AuditLog(
            user_id=actor.id if actor else None,
            user_email=actor.email if actor else None,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            details=details,
        )
    )


def list_entries(
    database: Database,
    actor: Actor,
    *,
    action: str | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    limit: int = 100,
) -> list[AuditEntryView]:
    """The actor's own entries, newest first; an admin sees everyone's."""
    with database.session() as session:
        rows = AuditRepository(session).search(
            user_id=None if actor.is_admin else actor.id,
            action=action.upper() if action else None,
            resource_type=resource_type.upper() if resource_type else None,
            resource_id=resource_id,
            limit=limit,
        )
        return [AuditEntryView.of(row) for row in rows]
