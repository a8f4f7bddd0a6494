"""The tables of ``spec/platform-schema.md``, as SQLModel classes.

Python attributes are snake_case; the database columns keep the spec's names
(``"endpointId"``, ``"createdAt"``), so the store is the platform's schema to
the letter. Constraint and index names follow the spec's (Prisma's)
convention: ``users_email_key``, ``api_calls_endpointId_timestamp_idx``,
``endpoints_userId_fkey``.

Additions to the spec, each recorded in ``docs/schema-changes.md``:
``CreditTransactionType.SIGNUP``; unique ``(provider, providerPaymentId)``;
foreign keys for ``sessions.userId``, ``audit_logs.userId``,
``endpoint_documentation.discoveredEndpointId`` and
``api_changes.discoveredEndpointId``; CHECK constraints for enums, roles,
protocols, API types, status codes and non-negative balances.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

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
from apidisco.store.columns import JSONDocument, Money, TextArray, UTCDateTime, value_enum
from apidisco.store.ids import new_id

__all__ = [
    "ActionSequence",
    "ApiCall",
    "ApiChange",
    "AuditLog",
    "CreditTransaction",
    "DiscoveredEndpoint",
    "Endpoint",
    "EndpointDocumentation",
    "Payment",
    "Session",
    "TableModel",
    "User",
    "metadata",
    "utcnow",
]

NAMING_CONVENTION = {
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


OnDelete = Literal["CASCADE", "SET NULL"]


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class TableModel(SQLModel):
    """Base of every apidisco table: its own MetaData with the naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


metadata = TableModel.metadata


# -- column helpers ---------------------------------------------------------------
# Each returns the keyword arguments of a sqlmodel Field for one spec column.


def _id() -> Any:
    return Field(default_factory=new_id, primary_key=True, sa_type=sa.Text)


def _text(name: str, *, nullable: bool = False, default: str | None = None, **kw: Any) -> Any:
    column: dict[str, Any] = {"name": name}
    if default is not None:
        column["server_default"] = default
    return Field(default=default, nullable=nullable, sa_type=sa.Text, sa_column_kwargs=column, **kw)


def _created(name: str = "createdAt") -> Any:
    return Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        sa_column_kwargs={"name": name, "server_default": sa.func.now()},
    )


def _updated() -> Any:
    return Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        sa_column_kwargs={"name": "updatedAt", "onupdate": utcnow},
    )


def _moment(name: str) -> Any:
    return Field(default=None, nullable=True, sa_type=UTCDateTime, sa_column_kwargs={"name": name})


def _flag(name: str, default: bool) -> Any:
    return Field(
        default=default,
        sa_type=sa.Boolean,
        sa_column_kwargs={"name": name, "server_default": sa.true() if default else sa.false()},
    )


def _json(name: str, *, nullable: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        nullable=nullable,
        sa_type=JSONDocument,
        sa_column_kwargs={"name": name},
    )


def _owner(table: str, name: str = "endpointId", *, ondelete: OnDelete = "CASCADE") -> Any:
    return Field(
        sa_type=sa.Text,
        foreign_key=f"{table}.id",
        ondelete=ondelete,
        sa_column_kwargs={"name": name},
    )


def _optional_ref(table: str, name: str, *, ondelete: OnDelete = "SET NULL") -> Any:
    return Field(
        default=None,
        nullable=True,
        sa_type=sa.Text,
        foreign_key=f"{table}.id",
        ondelete=ondelete,
        sa_column_kwargs={"name": name},
    )


