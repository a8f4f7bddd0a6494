"""Builders shared by the addon and end-to-end tests: stores, accounts, endpoints, rows.

No mitmproxy here: the end-to-end tests run it as a subprocess only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from apidisco.config import Settings, resolve_settings
from apidisco.enums import EndpointStatus
from apidisco.services import accounts, endpoints
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from apidisco.store.models import ActionSequence, ApiCall, Endpoint

FREE = endpoints.Pricing(endpoint_price=0, included={"FREE": 1000, "PRO": 1000, "TEAM": 1000})


def url_of(database: Database) -> str:
    """The database's URL with its password, for settings and command lines."""
    return database.url.render_as_string(hide_password=False)


def settings_for(
    database: Database, tmp_path: Path, *, allow_private: bool = True, **environ: str
) -> Settings:
    """Settings pointing at ``database`` that read nothing from this machine."""
    env = {
        "APIDISCO_DATA_DIR": str(tmp_path / "data"),
        "APIDISCO_CONFIG": str(tmp_path / "absent.toml"),
        "APIDISCO_ALLOW_PRIVATE_DESTINATIONS": "1" if allow_private else "0",
        **environ,
    }
    return resolve_settings({"database_url": url_of(database)}, environ=env)


def owner(database: Database, name: str = "alice") -> Actor:
    account = accounts.signup(
        database, email=f"{name}@example.com", username=name, password="correct horse", rounds=4
    )
    return Actor(id=account.id, email=account.email, role=account.role)


def endpoint(database: Database, actor: Actor, destination: str) -> str:
    """A new ACTIVE endpoint (free, private destinations allowed); its id."""
    view = endpoints.create(database, actor, destination, pricing=FREE, allow_private=True)
    return view.id


def set_status(database: Database, endpoint_id: str, status: EndpointStatus) -> None:
    with database.transaction() as session:
        found = session.get(Endpoint, endpoint_id)
        assert found is not None
        found.status = status


def calls(database: Database, endpoint_id: str | None = None) -> list[ApiCall]:
    """Stored calls (of one endpoint, or all), oldest first."""
    with database.session() as session:
        statement = sa.select(ApiCall).order_by(ApiCall.timestamp, ApiCall.id)
        if endpoint_id is not None:
            statement = statement.where(ApiCall.endpoint_id == endpoint_id)
        return list(session.execute(statement).scalars())


def stored_endpoint(database: Database, endpoint_id: str) -> Endpoint:
    with database.session() as session:
        found = session.get(Endpoint, endpoint_id)
        assert found is not None
        return found


def auth_tokens(database: Database, endpoint_id: str) -> Any:
    with database.session() as session:
        statement = sa.select(ActionSequence).where(ActionSequence.endpoint_id == endpoint_id)
        sequence = session.execute(statement).scalars().first()
        return None if sequence is None else sequence.auth_tokens


def header(row_headers: Mapping[str, Any], name: str) -> Any:
    return row_headers.get(name.lower())
