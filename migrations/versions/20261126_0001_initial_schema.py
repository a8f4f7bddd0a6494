"""The whole schema of spec/platform-schema.md, with the rulings of DESIGN.md.

Every table, column, default, index and constraint; docs/schema-changes.md
lists where it departs from the specification and why.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 06:04:37.634449
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSONB on PostgreSQL, JSON on SQLite; Python None is SQL NULL.
JSON_DOCUMENT = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
)
# text[] on PostgreSQL, a JSON array on SQLite.
TEXT_ARRAY = sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("passwordHash", sa.Text(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "USER",
                "ADMIN",
                "DEMO",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="USER",
            nullable=False,
        ),
        sa.Column("isDemo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("credits", sa.Integer(), server_default=sa.text("100"), nullable=False),
        sa.Column("subscriptionTier", sa.Text(), server_default="FREE", nullable=True),
        sa.Column("subscriptionId", sa.Text(), nullable=True),
        sa.Column("subscriptionStatus", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "createdAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updatedAt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lastLogin", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('"credits" >= 0', name=op.f("users_credits_not_negative_check")),
        sa.PrimaryKeyConstraint("id", name=op.f("users_pkey")),
        sa.UniqueConstraint("email", name=op.f("users_email_key")),
        sa.UniqueConstraint("username", name=op.f("users_username_key")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("users_credits_idx"), ["credits"], unique=False)
        batch_op.create_index(batch_op.f("users_email_idx"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("users_isDemo_idx"), ["isDemo"], unique=False)
        batch_op.create_index(
            batch_op.f("users_subscriptionId_idx"), ["subscriptionId"], unique=False
        )
        batch_op.create_index(
            batch_op.f("users_subscriptionTier_idx"), ["subscriptionTier"], unique=False
        )
        batch_op.create_index(batch_op.f("users_username_idx"), ["username"], unique=False)

    op.create_table(
        "audit_logs",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("userId", sa.Text(), nullable=True),
        sa.Column("userEmail", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("resourceType", sa.Text(), nullable=True),
        sa.Column("resourceId", sa.Text(), nullable=True),
        sa.Column("details", JSON_DOCUMENT, nullable=True),
        sa.Column("ipAddress", sa.Text(), nullable=True),
        sa.Column("userAgent", sa.Text(), nullable=True),
        sa.Column(
            "createdAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["userId"], ["users.id"], name=op.f("audit_logs_userId_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("audit_logs_pkey")),
    )
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("audit_logs_action_createdAt_idx"), ["action", "createdAt"], unique=False
        )
        batch_op.create_index(batch_op.f("audit_logs_createdAt_idx"), ["createdAt"], unique=False)
        batch_op.create_index(
            batch_op.f("audit_logs_resourceType_resourceId_idx"),
            ["resourceType", "resourceId"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("audit_logs_userId_createdAt_idx"), ["userId", "createdAt"], unique=False
        )

    op.create_table(
        "endpoints",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("userId", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("slug", sa.Text(), nullable=True),
        sa.Column("destinationUrl", sa.Text(), nullable=False),
        sa.Column("proxyUrl", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "REVIEW",
                "PROCESSING",
                "MONITORING",
                "COMPLETE",
                "INACTIVE",
                "ARCHIVED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="ACTIVE",
            nullable=False,
        ),
        sa.Column("creditsUsed", sa.Integer(), server_default=sa.text("25"), nullable=False),
        sa.Column("isPublic", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("monitoringEnabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("monitoringFrequency", sa.Text(), nullable=True),
        sa.Column("lastReplayAt", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "createdAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updatedAt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lastUsedAt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processedAt", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["userId"], ["users.id"], name=op.f("endpoints_userId_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("endpoints_pkey")),
    )
    with op.batch_alter_table("endpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("endpoints_createdAt_idx"), ["createdAt"], unique=False)
        batch_op.create_index(batch_op.f("endpoints_isPublic_idx"), ["isPublic"], unique=False)
        batch_op.create_index(batch_op.f("endpoints_proxyUrl_idx"), ["proxyUrl"], unique=False)
        batch_op.create_index(batch_op.f("endpoints_slug_idx"), ["slug"], unique=False)
        batch_op.create_index(batch_op.f("endpoints_status_idx"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("endpoints_userId_idx"), ["userId"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("userId", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("currency", sa.Text(), server_default="USD", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "COMPLETED",
                "FAILED",
                "REFUNDED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="PENDING",
            nullable=False,
        ),
        sa.Column(
            "provider",
            sa.Enum(
                "STRIPE",
                "PAYPAL",
                name="provider",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("providerPaymentId", sa.Text(), nullable=True),
        sa.Column("providerData", JSON_DOCUMENT, nullable=True),
        sa.Column("sandbox", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "createdAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("completedAt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failedAt", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["userId"], ["users.id"], name=op.f("payments_userId_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("payments_pkey")),
        sa.UniqueConstraint(
            "provider", "providerPaymentId", name=op.f("payments_provider_providerPaymentId_key")
        ),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("payments_providerPaymentId_idx"), ["providerPaymentId"], unique=False
        )
        batch_op.create_index(batch_op.f("payments_provider_idx"), ["provider"], unique=False)
        batch_op.create_index(batch_op.f("payments_status_idx"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("payments_userId_createdAt_idx"), ["userId", "createdAt"], unique=False
        )

    op.create_table(
        "sessions",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("userId", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("expiresAt", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "createdAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["userId"], ["users.id"], name=op.f("sessions_userId_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("sessions_pkey")),
        sa.UniqueConstraint("token", name=op.f("sessions_token_key")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("sessions_expiresAt_idx"), ["expiresAt"], unique=False)
        batch_op.create_index(batch_op.f("sessions_token_idx"), ["token"], unique=False)
        batch_op.create_index(batch_op.f("sessions_userId_idx"), ["userId"], unique=False)

    op.create_table(
        "action_sequences",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("endpointId", sa.Text(), nullable=False),
        sa.Column("sequence", JSON_DOCUMENT, nullable=False),
        sa.Column("authTokens", JSON_DOCUMENT, nullable=True),
        sa.Column("baselineSnapshots", JSON_DOCUMENT, nullable=True),
        sa.Column(
            "createdAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updatedAt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpointId"],
            ["endpoints.id"],
            name=op.f("action_sequences_endpointId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("action_sequences_pkey")),
        sa.UniqueConstraint("endpointId", name=op.f("action_sequences_endpointId_key")),
    )
    with op.batch_alter_table("action_sequences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("action_sequences_endpointId_idx"), ["endpointId"], unique=False
        )

    op.create_table(
        "api_calls",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("endpointId", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("protocol", sa.Text(), server_default="http", nullable=False),
        sa.Column("endpointPattern", sa.Text(), nullable=True),
        sa.Column("requestHeaders", JSON_DOCUMENT, nullable=False),
        sa.Column("requestBody", sa.Text(), nullable=True),
        sa.Column("requestBodyJson", JSON_DOCUMENT, nullable=True),
        sa.Column("queryParams", JSON_DOCUMENT, nullable=True),
        sa.Column("responseStatus", sa.Integer(), nullable=True),
        sa.Column("responseHeaders", JSON_DOCUMENT, nullable=False),
        sa.Column("responseBody", sa.Text(), nullable=True),
        sa.Column("responseBodyJson", JSON_DOCUMENT, nullable=True),
        sa.Column("corsHeaders", JSON_DOCUMENT, nullable=True),
        sa.Column(
            "timestamp", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "\"protocol\" IS NULL OR \"protocol\" IN ('http', 'https', 'ws', 'wss', 'graphql', 'grpc')",
            name=op.f("api_calls_protocol_check"),
        ),
        sa.CheckConstraint(
            '"responseStatus" IS NULL OR "responseStatus" BETWEEN 100 AND 599',
            name=op.f("api_calls_responseStatus_check"),
        ),
        sa.ForeignKeyConstraint(
            ["endpointId"],
            ["endpoints.id"],
            name=op.f("api_calls_endpointId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("api_calls_pkey")),
    )
    with op.batch_alter_table("api_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("api_calls_endpointId_timestamp_idx"),
            ["endpointId", "timestamp"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("api_calls_endpointPattern_method_idx"),
            ["endpointPattern", "method"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("api_calls_method_idx"), ["method"], unique=False)
        batch_op.create_index(batch_op.f("api_calls_protocol_idx"), ["protocol"], unique=False)

    op.create_table(
        "credit_transactions",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("userId", sa.Text(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("balanceAfter", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "SIGNUP",
                "PURCHASE",
                "ENDPOINT",
                "ADMIN_ADJUST",
                "REFUND",
                name="type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("endpointId", sa.Text(), nullable=True),
        sa.Column("paymentId", sa.Text(), nullable=True),
        sa.Column(
            "createdAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            '"balanceAfter" >= 0', name=op.f("credit_transactions_balanceAfter_not_negative_check")
        ),
        sa.ForeignKeyConstraint(
            ["endpointId"],
            ["endpoints.id"],
            name=op.f("credit_transactions_endpointId_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["paymentId"],
            ["payments.id"],
            name=op.f("credit_transactions_paymentId_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["userId"],
            ["users.id"],
            name=op.f("credit_transactions_userId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("credit_transactions_pkey")),
    )
    with op.batch_alter_table("credit_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("credit_transactions_endpointId_idx"), ["endpointId"], unique=False
        )
        batch_op.create_index(
            batch_op.f("credit_transactions_paymentId_idx"), ["paymentId"], unique=False
        )
        batch_op.create_index(batch_op.f("credit_transactions_type_idx"), ["type"], unique=False)
        batch_op.create_index(
            batch_op.f("credit_transactions_userId_createdAt_idx"),
            ["userId", "createdAt"],
            unique=False,
        )

    op.create_table(
        "discovered_endpoints",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("endpointId", sa.Text(), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=False),
        sa.Column("methods", TEXT_ARRAY, nullable=False),
        sa.Column("protocol", sa.Text(), server_default="http", nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("requestSchema", JSON_DOCUMENT, nullable=True),
        sa.Column("responseSchemas", JSON_DOCUMENT, nullable=True),
        sa.Column("requestHeaders", JSON_DOCUMENT, nullable=True),
        sa.Column("responseHeaders", JSON_DOCUMENT, nullable=True),
        sa.Column("corsConfig", JSON_DOCUMENT, nullable=True),
        sa.Column("examples", JSON_DOCUMENT, nullable=True),
        sa.Column("authRequired", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("authType", sa.Text(), nullable=True),
        sa.Column("paginationType", sa.Text(), nullable=True),
        sa.Column("apiType", sa.Text(), nullable=True),
        sa.Column("graphqlSchema", sa.Text(), nullable=True),
        sa.Column("websocketMessages", JSON_DOCUMENT, nullable=True),
        sa.Column(
            "createdAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updatedAt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "\"apiType\" IS NULL OR \"apiType\" IN ('REST', 'GraphQL', 'WebSocket', 'gRPC', 'SOAP')",
            name=op.f("discovered_endpoints_apiType_check"),
        ),
        sa.CheckConstraint(
            "\"protocol\" IS NULL OR \"protocol\" IN ('http', 'https', 'ws', 'wss', 'graphql', 'grpc')",
            name=op.f("discovered_endpoints_protocol_check"),
        ),
        sa.ForeignKeyConstraint(
            ["endpointId"],
            ["endpoints.id"],
            name=op.f("discovered_endpoints_endpointId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("discovered_endpoints_pkey")),
        sa.UniqueConstraint(
            "endpointId",
            "pattern",
            "protocol",
            name=op.f("discovered_endpoints_endpointId_pattern_protocol_key"),
        ),
    )
    with op.batch_alter_table("discovered_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("discovered_endpoints_apiType_idx"), ["apiType"], unique=False
        )
        batch_op.create_index(
            batch_op.f("discovered_endpoints_endpointId_idx"), ["endpointId"], unique=False
        )

    op.create_table(
        "api_changes",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("endpointId", sa.Text(), nullable=False),
        sa.Column("discoveredEndpointId", sa.Text(), nullable=True),
        sa.Column(
            "changeType",
            sa.Enum(
                "NEW_ENDPOINT",
                "REMOVED_ENDPOINT",
                "SCHEMA_CHANGED",
                "RESPONSE_CHANGED",
                "AUTH_CHANGED",
                "METHOD_ADDED",
                "METHOD_REMOVED",
                name="changeType",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("changeDescription", sa.Text(), nullable=False),
        sa.Column("beforeSnapshot", JSON_DOCUMENT, nullable=True),
        sa.Column("afterSnapshot", JSON_DOCUMENT, nullable=True),
        sa.Column("diff", JSON_DOCUMENT, nullable=True),
        sa.Column(
            "detectedAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("notifiedAt", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["discoveredEndpointId"],
            ["discovered_endpoints.id"],
            name=op.f("api_changes_discoveredEndpointId_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["endpointId"],
            ["endpoints.id"],
            name=op.f("api_changes_endpointId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("api_changes_pkey")),
    )
    with op.batch_alter_table("api_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("api_changes_changeType_detectedAt_idx"),
            ["changeType", "detectedAt"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("api_changes_detectedAt_idx"), ["detectedAt"], unique=False
        )
        batch_op.create_index(
            batch_op.f("api_changes_endpointId_detectedAt_idx"),
            ["endpointId", "detectedAt"],
            unique=False,
        )

    op.create_table(
        "endpoint_documentation",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("endpointId", sa.Text(), nullable=False),
        sa.Column("discoveredEndpointId", sa.Text(), nullable=False),
        sa.Column("openApiSpec", sa.Text(), nullable=True),
        sa.Column("graphqlSchema", sa.Text(), nullable=True),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("typescriptTypes", sa.Text(), nullable=True),
        sa.Column(
            "generatedAt", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("version", sa.Text(), server_default="1.0.0", nullable=False),
        sa.ForeignKeyConstraint(
            ["discoveredEndpointId"],
            ["discovered_endpoints.id"],
            name=op.f("endpoint_documentation_discoveredEndpointId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["endpointId"],
            ["endpoints.id"],
            name=op.f("endpoint_documentation_endpointId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("endpoint_documentation_pkey")),
        sa.UniqueConstraint(
            "endpointId",
            "discoveredEndpointId",
            name=op.f("endpoint_documentation_endpointId_discoveredEndpointId_key"),
        ),
    )
    with op.batch_alter_table("endpoint_documentation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("endpoint_documentation_endpointId_idx"), ["endpointId"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("endpoint_documentation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("endpoint_documentation_endpointId_idx"))

    op.drop_table("endpoint_documentation")
    with op.batch_alter_table("api_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("api_changes_endpointId_detectedAt_idx"))
        batch_op.drop_index(batch_op.f("api_changes_detectedAt_idx"))
        batch_op.drop_index(batch_op.f("api_changes_changeType_detectedAt_idx"))

    op.drop_table("api_changes")
    with op.batch_alter_table("discovered_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("discovered_endpoints_endpointId_idx"))
        batch_op.drop_index(batch_op.f("discovered_endpoints_apiType_idx"))

    op.drop_table("discovered_endpoints")
    with op.batch_alter_table("credit_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("credit_transactions_userId_createdAt_idx"))
        batch_op.drop_index(batch_op.f("credit_transactions_type_idx"))
        batch_op.drop_index(batch_op.f("credit_transactions_paymentId_idx"))
        batch_op.drop_index(batch_op.f("credit_transactions_endpointId_idx"))

    op.drop_table("credit_transactions")
    with op.batch_alter_table("api_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("api_calls_protocol_idx"))
        batch_op.drop_index(batch_op.f("api_calls_method_idx"))
        batch_op.drop_index(batch_op.f("api_calls_endpointPattern_method_idx"))
        batch_op.drop_index(batch_op.f("api_calls_endpointId_timestamp_idx"))

    op.drop_table("api_calls")
    with op.batch_alter_table("action_sequences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("action_sequences_endpointId_idx"))

    op.drop_table("action_sequences")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("sessions_userId_idx"))
        batch_op.drop_index(batch_op.f("sessions_token_idx"))
        batch_op.drop_index(batch_op.f("sessions_expiresAt_idx"))

    op.drop_table("sessions")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("payments_userId_createdAt_idx"))
        batch_op.drop_index(batch_op.f("payments_status_idx"))
        batch_op.drop_index(batch_op.f("payments_provider_idx"))
        batch_op.drop_index(batch_op.f("payments_providerPaymentId_idx"))

    op.drop_table("payments")
    with op.batch_alter_table("endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("endpoints_userId_idx"))
        batch_op.drop_index(batch_op.f("endpoints_status_idx"))
        batch_op.drop_index(batch_op.f("endpoints_slug_idx"))
        batch_op.drop_index(batch_op.f("endpoints_proxyUrl_idx"))
        batch_op.drop_index(batch_op.f("endpoints_isPublic_idx"))
        batch_op.drop_index(batch_op.f("endpoints_createdAt_idx"))

    op.drop_table("endpoints")
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("audit_logs_userId_createdAt_idx"))
        batch_op.drop_index(batch_op.f("audit_logs_resourceType_resourceId_idx"))
        batch_op.drop_index(batch_op.f("audit_logs_createdAt_idx"))
        batch_op.drop_index(batch_op.f("audit_logs_action_createdAt_idx"))

    op.drop_table("audit_logs")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("users_username_idx"))
        batch_op.drop_index(batch_op.f("users_subscriptionTier_idx"))
        batch_op.drop_index(batch_op.f("users_subscriptionId_idx"))
        batch_op.drop_index(batch_op.f("users_isDemo_idx"))
        batch_op.drop_index(batch_op.f("users_email_idx"))
        batch_op.drop_index(batch_op.f("users_credits_idx"))

    op.drop_table("users")
