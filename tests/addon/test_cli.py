"""``apidisco addon path`` and the errors ``apidisco proxy`` reports before it starts."""

from __future__ import annotations

import importlib
import runpy
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from mitmproxy import hooks
from typer.testing import CliRunner, Result

from apidisco import addon as addon_package
from apidisco.cli.addon import script_path
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
    assert (path.parent.name, path.name) == ("addon", "script.py")
    script = runpy.run_path(str(path))  # as mitmdump loads it
    assert script["response"].__self__ is script["recorder"]
    assert script["requestheaders"].__self__ is script["gateway"]
    assert script["gateway"].recorder is script["recorder"]
    assert orjson.loads(invoke(apidisco, "--json", "addon", "path").stdout) == {"path": str(path)}


def test_the_script_has_every_hook_of_the_gateway_and_the_recorder() -> None:
    """The script is the addon mitmproxy sees: a hook it does not name is never called."""
    for module in ("mitmproxy.addonmanager", "mitmproxy.proxy.layers", "mitmproxy.proxy.server"):
        importlib.import_module(module)  # a hook is known once the module defining it loaded
    script = runpy.run_path(script_path())  # as in mitmdump, which loaded them all
    events = set(hooks.all_hooks)
    assert {"requestheaders", "response", "websocket_message", "server_connect"} <= events
    handled = {name for addon in (script["gateway"], script["recorder"]) for name in dir(addon)}
    for name in events & handled:
        assert script.get(name) is not None, f"the script does not bind the hook {name}"
    bound = {name for name in events if script.get(name) is not None}
    assert bound == events & handled
    # Each other hook is there as None (mitmproxy skips it), so no lookup misses.
    assert set(script) >= events - {"add_log"}
    assert script["addons"] == ()


def test_the_script_hands_shared_hooks_to_both_gateway_first() -> None:
    script = runpy.run_path(script_path())
    calls: list[tuple[str, object]] = []
    for label in ("gateway", "recorder"):
        script[label].configure = lambda updated, label=label: calls.append((label, updated))
    script["configure"]({"apidisco_endpoint"})
    assert calls == [("gateway", {"apidisco_endpoint"}), ("recorder", {"apidisco_endpoint"})]


def test_the_package_file_still_loads_as_a_script() -> None:
    """The path earlier versions printed: its addons list, gateway first."""
    script = runpy.run_path(addon_package.__file__)
    assert [type(a).__name__ for a in script["__getattr__"]("addons")] == ["Gateway", "Recorder"]


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
