"""Settings that point at the local Stripe and PayPal (the ``providers`` fixture);
accounts to pay with are ``admin`` and ``user`` from ``tests/conftest.py``.

Every test that uses a store ends by checking the ledger invariant for every
account in it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apidisco.config import Settings, resolve_settings
from tests.payments.ledger import assert_ledger_invariant
from tests.payments.provider import FakeProviders


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
