"""The closed vocabularies of the data model (``spec/platform-schema.md``).

Plain ``StrEnum`` classes, stored in the database as their value strings and
checked there by CHECK constraints. This module imports nothing but the
standard library, so every layer may use it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "HTTP_METHODS",
    "ApiChangeType",
    "ApiType",
    "CreditTransactionType",
    "EndpointStatus",
    "PaymentProvider",
    "PaymentStatus",
    "Protocol",
    "Role",
]


class Role(StrEnum):
    USER = "USER"
    ADMIN = "ADMIN"
    DEMO = "DEMO"


class EndpointStatus(StrEnum):
    ACTIVE = "ACTIVE"  # capturing
    REVIEW = "REVIEW"  # capture paused, reviewing what was captured
    PROCESSING = "PROCESSING"  # documentation being generated
    MONITORING = "MONITORING"  # documented, proxy active, replayed on a schedule
    COMPLETE = "COMPLETE"  # documented, proxy removed
    INACTIVE = "INACTIVE"  # deactivated by the user
    ARCHIVED = "ARCHIVED"  # archived by the user


class CreditTransactionType(StrEnum):
    SIGNUP = "SIGNUP"  # the free credits every account starts with (added; see docs)
    PURCHASE = "PURCHASE"
    ENDPOINT = "ENDPOINT"
    ADMIN_ADJUST = "ADMIN_ADJUST"
    REFUND = "REFUND"


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


class PaymentProvider(StrEnum):
    STRIPE = "STRIPE"
    PAYPAL = "PAYPAL"


class ApiChangeType(StrEnum):
    NEW_ENDPOINT = "NEW_ENDPOINT"
    REMOVED_ENDPOINT = "REMOVED_ENDPOINT"
    SCHEMA_CHANGED = "SCHEMA_CHANGED"
    RESPONSE_CHANGED = "RESPONSE_CHANGED"
    AUTH_CHANGED = "AUTH_CHANGED"
    METHOD_ADDED = "METHOD_ADDED"
    METHOD_REMOVED = "METHOD_REMOVED"


class Protocol(StrEnum):
    HTTP = "http"
    HTTPS = "https"
    WS = "ws"
    WSS = "wss"
    GRAPHQL = "graphql"
    GRPC = "grpc"


class ApiType(StrEnum):
    REST = "REST"
    GRAPHQL = "GraphQL"
    WEBSOCKET = "WebSocket"
    GRPC = "gRPC"
    SOAP = "SOAP"


HTTP_METHODS: frozenset[str] = frozenset(
    {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE"}
)
