"""Data retention: the cleanup job of the platform specification.

Removes endpoints created more than ``data_retention_days`` ago (and, by
cascade, everything captured and inferred for them), except demo accounts';
audit logs older than a year; expired login sessions. Payments and ledger rows
are never removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apidisco.services import audit
from apidisco.store.database import Database, Session
from apidisco.store.models import Endpoint, utcnow
from apidisco.store.repositories import AuditRepository, EndpointRepository, SessionRepository

__all__ = ["AUDIT_RETENTION", "CleanupReport", "cleanup"]

AUDIT_RETENTION = timedelta(days=365)


@dataclass(frozen=True)
class CleanupReport:
    dry_run: bool
    cutoff: datetime
    endpoints: tuple[str, ...]
    owned_rows: dict[str, int] = field(default_factory=dict)
    audit_logs: int = 0
    sessions: int = 0


def cleanup(
    database: Database, *, days: int, dry_run: bool = False, now: datetime | None = None
) -> CleanupReport:
    """Remove what is past retention (or, with ``dry_run``, only count it)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    audit_cutoff = now - AUDIT_RETENTION
    if dry_run:
        with database.session() as session:
            expired = EndpointRepository(session).expired(cutoff)
            return CleanupReport(
                dry_run=True,
                cutoff=cutoff,
                endpoints=tuple(endpoint.id for endpoint in expired),
                owned_rows=_owned(session, expired),
                audit_logs=AuditRepository(session).count_older_than(audit_cutoff),
                sessions=SessionRepository(session).count_expired(now),
            )
    with database.transaction() as session:
        endpoints = EndpointRepository(session)
        expired = endpoints.expired(cutoff)
        owned = _owned(session, expired)
        for endpoint in expired:
            endpoints.delete(endpoint)
        report = CleanupReport(
            dry_run=False,
            cutoff=cutoff,
            endpoints=tuple(endpoint.id for endpoint in expired),
            owned_rows=owned,
            audit_logs=AuditRepository(session).delete_older_than(audit_cutoff),
            sessions=SessionRepository(session).delete_expired(now),
        )
        audit.record(
            session,
            None,
            "CLEANUP",
            resource_type="SYSTEM",
            details={
                "retention_days": days,
                "endpoints": len(report.endpoints),
                "owned_rows": owned,
                "audit_logs": report.audit_logs,
                "sessions": report.sessions,
            },
        )
        return report


def _owned(session: Session, endpoints: list[Endpoint]) -> dict[str, int]:
    ids = [endpoint.id for endpoint in endpoints]
    return EndpointRepository(session).owned_counts(ids) if ids else {}
