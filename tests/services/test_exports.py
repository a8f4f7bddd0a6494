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
from tests.infer.support import find_tsc
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


def _graphql_and_websocket(database: Database, endpoint_id: str) -> None:
    from datetime import timedelta

    import orjson

    from apidisco.capture.exchange import Exchange, WebSocketMessage
    from apidisco.capture.rows import RowBuilder
    from apidisco.store.repositories.capture import CaptureRepository, complete_call_row
    from tests.services.support import DESTINATION
    from tests.services.traffic import JSON, START

    builder = RowBuilder(endpoint_id)
    batches = []
    for n in range(3):
        request = {
            "query": "query Me($id: ID!) { user(id: $id) { id name } }",
            "variables": {"id": str(n)},
        }
        batches.append(
            builder.exchange(
                Exchange(
                    method="POST",
                    url=f"{DESTINATION}/graphql",
                    request_headers=JSON,
                    request_body=orjson.dumps(request),
                    started=START + timedelta(seconds=n),
                    status=200,
                    response_headers=JSON,
                    response_body=orjson.dumps({"data": {"user": {"id": str(n), "name": f"u{n}"}}}),
                )
            )
        )
    live = f"{DESTINATION.replace('https', 'wss')}/live"
    batches.append(
        builder.exchange(
            Exchange(
                method="GET",
                url=live,
                request_headers=(),
                request_body=None,
                started=START,
                status=101,
                websocket_connection="c1",
            )
        )
    )
    for n, (client, payload) in enumerate(
        [
            (True, {"type": "subscribe", "topic": "a"}),
            (False, {"type": "event", "n": 1}),
            (False, {"type": "event", "n": 2}),
        ]
    ):
        batches.append(
            builder.message(
                WebSocketMessage(
                    "c1",
                    live,
                    client,
                    orjson.dumps(payload),
                    True,
                    START + timedelta(seconds=10 + n),
                )
            )
        )
    with database.transaction() as session:
        CaptureRepository(session).add_calls(
            [complete_call_row(row, endpoint_id) for batch in batches for row in batch.rows]
        )


def test_graphql_sdl_and_asyncapi_exports(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    from graphql import build_schema

    from apidisco.services.asyncapi_validation import validate_asyncapi

    _graphql_and_websocket(database, endpoint_id)
    infer_endpoint(database, user, endpoint_id)
    sdl = export_endpoint(database, user, endpoint_id, "graphql")
    schema = build_schema(sdl)
    user_type = schema.get_type("User")
    assert user_type is not None
    assert set(user_type.fields) == {"id", "name"}  # type: ignore[attr-defined]
    asyncapi = yaml.safe_load(export_endpoint(database, user, endpoint_id, "asyncapi"))
    assert validate_asyncapi(asyncapi) == []
    assert asyncapi["asyncapi"] == "3.0.0"
    openapi = json.loads(export_endpoint(database, user, endpoint_id, "openapi", format="json"))
    graphql = openapi["paths"]["/graphql"]["post"]
    assert graphql["x-graphql-operations"][0]["name"] == "Me"
    assert "/live" not in openapi["paths"]


def test_no_graphql_endpoint_no_sdl(database: Database, user: Actor, endpoint_id: str) -> None:
    store(database, endpoint_id, shop())
    infer_endpoint(database, user, endpoint_id)
    with pytest.raises(ExportError, match="no GraphQL endpoint"):
        export_endpoint(database, user, endpoint_id, "graphql")


def test_markdown_and_typescript_cover_graphql_and_websocket(
    database: Database, user: Actor, endpoint_id: str, tmp_path: Path
) -> None:
    _graphql_and_websocket(database, endpoint_id)
    infer_endpoint(database, user, endpoint_id)
    markdown = export_endpoint(database, user, endpoint_id, "markdown")
    assert "## GraphQL" in markdown
    assert "| `Me` | query | 3 | 0 |" in markdown
    assert "type User {" in markdown
    assert "## WebSocket" in markdown
    assert "- `subscribe` (1)" in markdown
    typescript = export_endpoint(database, user, endpoint_id, "typescript")
    assert "export interface LiveSubscribeClientMessage" in typescript
    assert "export interface LiveEventServerMessage" in typescript
    # The GraphQL endpoint's types, in a namespace apart from the REST declarations.
    namespace = typescript[typescript.index("export namespace GraphQL {") :]
    assert '  export interface User {\n    __typename?: "User";\n    id: string;' in namespace
    assert "  export interface MeQueryVariables {\n    id: string;\n  }" in namespace
    assert "  export interface MeQuery {\n    user: User;\n  }" in namespace
    assert "export namespace" not in typescript[: typescript.index("export namespace GraphQL")]
    (tmp_path / "api.d.ts").write_text(typescript)
    tsc = find_tsc()
    if tsc is not None:
        import subprocess

        result = subprocess.run(
            [tsc, "--strict", "--noEmit", str(tmp_path / "api.d.ts")],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout
