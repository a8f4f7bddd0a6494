"""The tables of spec/platform-schema.md, on each backend, as the migrations built them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc

from apidisco.enums import EndpointStatus, Role
from apidisco.store.database import Database, Session
from apidisco.store.models import (
    ActionSequence,
    ApiCall,
    ApiChange,
    AuditLog,
    CreditTransaction,
    DiscoveredEndpoint,
    Endpoint,
    EndpointDocumentation,
    Payment,
    TableModel,
    User,
    metadata,
)
from apidisco.store.models import Session as LoginSession
from tests.store.rows import build_graph, insert_graph

SPEC_TABLES = {
    "users",
    "sessions",
    "endpoints",
    "api_calls",
    "discovered_endpoints",
    "endpoint_documentation",
    "credit_transactions",
    "payments",
    "action_sequences",
    "api_changes",
    "audit_logs",
}

# Every @@index of the spec, named as the spec's tooling names them.
SPEC_INDEXES = {
    "users": {"email", "username", "isDemo", "credits", "subscriptionTier", "subscriptionId"},
    "sessions": {"userId", "token", "expiresAt"},
    "endpoints": {"userId", "status", "createdAt", "proxyUrl", "isPublic", "slug"},
    "api_calls": {"endpointId_timestamp", "endpointPattern_method", "method", "protocol"},
    "discovered_endpoints": {"endpointId", "apiType"},
    "endpoint_documentation": {"endpointId"},
    "credit_transactions": {"userId_createdAt", "type", "paymentId", "endpointId"},
    "payments": {"userId_createdAt", "status", "providerPaymentId", "provider"},
    "action_sequences": {"endpointId"},
    "api_changes": {"endpointId_detectedAt", "changeType_detectedAt", "detectedAt"},
    "audit_logs": {"userId_createdAt", "action_createdAt", "resourceType_resourceId", "createdAt"},
}

# The tables whose rows belong to an endpoint and go with it.
ENDPOINT_OWNED = (ApiCall, DiscoveredEndpoint, EndpointDocumentation, ActionSequence, ApiChange)

# Every unique constraint: the spec's, plus the (provider, providerPaymentId) ruling.
SPEC_UNIQUES = {
    "users": {("email",), ("username",)},
    "sessions": {("token",)},
    "discovered_endpoints": {("endpointId", "pattern", "protocol")},
    "endpoint_documentation": {("endpointId", "discoveredEndpointId")},
    "payments": {("provider", "providerPaymentId")},
    "action_sequences": {("endpointId",)},
}


def test_the_migrations_build_every_table_of_the_spec(database: Database) -> None:
    with database.session() as session:
        tables = set(sa.inspect(session.connection()).get_table_names())
    assert tables - {"alembic_version"} == SPEC_TABLES
    assert set(metadata.tables) == SPEC_TABLES


def test_every_spec_index_exists_under_its_spec_name(database: Database) -> None:
    with database.session() as session:
        inspector = sa.inspect(session.connection())
        for table, columns in SPEC_INDEXES.items():
            names = {index["name"] for index in inspector.get_indexes(table)}
            expected = {f"{table}_{column}_idx" for column in columns}
            assert expected <= names, f"{table} lacks {expected - names}"


def test_every_unique_constraint_exists(database: Database) -> None:
    with database.session() as session:
        inspector = sa.inspect(session.connection())
        for table, expected in SPEC_UNIQUES.items():
            found = {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)}
            assert expected <= found, f"{table} lacks {expected - found}"


def _columns(row: TableModel) -> dict[str, Any]:
    return {key: getattr(row, key) for key in type(row).model_fields}


@pytest.mark.parametrize(
    "name",
    [
        "user",
        "login",
        "endpoint",
        "call",
        "discovered",
        "documentation",
        "payment",
        "ledger",
        "sequence",
        "change",
        "audit",
    ],
)
def test_every_table_round_trips_every_column(database: Database, name: str) -> None:
    with database.transaction() as session:
        graph = insert_graph(session)
        written = _columns(getattr(graph, name))
        model = type(getattr(graph, name))
    with database.session() as session:
        read = session.get(model, written["id"])
        assert read is not None
        assert _columns(read) == written


def test_timestamps_come_back_aware_in_utc(database: Database) -> None:
    local = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).astimezone(timezone(timedelta(hours=5)))
    with database.transaction() as session:
        user = User(email="tz@example.com", password_hash="x", last_login=local)
        session.add(user)
    with database.session() as session:
        read = session.get(User, user.id)
        assert read is not None
        assert read.last_login is not None
        assert read.last_login.utcoffset() is not None
        assert read.last_login.tzinfo == UTC
        assert read.last_login == local
        assert read.created_at.tzinfo == UTC


def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(exc.StatementError, match="timezone"), database.transaction() as session:
        session.add(User(email="n@example.com", password_hash="x", last_login=datetime(2026, 1, 1)))


def test_updated_at_is_maintained_on_every_update(database: Database) -> None:
    with database.transaction() as session:
        graph = insert_graph(session)
    before = graph.endpoint.updated_at
    with database.transaction() as session:
        endpoint = session.get(Endpoint, graph.endpoint.id)
        assert endpoint is not None
        endpoint.status = EndpointStatus.REVIEW
    with database.session() as session:
        endpoint = session.get(Endpoint, graph.endpoint.id)
        assert endpoint is not None
        assert endpoint.updated_at > before


def test_server_defaults_match_the_spec(database: Database) -> None:
    """A row inserted by another program, naming only required columns, gets the spec's defaults."""
    with database.transaction() as session:
        session.execute(
            sa.text(
                'INSERT INTO users (id, email, "passwordHash", "updatedAt") '
                "VALUES ('u1', 'raw@example.com', 'x', :now)"
            ),
            {"now": datetime.now(UTC)},
        )
        session.execute(
            sa.text(
                'INSERT INTO endpoints (id, "userId", "destinationUrl", "proxyUrl", "updatedAt") '
                "VALUES ('e1', 'u1', 'https://a.example', '/proxy/e1', :now)"
            ),
            {"now": datetime.now(UTC)},
        )
    with database.session() as session:
        user = session.get(User, "u1")
        endpoint = session.get(Endpoint, "e1")
        assert user is not None
        assert endpoint is not None
        assert (user.role, user.is_demo, user.credits, user.subscription_tier, user.enabled) == (
            Role.USER,
            False,
            100,
            "FREE",
            True,
        )
        assert user.created_at.tzinfo == UTC
        assert (endpoint.status, endpoint.credits_used, endpoint.is_public) == (
            EndpointStatus.ACTIVE,
            25,
            False,
        )
        assert endpoint.monitoring_enabled is False


