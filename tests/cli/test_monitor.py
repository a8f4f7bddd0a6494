"""`apidisco monitor run` side by side: real processes, one database, one replay each."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest

from apidisco.services import accounts, sessions
from apidisco.services.actor import Actor
from apidisco.store import migrate
from apidisco.store.database import Database
from tests.services.apiserver import ShopServer
from tests.services.replaying import KEY, recorded_endpoint

ENDPOINTS = 4


@pytest.fixture
def store(empty_database: Database) -> Database:
    """A migrated store whose transactions commit, for processes to share."""
    migrate.upgrade(empty_database)
    return empty_database


def _environment(store: Database, token: str, tmp_path: Path) -> dict[str, str]:
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("APIDISCO_", "DATABASE_"))
    }
    environ.update(
        {
            "APIDISCO_DATABASE_URL": store.url.render_as_string(hide_password=False),
            "APIDISCO_TOKEN": token,
            "APIDISCO_SECRET_KEY": KEY,
            "APIDISCO_ALLOW_PRIVATE_DESTINATIONS": "1",
            "APIDISCO_CONFIG": str(tmp_path / "config.toml"),
            "APIDISCO_DATA_DIR": str(tmp_path / "data"),
            "COLUMNS": "120",
            "NO_COLOR": "1",
        }
    )
    return environ


def test_two_concurrent_runs_replay_each_due_endpoint_exactly_once(
    store: Database, shop_server: ShopServer, tmp_path: Path
) -> None:
    account = accounts.signup(store, email="ops@example.com", password="long enough", rounds=4)
    actor = Actor(id=account.id, email=account.email, role=account.role)
    monitored = {
        recorded_endpoint(store, actor, shop_server, monitoring="daily") for _ in range(ENDPOINTS)
    }
    token = sessions.login(store, email="ops@example.com", password="long enough").token
    environ = _environment(store, token, tmp_path)
    posts = shop_server.count("POST", "/api/books")

    command = [sys.executable, "-m", "apidisco", "--json", "monitor", "run", "--due"]
    workers = [
        subprocess.Popen(
            command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=180) for worker in workers]
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr.decode()
    claimed = Counter(
        run["endpointId"] for stdout, _ in outputs for run in orjson.loads(stdout)["runs"]
    )
    assert set(claimed) == monitored
    assert set(claimed.values()) == {1}
    assert shop_server.count("POST", "/api/books") == posts + ENDPOINTS

    again = subprocess.run(command, env=environ, capture_output=True, timeout=120, check=True)
    assert orjson.loads(again.stdout)["runs"] == []
    assert shop_server.count("POST", "/api/books") == posts + ENDPOINTS
