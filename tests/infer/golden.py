"""Golden files: compare rendered text with a file kept in the repository.

After a deliberate change to an exporter, regenerate its files and review the
diff before committing::

    APIDISCO_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/infer
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

UPDATE_ENV = "APIDISCO_UPDATE_GOLDEN"


def updating() -> bool:
    """Whether this run rewrites golden files instead of comparing with them."""
    return os.environ.get(UPDATE_ENV, "") not in {"", "0"}


def assert_golden(text: str, path: Path) -> None:
    """``text`` is what ``path`` holds; with ``APIDISCO_UPDATE_GOLDEN=1``, it is written there."""
    if updating():
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path.name} is missing: run with {UPDATE_ENV}=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=str(path.name),
            tofile="rendered",
        )
        raise AssertionError(
            f"{path.name} differs (run with {UPDATE_ENV}=1 and review the diff):\n" + "".join(diff)
        )
