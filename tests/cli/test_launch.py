"""The console script reads which command is asked for before the CLI loads."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from apidisco.cli.launch import command_named, main
from tests.capture.hars import entry, har
from tests.cli.conftest import Invoke


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["discover", "a.har", "-o", "x.yaml"], "discover"),
        (["--json", "discover", "a.har"], "discover"),
        (["--db", "sqlite:///discover", "endpoint", "list"], "endpoint"),
        (["--config", "discover", "export", "openapi"], "export"),
        (["--debug", "--json", "--config", "c.toml", "discover"], "discover"),
        (["--version"], None),
        ([], None),
        (["--", "discover"], None),
        (["--db"], None),
    ],
)
def test_the_command_is_the_first_word_that_is_no_root_option(
    args: list[str], command: str | None
) -> None:
    assert command_named(args) == command


def test_discover_through_the_console_script_equals_discover_in_process(
    apidisco: Invoke, tmp_path: Path
) -> None:
    capture = tmp_path / "shop.har"
    capture.write_bytes(
        har(
            *[
                entry(url=f"https://shop.example/api/items/{n}", body=f'{{"id": {n}}}')
                for n in range(5)
            ]
        )
    )
    here, there = tmp_path / "here.yaml", tmp_path / "there.yaml"
    assert apidisco("discover", str(capture), "-o", str(here)).exit_code == 0
    finished = subprocess.run(
        [sys.executable, "-m", "apidisco", "--json", "discover", str(capture), "-o", str(there)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    assert there.read_text() == here.read_text()
    assert "/api/items/{itemId}" in yaml.safe_load(there.read_text())["paths"]


def test_the_console_script_leaves_its_objects_to_the_process_end(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["apidisco", "--version"])
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code in (0, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "apidisco" in capsys.readouterr().out


def test_the_root_options_that_take_a_value_are_the_ones_read_past() -> None:
    import click
    import typer.main

    from apidisco.cli import launch
    from apidisco.cli.main import app

    root = typer.main.get_command(app)
    valued = {
        name
        for param in root.params
        if isinstance(param, click.Option) and not param.is_flag
        for name in param.opts
    }
    assert valued == launch._VALUED_OPTIONS
