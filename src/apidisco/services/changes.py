"""API changes found by replay: writing them once, and ``apidisco changes list``.

A change row holds the type, one readable sentence, the before and after
snapshots and ``diff`` = :meth:`apidisco.infer.changes.Change.diff_json`
(``diff["breaking"]`` is the breaking flag: the table has no column for it).
A replay that finds a change the latest row of the same type, path and method
already describes, with the same diff, writes nothing: monitoring every day
does not repeat itself while nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apidisco.enums import ApiChangeType
from apidisco.infer.drift import Drift
from apidisco.services.actor import Actor
from apidisco.services.endpoints import find_endpoint
from apidisco.store.database import Database, Session
from apidisco.store.models import ApiChange
from apidisco.store.repositories.changes import ApiChangeRepository

__all__ = ["ChangeView", "list_changes", "write_changes"]


@dataclass(frozen=True)
class ChangeView:
    id: str | None
    endpoint_id: str | None
    discovered_endpoint_id: str | None
    change_type: str
    pattern: str
    method: str | None
    breaking: bool
    description: str
    diff: Mapping[str, Any]
    before: Any
    after: Any
    detected_at: datetime | None
    notified_at: datetime | None

    @classmethod
    def of(cls, row: ApiChange) -> ChangeView:
        diff = row.diff if isinstance(row.diff, dict) else {}
        return cls(
            id=row.id,
            endpoint_id=row.endpoint_id,
            discovered_endpoint_id=row.discovered_endpoint_id,
            change_type=ApiChangeType(row.change_type).value,
            pattern=str(diff.get("pattern", "")),
            method=diff.get("method"),
            breaking=bool(diff.get("breaking")),
            description=row.change_description,
            diff=diff,
            before=row.before_snapshot,
            after=row.after_snapshot,
            detected_at=row.detected_at,
            notified_at=row.notified_at,
        )

    @classmethod
    def of_drift(cls, drift: Drift) -> ChangeView:
        change = drift.change
        return cls(
            id=None,
            endpoint_id=None,
            discovered_endpoint_id=None,
            change_type=change.type.value,
            pattern=change.pattern,
            method=change.method,
            breaking=change.breaking,
            description=change.description,
            diff=drift.diff_json(),
            before=drift.before,
            after=drift.after,
            detected_at=None,
            notified_at=None,
        )


def _key(change_type: str, diff: Mapping[str, Any]) -> tuple[str, str, str]:
    return (change_type, str(diff.get("pattern", "")), str(diff.get("method") or ""))


def write_changes(
    session: Session,
    endpoint_id: str,
    drifts: Sequence[Drift],
    discovered: Mapping[str, str],
) -> list[ApiChange]:
    """Add a row per drift that the latest row of its kind does not already describe."""
    repository = ApiChangeRepository(session)
    latest: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    types = sorted({drift.change.type.value for drift in drifts})
    for row in repository.latest_by_type(endpoint_id, types):
        diff = row.diff if isinstance(row.diff, dict) else {}
        latest.setdefault(_key(ApiChangeType(row.change_type).value, diff), diff)
    written = []
    for drift in drifts:
        diff = drift.diff_json()
        key = _key(drift.change.type.value, diff)
        if latest.get(key) == diff:
            continue
        latest[key] = diff
        written.append(
            repository.add(
                ApiChange(
                    endpoint_id=endpoint_id,
                    discovered_endpoint_id=discovered.get(drift.change.pattern),
                    change_type=drift.change.type,
                    change_description=drift.change.description,
                    before_snapshot=drift.before,
                    after_snapshot=drift.after,
                    diff=diff,
                )
            )
        )
    return written


def list_changes(
    database: Database,
    actor: Actor,
    endpoint: str,
    *,
    since: datetime | None = None,
    breaking: bool = False,
) -> list[ChangeView]:
    """The endpoint's changes, newest first; only breaking ones with ``breaking``."""
    with database.session() as session:
        target = find_endpoint(session, actor, endpoint)
        rows = ApiChangeRepository(session).listing(target.id, since=since)
        views = [ChangeView.of(row) for row in rows]
    return [view for view in views if view.breaking or not breaking]
