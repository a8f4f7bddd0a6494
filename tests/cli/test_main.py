"""The root command: global options and the error boundary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main
from typer.testing import CliRunner

from apidisco import __version__
from apidisco.cli.main import COMMANDS, app, command_line
from apidisco.errors import ConfigError, StoreError
from tests.cli.conftest import Invoke


def test_version(apidisco: Invoke) -> None:
    result = apidisco("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"apidisco {__version__}"


def test_help_lists_the_command_groups(apidisco: Invoke) -> None:
    result = apidisco("--help")
    assert result.exit_code == 0
    for group in ("db", "config"):
        assert group in result.stdout


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("mysql://root@localhost/x", 2, "Error: database 'mysql' is not supported"),
        ("::nonsense::", 2, "is not a URL"),
        ("postgresql://u:topsecret@127.0.0.1:9/x", 7, "Error: cannot use the database at"),
    ],
)
def test_bad_databases_are_one_line_and_an_exit_code(
    apidisco: Invoke, url: str, code: int, message: str
) -> None:
    result = apidisco("--db", url, "db", "current")
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert "topsecret" not in result.stderr
    assert result.stdout == ""


def test_a_bad_setting_in_the_environment_is_one_line(
    apidisco: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_RETENTION_DAYS", "soon")
    result = apidisco("config", "show")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: DATA_RETENTION_DAYS must be a whole number, got 'soon'"


def test_debug_lets_the_exception_through(apidisco: Invoke) -> None:
    result = apidisco("--debug", "--db", "mysql://x/y", "db", "current")
    assert isinstance(result.exception, ConfigError)
    result = apidisco("--debug", "--db", "postgresql://u@127.0.0.1:9/x", "db", "current")
    assert isinstance(result.exception, StoreError)


def test_usage_errors_are_clicks(apidisco: Invoke) -> None:
    result = apidisco("db", "frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_a_missing_postgresql_database_is_one_line(apidisco: Invoke) -> None:
    from tests.conftest import POSTGRES_URL

    if POSTGRES_URL is None:
        pytest.skip("PostgreSQL not configured: set APIDISCO_TEST_DATABASE_URL")
    from apidisco.store.engine import parse_database_url

    url = parse_database_url(POSTGRES_URL).set(database="apidisco_no_such_database")
    result = apidisco("--db", url.render_as_string(hide_password=False), "db", "current")
    assert result.exit_code == 7
    assert result.stderr.count("\n") == 1
    assert 'database "apidisco_no_such_database" does not exist' in result.stderr


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_alone_is_the_command_of_the_whole_command_line(
    name: str, isolated_env: Path
) -> None:
    runner = CliRunner()
    alone = command_line(name)
    whole = runner.invoke(app, [name, "--help"])
    assert whole.exit_code == 0, whole.output
    assert runner.invoke(alone, [name, "--help"]).output == whole.output
    built = typer.main.get_command(alone)
    assert isinstance(built, click.Group)
    assert list(built.commands) == [name]  # only that one is built


def test_the_whole_command_line_has_every_command() -> None:
    built = typer.main.get_command(app)
    assert isinstance(built, click.Group)
    assert sorted(built.commands) == sorted(COMMANDS)


def test_the_command_line_loads_no_command_until_it_runs() -> None:
    code = "import sys, apidisco.cli.main; print(sorted(m for m in sys.modules if 'cli.' in m))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "apidisco.cli.discover" not in loaded
    assert "apidisco.cli.endpoint" not in loaded


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["--version"], 0, f"apidisco {__version__}"),
        (["no-such-command"], 2, "No such command 'no-such-command'"),
        (["--json", "config", "--help"], 0, "apidisco config [OPTIONS] COMMAND"),
        (["discover"], 2, "Missing argument 'FILES...'"),
    ],
)
def test_the_console_script_builds_what_is_asked_for(
    args: list[str], code: int, expected: str, isolated_env: Path
) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "apidisco", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=60,
    )
    assert finished.returncode == code, finished.stderr
    assert expected in finished.stdout + finished.stderr
