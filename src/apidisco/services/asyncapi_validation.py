"""AsyncAPI 3.0 documents checked against the official JSON Schema.

The schema is vendored (``data/asyncapi-3.0.0.json``, from the npm package
``@asyncapi/specs``, Apache-2.0; see ``data/README.md``): its ``$ref`` s are all
local, so a draft-07 validator from ``jsonschema`` checks a document with no
network. :func:`validate_asyncapi` lists the problems;
:func:`validated_asyncapi` builds the document of an API and refuses to return
an invalid one, as the OpenAPI export does.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from apidisco.errors import ExportError
from apidisco.infer.asyncapi import build_asyncapi
from apidisco.infer.openapi import ApiDescription

__all__ = ["asyncapi_schema", "validate_asyncapi", "validated_asyncapi"]

SCHEMA_FILE = "asyncapi-3.0.0.json"


@functools.cache
def _schema_text() -> str:
    return resources.files("apidisco.services").joinpath("data", SCHEMA_FILE).read_text("utf-8")


def asyncapi_schema() -> dict[str, Any]:
    """The AsyncAPI 3.0.0 JSON Schema (a fresh copy)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft7Validator  # type: ignore[import-untyped]

    return Draft7Validator(asyncapi_schema())


def _where(path: Any) -> str:
    return "/" + "/".join(str(part) for part in path)


def validate_asyncapi(document: Mapping[str, Any]) -> list[str]:
    """Every way ``document`` breaks the AsyncAPI 3.0.0 schema, as ``/path: message``
    lines (sorted); empty when it is valid.

    A failed ``oneOf`` or ``anyOf`` is reported by the reason found deepest inside
    the document (the first such), so the line names the offending field rather
    than the alternatives it did not match.
    """
    problems = set()
    for error in _validator().iter_errors(document):
        deepest = _deepest(error)
        problems.add(f"{_where(deepest.absolute_path)}: {deepest.message}")
    return sorted(problems)


def _deepest(error: Any) -> Any:
    while error.context:
        error = max(error.context, key=lambda branch: len(_deepest(branch).absolute_path))
    return error


def validated_asyncapi(api: ApiDescription) -> dict[str, Any]:
    """The AsyncAPI document of ``api``; :class:`ExportError` if it would not be valid."""
    document = build_asyncapi(api)
    problems = validate_asyncapi(document)
    if problems:
        raise ExportError(
            f"the AsyncAPI document would not be valid ({problems[0]}); nothing was written"
        )
    return document
