"""A local Stripe and PayPal, settings that point at them, and accounts to pay with.

Every test that uses a store ends by checking the ledger invariant for every
account in it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apidisco.config import Settings, resolve_settings
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from tests.payments.ledger import assert_ledger_invariant
from tests.payments.provider import FakeProviders
from tests.services.support import actor_of, signup


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    """The fake Stripe and PayPal on 127.0.0.1 (an ephemeral port); stopped afterwards."""
    fake = FakeProviders()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def settings(providers: FakeProviders, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the fake providers (sandbox keys), and no config file."""
    missing = tmp_path_factory.mktemp("config") / "none.toml"
    return resolve_settings(environ=providers.environ(), config_file=missing)


@pytest.fixture(autouse=True)
def _ledger_invariant(request: pytest.FixtureRequest) -> Iterator[None]:
    database = request.getfixturevalue("database") if "database" in request.fixturenames else None
    yield
    if database is not None:
        assert_ledger_invariant(database)


@pytest.fixture
def admin(database: Database) -> Actor:
    """alice: the first account, so an ADMIN."""
    return actor_of(signup(database, "alice"))


@pytest.fixture
def user(database: Database, admin: Actor) -> Actor:
    """bob: a USER with the 100 signup credits."""
    return actor_of(signup(database, "bob"))
