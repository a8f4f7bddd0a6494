"""``apidisco addon path`` and the errors ``apidisco proxy`` reports before it starts."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from apidisco.cli.main import app
from apidisco.store import migrate
from apidisco.store.database import Database
from tests.addon.support import url_of


@pytest.fixture
def apidisco(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("DATABASE_URL", "APIDISCO_DATABASE_URL", "APIDISCO_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APIDISCO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args))


def test_addon_path_names_the_script_mitmdump_loads(apidisco: CliRunner) -> None:
    result = invoke(apidisco, "addon", "path")
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.name == "__init__.py"
    assert path.parent.name == "addon"
    script = runpy.run_path(str(path))  # as mitmdump loads it: its addons, gateway first
    assert [type(a).__name__ for a in script["__getattr__"]("addons")] == ["Gateway", "Recorder"]
    assert orjson.loads(invoke(apidisco, "--json", "addon", "path").stdout) == {"path": str(path)}


def test_the_cli_does_not_import_mitmproxy_to_print_the_path() -> None:
    code = (
        "import sys; from apidisco.cli import addon, proxy; addon.script_path(); "
        "print(any(name.startswith('mitmproxy') for name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_proxy_ports_must_differ(apidisco: CliRunner) -> None:
    result = invoke(apidisco, "proxy", "--port", "8080", "--proxy-port", "8080")
    assert result.exit_code == 2
    assert "the gateway port and the proxy port must differ" in result.stderr


def test_the_proxy_refuses_an_unknown_endpoint(
    apidisco: CliRunner, empty_database: Database
) -> None:
    migrate.upgrade(empty_database)
    result = invoke(apidisco, "--db", url_of(empty_database), "proxy", "--endpoint", "nope")
    assert result.exit_code == 2
    assert "there is no endpoint 'nope'" in result.stderr
