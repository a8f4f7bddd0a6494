"""Accounts most service tests start from."""

from __future__ import annotations

import pytest

from apidisco.services.actor import Actor
from apidisco.store.database import Database
from tests.services.support import actor_of, signup


@pytest.fixture
def admin(database: Database) -> Actor:
    """alice: the first account, so an ADMIN."""
    return actor_of(signup(database, "alice"))


@pytest.fixture
def user(database: Database, admin: Actor) -> Actor:
    """bob: a USER."""
    return actor_of(signup(database, "bob"))
