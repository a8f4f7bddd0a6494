"""A wheel built from the checkout works on its own, migrations included."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from apidisco.store.migrate import head_revision

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_an_installed_wheel_upgrades_and_seeds_a_new_store(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("apidisco-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "apidisco/migrations/env.py" in names
    assert any(name.startswith("apidisco/migrations/versions/") for name in names)

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    subprocess.run(
        [str(environment / "bin" / "pip"), "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    apidisco = str(environment / "bin" / "apidisco")
    store = f"sqlite:///{tmp_path / 'store.db'}"
    env = {
        "PATH": "/usr/bin:/bin",
        "APIDISCO_CONFIG": str(tmp_path / "none.toml"),
        "APIDISCO_DATA_DIR": str(tmp_path / "data"),
    }

    def run(*args: str) -> str:
        # From a folder outside the checkout, so nothing can be found through it.
        result = subprocess.run(
            [apidisco, "--db", store, *args], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert f"to revision {head_revision()}" in run("db", "upgrade")
    assert run("db", "seed").count("created") == 3
    assert "No drift" in run("db", "check")
