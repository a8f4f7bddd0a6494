"""Retention: what the cleanup job removes, what it never touches, and its dry run."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from apidisco.enums import PaymentProvider, Protocol
from apidisco.errors import AuthenticationError
from apidisco.services import accounts, audit, endpoints, retention, sessions
from apidisco.services.actor import Actor
from apidisco.services.demo import seed_demo
from apidisco.services.endpoints import Pricing
from apidisco.services.views import AccountView, EndpointView
from apidisco.store.database import Database
from apidisco.store.models import (
    ApiCall,
    AuditLog,
    CreditTransaction,
    Endpoint,
    Payment,
    TableModel,
    User,
    utcnow,
)
from apidisco.store.models import Session as LoginSession
from apidisco.store.repositories import ApiCallRepository

PASSWORD = "correct horse"
PRICING = Pricing(endpoint_price=25, included={"FREE": 0, "PRO": 0, "TEAM": 0})
DESTINATION = "https://93.184.216.34/api"
FAR_AHEAD = timedelta(days=3650)


def _signup(database: Database, name: str) -> AccountView:
    return accounts.signup(
        database, email=f"{name}@example.com", username=name, password=PASSWORD, rounds=4
    )


def _actor(account: AccountView) -> Actor:
    return Actor(id=account.id, email=account.email, role=account.role)


def _count(database: Database, model: type[TableModel], *conditions: Any) -> int:
    with database.session() as session:
        statement = sa.select(sa.func.count()).select_from(model).where(*conditions)
        return int(session.execute(statement).scalar_one())


def _ids(database: Database) -> set[str]:
    with database.session() as session:
        return set(session.execute(sa.select(Endpoint.id)).scalars())


def _capture(database: Database, endpoint_id: str, count: int = 2) -> None:
    with database.transaction() as session:
        for index in range(count):
            ApiCallRepository(session).add(
                ApiCall(
                    endpoint_id=endpoint_id,
                    method="GET",
                    url=f"{DESTINATION}/items/{index}",
                    protocol=Protocol.HTTPS.value,
                    request_headers={},
                    response_status=200,
                    response_headers={},
                )
            )


def _backdate_endpoint(database: Database, endpoint_id: str, moment: datetime) -> None:
    with database.transaction() as session:
        endpoint = session.get(Endpoint, endpoint_id)
        assert endpoint is not None
        endpoint.created_at = moment


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
        model.__tablename__: _count(database, model)
        for model in (User, Endpoint, ApiCall, CreditTransaction, Payment, AuditLog, LoginSession)
    }


@pytest.fixture
def user(database: Database) -> Actor:
    _signup(database, "alice")
    return _actor(_signup(database, "bob"))


@pytest.fixture
def endpoint(database: Database, user: Actor) -> EndpointView:
    view = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    _capture(database, view.id)
    return view


def test_cleanup_removes_old_endpoints_and_their_calls(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    now = utcnow()
    recent = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    _capture(database, recent.id, 1)
    _backdate_endpoint(database, endpoint.id, now - timedelta(days=31))
    report = retention.cleanup(database, days=30, now=now)
    assert report.dry_run is False
    assert report.cutoff == now - timedelta(days=30)
    assert report.endpoints == (endpoint.id,)
    assert report.owned_rows["api_calls"] == 2
    assert _ids(database) == {recent.id}
    assert _count(database, ApiCall, ApiCall.endpoint_id == endpoint.id) == 0
    assert _count(database, ApiCall, ApiCall.endpoint_id == recent.id) == 1


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
    demo_calls = _count(database, ApiCall, ApiCall.endpoint_id.in_(demo_ids))
    report = retention.cleanup(database, days=90, now=utcnow() + FAR_AHEAD)
    assert report.endpoints == (endpoint.id,)
    assert _ids(database) == demo_ids
    assert _count(database, ApiCall) == demo_calls == 3


def test_cleanup_never_removes_payments_or_ledger_rows(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    _pay(database, user.id)
    ledger = _count(database, CreditTransaction)
    report = retention.cleanup(database, days=90, now=utcnow() + FAR_AHEAD)
    assert report.endpoints == (endpoint.id,)
    assert _count(database, Payment) == 1
    assert _count(database, CreditTransaction) == ledger
    charges = _count(
        database,
        CreditTransaction,
        CreditTransaction.user_id == user.id,
        CreditTransaction.type == "ENDPOINT",
        CreditTransaction.endpoint_id.is_(None),
    )
    assert charges == 1
    assert _count(database, User) == 2


def test_cleanup_removes_audit_logs_older_than_a_year(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    now = utcnow()
    old = _backdate_audit(database, "USER_SIGNUP", now - timedelta(days=366))
    kept = _backdate_audit(database, "ENDPOINT_CREATED", now - timedelta(days=364))
    assert (old, kept) == (2, 1)
    report = retention.cleanup(database, days=90, now=now)
    assert report.audit_logs == 2
    assert _count(database, AuditLog, AuditLog.action == "USER_SIGNUP") == 0
    assert _count(database, AuditLog, AuditLog.action == "ENDPOINT_CREATED") == 1
    assert _count(database, AuditLog, AuditLog.action == "CREDITS_CHARGED") == 1


def test_cleanup_removes_expired_sessions(database: Database, user: Actor) -> None:
    now = utcnow()
    expired = sessions.login(
        database, email="bob@example.com", password=PASSWORD, days=1, now=now - timedelta(days=2)
    )
    current = sessions.login(database, email="bob@example.com", password=PASSWORD, days=1, now=now)
    report = retention.cleanup(database, days=90, now=now)
    assert report.sessions == 1
    assert _count(database, LoginSession) == 1
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
    assert _count(database, AuditLog, AuditLog.action == "CLEANUP") == 0
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
    assert _count(database, AuditLog) == 1


def test_nothing_to_clean_is_a_clean_report(database: Database, user: Actor) -> None:
    endpoints.create(database, user, DESTINATION, pricing=PRICING)
    report = retention.cleanup(database, days=90)
    assert (report.endpoints, report.owned_rows, report.audit_logs, report.sessions) == (
        (),
        {},
        0,
        0,
    )
    assert _count(database, Endpoint) == 1
    [entry] = audit.list_entries(database, _admin(database), action="CLEANUP")
    assert entry.details is not None
    assert entry.details["endpoints"] == 0


def _admin(database: Database) -> Actor:
    with database.session() as session:
        alice = accounts.find_account(session, "alice")
        return Actor(id=alice.id, email=alice.email, role=alice.role)