def _enum_check(column: str, enum_class: type[Any], name: str) -> sa.CheckConstraint:
    """CHECK that a nullable text column holds one of the enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum_class)
    return sa.CheckConstraint(f'"{column}" IS NULL OR "{column}" IN ({values})', name=name)


# -- users & authentication -------------------------------------------------------


class User(TableModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        sa.Index(None, "email"),
        sa.Index(None, "username"),
        sa.Index(None, "isDemo"),
        sa.Index(None, "credits"),
        sa.Index(None, "subscriptionTier"),
        sa.Index(None, "subscriptionId"),
        sa.CheckConstraint('"credits" >= 0', name="credits_not_negative"),
    )

    id: str = _id()
    email: str = Field(sa_type=sa.Text, unique=True)
    username: str | None = Field(default=None, sa_type=sa.Text, unique=True)
    password_hash: str = _text("passwordHash")
    role: Role = Field(
        default=Role.USER,
        sa_type=value_enum(Role, "role"),
        sa_column_kwargs={"server_default": Role.USER.value},
    )
    is_demo: bool = _flag("isDemo", False)
    credits: int = Field(default=100, sa_column_kwargs={"server_default": sa.text("100")})
    subscription_tier: str | None = _text("subscriptionTier", nullable=True, default="FREE")
    subscription_id: str | None = _text("subscriptionId", nullable=True)
    subscription_status: str | None = _text("subscriptionStatus", nullable=True)
    enabled: bool = _flag("enabled", True)
    created_at: datetime = _created()
    updated_at: datetime = _updated()
    last_login: datetime | None = _moment("lastLogin")


class Session(TableModel, table=True):
    __tablename__ = "sessions"
    __table_args__ = (
        sa.Index(None, "userId"),
        sa.Index(None, "token"),
        sa.Index(None, "expiresAt"),
    )

    id: str = _id()
    user_id: str = _owner("users", "userId")
    token: str = Field(sa_type=sa.Text, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, sa_column_kwargs={"name": "expiresAt"})
    created_at: datetime = _created()


# -- endpoints --------------------------------------------------------------------


class Endpoint(TableModel, table=True):
    __tablename__ = "endpoints"
    __table_args__ = (
        sa.Index(None, "userId"),
        sa.Index(None, "status"),
        sa.Index(None, "createdAt"),
        sa.Index(None, "proxyUrl"),
        sa.Index(None, "isPublic"),
        sa.Index(None, "slug"),
        # Public documentation is addressed by slug (revision 0002).
        sa.UniqueConstraint("slug"),
    )

    id: str = _id()
    user_id: str = _owner("users", "userId")
    name: str | None = _text("name", nullable=True)
    slug: str | None = _text("slug", nullable=True)
    destination_url: str = _text("destinationUrl")
    proxy_url: str = _text("proxyUrl")
    status: EndpointStatus = Field(
        default=EndpointStatus.ACTIVE,
        sa_type=value_enum(EndpointStatus, "status"),
        sa_column_kwargs={"server_default": EndpointStatus.ACTIVE.value},
    )
    credits_used: int = Field(
        default=25, sa_column_kwargs={"name": "creditsUsed", "server_default": sa.text("25")}
    )
    is_public: bool = _flag("isPublic", False)
    monitoring_enabled: bool = _flag("monitoringEnabled", False)
    monitoring_frequency: str | None = _text("monitoringFrequency", nullable=True)
    last_replay_at: datetime | None = _moment("lastReplayAt")
    created_at: datetime = _created()
    updated_at: datetime = _updated()
    last_used_at: datetime | None = _moment("lastUsedAt")
    processed_at: datetime | None = _moment("processedAt")


# -- capture ----------------------------------------------------------------------


class ApiCall(TableModel, table=True):
    __tablename__ = "api_calls"
    __table_args__ = (
        sa.Index(None, "endpointId", "timestamp"),
        sa.Index(None, "endpointPattern", "method"),
        sa.Index(None, "method"),
        sa.Index(None, "protocol"),
        sa.Index(None, "connectionId"),
        _enum_check("protocol", Protocol, "protocol"),
        sa.CheckConstraint(
            "\"messageDirection\" IS NULL OR \"messageDirection\" IN ('client', 'server')",
            name="messageDirection",
        ),
        sa.CheckConstraint(
            '"responseStatus" IS NULL OR "responseStatus" BETWEEN 100 AND 599',
            name="responseStatus",
        ),
    )

    id: str = _id()
    endpoint_id: str = _owner("endpoints")
    method: str = Field(sa_type=sa.Text)
    url: str = Field(sa_type=sa.Text)
    protocol: str = _text("protocol", default=Protocol.HTTP.value)
    endpoint_pattern: str | None = _text("endpointPattern", nullable=True)
    request_headers: dict[str, Any] = _json("requestHeaders", nullable=False)
    request_body: str | None = _text("requestBody", nullable=True)
    request_body_json: Any = _json("requestBodyJson")
    query_params: dict[str, Any] | None = _json("queryParams")
    response_status: int | None = Field(default=None, sa_column_kwargs={"name": "responseStatus"})
    response_headers: dict[str, Any] = _json("responseHeaders", nullable=False)
    response_body: str | None = _text("responseBody", nullable=True)
    response_body_json: Any = _json("responseBodyJson")
    cors_headers: dict[str, Any] | None = _json("corsHeaders")
    timestamp: datetime = _created("timestamp")
    duration: int | None = Field(default=None)
    # Capture details the spec has no column for (revision 0003, docs/schema-changes.md).
    request_body_truncated: bool = _flag("requestBodyTruncated", False)
    response_body_truncated: bool = _flag("responseBodyTruncated", False)
    request_body_encoding: str | None = _text("requestBodyEncoding", nullable=True)
    response_body_encoding: str | None = _text("responseBodyEncoding", nullable=True)
    error: str | None = _text("error", nullable=True)
    connection_id: str | None = _text("connectionId", nullable=True)
    message_direction: str | None = _text("messageDirection", nullable=True)
    graphql_operation: str | None = _text("graphqlOperation", nullable=True)


# -- analysis results ---------------------------------------------------------------


class DiscoveredEndpoint(TableModel, table=True):
    __tablename__ = "discovered_endpoints"
    __table_args__ = (
        sa.UniqueConstraint("endpointId", "pattern", "protocol"),
        sa.Index(None, "endpointId"),
        sa.Index(None, "apiType"),
        _enum_check("protocol", Protocol, "protocol"),
        _enum_check("apiType", ApiType, "apiType"),
    )

    id: str = _id()
    endpoint_id: str = _owner("endpoints")
    pattern: str = Field(sa_type=sa.Text)
    methods: list[str] = Field(default_factory=list, sa_type=TextArray)
    protocol: str = _text("protocol", default=Protocol.HTTP.value)
    description: str | None = _text("description", nullable=True)
    request_schema: Any = _json("requestSchema")
    response_schemas: dict[str, Any] | None = _json("responseSchemas")
    request_headers: dict[str, Any] | None = _json("requestHeaders")
    response_headers: dict[str, Any] | None = _json("responseHeaders")
    cors_config: dict[str, Any] | None = _json("corsConfig")
    examples: Any = _json("examples")
    auth_required: bool = _flag("authRequired", False)
    auth_type: str | None = _text("authType", nullable=True)
    pagination_type: str | None = _text("paginationType", nullable=True)
    api_type: str | None = _text("apiType", nullable=True)
    graphql_schema: str | None = _text("graphqlSchema", nullable=True)
    websocket_messages: Any = _json("websocketMessages")
    # Per-method names, parameters and security (revision 0004, docs/schema-changes.md).
    operations: dict[str, Any] | None = _json("operations")
    created_at: datetime = _created()
    updated_at: datetime = _updated()


class EndpointDocumentation(TableModel, table=True):
    __tablename__ = "endpoint_documentation"
    __table_args__ = (
        sa.UniqueConstraint("endpointId", "discoveredEndpointId"),
        sa.Index(None, "endpointId"),
    )

    id: str = _id()
    endpoint_id: str = _owner("endpoints")
    discovered_endpoint_id: str = _owner("discovered_endpoints", "discoveredEndpointId")
    open_api_spec: str | None = _text("openApiSpec", nullable=True)
    graphql_schema: str | None = _text("graphqlSchema", nullable=True)
    markdown: str = Field(sa_type=sa.Text)
    typescript_types: str | None = _text("typescriptTypes", nullable=True)
    generated_at: datetime = _created("generatedAt")
    version: str = _text("version", default="1.0.0")


# -- credits & payments -------------------------------------------------------------


class Payment(TableModel, table=True):
    __tablename__ = "payments"
    __table_args__ = (
        sa.Index(None, "userId", "createdAt"),
        sa.Index(None, "status"),
        sa.Index(None, "providerPaymentId"),
        sa.Index(None, "provider"),
        sa.UniqueConstraint("provider", "providerPaymentId"),
    )

    id: str = _id()
    user_id: str = _owner("users", "userId")
    amount: Decimal = Field(sa_type=Money)
    credits: int
    currency: str = _text("currency", default="USD")
    status: PaymentStatus = Field(
        default=PaymentStatus.PENDING,
        sa_type=value_enum(PaymentStatus, "status"),
        sa_column_kwargs={"server_default": PaymentStatus.PENDING.value},
    )
    provider: PaymentProvider = Field(sa_type=value_enum(PaymentProvider, "provider"))
    provider_payment_id: str | None = _text("providerPaymentId", nullable=True)
    provider_data: dict[str, Any] | None = _json("providerData")
    sandbox: bool = _flag("sandbox", True)
    created_at: datetime = _created()
    completed_at: datetime | None = _moment("completedAt")
    failed_at: datetime | None = _moment("failedAt")


class CreditTransaction(TableModel, table=True):
    __tablename__ = "credit_transactions"
    __table_args__ = (
        sa.Index(None, "userId", "createdAt"),
        sa.Index(None, "type"),
        sa.Index(None, "paymentId"),
        sa.Index(None, "endpointId"),
        sa.CheckConstraint('"balanceAfter" >= 0', name="balanceAfter_not_negative"),
    )

    id: str = _id()
    user_id: str = _owner("users", "userId")
    amount: int
    balance_after: int = Field(sa_column_kwargs={"name": "balanceAfter"})
    type: CreditTransactionType = Field(sa_type=value_enum(CreditTransactionType, "type"))
    description: str | None = _text("description", nullable=True)
    endpoint_id: str | None = _optional_ref("endpoints", "endpointId")
    payment_id: str | None = _optional_ref("payments", "paymentId")
    created_at: datetime = _created()


# -- replay & monitoring ------------------------------------------------------------


class ActionSequence(TableModel, table=True):
    __tablename__ = "action_sequences"
    __table_args__ = (sa.Index(None, "endpointId"),)

    id: str = _id()
    endpoint_id: str = Field(
        sa_type=sa.Text,
        foreign_key="endpoints.id",
        ondelete="CASCADE",
        unique=True,
        sa_column_kwargs={"name": "endpointId"},
    )
    sequence: Any = _json("sequence", nullable=False)
    auth_tokens: Any = _json("authTokens")
    baseline_snapshots: Any = _json("baselineSnapshots")
    created_at: datetime = _created()
    updated_at: datetime = _updated()


class ApiChange(TableModel, table=True):
    __tablename__ = "api_changes"
    __table_args__ = (
        sa.Index(None, "endpointId", "detectedAt"),
        sa.Index(None, "changeType", "detectedAt"),
        sa.Index(None, "detectedAt"),
    )

    id: str = _id()
    endpoint_id: str = _owner("endpoints")
    discovered_endpoint_id: str | None = _optional_ref(
        "discovered_endpoints", "discoveredEndpointId"
    )
    change_type: ApiChangeType = Field(
        sa_type=value_enum(ApiChangeType, "changeType"),
        sa_column_kwargs={"name": "changeType"},
    )
    change_description: str = _text("changeDescription")
    before_snapshot: Any = _json("beforeSnapshot")
    after_snapshot: Any = _json("afterSnapshot")
    diff: Any = _json("diff")
    detected_at: datetime = _created("detectedAt")
    notified_at: datetime | None = _moment("notifiedAt")


# -- audit --------------------------------------------------------------------------


class AuditLog(TableModel, table=True):
    __tablename__ = "audit_logs"
    __table_args__ = (
        sa.Index(None, "userId", "createdAt"),
        sa.Index(None, "action", "createdAt"),
        sa.Index(None, "resourceType", "resourceId"),
        sa.Index(None, "createdAt"),
    )

    id: str = _id()
    # The trail outlives the account: userEmail is kept, userId is cleared.
    user_id: str | None = _optional_ref("users", "userId")
    user_email: str | None = _text("userEmail", nullable=True)
    action: str = Field(sa_type=sa.Text)
    resource_type: str | None = _text("resourceType", nullable=True)
    resource_id: str | None = _text("resourceId", nullable=True)
    details: dict[str, Any] | None = _json("details")
    ip_address: str | None = _text("ipAddress", nullable=True)
    user_agent: str | None = _text("userAgent", nullable=True)
    created_at: datetime = _created()
