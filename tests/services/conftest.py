"""Accounts most service tests start from."""

from __future__ import annotations

import pytest

from apidisco.services import endpoints
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from tests.services.support import DESTINATION, PRICING, actor_of, signup


@pytest.fixture
def admin(database: Database) -> Actor:
    """alice: the first account, so an ADMIN."""
    return actor_of(signup(database, "alice"))


@pytest.fixture
def user(database: Database, admin: Actor) -> Actor:
    """bob: a USER."""
    return actor_of(signup(database, "bob"))


@pytest.fixture
def endpoint_id(database: Database, user: Actor) -> str:
    """An endpoint of bob's, destination DESTINATION (a path below it: /api)."""
    created = endpoints.create(
        database, user, DESTINATION, pricing=PRICING, allow_private=True, name="Shop"
    )
    return created.id
