"""Scheduled replay: due endpoints replayed once, documents regenerated, changes announced."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from apidisco.enums import EndpointStatus
from apidisco.errors import ConfigError
from apidisco.services import endpoints
from apidisco.services.actor import Actor
from apidisco.services.changes import list_changes
from apidisco.services.documents import document_endpoint
from apidisco.services.monitoring import MonitorReport, claim, is_due, run_monitoring
from apidisco.services.notifications import Webhook
from apidisco.services.replay import ReplayOptions
from apidisco.store.database import Database
from apidisco.store.models import utcnow
from apidisco.store.repositories.documentation import DocumentationRepository
from tests.services.apiserver import ShopServer
from tests.services.receiver import Receiver
from tests.services.replaying import BOX, browse, recorded_endpoint, store_captured

OPTIONS = ReplayOptions(speed=0, allow_private=True, timeout=5)
SECRET = "whsec-test-1"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver(SECRET)
    hook.start()
    try:
        yield hook
    finally:
        hook.stop()


@pytest.fixture
def monitored(database: Database, user: Actor, shop_server: ShopServer) -> str:
    return recorded_endpoint(database, user, shop_server, monitoring="daily")


def monitor(
    database: Database,
    actor: Actor,
    *,
    webhook: Webhook | None = None,
    due_only: bool = True,
    days: float = 0,
) -> MonitorReport:
    return run_monitoring(
        database,
        actor,
        box=BOX,
        options=OPTIONS,
        webhook=webhook,
        due_only=due_only,
        now=utcnow() + timedelta(days=days),
    )


def test_frequencies_decide_what_is_due() -> None:
    now = utcnow()
    assert is_due("daily", None, now)
    assert not is_due("daily", now - timedelta(hours=23), now)
    assert is_due("daily", now - timedelta(hours=24), now)
    assert not is_due("weekly", now - timedelta(days=6), now)
    assert is_due("weekly", now - timedelta(days=7), now)
    assert not is_due("monthly", now - timedelta(days=29), now)
    assert is_due("monthly", now - timedelta(days=30), now)


def test_a_due_endpoint_is_replayed_once_per_period(
    database: Database, user: Actor, monitored: str, shop_server: ShopServer
) -> None:
    posts = shop_server.count("POST", "/api/books")
    first = monitor(database, user)
    assert [(r.endpoint_id, r.outcome) for r in first.runs] == [(monitored, "replayed")]
    assert monitor(database, user).runs == ()
    assert monitor(database, user, days=0.5).runs == ()
    assert [r.endpoint_id for r in monitor(database, user, days=1.01).runs] == [monitored]
    assert shop_server.count("POST", "/api/books") == posts + 2


def test_without_due_every_monitored_endpoint_is_replayed(
    database: Database, user: Actor, monitored: str
) -> None:
    monitor(database, user)
    assert [r.endpoint_id for r in monitor(database, user, due_only=False).runs] == [monitored]


def test_a_claim_is_won_once(database: Database, user: Actor, monitored: str) -> None:
    now = utcnow()
    assert claim(database, user, due_only=True, now=now) == [monitored]
    assert claim(database, user, due_only=True, now=now) == []


def test_only_monitored_endpoints_of_the_actor_are_replayed(
    database: Database, admin: Actor, user: Actor, monitored: str, shop_server: ShopServer
) -> None:
    other = recorded_endpoint(database, user, shop_server)  # not monitored
    from tests.services.support import actor_of, signup

    carol = actor_of(signup(database, "carol"))
    assert monitor(database, carol).runs == ()
    replayed = {r.endpoint_id for r in monitor(database, admin).runs}
    assert replayed == {monitored}
    assert other not in replayed
    endpoints.set_monitoring(database, user, monitored, None)
    assert monitor(database, admin, days=2).runs == ()


def test_changes_regenerate_documents_with_a_version_bump(
    database: Database, user: Actor, monitored: str, shop_server: ShopServer
) -> None:
    versions = _versions(database, monitored)
    assert set(versions.values()) == {"1.0.0"}
    monitor(database, user)  # unchanged: nothing regenerated
    assert _versions(database, monitored) == versions
    shop_server.version = "type-changed"
    report = monitor(database, user, days=1.01)
    (run,) = report.runs
    assert run.written > 0
    assert run.documented == EndpointStatus.MONITORING.value
    after = _versions(database, monitored)
    assert after != versions
    assert any(version.split(".")[0] == "2" for version in after.values())


def _versions(database: Database, endpoint_id: str) -> dict[str, str]:
    with database.session() as session:
        rows = DocumentationRepository(session).for_endpoint(endpoint_id)
        return {key: row.version for key, row in rows.items()}


def test_without_a_webhook_changes_are_announced_on_stdout_once(
    database: Database, user: Actor, monitored: str, shop_server: ShopServer
) -> None:
    shop_server.version = "endpoint-removed"
    first = monitor(database, user)
    assert first.notifications.channel == "stdout"
    assert [c.change_type for c in first.notifications.delivered] == ["REMOVED_ENDPOINT"]
    assert all(c.notified_at is not None for c in list_changes(database, user, monitored))
    assert monitor(database, user, days=1.01).notifications.delivered == ()


def test_the_webhook_gets_signed_changes_and_notified_at_waits_for_success(
    database: Database, user: Actor, monitored: str, shop_server: ShopServer, receiver: Receiver
) -> None:
    hook = Webhook(receiver.url, SECRET, allow_private=True, timeout=5)
    shop_server.version = "auth-added"
    receiver.status = 500
    failed = monitor(database, user, webhook=hook)
    assert [c.change_type for c in failed.notifications.failed] == ["AUTH_CHANGED"]
    assert "500" in failed.notifications.errors[0]
    assert [c.notified_at for c in list_changes(database, user, monitored)] == [None]
    assert receiver.received == []

    receiver.status = 200
    retried = monitor(database, user, webhook=hook)  # nothing due: only the retry
    assert retried.runs == ()
    assert [c.change_type for c in retried.notifications.delivered] == ["AUTH_CHANGED"]
    (document,) = receiver.received
    assert document["event"] == "api.changes"
    assert document["endpoint"]["id"] == monitored
    assert document["breaking"] is True
    assert [(c["type"], c["pattern"], c["breaking"]) for c in document["changes"]] == [
        ("AUTH_CHANGED", "/authors/{authorId}", True)
    ]
    assert receiver.rejected == 0
    assert all(c.notified_at is not None for c in list_changes(database, user, monitored))
    monitor(database, user, webhook=hook)
    assert len(receiver.received) == 1


def test_a_wrongly_signed_delivery_is_not_counted(
    database: Database, user: Actor, monitored: str, shop_server: ShopServer, receiver: Receiver
) -> None:
    shop_server.version = "endpoint-removed"
    report = monitor(database, user, webhook=Webhook(receiver.url, "not-the-secret", True, 5))
    assert receiver.rejected == 1
    assert report.notifications.delivered == ()
    assert [c.notified_at for c in list_changes(database, user, monitored)] == [None]


def test_the_webhook_destination_passes_the_ssrf_check(
    database: Database, user: Actor, monitored: str, shop_server: ShopServer, receiver: Receiver
) -> None:
    shop_server.version = "endpoint-removed"
    report = monitor(database, user, webhook=Webhook(receiver.url, SECRET, allow_private=False))
    assert "loopback" in report.notifications.errors[0]
    assert receiver.received == []
    metadata = Webhook("http://169.254.169.254/hook", SECRET, allow_private=True, timeout=2)
    again = monitor(database, user, webhook=metadata)
    assert "cloud metadata" in again.notifications.errors[0]


def test_a_webhook_needs_its_secret() -> None:
    assert Webhook.from_settings("", None, False) is None
    with pytest.raises(ConfigError, match="notify_webhook_secret"):
        Webhook.from_settings("https://hooks.example.com/x", None, False)
    assert Webhook.from_settings("https://hooks.example.com/x", "s", False) == Webhook(
        "https://hooks.example.com/x", "s", False
    )


def test_without_the_key_nothing_is_claimed(
    database: Database, user: Actor, monitored: str, shop_server: ShopServer
) -> None:
    with pytest.raises(ConfigError, match="APIDISCO_SECRET_KEY"):
        run_monitoring(database, user, box=None, options=OPTIONS, webhook=None)
    assert [r.endpoint_id for r in monitor(database, user).runs] == [monitored]


def test_an_endpoint_without_a_sequence_fails_without_stopping_the_others(
    database: Database, user: Actor, monitored: str, shop_server: ShopServer
) -> None:
    from tests.services.support import PRICING

    bare = endpoints.create(
        database, user, shop_server.destination, pricing=PRICING, allow_private=True
    ).id
    store_captured(database, bare, browse(shop_server, sessions=1))
    endpoints.set_monitoring(database, user, bare, "weekly")
    document_endpoint(database, user, bare)
    runs = {r.endpoint_id: r for r in monitor(database, user).runs}
    assert runs[monitored].outcome == "replayed"
    assert runs[bare].outcome == "failed"
    assert "no action sequence" in (runs[bare].error or "")
