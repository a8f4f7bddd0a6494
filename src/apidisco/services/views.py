"""What services hand back: plain frozen records, never a live database row.

They hold exactly what a caller may see (no password hashes, no token hashes)
and serialise straight to JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apidisco.enums import CreditTransactionType, EndpointStatus, Role
from apidisco.store.models import AuditLog, CreditTransaction, Endpoint, User

__all__ = ["AccountView", "AuditEntryView", "EndpointView", "LedgerEntryView"]


@dataclass(frozen=True)
class AccountView:
    id: str
    email: str
    username: str | None
    role: Role
    is_demo: bool
    enabled: bool
    credits: int
    subscription_tier: str | None
    created_at: datetime
    last_login: datetime | None

    @classmethod
    def of(cls, user: User) -> AccountView:
        return cls(
            id=user.id,
            email=user.email,
            username=user.username,
            role=user.role,
            is_demo=user.is_demo,
            enabled=user.enabled,
            credits=user.credits,
            subscription_tier=user.subscription_tier,
            created_at=user.created_at,
            last_login=user.last_login,
        )


@dataclass(frozen=True)
class EndpointView:
    id: str
    user_id: str
    name: str | None
    slug: str | None
    destination_url: str
    proxy_url: str
    status: EndpointStatus
    credits_used: int
    is_public: bool
    monitoring_enabled: bool
    monitoring_frequency: str | None
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime | None
    processed_at: datetime | None

    @classmethod
    def of(cls, endpoint: Endpoint) -> EndpointView:
        return cls(**{name: getattr(endpoint, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class LedgerEntryView:
    id: str
    amount: int
    balance_after: int
    type: CreditTransactionType
    description: str | None
    endpoint_id: str | None
    payment_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, entry: CreditTransaction) -> LedgerEntryView:
        return cls(**{name: getattr(entry, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class AuditEntryView:
    id: str
    created_at: datetime
    user_id: str | None
    user_email: str | None
    action: str
    resource_type: str | None
    resource_id: str | None
    details: dict[str, Any] | None

    @classmethod
    def of(cls, entry: AuditLog) -> AuditEntryView:
        return cls(**{name: getattr(entry, name) for name in cls.__dataclass_fields__})
