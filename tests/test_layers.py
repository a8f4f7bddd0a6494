"""The layer arrows of DESIGN.md hold: checked by importing, and by the linter itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = {
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "psycopg",
    "mitmproxy",
    "typer",
    "click",
    "rich",
    "httpx",
}


def _modules_loaded_by(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return {name.partition(".")[0] for name in json.loads(output)}


@pytest.mark.parametrize(
    "module",
    [
        "apidisco",
        "apidisco.infer",
        "apidisco.errors",
        "apidisco.enums",
        "apidisco.config",
        "apidisco.describe",
        "apidisco.secretbox",
        "apidisco.pricing",
        "apidisco.payments",
        "apidisco.payments.provider",
        "apidisco.introspect",
        "apidisco.cli.launch",  # it starts helpers before the CLI loads
        "apidisco.services.openapi_validation",
    ],
)
def test_importing_loads_no_database_proxy_or_cli_library(module: str) -> None:
    loaded = _modules_loaded_by(f"import {module}")
    assert "apidisco" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & HEAVY)


def test_the_probe_would_notice_a_heavy_import() -> None:
    assert "sqlalchemy" in _modules_loaded_by("import apidisco.store.models")


@pytest.mark.parametrize(
    ("path", "source", "allowed"),
    [
        ("src/apidisco/infer/probe.py", "import sqlalchemy\n", False),
        ("src/apidisco/infer/probe.py", "import random\n", False),
        ("src/apidisco/infer/probe.py", "from datetime import datetime\ndatetime.now()\n", False),
        ("src/apidisco/infer/probe.py", "from apidisco.store import models\n", False),
        ("src/apidisco/infer/probe.py", "import json\n", True),
        ("src/apidisco/cli/probe.py", "import sqlalchemy\n", False),
        ("src/apidisco/cli/probe.py", "import rich\n", False),
        ("src/apidisco/cli/output.py", "import rich\n", True),
        ("src/apidisco/cli/probe.py", "from apidisco.store import models\n", False),
        ("src/apidisco/services/probe.py", "import typer\n", False),
        ("src/apidisco/services/probe.py", "from apidisco.store import models\n", True),
        ("src/apidisco/store/probe.py", "import sqlalchemy\n", True),
        ("src/apidisco/store/probe.py", "import mitmproxy\n", False),
        ("src/apidisco/addon/probe.py", "import mitmproxy\n", True),
        ("src/apidisco/addon/probe.py", "import sqlalchemy\n", False),
        ("src/apidisco/describe/probe.py", "import httpx\n", True),
        ("src/apidisco/describe/probe.py", "from apidisco import config, sensitive\n", True),
        ("src/apidisco/describe/probe.py", "import sqlalchemy\n", False),
        ("src/apidisco/describe/probe.py", "import rich\n", False),
        ("src/apidisco/describe/probe.py", "from apidisco.store import models\n", False),
        ("src/apidisco/describe/probe.py", "from apidisco.cli import main\n", False),
        ("src/apidisco/services/probe.py", "import httpx\n", False),
        ("src/apidisco/payments/probe.py", "import httpx\n", True),
        ("src/apidisco/payments/probe.py", "from apidisco import config, pricing\n", True),
        ("src/apidisco/payments/probe.py", "import sqlalchemy\n", False),
        ("src/apidisco/payments/probe.py", "from apidisco.store import models\n", False),
        ("src/apidisco/payments/probe.py", "from apidisco.services import payments\n", False),
        ("src/apidisco/services/probe.py", "from apidisco.payments import provider\n", True),
        ("src/apidisco/introspect/probe.py", "import httpx\n", True),
        ("src/apidisco/introspect/probe.py", "from apidisco import destinations\n", True),
        ("src/apidisco/introspect/probe.py", "import sqlalchemy\n", False),
        ("src/apidisco/introspect/probe.py", "from apidisco.store import models\n", False),
        ("src/apidisco/introspect/probe.py", "from apidisco.services import exports\n", False),
        ("src/apidisco/errors.py", "import sqlalchemy\n", False),
        ("src/apidisco/replay/probe.py", "import httpx\n", True),
        ("src/apidisco/replay/probe.py", "from apidisco import destinations, sensitive\n", True),
        ("src/apidisco/replay/probe.py", "from apidisco.infer import sequence\n", True),
        ("src/apidisco/replay/probe.py", "import sqlalchemy\n", False),
        ("src/apidisco/replay/probe.py", "from apidisco.store import models\n", False),
        ("src/apidisco/replay/probe.py", "from apidisco.services import replay\n", False),
        ("src/apidisco/replay/probe.py", "import rich\n", False),
        ("src/apidisco/services/probe.py", "from apidisco.replay import client\n", True),
        ("src/apidisco/web/probe.py", "import starlette\n", True),
        ("src/apidisco/web/probe.py", "import jinja2\n", True),
        ("src/apidisco/web/probe.py", "from apidisco.services import site\n", True),
        ("src/apidisco/web/probe.py", "from apidisco.store import models\n", False),
        ("src/apidisco/web/probe.py", "import sqlalchemy\n", False),
        ("src/apidisco/web/probe.py", "from apidisco.cli import main\n", False),
        ("src/apidisco/services/probe.py", "import starlette\n", False),
        ("src/apidisco/services/probe.py", "from apidisco.web import app\n", False),
        ("src/apidisco/store/probe.py", "from apidisco.web import app\n", False),
    ],
)
def test_the_linter_enforces_the_layers(path: str, source: str, allowed: bool) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff), "check", "--select", "TID251", "--no-cache", "--stdin-filename", path, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (result.returncode == 0) is allowed, result.stdout


def test_the_cli_starts_without_the_database_layer() -> None:
    """Commands load services when they run (apidisco.cli.lazy): `--version` and
    `discover` never pay for SQLAlchemy, SQLModel and Alembic."""
    loaded = _modules_loaded_by("import apidisco.cli.main")
    assert "typer" in loaded
    assert loaded.isdisjoint(
        {"sqlalchemy", "sqlmodel", "alembic", "psycopg", "mitmproxy", "starlette", "uvicorn"}
    )
    discovering = _modules_loaded_by(
        "import apidisco.cli.main, apidisco.services.discover, apidisco.services.exports"
    )
    assert discovering.isdisjoint({"sqlalchemy", "sqlmodel", "alembic", "psycopg"})
