"""``apidisco monitor run``: replay every monitored endpoint that is due, once.

An endpoint is monitored when its status is MONITORING and monitoring is on;
it is due when its last replay is older than its frequency (daily: a day,
weekly: seven, monthly: thirty) or it was never replayed. Without ``due_only``
every monitored endpoint is replayed now.

Safe to run side by side (cron on several hosts, a slow run overlapping the
next): each endpoint is claimed in the database before it is replayed
(:class:`~apidisco.store.repositories.monitoring.MonitoringRepository`: ``FOR
UPDATE SKIP LOCKED``, then a compare-and-set of ``lastReplayAt``), so one due
period gives one replay whatever the number of workers. An endpoint whose
replay found new changes has its documents regenerated
(:func:`apidisco.services.documents.document_endpoint`, with the semver bump),
and the pending changes are announced (:mod:`apidisco.services.notifications`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apidisco.errors import ApidiscoError, ConfigError
from apidisco.secretbox import SECRET_KEY_ENV, SecretBox
from apidisco.services.actor import Actor
from apidisco.services.documents import document_endpoint
from apidisco.services.notifications import NotificationReport, Webhook, deliver_pending
from apidisco.services.replay import ReplayOptions, ReplayReport, replay_endpoint
from apidisco.store.database import Database
from apidisco.store.models import utcnow
from apidisco.store.repositories.monitoring import MonitoringRepository

__all__ = ["PERIODS", "MonitorReport", "MonitoredRun", "claim", "is_due", "run_monitoring"]

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7), "monthly": timedelta(days=30)}


def is_due(frequency: str | None, last: datetime | None, now: datetime) -> bool:
    """Whether an endpoint replayed at ``last`` (None: never) is due at ``now``."""
    if last is None:
        return True
    return now - last >= PERIODS.get(frequency or "daily", PERIODS["daily"])


@dataclass(frozen=True)
class MonitoredRun:
    endpoint_id: str
    outcome: str  # replayed, stopped, failed
    changes: int
    written: int
    documented: str | None  # the documents' status after regeneration, or why it failed
    error: str | None = None
    report: ReplayReport | None = None


@dataclass(frozen=True)
class MonitorReport:
    runs: tuple[MonitoredRun, ...]
    notifications: NotificationReport


def claim(database: Database, actor: Actor, *, due_only: bool, now: datetime) -> list[str]:
    """Claim the endpoints to replay now; each is claimed by one caller only."""
    claimed = []
    with database.transaction() as session:
        repository = MonitoringRepository(session)
        for endpoint in repository.monitored(None if actor.is_admin else actor.id):
            if due_only and not is_due(endpoint.monitoring_frequency, endpoint.last_replay_at, now):
                continue
            if repository.claim(endpoint.id, endpoint.last_replay_at, now):
                claimed.append(endpoint.id)
    return claimed


def _run_one(
    database: Database,
    actor: Actor,
    endpoint_id: str,
    box: SecretBox | None,
    options: ReplayOptions,
) -> MonitoredRun:
    try:
        report = replay_endpoint(
            database, actor, endpoint_id, box=box, options=options, claimed=True
        )
    except ApidiscoError as error:
        return MonitoredRun(endpoint_id, "failed", 0, 0, None, error.message)
    documented = None
    if report.written:
        try:
            documented = document_endpoint(database, actor, endpoint_id).status
        except ApidiscoError as error:
            documented = f"failed: {error.message}"
    return MonitoredRun(
        endpoint_id,
        "stopped" if report.stopped else "replayed",
        len(report.changes),
        report.written,
        documented,
        report.stopped,
        report,
    )


def run_monitoring(
    database: Database,
    actor: Actor,
    *,
    box: SecretBox | None,
    options: ReplayOptions,
    webhook: Webhook | None,
    due_only: bool = True,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MonitorReport:
    """Claim, replay, regenerate and announce (see the module docstring).

    Without the secret key nothing is claimed: a run that cannot replay must not
    use up the endpoints' due period.
    """
    if box is None:
        raise ConfigError(
            f"{SECRET_KEY_ENV} is not set: monitoring replays endpoints and needs it "
            "(no key, no replay)"
        )
    moment = now or utcnow()
    claimed = claim(database, actor, due_only=due_only, now=moment)
    runs = []
    for done, endpoint_id in enumerate(claimed, start=1):
        runs.append(_run_one(database, actor, endpoint_id, box, options))
        if progress is not None:
            progress(done, len(claimed))
    notifications = deliver_pending(database, actor, webhook, now=moment)
    return MonitorReport(tuple(runs), notifications)
