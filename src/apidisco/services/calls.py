"""Inspecting captured calls: ``apidisco calls list|show``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apidisco.errors import NotFoundError
from apidisco.services.actor import Actor
from apidisco.services.endpoints import find_endpoint
from apidisco.store.database import Database
from apidisco.store.models import ApiCall
from apidisco.store.repositories import ApiCallRepository, EndpointRepository

__all__ = ["CallView", "list_calls", "show_call"]


@dataclass(frozen=True)
class CallView:
    id: str
    endpoint_id: str
    timestamp: datetime
    method: str
    url: str
    protocol: str
    response_status: int | None
    duration: int | None
    error: str | None
    connection_id: str | None
    message_direction: str | None
    graphql_operation: str | None
    request_headers: dict[str, Any]
    query_params: dict[str, Any] | None
    request_body: str | None
    request_body_json: Any
    request_body_truncated: bool
    request_body_encoding: str | None
    response_headers: dict[str, Any]
    response_body: str | None
    response_body_json: Any
    response_body_truncated: bool
    response_body_encoding: str | None
    cors_headers: dict[str, Any] | None
    endpoint_pattern: str | None

    @classmethod
    def of(cls, call: ApiCall) -> CallView:
        return cls(**{name: getattr(call, name) for name in cls.__dataclass_fields__})


def list_calls(
    database: Database,
    actor: Actor,
    endpoint: str,
    *,
    method: str | None = None,
    status: int | None = None,
    protocol: str | None = None,
    path: str | None = None,
    limit: int = 50,
) -> list[CallView]:
    with database.session() as session:
        target = find_endpoint(session, actor, endpoint)
        rows = ApiCallRepository(session).search(
            target.id, method=method, status=status, protocol=protocol, path=path, limit=limit
        )
        return [CallView.of(row) for row in rows]


def show_call(database: Database, actor: Actor, call_id: str) -> CallView:
    with database.session() as session:
        call = ApiCallRepository(session).get(call_id)
        owner = EndpointRepository(session).get(call.endpoint_id) if call else None
        if call is None or owner is None or not actor.may_act_for(owner.user_id):
            raise NotFoundError(f"no call {call_id!r}")
        return CallView.of(call)
