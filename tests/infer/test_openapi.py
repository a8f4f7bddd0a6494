"""OpenAPI 3.1 documents from discovered endpoints: valid, named, deterministic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from apidisco.infer.observation import Body, Observation
from apidisco.infer.openapi import ApiDescription, build_openapi, security_scheme_name
from tests.infer.golden import assert_golden
from tests.infer.support import analyse, json_body

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "openapi"

JSON = {"content-type": "application/json"}
JWT = {"authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.‹masked:12345678›"}


def _call(
    method: str, path: str, status: int | None, body: Any = None, **extra: Any
) -> Observation:
    return Observation(
        method,
        path,
        extra.pop("protocol", "https"),
        status=status,
        response_headers=extra.pop("response_headers", JSON if body is not None else {}),
        response_body=json_body(body) if body is not None else Body(),
        **extra,
    )


def _shop() -> list[Observation]:
    traffic = [
        _call(
            "GET",
            f"/users/{n}",
            200,
            {"id": n, "owner": {"id": n, "login": f"o{n}"}},
            request_headers=JWT,
        )
        for n in range(1, 12)
    ]
    traffic += [
        _call("GET", "/users", 200, [{"id": 1}], query=(("page", "1"),), request_headers=JWT),
        _call("GET", "/users", 401, {"error": "no"}),
        _call(
            "POST",
            "/users",
            201,
            {"id": 2},
            request_headers={**JSON, **JWT},
            request_body=json_body({"name": "a"}),
        ),
        _call(
            "POST",
            "/users",
            200,
            {"id": 3},
            request_body=json_body({"name": "b"}),
            request_headers=JSON,
        ),
        _call("DELETE", "/users/3", 204, request_headers=JWT),
        _call(
            "GET",
            "/repos/x/owner",
            200,
            {"id": 1, "login": "o"},
            cors={"access-control-allow-origin": "*"},
        ),
        _call("GET", "/users/9/avatar", None, error="connection refused"),
        _call("GET", "/live", 101, protocol="wss"),
    ]
    return traffic


def _document(traffic: list[Observation], **options: Any) -> dict[str, Any]:
    rows = [resource.columns() for resource in analyse(traffic).resources]
    return build_openapi(
        ApiDescription("Shop", "1.2.0", rows, ("https://shop.example/api",), **options)
    )


def test_the_document_is_valid_and_complete() -> None:
    document = _document(_shop())
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "https://shop.example/api"}]
    assert list(document["paths"]) == [
        "/repos/x/owner",
        "/users",
        "/users/{userId}",
        "/users/{userId}/avatar",
    ]
    assert "/live" not in document["paths"]  # WebSocket endpoints belong to AsyncAPI
    item = document["paths"]["/users/{userId}"]
    assert list(item) == ["get", "delete"]  # the usual method order
    parameter = item["get"]["parameters"][0]
    assert parameter["name"] == "userId"
    assert parameter["in"] == "path"
    assert parameter["schema"]["type"] == "integer"
    assert item["delete"]["responses"] == {"204": {"description": "No Content (no body)"}}


def test_bodies_are_named_components_and_shared_objects_too() -> None:
    document = _document(_shop())
    schemas = document["components"]["schemas"]
    # The list's items ({id}) differ from a single user: UserSummary; the POST answers
    # the same shape, so it shares that component rather than making its own.
    assert set(schemas) == {"CreateUserRequest", "Error", "Owner", "User", "UserSummary"}
    created = document["paths"]["/users"]["post"]["responses"]["201"]["content"]
    assert created["application/json"]["schema"] == {"$ref": "#/components/schemas/UserSummary"}
    get_user = document["paths"]["/users/{userId}"]["get"]["responses"]["200"]["content"]
    assert get_user["application/json"]["schema"] == {"$ref": "#/components/schemas/User"}
    assert schemas["User"]["properties"]["owner"] == {"$ref": "#/components/schemas/Owner"}
    owner = document["paths"]["/repos/x/owner"]["get"]["responses"]["200"]["content"]
    assert owner["application/json"]["schema"] == {"$ref": "#/components/schemas/Owner"}
    body = document["paths"]["/users"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CreateUserRequest"
    }
    # The example: the smallest successful exchange, then the lower status (200).
    assert body["content"]["application/json"]["examples"]["captured"]["value"] == {"name": "b"}


def test_security_schemes_and_requirements() -> None:
    document = _document(_shop())
    assert document["components"]["securitySchemes"] == {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    users = document["paths"]["/users"]
    assert users["get"]["security"] == [{"bearerAuth": []}]  # the anonymous call was refused
    assert users["post"]["security"] == [{}, {"bearerAuth": []}]  # an anonymous call succeeded
    assert "security" not in document["paths"]["/repos/x/owner"]["get"]


def test_extensions_for_pagination_cors_and_failures() -> None:
    document = _document(_shop())
    assert document["paths"]["/users"]["get"]["x-pagination"] == {"style": "page"}
    assert document["paths"]["/repos/x/owner"]["x-cors"]["allowOrigins"] == ["*"]
    avatar = document["paths"]["/users/{userId}/avatar"]["get"]
    assert avatar["responses"] == {"default": {"description": "No response was captured"}}


def test_operation_ids_are_unique() -> None:
    traffic = [_call("GET", "/a/users", 200, {}), _call("GET", "/b/users", 200, {})]
    document = _document(traffic)
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert ids == ["listAUsers", "listBUsers"] or len(set(ids)) == len(ids)


def test_the_same_endpoints_give_the_same_document() -> None:
    traffic = _shop()
    assert _document(traffic) == _document(list(reversed(traffic)))


def test_header_parameters_openapi_ignores_are_left_out() -> None:
    rows = [
        {
            "pattern": "/x",
            "protocol": "https",
            "methods": ["GET"],
            "api_type": "REST",
            "operations": {
                "GET": {
                    "operationId": "getX",
                    "parameters": [
                        {
                            "name": "Accept",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "x-trace",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string"},
                        },
                    ],
                }
            },
            "response_schemas": {"GET": {"200": {}}},
        }
    ]
    document = build_openapi(ApiDescription("X", "1.0.0", rows))
    validate(document)
    assert [p["name"] for p in document["paths"]["/x"]["get"]["parameters"]] == ["x-trace"]


@pytest.mark.parametrize(
    ("credential", "name"),
    [
        ({"kind": "http", "scheme": "bearer"}, "bearerAuth"),
        ({"kind": "http", "scheme": "basic"}, "basicAuth"),
        ({"kind": "apiKey", "location": "header", "name": "x-api-key"}, "apiKeyHeaderXApiKey"),
        ({"kind": "apiKey", "location": "query", "name": "api_key"}, "apiKeyQueryApiKey"),
        ({"kind": "cookie", "location": "cookie", "name": "sessionid"}, "cookieSessionid"),
    ],
)
def test_security_scheme_names(credential: dict[str, str], name: str) -> None:
    assert security_scheme_name(credential) == name


def test_golden_document() -> None:
    """The shop's document as YAML, byte for byte (regenerate: APIDISCO_UPDATE_GOLDEN=1)."""
    document = _document(_shop())
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    assert_golden(text, GOLDEN / "shop.yaml")
