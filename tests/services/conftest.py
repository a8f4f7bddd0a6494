"""An endpoint most service tests start from (the accounts, ``admin`` and ``user``,
come from ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from apidisco.services import endpoints
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from tests.services.support import DESTINATION, PRICING


@pytest.fixture
def endpoint_id(database: Database, user: Actor) -> str:
    """An endpoint of bob's, destination DESTINATION (a path below it: /api)."""
    created = endpoints.create(
        database, user, DESTINATION, pricing=PRICING, allow_private=True, name="Shop"
    )
    return created.id
