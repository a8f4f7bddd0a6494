"""``apidisco diff``: two OpenAPI documents in, classified changes and a CI exit status out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.capture.hars import entry, har
from tests.cli.conftest import Invoke, json_of

BASE = "https://shop.example/api"


def _discovered(apidisco: Invoke, path: Path, entries: list[dict[str, Any]]) -> Path:
    """The OpenAPI document ``apidisco discover`` writes for these HAR entries."""
    capture = path.with_suffix(".har")
    capture.write_bytes(har(*entries))
    result = apidisco("discover", str(capture), "-o", str(path), "--base-url", BASE)
    assert result.exit_code == 0, result.stderr
    return path


def _items(**fields: Any) -> list[dict[str, Any]]:
    return [
        entry(url=f"{BASE}/items/{n}", body=orjson.dumps({"id": n, **fields}).decode())
        for n in range(1, 6)
    ]


@pytest.fixture
def specs(apidisco: Invoke, tmp_path: Path) -> dict[str, Path]:
    """Documents discovered from a shop's traffic, before and after it changed."""
    return {
        "old": _discovered(apidisco, tmp_path / "old.yaml", _items(price=1.5)),
        "same": _discovered(apidisco, tmp_path / "same.json", _items(price=2.5)),
        "added": _discovered(apidisco, tmp_path / "added.yaml", _items(price=1.5, isbn="x")),
        "typed": _discovered(apidisco, tmp_path / "typed.yaml", _items(price="1.50")),
        "mixed": _discovered(
            apidisco,
            tmp_path / "mixed.yaml",
            _items(price="1.50") + [entry(url=f"{BASE}/orders", body="[]")],
        ),
    }


def test_no_change_exits_0(apidisco: Invoke, specs: dict[str, Path]) -> None:
    result = apidisco("diff", str(specs["old"]), str(specs["same"]))  # YAML against JSON
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "No changes."
    assert json_of(apidisco("--json", "diff", str(specs["old"]), str(specs["same"]))) == []


def test_a_compatible_change_is_listed_and_exits_0(
    apidisco: Invoke, specs: dict[str, Path]
) -> None:
    result = apidisco("diff", str(specs["old"]), str(specs["added"]))
    assert result.exit_code == 0, result.stderr
    assert "SCHEMA_CHANGED" in result.stdout
    assert "200 response field $.isbn was added" in result.stdout
    assert "BREAKING" not in result.stdout
    assert "1 change, 0 breaking." in result.stdout
    only = apidisco("diff", "--breaking-only", str(specs["old"]), str(specs["added"]))
    assert only.exit_code == 0
    assert only.stdout.strip() == "No breaking changes."


def test_a_breaking_change_exits_1(apidisco: Invoke, specs: dict[str, Path]) -> None:
    result = apidisco("diff", str(specs["old"]), str(specs["typed"]))
    assert result.exit_code == 1
    assert "BREAKING" in result.stdout
    assert "$.price changed type from number to string" in result.stdout
    assert "1 change, 1 breaking." in result.stdout
    assert result.stderr == ""
    back = apidisco("diff", str(specs["typed"]), str(specs["old"]))
    assert back.exit_code == 1  # string → number breaks readers both ways


def test_json_output_shape(apidisco: Invoke, specs: dict[str, Path]) -> None:
    result = apidisco("--json", "diff", str(specs["old"]), str(specs["mixed"]))
    assert result.exit_code == 1
    changes = json_of(result)
    assert changes == [
        {
            "type": "SCHEMA_CHANGED",
            "description": "GET /items/{itemId}: 200 response field $.price changed type "
            "from number to string",
            "breaking": True,
            "pattern": "/items/{itemId}",
            "method": "GET",
            "differences": [
                {
                    "path": "$.price",
                    "kind": "type",
                    "old": "number",
                    "new": "string",
                    "breaking": True,
                    "reason": "200 response field $.price changed type from number to string",
                }
            ],
        },
        {
            "type": "NEW_ENDPOINT",
            "description": "New endpoint /orders (GET)",
            "breaking": False,
            "pattern": "/orders",
            "method": None,
            "differences": [],
        },
    ]
    only = json_of(
        apidisco("--json", "diff", "--breaking-only", str(specs["old"]), str(specs["mixed"]))
    )
    assert isinstance(only, list)
    assert [change["type"] for change in only] == ["SCHEMA_CHANGED"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("openapi: [3.1\n", "not valid YAML or JSON"),
        ('{"openapi": "3.1.0", "paths": {', "not valid YAML or JSON"),
        ("swagger: '2.0'\npaths: {}\n", "not an OpenAPI 3 document (swagger 2.0)"),
        ("- a\n- b\n", "not an OpenAPI document"),
        ("openapi: 3.1.0\npaths: [1]\n", "paths must be a mapping"),
        (b"\xff\xfe\x00", "not a text file"),
    ],
)
def test_a_bad_document_is_one_line_and_exit_2(
    apidisco: Invoke, specs: dict[str, Path], tmp_path: Path, content: Any, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is not None:
        bad.write_text(content)
    for args in ((str(bad), str(specs["old"])), (str(specs["old"]), str(bad))):
        result = apidisco("diff", *args)
        assert result.exit_code == 2, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"Error: {bad}: ")
        assert message in lines[0]
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_a_directory_is_refused(apidisco: Invoke, specs: dict[str, Path], tmp_path: Path) -> None:
    result = apidisco("diff", str(tmp_path), str(specs["old"]))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {tmp_path}: cannot read it")
