"""``apidisco export``, ``document`` and ``discover`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from openapi_spec_validator import validate

from tests.capture.hars import entry, har
from tests.cli.conftest import Invoke, json_of


def test_export_to_stdout_and_files(captured: tuple[Invoke, str], tmp_path: Path) -> None:
    apidisco, endpoint = captured
    assert apidisco("infer", endpoint).exit_code == 0
    printed = apidisco("export", "openapi", endpoint)
    assert printed.exit_code == 0, printed.stderr
    validate(yaml.safe_load(printed.stdout))
    spec = tmp_path / "spec.json"
    written = apidisco("export", "openapi", endpoint, "-o", str(spec))
    assert written.exit_code == 0, written.stderr
    assert json.loads(spec.read_text())["paths"].keys() == {"/items", "/items/{itemId}"}
    for kind, name in (("markdown", "api.md"), ("typescript", "api.d.ts")):
        result = apidisco("export", kind, endpoint, "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / name).read_text().endswith("\n")


def test_check_matches_drifts_and_misses(captured: tuple[Invoke, str], tmp_path: Path) -> None:
    apidisco, endpoint = captured
    apidisco("infer", endpoint)
    spec = tmp_path / "spec.yaml"
    missing = apidisco("export", "openapi", endpoint, "--check", str(spec))
    assert missing.exit_code == 1
    assert "does not exist" in missing.stdout
    assert not spec.exists()
    apidisco("export", "openapi", endpoint, "-o", str(spec))
    same = apidisco("export", "openapi", endpoint, "--check", str(spec))
    assert same.exit_code == 0, same.stdout
    assert "is up to date" in same.stdout
    spec.write_text(spec.read_text().replace("List items", "List things"))
    drift = apidisco("export", "openapi", endpoint, "--check", str(spec))
    assert drift.exit_code == 1
    assert "-      summary: List things\n+      summary: List items" in drift.stdout
    as_json = json_of(apidisco("--json", "export", "openapi", endpoint, "--check", str(spec)))
    assert as_json["matches"] is False


def test_export_errors_are_one_line(captured: tuple[Invoke, str]) -> None:
    apidisco, endpoint = captured
    before = apidisco("export", "openapi", endpoint)
    assert before.exit_code == 10
    assert "run `apidisco infer" in before.stderr
    unknown = apidisco("export", "pdf", endpoint)
    assert unknown.exit_code == 2
    assert unknown.stderr.count("\n") == 1


def test_document_runs_the_lifecycle(captured: tuple[Invoke, str]) -> None:
    apidisco, endpoint = captured
    result = apidisco("document", endpoint)
    assert result.exit_code == 0, result.stderr
    assert "is COMPLETE" in result.stdout
    shown = json_of(apidisco("--json", "endpoint", "show", endpoint))
    assert shown["status"] == "COMPLETE"
    again = json_of(apidisco("--json", "document", endpoint))
    assert {d["change"] for d in again["documents"]} == {"none"}


def test_discover_writes_every_document_without_a_store(apidisco: Invoke, tmp_path: Path) -> None:
    capture = tmp_path / "shop.har"
    capture.write_bytes(
        har(
            *[
                entry(url=f"https://shop.example/api/items/{n}", body=f'{{"id": {n}}}')
                for n in range(5)
            ]
        )
    )
    spec, docs, types = tmp_path / "spec.yaml", tmp_path / "api.md", tmp_path / "api.d.ts"
    result = apidisco(
        "discover",
        str(capture),
        "-o",
        str(spec),
        "--markdown",
        str(docs),
        "--typescript",
        str(types),
        "--base-url",
        "https://shop.example/api",
    )
    assert result.exit_code == 0, result.stderr
    assert "1 endpoints from 5 calls to https://shop.example" in result.stdout
    validate(yaml.safe_load(spec.read_text()))
    assert "/items/{itemId}" in docs.read_text()
    assert "export interface" in types.read_text()
    data_dir = tmp_path / "data"
    assert not (data_dir / "apidisco.db").exists()  # no store was made


def test_discover_refuses_bad_input_and_writes_nothing(apidisco: Invoke, tmp_path: Path) -> None:
    capture = tmp_path / "shop.har"
    capture.write_bytes(har(entry()))
    spec = tmp_path / "spec.yaml"
    result = apidisco(
        "discover", str(capture), "-o", str(spec), "--base-url", "https://elsewhere.example"
    )
    assert result.exit_code == 9
    assert "no HTTP calls under" in result.stderr
    assert not spec.exists()