def test_python_defaults_match_the_spec() -> None:
    user = User(email="d@example.com", password_hash="x")
    assert (user.role, user.credits, user.subscription_tier, user.enabled) == (
        Role.USER,
        100,
        "FREE",
        True,
    )
    assert len(user.id) == 24
    assert user.id.isalnum()
    graph = build_graph()
    assert Payment(user_id="u", amount=Decimal(1), credits=1, provider="STRIPE").currency == "USD"
    assert (
        EndpointDocumentation(
            endpoint_id="e", discovered_endpoint_id=graph.discovered.id, markdown=""
        ).version
        == "1.0.0"
    )
    assert (
        ApiCall(
            endpoint_id="e", method="GET", url="u", request_headers={}, response_headers={}
        ).protocol
        == "http"
    )


def test_nullable_json_none_is_sql_null(database: Database) -> None:
    with database.transaction() as session:
        graph = insert_graph(session)
        call = graph.call
        call.request_body_json = None
        session.add(call)
    with database.session() as session:
        nulls = session.execute(
            sa.text('SELECT count(*) FROM api_calls WHERE "requestBodyJson" IS NULL')
        ).scalar_one()
        assert nulls == 1


# -- cascades -----------------------------------------------------------------------------


def _count(session: Session, model: type[TableModel], **where: Any) -> int:
    statement = sa.select(sa.func.count()).select_from(model)
    for key, value in where.items():
        statement = statement.where(getattr(model, key) == value)
    return int(session.execute(statement).scalar_one())


def test_deleting_a_user_deletes_what_the_spec_cascades(database: Database) -> None:
    with database.transaction() as session:
        graph = insert_graph(session, "gone")
        kept = insert_graph(session, "kept")
    with database.transaction() as session:
        session.execute(sa.delete(User).where(User.id == graph.user.id))
    with database.session() as session:
        for model in (LoginSession, Endpoint, Payment, CreditTransaction):
            assert _count(session, model, user_id=graph.user.id) == 0, model.__name__
        for model in ENDPOINT_OWNED:
            assert _count(session, model, endpoint_id=graph.endpoint.id) == 0, model.__name__
            assert _count(session, model, endpoint_id=kept.endpoint.id) == 1, model.__name__
        # The audit trail outlives the account: the id is cleared, the email kept.
        audit = session.get(AuditLog, graph.audit.id)
        assert audit is not None
        assert (audit.user_id, audit.user_email) == (None, "gone@example.com")


def test_deleting_an_endpoint_keeps_the_ledger(database: Database) -> None:
    with database.transaction() as session:
        graph = insert_graph(session)
    with database.transaction() as session:
        session.execute(sa.delete(Endpoint).where(Endpoint.id == graph.endpoint.id))
    with database.session() as session:
        for model in ENDPOINT_OWNED:
            assert _count(session, model, endpoint_id=graph.endpoint.id) == 0, model.__name__
        entry = session.get(CreditTransaction, graph.ledger.id)
        assert entry is not None
        assert entry.endpoint_id is None
        assert entry.amount == -25


