"""Retention: what the cleanup job removes, what it never touches, and its dry run."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from apidisco.enums import PaymentProvider
from apidisco.errors import AuthenticationError
from apidisco.services import accounts, audit, endpoints, retention, sessions
from apidisco.services.actor import Actor
from apidisco.services.demo import seed_demo
from apidisco.services.views import EndpointView
from apidisco.store.database import Database
from apidisco.store.models import (
    ApiCall,
    AuditLog,
    CreditTransaction,
    Endpoint,
    Payment,
    User,
    utcnow,
)
from apidisco.store.models import Session as LoginSession
from tests.services.support import DESTINATION, PASSWORD, PRICING, capture, count, set_endpoint

FAR_AHEAD = timedelta(days=3650)


def _ids(database: Database) -> set[str]:
    with database.session() as session:
        return set(session.execute(sa.select(Endpoint.id)).scalars())


def _backdate_audit(database: Database, action: str, moment: datetime) -> int:
    with database.transaction() as session:
        rows = list(session.execute(sa.select(AuditLog).where(AuditLog.action == action)).scalars())
        for row in rows:
            row.created_at = moment
        return len(rows)


def _pay(database: Database, user_id: str) -> None:
    with database.transaction() as session:
        session.add(
            Payment(
                user_id=user_id,
                amount=Decimal("9.99"),
                credits=100,
                provider=PaymentProvider.STRIPE,
                provider_payment_id="pi_retention",
            )
        )


def _snapshot(database: Database) -> dict[str, int]:
    return {
        model.__tablename__: count(database, model)
        for model in (User, Endpoint, ApiCall, CreditTransaction, Payment, AuditLog, LoginSession)
    }


@pytest.fixture
def endpoint(database: Database, user: Actor) -> EndpointView:
    view = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    capture(database, view.id)
    return view


def test_cleanup_removes_old_endpoints_and_their_calls(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    now = utcnow()
    recent = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    capture(database, recent.id, 1)
    set_endpoint(database, endpoint.id, created_at=now - timedelta(days=31))
    report = retention.cleanup(database, days=30, now=now)
    assert report.dry_run is False
    assert report.cutoff == now - timedelta(days=30)
    assert report.endpoints == (endpoint.id,)
    assert report.owned_rows["api_calls"] == 2
    assert _ids(database) == {recent.id}
    assert count(database, ApiCall, ApiCall.endpoint_id == endpoint.id) == 0
    assert count(database, ApiCall, ApiCall.endpoint_id == recent.id) == 1


def test_cleanup_keeps_demo_endpoints(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    seed_demo(database, rounds=4)
    with database.session() as session:
        demo_ids = set(
            session.execute(
                sa.select(Endpoint.id)
                .join(User, User.id == Endpoint.user_id)
                .where(User.is_demo.is_(True))
            ).scalars()
        )
    assert len(demo_ids) == 3
    demo_calls = count(database, ApiCall, ApiCall.endpoint_id.in_(demo_ids))
    report = retention.cleanup(database, days=90, now=utcnow() + FAR_AHEAD)
    assert report.endpoints == (endpoint.id,)
    assert _ids(database) == demo_ids
    assert count(database, ApiCall) == demo_calls == 3


def test_cleanup_never_removes_payments_or_ledger_rows(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    _pay(database, user.id)
    ledger = count(database, CreditTransaction)
    report = retention.cleanup(database, days=90, now=utcnow() + FAR_AHEAD)
    assert report.endpoints == (endpoint.id,)
    assert count(database, Payment) == 1
    assert count(database, CreditTransaction) == ledger
    charges = count(
        database,
        CreditTransaction,
        CreditTransaction.user_id == user.id,
        CreditTransaction.type == "ENDPOINT",
        CreditTransaction.endpoint_id.is_(None),
    )
    assert charges == 1
    assert count(database, User) == 2


def test_cleanup_removes_audit_logs_older_than_a_year(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    now = utcnow()
    old = _backdate_audit(database, "USER_SIGNUP", now - timedelta(days=366))
    kept = _backdate_audit(database, "ENDPOINT_CREATED", now - timedelta(days=364))
    assert (old, kept) == (2, 1)
    report = retention.cleanup(database, days=90, now=now)
    assert report.audit_logs == 2
    assert count(database, AuditLog, AuditLog.action == "USER_SIGNUP") == 0
    assert count(database, AuditLog, AuditLog.action == "ENDPOINT_CREATED") == 1
    assert count(database, AuditLog, AuditLog.action == "CREDITS_CHARGED") == 1


def test_cleanup_removes_expired_sessions(database: Database, user: Actor) -> None:
    now = utcnow()
    expired = sessions.login(
        database, email="bob@example.com", password=PASSWORD, days=1, now=now - timedelta(days=2)
    )
    current = sessions.login(database, email="bob@example.com", password=PASSWORD, days=1, now=now)
    report = retention.cleanup(database, days=90, now=now)
    assert report.sessions == 1
    assert count(database, LoginSession) == 1
    assert sessions.authenticate(database, current.token, now=now).id == user.id
    with pytest.raises(AuthenticationError, match="session has ended"):
        sessions.authenticate(database, expired.token, now=now - timedelta(days=2))


def test_a_dry_run_counts_the_same_and_removes_nothing(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    seed_demo(database, rounds=4)
    now = utcnow() + FAR_AHEAD
    sessions.login(database, email="bob@example.com", password=PASSWORD)
    before = _snapshot(database)
    dry = retention.cleanup(database, days=90, dry_run=True, now=now)
    assert dry.dry_run is True
    assert _snapshot(database) == before
    assert count(database, AuditLog, AuditLog.action == "CLEANUP") == 0
    real = retention.cleanup(database, days=90, now=now)
    assert (dry.endpoints, dry.owned_rows, dry.audit_logs, dry.sessions) == (
        real.endpoints,
        real.owned_rows,
        real.audit_logs,
        real.sessions,
    )
    assert dry.endpoints == (endpoint.id,)
    assert dry.owned_rows["api_calls"] == 2
    # Ten years ahead, every audit row is past the one-year retention.
    assert dry.audit_logs == before["audit_logs"] > 0
    assert dry.sessions == 1


def test_a_real_run_leaves_a_system_cleanup_entry(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    report = retention.cleanup(database, days=90, now=utcnow() + FAR_AHEAD)
    with database.session() as session:
        [row] = session.execute(sa.select(AuditLog).where(AuditLog.action == "CLEANUP")).scalars()
    assert (row.user_id, row.user_email, row.resource_type) == (None, None, "SYSTEM")
    assert row.details is not None
    assert row.details["retention_days"] == 90
    assert row.details["endpoints"] == len(report.endpoints) == 1
    assert row.details["owned_rows"]["api_calls"] == 2
    # Every earlier row was more than a year older than ``now``; the CLEANUP row stays.
    assert row.details["audit_logs"] == report.audit_logs
    assert count(database, AuditLog) == 1


def test_nothing_to_clean_is_a_clean_report(database: Database, user: Actor) -> None:
    endpoints.create(database, user, DESTINATION, pricing=PRICING)
    report = retention.cleanup(database, days=90)
    assert (report.endpoints, report.owned_rows, report.audit_logs, report.sessions) == (
        (),
        {},
        0,
        0,
    )
    assert count(database, Endpoint) == 1
    [entry] = audit.list_entries(database, _admin(database), action="CLEANUP")
    assert entry.details is not None
    assert entry.details["endpoints"] == 0


def _admin(database: Database) -> Actor:
    with database.session() as session:
        alice = accounts.find_account(session, "alice")
        return Actor(id=alice.id, email=alice.email, role=alice.role)
