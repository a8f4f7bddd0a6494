"""Compare two OpenAPI documents on disk: the use case behind ``apidisco diff``.

:func:`diff_files` reads an old and a new OpenAPI 3.x document (YAML or JSON),
hands them to the pure classifier (:func:`apidisco.infer.changes.compare_specs`)
and returns the changes with the verdict a CI job needs: did anything change in
a way that breaks an existing client? A file that cannot be read, is not YAML or
JSON, or is not an OpenAPI 3 document is a :class:`~apidisco.errors.ValidationError`
naming the file. No account and no database are involved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from apidisco.errors import ValidationError
from apidisco.infer.changes import Change, compare_specs

__all__ = ["SpecDiff", "diff_files", "load_spec"]

# libyaml's loader is many times faster on large documents; PyYAML may be built without it.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class SpecDiff:
    """The changes from one document to the other, in the classifier's order."""

    old: Path
    new: Path
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        """The changes that break an existing client."""
        return tuple(change for change in self.changes if change.breaking)


def _one_line(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)


def load_spec(path: Path) -> Mapping[str, Any]:
    """The OpenAPI 3.x document in ``path`` (YAML or JSON, which YAML reads too)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{path}: not a text file (expected UTF-8 YAML or JSON)") from None
    except OSError as error:
        raise ValidationError(f"{path}: cannot read it: {error.strerror or error}") from None
    try:
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        raise ValidationError(f"{path}: not valid YAML or JSON: {_one_line(error)}") from None
    if not isinstance(document, Mapping):
        raise ValidationError(f"{path}: not an OpenAPI document (expected a mapping at the top)")
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        found = f"swagger {document['swagger']}" if "swagger" in document else "no openapi: 3.x"
        raise ValidationError(f"{path}: not an OpenAPI 3 document ({found})")
    paths = document.get("paths", {})
    if paths is not None and not isinstance(paths, Mapping):
        raise ValidationError(f"{path}: paths must be a mapping of path templates")
    return document


def diff_files(old: Path, new: Path) -> SpecDiff:
    """Every change from the document in ``old`` to the one in ``new``."""
    return SpecDiff(old, new, compare_specs(load_spec(old), load_spec(new)))
