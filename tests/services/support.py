"""Builders shared by the service tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from apidisco.enums import Protocol
from apidisco.services import accounts
from apidisco.services.actor import Actor
from apidisco.services.endpoints import Pricing
from apidisco.services.views import AccountView
from apidisco.store.database import Database
from apidisco.store.models import ApiCall, Endpoint, TableModel
from apidisco.store.repositories import ApiCallRepository

PASSWORD = "correct horse"
PRICING = Pricing(endpoint_price=25, included={"FREE": 0, "PRO": 0, "TEAM": 0})
DESTINATION = "https://93.184.216.34/api"


def signup(database: Database, name: str, password: str = PASSWORD) -> AccountView:
    """An account ``name@example.com`` with username ``name`` (cheap bcrypt)."""
    return accounts.signup(
        database, email=f"{name}@example.com", username=name, password=password, rounds=4
    )


def actor_of(account: AccountView) -> Actor:
    return Actor(id=account.id, email=account.email, role=account.role)


def count(database: Database, model: type[TableModel], *conditions: Any) -> int:
    with database.session() as session:
        statement = sa.select(sa.func.count()).select_from(model).where(*conditions)
        return int(session.execute(statement).scalar_one())


def set_endpoint(database: Database, endpoint_id: str, **columns: Any) -> None:
    """Write columns of the stored endpoint directly, past the services' rules (set-up)."""
    with database.transaction() as session:
        endpoint = session.get(Endpoint, endpoint_id)
        assert endpoint is not None
        for name, value in columns.items():
            setattr(endpoint, name, value)


def capture(database: Database, endpoint_id: str, calls: int = 2) -> None:
    """Store ``calls`` captured GET exchanges for the endpoint."""
    with database.transaction() as session:
        repository = ApiCallRepository(session)
        for index in range(calls):
            repository.add(
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
