"""``export_endpoint`` and the drift check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from apidisco.errors import ExportError, ValidationError
from apidisco.infer.openapi import ApiDescription
from apidisco.services.actor import Actor
from apidisco.services.exports import check_text, export_endpoint, render
from apidisco.services.inference import infer_endpoint
from apidisco.store.database import Database
from tests.services.traffic import shop, store


def test_every_kind_exports_from_the_inferred_api(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    store(database, endpoint_id, shop())
    infer_endpoint(database, user, endpoint_id)
    as_yaml = yaml.safe_load(export_endpoint(database, user, endpoint_id, "openapi"))
    as_json = json.loads(export_endpoint(database, user, endpoint_id, "openapi", format="json"))
    assert as_yaml == as_json
    validate(as_json)
    assert as_json["info"]["title"] == "Shop"
    assert as_json["servers"] == [{"url": "https://93.184.216.34/api"}]
    assert "/users/{userId}" in as_json["paths"]
    markdown = export_endpoint(database, user, endpoint_id, "markdown")
    assert "/users/{userId}" in markdown
    typescript = export_endpoint(database, user, endpoint_id, "typescript")
    assert "export interface" in typescript
    assert export_endpoint(database, user, endpoint_id, "openapi") == export_endpoint(
        database, user, endpoint_id, "openapi"
    )


def test_nothing_to_export_before_inference(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    with pytest.raises(ExportError, match="run `apidisco infer"):
        export_endpoint(database, user, endpoint_id, "openapi")


def test_unknown_kinds_and_formats() -> None:
    api = ApiDescription("x", "1.0.0", [])
    with pytest.raises(ValidationError, match="unknown export"):
        render("pdf", api)
    with pytest.raises(ValidationError, match="unknown format"):
        render("openapi", api, format="xml")


def test_an_invalid_document_is_never_returned() -> None:
    broken = {
        "pattern": "/x",
        "protocol": "https",
        "methods": ["GET"],
        "api_type": "REST",
        "response_schemas": {"GET": {"200": {"application/json": {"type": "no-such-type"}}}},
    }
    with pytest.raises(ExportError, match="would not be valid"):
        render("openapi", ApiDescription("x", "1.0.0", [broken]))


def test_check_text(tmp_path: Path) -> None:
    target = tmp_path / "spec.yaml"
    missing = check_text(target, "a: 1\n")
    assert not missing.matches
    assert missing.missing
    target.write_text("a: 1\n")
    assert check_text(target, "a: 1\n").matches
    drift = check_text(target, "a: 2\n")
    assert not drift.matches
    assert "-a: 1\n+a: 2\n" in drift.diff
