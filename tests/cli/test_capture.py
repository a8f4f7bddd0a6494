"""``apidisco capture import`` and ``apidisco calls`` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.capture.hars import entry, har
from tests.cli.conftest import Invoke, json_of


@pytest.fixture
def logged_in(fresh_store: Invoke) -> Invoke:
    """A fresh store with one account, ann, logged in."""
    for args in (["account", "signup"], ["account", "login"]):
        result = fresh_store(
            *args, "--email", "ann@example.com", "--password-stdin", input="long password\n"
        )
        assert result.exit_code == 0, result.stderr
    return fresh_store


def test_import_then_list_and_show(logged_in: Invoke, tmp_path: Path) -> None:
    endpoint = json_of(logged_in("--json", "endpoint", "create", "https://93.184.216.34"))["id"]
    capture = tmp_path / "session.har"
    capture.write_bytes(har(entry(), entry(method="POST", status=201, request_body='{"a": 1}')))

    result = logged_in("capture", "import", str(capture), "--endpoint", endpoint)
    assert result.exit_code == 0, result.stderr
    assert "Imported 2 exchanges and 0 WebSocket messages (2 rows)" in result.stdout

    listed = json_of(logged_in("--json", "calls", "list", endpoint, "--method", "post"))
    assert [(c["method"], c["response_status"]) for c in listed] == [("POST", 201)]
    shown = json_of(logged_in("--json", "calls", "show", listed[0]["id"]))
    assert shown["request_body_json"] == {"a": 1}
    table = logged_in("calls", "list", endpoint)
    assert table.exit_code == 0
    assert table.stdout.count("shop.example") == 2


def test_a_malformed_file_is_one_line_and_imports_nothing(
    logged_in: Invoke, tmp_path: Path
) -> None:
    endpoint = json_of(logged_in("--json", "endpoint", "create", "https://93.184.216.34"))["id"]
    broken = tmp_path / "broken.har"
    broken.write_bytes(har(entry(), {"request": {}}))
    result = logged_in("capture", "import", str(broken), "--endpoint", endpoint)
    assert result.exit_code == 9
    assert result.stderr.count("\n") == 1
    assert "broken.har: entry 2 is malformed" in result.stderr
    assert json_of(logged_in("--json", "calls", "list", endpoint)) == []
