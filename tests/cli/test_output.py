"""What the CLI prints, and that rich is loaded only when something is printed with it."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from apidisco.cli.output import Output


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    finished = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return [name for name in json.loads(finished.stdout.splitlines()[-1]) if name == "rich"]


def test_the_cli_starts_without_rich() -> None:
    assert _loaded_after("import apidisco.cli.main") == []


def test_a_progress_bar_off_a_terminal_needs_no_rich() -> None:
    code = (
        "from apidisco.cli.output import Output\n"
        "with Output().progress('Reading', 10) as advance:\n"
        "    advance(10)\n"
        "with Output().counting('Counting') as update:\n"
        "    update(1, 2)"
    )
    assert _loaded_after(code + "\nOutput().line('done')") == []  # stdout and stderr: pipes
    assert _loaded_after(code + "\nOutput().table(['a'], [['b']])") == ["rich"]


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "TTY_COMPATIBLE"])
def test_a_stream_declared_a_terminal_gets_its_progress_bars(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "1")
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    with Output().progress("Reading", 10) as advance:
        advance(5)
    with Output().counting("Counting") as update:
        update(1, 2)
    assert "Reading" in stderr.getvalue()
    assert "Counting" in stderr.getvalue()


def test_json_mode_and_plain_streams_get_no_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    with Output().progress("Reading", 10) as advance:
        advance(5)
    monkeypatch.setenv("FORCE_COLOR", "1")
    with Output(json_mode=True).progress("Reading", 10) as advance:
        advance(5)
    assert stderr.getvalue() == ""


def test_lines_off_a_terminal_are_written_as_they_are(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    text = "wrote [bold]a:fire:b.yaml[/bold]"
    Output().success(text)
    Output.error(text)
    captured = capsys.readouterr()
    assert captured.out == text + "\n"
    assert captured.err == f"Error: {text}\n"


def test_lines_on_a_terminal_are_styled_and_still_read_as_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    stdout, stderr = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    text = "wrote [bold]a:fire:b.yaml[/bold]"
    Output().success(text)
    Output.error(text)
    assert "\x1b[" in stdout.getvalue()  # green
    assert text in stdout.getvalue()  # no markup, no emoji
    assert "Error:" in stderr.getvalue()
    assert text in stderr.getvalue()
