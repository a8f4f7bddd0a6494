"""Fixtures for the addon tests: a committed store on the backend under test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from apidisco.addon.store import CaptureStore
from apidisco.config import Settings
from apidisco.store import migrate
from apidisco.store.database import Database
from tests.addon.support import settings_for


@pytest.fixture
def store_database(empty_database: Database) -> Database:
    """A new database at the newest schema whose commits are real (the writer's thread
    and the directory's lookups use connections of their own)."""
    migrate.upgrade(empty_database)
    return empty_database


@pytest.fixture
def settings(store_database: Database, tmp_path: Path) -> Settings:
    return settings_for(store_database, tmp_path)


@pytest.fixture
def capture_store(settings: Settings, tmp_path: Path) -> Iterator[CaptureStore]:
    """The addon's store, with lookups that are never fresh (every flow sees the newest status)."""
    store = CaptureStore.open(settings, journal=tmp_path / "capture.journal", ttl=0.0)
    yield store
    store.close()