def test_deleting_a_discovered_endpoint_removes_its_documentation(database: Database) -> None:
    with database.transaction() as session:
        graph = insert_graph(session)
    with database.transaction() as session:
        session.execute(
            sa.delete(DiscoveredEndpoint).where(DiscoveredEndpoint.id == graph.discovered.id)
        )
    with database.session() as session:
        assert session.get(EndpointDocumentation, graph.documentation.id) is None
        change = session.get(ApiChange, graph.change.id)
        assert change is not None
        assert change.discovered_endpoint_id is None


def test_deleting_a_payment_keeps_its_ledger_row(database: Database) -> None:
    with database.transaction() as session:
        graph = insert_graph(session)
    with database.transaction() as session:
        session.execute(sa.delete(Payment).where(Payment.id == graph.payment.id))
    with database.session() as session:
        entry = session.get(CreditTransaction, graph.ledger.id)
        assert entry is not None
        assert entry.payment_id is None


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(exc.IntegrityError), database.transaction() as session:
        session.add(Endpoint(user_id="nobody", destination_url="https://a", proxy_url="/p"))


# -- unique constraints -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "key"),
    [
        ("user", ("email",)),
        ("user", ("username",)),
        ("login", ("token",)),
        ("discovered", ("endpoint_id", "pattern", "protocol")),
        ("documentation", ("endpoint_id", "discovered_endpoint_id")),
        ("payment", ("provider", "provider_payment_id")),
        ("sequence", ("endpoint_id",)),
    ],
)
def test_unique_constraints_hold(database: Database, row: str, key: tuple[str, ...]) -> None:
    with database.transaction() as session:
        first = insert_graph(session, "a")
        second = insert_graph(session, "b")
    duplicate = getattr(second, row)
    values = {column: getattr(getattr(first, row), column) for column in key}
    model = type(duplicate)
    with database.session() as session:
        statement = sa.update(model).where(model.id == duplicate.id).values(**values)
        with pytest.raises(exc.IntegrityError):
            session.execute(statement)


def test_payment_ids_are_unique_per_provider_only(database: Database) -> None:
    with database.transaction() as session:
        graph = insert_graph(session)
        session.add(
            Payment(
                user_id=graph.user.id,
                amount=Decimal("5.00"),
                credits=50,
                provider="PAYPAL",
                provider_payment_id=graph.payment.provider_payment_id,
            )
        )
        # Pending payments have no provider id yet; any number of them may exist.
        for _ in range(2):
            session.add(
                Payment(
                    user_id=graph.user.id, amount=Decimal("5.00"), credits=50, provider="STRIPE"
                )
            )
    with database.session() as session:
        assert _count(session, Payment, user_id=graph.user.id) == 4


# -- closed vocabularies and checks -----------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ("UPDATE endpoints SET status = 'DELETED'", "EndpointStatus"),
        ("UPDATE users SET role = 'ROOT'", "role"),
        ("UPDATE users SET credits = -1", "negative balance"),
        ("UPDATE payments SET status = 'LOST'", "PaymentStatus"),
        ("UPDATE payments SET provider = 'BITCOIN'", "PaymentProvider"),
        ("UPDATE credit_transactions SET type = 'GIFT'", "CreditTransactionType"),
        ('UPDATE credit_transactions SET "balanceAfter" = -5', "negative balance"),
        ("UPDATE api_changes SET \"changeType\" = 'RENAMED'", "ApiChangeType"),
        ("UPDATE api_calls SET protocol = 'ftp'", "protocol"),
        ('UPDATE api_calls SET "responseStatus" = 600', "status code"),
        ('UPDATE api_calls SET "responseStatus" = 99', "status code"),
        ("UPDATE discovered_endpoints SET \"apiType\" = 'XML-RPC'", "API type"),
    ],
)
def test_invalid_values_are_rejected_by_the_database(
    database: Database, statement: str, why: str
) -> None:
    with database.transaction() as session:
        insert_graph(session)
    with pytest.raises(exc.IntegrityError), database.transaction() as session:
        session.execute(sa.text(statement))


def test_invalid_enum_values_are_rejected_before_the_database(database: Database) -> None:
    with pytest.raises(exc.StatementError), database.transaction() as session:
        session.add(User(email="e@example.com", password_hash="x", role="ROOT"))  # type: ignore[arg-type]


def test_enums_are_stored_as_their_value_strings(database: Database) -> None:
    with database.transaction() as session:
        graph = insert_graph(session)
    with database.session() as session:
        raw = session.execute(
            sa.text("SELECT status FROM endpoints WHERE id = :id"), {"id": graph.endpoint.id}
        ).scalar_one()
        assert raw == "MONITORING"
