"""Running the real ``apidisco`` command in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from apidisco.cli.main import app
from tests.capture.hars import entry, har
from tests.conftest import EmptyDatabaseFactory

Invoke = Callable[..., Result]


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An environment with no apidisco settings; the data dir is a fresh folder."""
    for name in (
        "DATABASE_URL",
        "APIDISCO_DATABASE_URL",
        "APIDISCO_TOKEN",
        "APIDISCO_DEBUG",
        "DATA_RETENTION_DAYS",
        "DATABASE_POOL_MIN",
        "DATABASE_POOL_MAX",
    ):
        monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("APIDISCO_DATA_DIR", str(data_dir))
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    return data_dir


@pytest.fixture
def apidisco(isolated_env: Path) -> Invoke:
    """Run ``apidisco ARGS...``; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def fresh_store(
    apidisco: Invoke, empty_database_url: EmptyDatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    """``apidisco`` against a new, upgraded store on the backend under test (cheap bcrypt)."""
    url = empty_database_url().render_as_string(hide_password=False)
    monkeypatch.setenv("APIDISCO_DATABASE_URL", url)
    monkeypatch.setenv("APIDISCO_PASSWORD_ROUNDS", "4")
    upgraded = apidisco("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.stderr
    return apidisco


def json_of(result: Result) -> object:
    return orjson.loads(result.stdout)


@pytest.fixture
def captured(fresh_store: Invoke, tmp_path: Path) -> tuple[Invoke, str]:
    """A logged-in store with an endpoint holding a small shop's traffic."""
    for args in (["account", "signup"], ["account", "login"]):
        result = fresh_store(
            *args, "--email", "ann@example.com", "--password-stdin", input="long password\n"
        )
        assert result.exit_code == 0, result.stderr
    endpoint = json_of(fresh_store("--json", "endpoint", "create", "https://93.184.216.34/api"))[
        "id"
    ]
    entries = [
        entry(url=f"https://93.184.216.34/api/items/{n}", body=f'{{"id": {n}}}') for n in range(5)
    ]
    entries.append(entry(url="https://93.184.216.34/api/items?page=2", body="[]"))
    capture = tmp_path / "shop.har"
    capture.write_bytes(har(*entries))
    imported = fresh_store("capture", "import", str(capture), "--endpoint", endpoint)
    assert imported.exit_code == 0, imported.stderr
    return fresh_store, endpoint
