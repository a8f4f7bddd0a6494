"""Announcing API changes: a signed webhook per endpoint, and the command's own output.

:func:`deliver_pending` takes the changes not yet announced (``notifiedAt``
empty) of the endpoints the actor may see, locked so two workers never send the
same ones (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), and POSTs one JSON
document per endpoint to the configured webhook (:mod:`apidisco.replay.webhook`,
HMAC-signed). ``notifiedAt`` is set only for the changes whose POST was
answered with a 2xx; the others stay pending and are sent again by the next
run. A receiver may see a document twice (a crash between its answer and the
commit): the change ids let it drop repeats.

Without a webhook, the changes are announced on stdout by the command that
runs this (``apidisco monitor run``), and marked as announced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from apidisco.destinations import parse_destination
from apidisco.errors import ConfigError
from apidisco.replay.webhook import post_signed
from apidisco.services.actor import Actor
from apidisco.services.changes import ChangeView
from apidisco.store.database import Database
from apidisco.store.models import ApiChange, Endpoint
from apidisco.store.repositories.changes import ApiChangeRepository

__all__ = ["NotificationReport", "Webhook", "deliver_pending", "payload"]


@dataclass(frozen=True)
class Webhook:
    """Where change notifications go (settings ``notify_webhook_url`` and ``_secret``)."""

    url: str
    secret: str
    allow_private: bool = False
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, url: str, secret: str | None, allow_private: bool) -> Webhook | None:
        if not url:
            return None
        if not secret:
            raise ConfigError(
                "notify_webhook_url is set but notify_webhook_secret is not: notifications "
                "are always signed (set APIDISCO_NOTIFY_WEBHOOK_SECRET)"
            )
        parse_destination(url)
        return cls(url, secret, allow_private)


@dataclass(frozen=True)
class NotificationReport:
    delivered: tuple[ChangeView, ...]
    failed: tuple[ChangeView, ...]
    errors: tuple[str, ...]
    channel: str  # "webhook" or "stdout"


def payload(endpoint: Endpoint, changes: list[ApiChange], sent_at: datetime) -> dict[str, Any]:
    """The JSON document announcing ``changes`` of ``endpoint``."""
    views = [ChangeView.of(change) for change in changes]
    return {
        "event": "api.changes",
        "sentAt": sent_at.isoformat(),
        "endpoint": {
            "id": endpoint.id,
            "name": endpoint.name,
            "destinationUrl": endpoint.destination_url,
        },
        "breaking": any(view.breaking for view in views),
        "changes": [
            {
                "id": view.id,
                "type": view.change_type,
                "pattern": view.pattern,
                "method": view.method,
                "breaking": view.breaking,
                "description": view.description,
                "diff": view.diff,
                "detectedAt": view.detected_at.isoformat() if view.detected_at else None,
            }
            for view in views
        ],
    }


def deliver_pending(
    database: Database,
    actor: Actor,
    webhook: Webhook | None,
    *,
    now: datetime,
) -> NotificationReport:
    """Announce every pending change the actor may see (see the module docstring)."""
    delivered: list[ChangeView] = []
    failed: list[ChangeView] = []
    errors: list[str] = []
    with database.transaction() as session:
        repository = ApiChangeRepository(session)
        owned = None if actor.is_admin else repository.owned_by(actor.id)
        pending = repository.unnotified(owned)
        by_endpoint: dict[str, list[ApiChange]] = {}
        for change in pending:
            by_endpoint.setdefault(change.endpoint_id, []).append(change)
        for endpoint_id in sorted(by_endpoint):
            changes = by_endpoint[endpoint_id]
            views = [ChangeView.of(change) for change in changes]
            if webhook is None:
                repository.mark_notified([c.id for c in changes], now)
                delivered += views
                continue
            endpoint = session.get(Endpoint, endpoint_id)
            assert endpoint is not None
            body = orjson.dumps(payload(endpoint, changes, now), option=orjson.OPT_SORT_KEYS)
            result = post_signed(
                webhook.url,
                body,
                secret=webhook.secret,
                timestamp=int(now.timestamp()),
                allow_private=webhook.allow_private,
                timeout=webhook.timeout,
            )
            if result.ok:
                repository.mark_notified([c.id for c in changes], now)
                delivered += views
            else:
                failed += views
                errors.append(f"endpoint {endpoint_id}: {result.error}")
    return NotificationReport(
        tuple(delivered), tuple(failed), tuple(errors), "stdout" if webhook is None else "webhook"
    )
