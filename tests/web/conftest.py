"""Accounts, documented endpoints and the running site the web tests start from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from apidisco.services.actor import Actor
from apidisco.store.database import Database
from tests.services.support import actor_of, signup
from tests.web.support import RunningSite, documented, running_site, settings_for


@pytest.fixture
def owners(database: Database) -> tuple[Actor, Actor]:
    """bob and carol, two USERs (alice, the first account, is the admin)."""
    signup(database, "alice")
    return actor_of(signup(database, "bob")), actor_of(signup(database, "carol"))


@pytest.fixture
def apis(database: Database, owners: tuple[Actor, Actor]) -> dict[str, str]:
    """bob's public ``shop-api`` and private ``bob-secret``; carol's private ``carol-secret``.
    Slug → endpoint id."""
    bob, carol = owners
    return {
        "shop-api": documented(database, bob, "Shop API", "shop-api", public=True),
        "bob-secret": documented(database, bob, "Bob's internal API", "bob-secret", public=False),
        "carol-secret": documented(
            database, carol, "Carol's internal API", "carol-secret", public=False
        ),
    }


@pytest.fixture
def site(database: Database, tmp_path: Path) -> Iterator[RunningSite]:
    """The site over the test's database, on 127.0.0.1 (an ephemeral port)."""
    with running_site(database, settings_for(tmp_path)) as running:
        yield running
