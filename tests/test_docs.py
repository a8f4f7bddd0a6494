"""The README, the docs and the changelog say what the code does."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from apidisco import errors
from apidisco.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"


def test_the_readme_holds_the_setup_run_and_test_commands() -> None:
    assert "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'" in README
    assert ".venv/bin/apidisco db seed" in README
    assert ".venv/bin/python -m pytest" in README


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "/bin/pip\" install -e '.[dev]'" in script
    assert re.search(r"^\.venv/bin/python -m pytest", script, re.MULTILINE)


def test_the_cli_reference_is_current() -> None:
    cog = Path(sys.executable).parent / "cog"
    result = subprocess.run(
        [str(cog), "--check", str(DOCS / "cli.md")], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, "docs/cli.md is out of date: run `make docs`"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.name)
def test_every_setting_is_documented(setting: object) -> None:
    text = (DOCS / "configuration.md").read_text()
    row = next((line for line in text.splitlines() if line.startswith(f"| `{setting.name}`")), "")
    assert row, f"{setting.name} has no row in docs/configuration.md"
    for variable in setting.env:
        assert f"`{variable}`" in row, f"{variable} is not documented for {setting.name}"


def test_every_exit_code_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    for name in errors.__all__:
        code = getattr(errors, name).exit_code
        assert re.search(rf"^\| {code} \|", text, re.MULTILINE), f"exit code {code} ({name})"


def test_the_error_tree_in_the_docstring_lists_every_error() -> None:
    assert errors.__doc__ is not None
    for name in errors.__all__:
        error = getattr(errors, name)
        assert re.search(rf"{name}\s+exit {error.exit_code}\b", errors.__doc__), name


def test_the_changelog_keeps_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    sections = re.findall(r"^## \[(.+?)\]", text, re.MULTILINE)
    assert sections, "CHANGELOG.md has no sections"
    assert sections[0] == "Unreleased"


def test_the_lifecycle_table_in_the_docs_is_the_code() -> None:
    from apidisco.lifecycle import TRANSITIONS

    text = (DOCS / "lifecycle.md").read_text()
    documented = {}
    for status, allowed in re.findall(r"^\| ([A-Z]+) \| (.+?) \|$", text, re.MULTILINE):
        documented[status] = set() if allowed == "(nothing)" else set(allowed.split(", "))
    assert documented == {s.value: {t.value for t in targets} for s, targets in TRANSITIONS.items()}
