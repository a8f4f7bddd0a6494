"""Builders for fully populated rows of every table, shared by the store tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from apidisco.enums import (
    ApiChangeType,
    ApiType,
    CreditTransactionType,
    EndpointStatus,
    PaymentProvider,
    PaymentStatus,
    Protocol,
    Role,
)
from apidisco.store.database import Session
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
)
from apidisco.store.models import Session as LoginSession

MOMENT = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)


@dataclass
class Graph:
    """One row of every table, linked the way the spec relates them."""

    user: User
    login: LoginSession
    endpoint: Endpoint
    call: ApiCall
    discovered: DiscoveredEndpoint
    documentation: EndpointDocumentation
    payment: Payment
    ledger: CreditTransaction
    sequence: ActionSequence
    change: ApiChange
    audit: AuditLog

    def rows(self) -> list[TableModel]:
        return [
            self.user,
            self.login,
            self.endpoint,
            self.call,
            self.discovered,
            self.documentation,
            self.payment,
            self.ledger,
            self.sequence,
            self.change,
            self.audit,
        ]


def build_graph(tag: str = "a") -> Graph:
    """Rows with every column set to a non-default value."""
    user = User(
        email=f"{tag}@example.com",
        username=f"user_{tag}",
        password_hash="$2b$04$hash",
        role=Role.ADMIN,
        is_demo=True,
        credits=75,
        subscription_tier="PRO",
        subscription_id=f"sub_{tag}",
        subscription_status="active",
        enabled=False,
        created_at=MOMENT,
        updated_at=MOMENT,
        last_login=MOMENT,
    )
    login = LoginSession(user_id=user.id, token=f"hash-{tag}", expires_at=MOMENT, created_at=MOMENT)
    endpoint = Endpoint(
        user_id=user.id,
        name="Shop API",
        slug=f"shop-{tag}",
        destination_url="https://shop.example.com",
        proxy_url="/proxy/x",
        status=EndpointStatus.MONITORING,
        credits_used=0,
        is_public=True,
        monitoring_enabled=True,
        monitoring_frequency="weekly",
        last_replay_at=MOMENT,
        created_at=MOMENT,
        updated_at=MOMENT,
        last_used_at=MOMENT,
        processed_at=MOMENT,
    )
    call = ApiCall(
        endpoint_id=endpoint.id,
        method="POST",
        url="https://shop.example.com/api/orders?expand=items",
        protocol=Protocol.HTTPS.value,
        endpoint_pattern="/api/orders",
        request_headers={"content-type": "application/json", "x-multi": ["a", "b"]},
        request_body='{"sku": "A-1", "qty": 2}',
        request_body_json={"sku": "A-1", "qty": 2},
        query_params={"expand": "items"},
        response_status=201,
        response_headers={"content-type": "application/json"},
        response_body='[{"id": 1}]',
        response_body_json=[{"id": 1, "price": 9.5, "tags": None}],
        cors_headers={"access-control-allow-origin": "*"},
        timestamp=MOMENT,
        duration=12,
    )
    discovered = DiscoveredEndpoint(
        endpoint_id=endpoint.id,
        pattern="/api/orders/{orderId}",
        methods=["GET", "POST"],
        protocol=Protocol.HTTPS.value,
        description="Orders",
        request_schema={"type": "object"},
        response_schemas={"200": {"type": "object"}, "404": {"type": "object"}},
        request_headers={"type": "object"},
        response_headers={"type": "object"},
        cors_config={"origins": ["*"]},
        examples=[{"request": {}, "response": {}}],
        auth_required=True,
        auth_type="Bearer",
        pagination_type="cursor",
        api_type=ApiType.REST.value,
        graphql_schema="type Query { a: Int }",
        websocket_messages={"send": []},
        created_at=MOMENT,
        updated_at=MOMENT,
    )
    documentation = EndpointDocumentation(
        endpoint_id=endpoint.id,
        discovered_endpoint_id=discovered.id,
        open_api_spec="openapi: 3.1.0",
        graphql_schema="type Query { a: Int }",
        markdown="# Orders",
        typescript_types="export interface Order {}",
        generated_at=MOMENT,
        version="2.1.0",
    )
    payment = Payment(
        user_id=user.id,
        amount=Decimal("19.99"),
        credits=200,
        currency="EUR",
        status=PaymentStatus.COMPLETED,
        provider=PaymentProvider.STRIPE,
        provider_payment_id=f"pi_{tag}",
        provider_data={"session": "cs_1"},
        sandbox=False,
        created_at=MOMENT,
        completed_at=MOMENT,
        failed_at=MOMENT,
    )
    ledger = CreditTransaction(
        user_id=user.id,
        amount=-25,
        balance_after=75,
        type=CreditTransactionType.ENDPOINT,
        description="Endpoint created",
        endpoint_id=endpoint.id,
        payment_id=payment.id,
        created_at=MOMENT,
    )
    sequence = ActionSequence(
        endpoint_id=endpoint.id,
        sequence=[{"order": 1, "method": "GET", "url": "/api/orders"}],
        auth_tokens={"fp1": "ciphertext"},
        baseline_snapshots={"/api/orders": {"type": "array"}},
        created_at=MOMENT,
        updated_at=MOMENT,
    )
    change = ApiChange(
        endpoint_id=endpoint.id,
        discovered_endpoint_id=discovered.id,
        change_type=ApiChangeType.SCHEMA_CHANGED,
        change_description="price became a string",
        before_snapshot={"type": "number"},
        after_snapshot={"type": "string"},
        diff=[{"path": "$.price", "old": "number", "new": "string"}],
        detected_at=MOMENT,
        notified_at=MOMENT,
    )
    audit = AuditLog(
        user_id=user.id,
        user_email=user.email,
        action="ENDPOINT_CREATED",
        resource_type="ENDPOINT",
        resource_id=endpoint.id,
        details={"name": "Shop API"},
        ip_address="127.0.0.1",
        user_agent="pytest",
        created_at=MOMENT,
    )
    return Graph(
        user,
        login,
        endpoint,
        call,
        discovered,
        documentation,
        payment,
        ledger,
        sequence,
        change,
        audit,
    )


def insert_graph(session: Session, tag: str = "a") -> Graph:
    graph = build_graph(tag)
    for row in graph.rows():
        session.add(row)
        session.flush()
    return graph
