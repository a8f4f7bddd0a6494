"""Every example runs, and says how to run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from apidisco.store.migrate import head_revision

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.py"))


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_every_example_has_a_docstring_with_a_usage_line(script: Path) -> None:
    text = script.read_text()
    assert text.startswith('"""')
    assert f"Usage: python examples/{script.name}" in text


def test_demo_store_seeds_a_new_store_and_is_idempotent(tmp_path: Path) -> None:
    script = next(path for path in EXAMPLES if path.name == "demo_store.py")
    url = f"sqlite:///{tmp_path / 'example.db'}"
    env = {"PATH": "/usr/bin:/bin", "APIDISCO_CONFIG": str(tmp_path / "none.toml")}

    first = subprocess.run(
        [sys.executable, str(script), url], capture_output=True, text=True, env=env
    )
    # A database given by URL is never upgraded behind the user's back.
    assert first.returncode != 0
    assert "run `apidisco db upgrade`" in first.stderr

    env["APIDISCO_DATA_DIR"] = str(tmp_path / "data")
    embedded = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, check=True
    )
    assert embedded.stdout.count("created") == 3
    again = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, check=True
    )
    assert again.stdout.count("already there") == 3
    assert f"revision {head_revision()}" in again.stdout


def test_import_and_inspect_shows_the_calls_with_secrets_masked(tmp_path: Path) -> None:
    from tests.capture.hars import entry, har

    script = next(path for path in EXAMPLES if path.name == "import_and_inspect.py")
    capture = tmp_path / "session.har"
    capture.write_bytes(
        har(
            entry(
                url="https://93.184.216.34/api/items/1",
                headers=[("Authorization", "Bearer s3cr3t-token")],
            ),
            entry(
                method="POST",
                url="https://93.184.216.34/api/items",
                status=201,
                request_body='{"name": "x"}',
            ),
        )
    )
    result = subprocess.run(
        [sys.executable, str(script), str(capture), str(tmp_path / "store.db")],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "APIDISCO_CONFIG": str(tmp_path / "none.toml")},
    )
    assert "imported 2 exchanges, 0 WebSocket messages" in result.stdout
    assert "GET     200  https    https://93.184.216.34/api/items/1" in result.stdout
    assert "POST    201" in result.stdout
    assert "authorization: Bearer ‹masked:" in result.stdout
    assert "s3cr3t-token" not in result.stdout


def test_record_and_document_goes_from_traffic_to_valid_documents(tmp_path: Path) -> None:
    """A real API, a real mitmdump with the addon, a real client; then infer and export."""
    import yaml
    from openapi_spec_validator import validate

    script = next(path for path in EXAMPLES if path.name == "record_and_document.py")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "APIDISCO_CONFIG": str(tmp_path / "none.toml"),
        "APIDISCO_DATA_DIR": str(tmp_path / "data"),
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "made 24 calls" in result.stdout
    assert "from 24 recorded calls" in result.stdout
    spec = yaml.safe_load((tmp_path / "out" / "openapi.yaml").read_text())
    validate(spec)
    assert set(spec["paths"]) == {"/books", "/books/{bookId}", "/books/{bookId}/reviews"}
    assert spec["paths"]["/books/{bookId}"]["get"]["security"] == [{"bearerAuth": []}]
    assert "Get a book by bookId" in (tmp_path / "out" / "API.md").read_text()
    assert "export interface Book" in (tmp_path / "out" / "api.d.ts").read_text()
