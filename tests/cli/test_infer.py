"""``apidisco infer`` from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke, json_of


def test_infer_prints_a_table_and_stores_the_model(captured: tuple[Invoke, str]) -> None:
    apidisco, endpoint = captured
    result = apidisco("infer", endpoint)
    assert result.exit_code == 0, result.stderr
    assert "/items/{itemId}" in result.stdout
    assert "2 discovered endpoints: 2 new" in result.stdout

    again = json_of(apidisco("--json", "infer", endpoint))
    assert again["created"] == 0
    assert again["unchanged"] == 2
    assert [r["pattern"] for r in again["resources"]] == ["/items", "/items/{itemId}"]
    assert again["resources"][0]["pagination_type"] == "page"
    listed = json_of(apidisco("--json", "calls", "list", endpoint))
    assert {c["endpoint_pattern"] for c in listed} == {"/items", "/items/{itemId}"}


def test_explain_pins_and_templates_file(captured: tuple[Invoke, str], tmp_path: Path) -> None:
    apidisco, endpoint = captured
    explained = apidisco("infer", endpoint, "--explain")
    assert explained.exit_code == 0, explained.stderr
    assert "[{itemId}] shape: integer in 5 of 5 distinct values under /items" in explained.stdout

    rules = tmp_path / "templates.toml"
    rules.write_text('pin = ["/items/{sku}", "/nowhere/{x}"]\n')
    pinned = apidisco("infer", endpoint, "--templates", str(rules))
    assert pinned.exit_code == 0, pinned.stderr
    assert "/items/{sku}" in pinned.stdout
    assert "pin /nowhere/{x} matched no captured path" in pinned.stdout

    forbidden = json_of(apidisco("--json", "infer", endpoint, "--forbid", "/items/{}"))
    assert "/items/3" in [r["pattern"] for r in forbidden["resources"]]


def test_bad_input_is_one_line(captured: tuple[Invoke, str], tmp_path: Path) -> None:
    apidisco, endpoint = captured
    bad_pin = apidisco("infer", endpoint, "--pin", "items/{")
    assert bad_pin.exit_code == 2
    assert bad_pin.stderr.count("\n") == 1
    broken = tmp_path / "broken.toml"
    broken.write_text("pin = [")
    result = apidisco("infer", endpoint, "--templates", str(broken))
    assert result.exit_code == 2
    assert "not valid TOML" in result.stderr
    unknown = apidisco("infer", "no-such-endpoint")
    assert unknown.exit_code == 3
