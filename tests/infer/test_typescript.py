"""TypeScript declarations from OpenAPI documents: golden files, one test per rule, and tsc.

Golden files (:mod:`tests.infer.golden`): every ``tests/data/typescript/<name>.json``
(an OpenAPI document) is rendered and compared with ``<name>.d.ts`` beside it.
After a deliberate change, regenerate them and review the diff::

    APIDISCO_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/infer/test_typescript.py

Compilation: every file these tests generate (the golden documents' and every
``CASES`` document's) is checked by one ``tsc --strict --noEmit`` run. ``tsc`` is
looked for in ``.cache/node`` (``npm install --prefix .cache/node typescript@5``)
and then on ``PATH``; without Node or tsc the test is skipped, unless
``APIDISCO_TEST_REQUIRE_TSC=1`` (CI sets it), which makes it fail instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from apidisco.infer.typescript import EXAMPLE_LIMIT, render_typescript
from tests.infer.golden import assert_golden
from tests.infer.support import find_tsc

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "typescript"
DOCS = ROOT / "docs" / "exports.md"
REQUIRE_TSC = os.environ.get("APIDISCO_TEST_REQUIRE_TSC", "") not in {"", "0"}
NO_TSC = "Node or tsc not found: run `npm install --prefix .cache/node typescript@5`"


def _schemas(**schemas: Any) -> dict[str, Any]:
    """A document with these ``components.schemas`` and no operations."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Test", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def _operation(path: str, method: str, operation: dict[str, Any], **schemas: Any) -> dict[str, Any]:
    """A document with one operation (and these ``components.schemas``)."""
    return {**_schemas(**schemas), "paths": {path: {method: operation}}}


def _json(schema: Any, status: str = "200") -> dict[str, Any]:
    return {status: {"description": "OK", "content": {"application/json": {"schema": schema}}}}


USER = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}

#: One small document per rule; the tests below read them, and tsc compiles them all.
CASES: dict[str, dict[str, Any]] = {
    "enums": _schemas(
        Status={"type": "string", "enum": ["open", "closed"]},
        MaybeStatus={"type": ["null", "string"], "enum": ["open", "closed"]},
        Level={"type": "integer", "enum": [1, 2, 3]},
        Quoted={"type": "string", "enum": ['say "hi"', "two\nlines"]},
        Kind={"const": "user"},
    ),
    "nullable": _schemas(
        Name={"type": ["null", "string"]},
        Maybe={"type": ["object", "null"], "properties": {"id": {"type": "integer"}}},
        Mixed={"type": ["integer", "null", "string"]},
        Holder={
            "type": "object",
            "properties": {"note": {"type": ["null", "string"]}, "count": {"type": "integer"}},
            "required": ["note"],
        },
    ),
    "maps": _schemas(
        Counts={"type": "object", "additionalProperties": {"type": "integer"}},
        Holder={
            "type": "object",
            "properties": {"tags": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        Labelled={
            "type": "object",
            "properties": {"name": {"type": "string"}, "size": {"type": "integer"}},
            "required": ["name"],
            "additionalProperties": {"type": "boolean"},
        },
        Open={"type": "object"},
        Closed={"type": "object", "additionalProperties": False},
    ),
    "combinators": _schemas(
        User=USER,
        Pet={"type": "object", "properties": {"name": {"type": "string"}}},
        Owner={"anyOf": [{"$ref": "#/components/schemas/User"}, {"type": "null"}]},
        Either={"oneOf": [{"$ref": "#/components/schemas/User"}, {"type": "string"}]},
        Both={
            "allOf": [{"$ref": "#/components/schemas/User"}, {"$ref": "#/components/schemas/Pet"}]
        },
        Shapes={"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
    ),
    "refs": _schemas(
        user_profile={"type": "object", "properties": {"name": {"type": "string"}}},
        Account={
            "type": "object",
            "properties": {
                "profile": {"$ref": "#/components/schemas/user_profile"},
                "ghost": {"$ref": "#/components/schemas/Missing"},
                "remote": {"$ref": "https://example.com/schemas/x.json"},
                "slashed": {"$ref": "#/components/schemas/a~1b"},
            },
        },
        **{"a/b": {"type": "string"}},
    ),
    "identifiers": _operation(
        "/things/{thing-id}",
        "get",
        {
            "operationId": "get-thing",
            "parameters": [
                {"name": "thing-id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "X-Api-Version", "in": "header", "schema": {"type": "string"}},
                {"name": "filter[name]", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": _json({"$ref": "#/components/schemas/Thing"}),
        },
        Thing={
            "type": "object",
            "properties": {
                "content-type": {"type": "string"},
                "2nd": {"type": "integer"},
                "class": {"type": "string"},
                "$ref_count": {"type": "integer"},
                "naïve": {"type": "boolean"},
            },
        },
    ),
    "reserved": _schemas(
        Record={"type": "object", "properties": {"id": {"type": "string"}}},
        string={"type": "string"},
        Blob={"type": "string", "contentMediaType": "image/png"},
        interface={"type": "integer"},
        Error={"type": "object", "properties": {"message": {"type": "string"}}},
        **{"404": {"type": "string"}, "": {"type": "boolean"}},
    ),
    "collisions": {
        **_schemas(
            User=USER,
            user={"type": "object", "properties": {"name": {"type": "string"}}},
            user_={"type": "string"},
            GetUserResponse={"type": "object", "properties": {"ok": {"type": "boolean"}}},
            CreateUserRequest={"type": "object", "properties": {"name": {"type": "string"}}},
        ),
        "paths": {
            "/users": {
                "post": {
                    "operationId": "createUser",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/CreateUserRequest"}
                            }
                        },
                    },
                    "responses": _json({"$ref": "#/components/schemas/User"}, "201"),
                }
            },
            "/users/{id}": {
                "get": {
                    "operationId": "getUser",
                    "parameters": [{"name": "id", "in": "path", "schema": {"type": "integer"}}],
                    "responses": _json({"$ref": "#/components/schemas/User"}),
                },
                "put": {
                    "operationId": "get_user",
                    "responses": _json({"$ref": "#/components/schemas/User"}),
                },
            },
        },
    },
    "empty": _schemas(
        Anything={},
        Always=True,
        Never=False,
        Nothing={"type": "null"},
        NoBranch={"anyOf": []},
        Described={"description": "Only a description."},
        Swagger2File={"type": "file"},
        Untyped={"properties": {"id": {"type": "integer"}}, "required": ["id"]},
        UntypedList={"items": {"type": "string"}},
        NullKeys={"type": "object", "additionalProperties": None},
        Bag={
            "type": "object",
            "properties": {
                "any": {},
                "blank": {"type": "object"},
                "no": False,
                "shape": {"properties": {"x": {"type": "integer"}}},
            },
        },
    ),
    "arrays": _schemas(
        Item=USER,
        Mixed={"type": "array", "items": {"type": ["integer", "string"]}},
        Optional={
            "type": "array",
            "items": {"anyOf": [{"$ref": "#/components/schemas/Item"}, {"type": "null"}]},
        },
        Grid={"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
        Untyped={"type": "array"},
        Records={
            "type": "array",
            "items": {"type": "object", "properties": {"x": {"type": "integer"}}},
        },
        Nullable={"type": ["array", "null"], "items": {"type": "string"}},
    ),
    "no-content": _operation(
        "/users/{id}",
        "delete",
        {
            "operationId": "deleteUser",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {
                "204": {"description": "No Content"},
                "404": {
                    "description": "Not Found",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
            },
        },
    ),
    "some-content": _operation(
        "/jobs",
        "post",
        {
            "operationId": "startJob",
            "responses": {
                **_json({"$ref": "#/components/schemas/Job"}),
                "202": {"description": "Accepted"},
            },
        },
        Job={"type": "object", "properties": {"id": {"type": "string"}}},
    ),
    "bodies": {
        **_schemas(User=USER),
        "paths": {
            "/users": {
                "post": {
                    "operationId": "createUser",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/xml": {"schema": {"type": "string"}},
                            "application/json; charset=utf-8": {
                                "schema": {
                                    "type": "object",
                                    "description": "The new user.",
                                    "properties": {"name": {"type": "string"}},
                                    "required": ["name"],
                                }
                            },
                        },
                    },
                    "responses": _json({"$ref": "#/components/schemas/User"}, "201"),
                }
            },
            "/files": {
                "post": {
                    "operationId": "uploadFile",
                    "requestBody": {
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "title": {"type": "string"},
                                        "file": {"type": "string", "contentMediaType": "image/png"},
                                        "attachments": {
                                            "type": "array",
                                            "items": {"type": "string", "format": "binary"},
                                        },
                                        "notes": {
                                            "type": "string",
                                            "contentMediaType": "text/plain",
                                        },
                                    },
                                    "required": ["file"],
                                }
                            }
                        }
                    },
                    "responses": {"201": {"description": "Created"}},
                },
                "put": {
                    "operationId": "replaceFile",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/octet-stream": {"schema": {"type": "string"}},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "image/png": {
                                    "schema": {"type": "string", "contentMediaType": "image/png"}
                                },
                                "application/problem+json": {
                                    "schema": {"$ref": "#/components/schemas/User"}
                                },
                            },
                        }
                    },
                },
            },
        },
    },
    "parameters": {
        **_schemas(),
        "paths": {
            "/orgs/{org}/members": {
                "parameters": [
                    {"name": "org", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"$ref": "#/components/parameters/Limit"},
                    {"$ref": "#/components/parameters/Loop"},
                    {"$ref": "https://example.com/parameters.json#/Page"},
                ],
                "get": {
                    "operationId": "listMembers",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "required": True,
                            "description": "At most this many.",
                            "schema": {"type": "integer"},
                        },
                        {"name": "role", "in": "query", "schema": {"enum": ["admin", "member"]}},
                        {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                        {
                            "name": "filter",
                            "in": "query",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                    ],
                    "responses": _json({"type": "array", "items": {"type": "string"}}),
                },
                "head": {"responses": {"200": {}}},
            }
        },
        "components": {
            "schemas": {},
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                "Loop": {"$ref": "#/components/parameters/Loop"},
            },
        },
    },
    "documentation": {
        **_schemas(
            Event={
                "type": "object",
                "description": "Something that happened.\n\nSee */docs/events.",
                "properties": {
                    "at": {
                        "type": "string",
                        "format": "date-time",
                        "examples": ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"],
                    },
                    "kind": {
                        "type": "string",
                        "examples": ["a", "b", "c", "d", "e"],
                        "default": "a",
                        "deprecated": True,
                    },
                },
            }
        ),
        "info": {"title": "Events\nAPI */", "version": "2.0.0"},
    },
    "hostile": _operation(
        "/x\nexport const injected = 1; /*",
        "get",
        {
            "operationId": "get*/Thing\nexport const alsoInjected = 2;",
            "summary": "Ends */ comments\nexport const third = 3;",
            "responses": {"200": {"description": "*/ export const fourth = 4; /*"}},
        },
    ),
    "fallbacks": {
        **_schemas(Error={"type": "object", "properties": {"message": {"type": "string"}}}),
        "paths": {
            "/health": {
                "get": {"responses": _json({"type": "string"}, "default")},
                "post": {"operationId": "ping"},
            },
            "/items/{id}/tags": {"get": {"responses": _json({"type": "boolean"}, "2XX")}},
        },
    },
}


def _declaration(text: str, name: str) -> str:
    """The declaration of ``name`` in ``text`` (without its JSDoc)."""
    for block in text.split("\n\n"):
        match = re.search(rf"^export (?:interface|type) {name}\b.*", block, re.M | re.S)
        if match:
            return match.group(0)
    raise AssertionError(f"{name} is not declared in:\n{text}")


def _render(case: str) -> str:
    return render_typescript(CASES[case])


# -- golden files --------------------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(GOLDEN.glob("*.json")), ids=lambda path: path.stem)
def test_golden_files(source: Path) -> None:
    assert_golden(render_typescript(json.loads(source.read_text())), source.with_suffix(".d.ts"))


def test_there_are_golden_files() -> None:
    assert len(list(GOLDEN.glob("*.json"))) >= 3


# -- one test per rule ---------------------------------------------------------------------


def test_enums_are_literal_unions() -> None:
    text = _render("enums")
    assert 'export type Status = "open" | "closed";' in text
    assert 'export type MaybeStatus = "open" | "closed" | null;' in text
    assert "export type Level = 1 | 2 | 3;" in text
    assert r'export type Quoted = "say \"hi\"" | "two\nlines";' in text
    assert 'export type Kind = "user";' in text


def test_nullable_types_end_in_null() -> None:
    text = _render("nullable")
    assert "export type Name = string | null;" in text
    assert _declaration(text, "Maybe") == "export type Maybe = {\n  id?: number;\n} | null;"
    assert "export type Mixed = number | string | null;" in text
    assert "  note: string | null;\n  count?: number;\n" in _declaration(text, "Holder")


def test_maps_are_index_signatures() -> None:
    text = _render("maps")
    assert _declaration(text, "Counts") == "export interface Counts {\n  [key: string]: number;\n}"
    assert "  tags?: { [key: string]: string };" in text
    # TypeScript wants every property to fit the index signature: it is widened.
    assert "  [key: string]: boolean | string | number | undefined;" in text
    assert "export interface Open {\n  [key: string]: unknown;\n}" in text
    assert "export interface Closed {\n  [key: string]: never;\n}" in text


def test_any_of_and_one_of_are_unions_all_of_an_intersection() -> None:
    text = _render("combinators")
    assert "export type Owner = User | null;" in text
    assert "export type Either = User | string;" in text
    assert "export type Both = User & Pet;" in text
    assert "export type Shapes = string[] | { [key: string]: unknown };" in text


def test_refs_name_components_and_unknown_elsewhere() -> None:
    text = _render("refs")
    account = _declaration(text, "Account")
    assert "  profile?: UserProfile;" in account
    assert "  ghost?: unknown;" in account
    assert "  remote?: unknown;" in account
    assert "  slashed?: AB;" in account
    assert "export interface UserProfile {" in text
    assert "export type AB = string;" in text


def test_names_that_are_not_identifiers_are_quoted() -> None:
    text = _render("identifiers")
    thing = _declaration(text, "Thing")
    assert '  "content-type"?: string;' in thing
    assert '  "2nd"?: number;' in thing
    assert "  class?: string;" in thing  # a reserved word is a valid property name
    assert "  $ref_count?: number;" in thing
    assert '  "naïve"?: boolean;' in thing
    assert 'export interface GetThingPathParams {\n  "thing-id": string;\n}' in text
    assert '  "X-Api-Version"?: string;' in _declaration(text, "GetThingHeaders")
    assert '  "filter[name]"?: string;' in _declaration(text, "GetThingQuery")


def test_reserved_words_and_global_types_are_never_names() -> None:
    text = _render("reserved")
    names = re.findall(r"^export (?:interface|type) (\w+)", text, re.M)
    assert names == [
        "Schema",
        "Schema404",
        "Blob2",
        "Error",  # only shadows the global Error inside the module: a fair name
        "Record2",
        "Interface",
        "String2",
    ]
    assert "export type Blob2 = string;" in text  # a string in JSON, whatever it encodes


def test_name_collisions_take_a_numeric_suffix() -> None:
    text = _render("collisions")
    assert "export interface User {\n  id: number;\n}" in text
    assert "export interface User2 {\n  name?: string;\n}" in text
    assert "export type User3 = string;" in text  # user_
    # getUser's family moves as a whole past the component named GetUserResponse,
    # and get_user (the same in PascalCase) takes the next suffix.
    assert "export interface GetUser2PathParams {" in text
    assert "export type GetUser2Response = User;" in text
    assert "export interface GetUser2Responses {" in text
    assert "export type GetUser3Response = User;" in text
    assert "GetUserPathParams" not in text


def test_a_body_that_is_the_component_of_its_name_is_not_declared_again() -> None:
    text = _render("collisions")
    assert text.count("CreateUserRequest") == 1
    assert "CreateUserRequest2" not in text
    assert "export type CreateUserResponse = User;" in text


def test_empty_schemas_are_unknown() -> None:
    text = _render("empty")
    assert "export type Anything = unknown;" in text
    assert "export type Always = unknown;" in text
    assert "export type Never = never;" in text
    assert "export type Nothing = null;" in text
    assert "export type NoBranch = never;" in text
    assert "/** Only a description. */\nexport type Described = unknown;" in text
    assert "export type Swagger2File = unknown;" in text
    assert "export interface Untyped {\n  id: number;\n}" in text
    assert "export type UntypedList = string[];" in text
    assert "export interface NullKeys {\n  [key: string]: unknown;\n}" in text
    bag = _declaration(text, "Bag")
    assert "  any?: unknown;\n  blank?: { [key: string]: unknown };\n  no?: never;\n" in bag
    assert "  shape?: {\n    x?: number;\n  };" in bag


def test_arrays_parenthesise_unions() -> None:
    text = _render("arrays")
    assert "export type Mixed = (number | string)[];" in text
    assert "export type Optional = (Item | null)[];" in text
    assert "export type Grid = number[][];" in text
    assert "export type Untyped = unknown[];" in text
    assert "export type Records = {\n  x?: number;\n}[];" in text
    assert "export type Nullable = string[] | null;" in text


def test_a_204_response_is_void() -> None:
    text = _render("no-content")
    assert "export type DeleteUserResponse = void;" in text
    responses = _declaration(text, "DeleteUserResponses")
    assert "  /** No Content */\n  204: void;" in responses
    assert "  /** Not Found */\n  404: string;" in responses
    assert "export interface DeleteUserPathParams {\n  id: number;\n}" in text
    assert "DeleteUserRequest" not in text
    assert "DeleteUserQuery" not in text
    assert "DeleteUserHeaders" not in text


def test_a_success_without_a_body_beside_one_with_makes_it_optional() -> None:
    text = _render("some-content")
    assert "export type StartJobResponse = Job | undefined;" in text
    assert "  202: void;" in _declaration(text, "StartJobResponses")


def test_request_and_response_bodies_prefer_json() -> None:
    text = _render("bodies")
    assert (
        "/**\n * The request body of `POST /users`.\n *\n * The new user.\n */\n"
        "export interface CreateUserRequest {\n  name: string;\n}"
    ) in text
    assert "export type CreateUserResponse = User;" in text
    # Without JSON: files in forms are Blobs, text is a string, anything else a Blob.
    upload = _declaration(text, "UploadFileRequest")
    assert upload.startswith("export interface UploadFileRequest {")
    assert "  file: Blob;\n  attachments?: Blob[];\n  notes?: string;" in upload
    assert "/** The request body of `POST /files`. Optional. */" in text
    assert "export type ReplaceFileRequest = Blob | string;" in text
    assert "export type ReplaceFileResponse = User;" in text  # problem+json is JSON


def test_parameters_merge_path_item_and_operation() -> None:
    text = _render("parameters")
    assert "export interface ListMembersPathParams {\n  org: string;\n}" in text
    query = _declaration(text, "ListMembersQuery")
    assert query == (
        "export interface ListMembersQuery {\n"
        "  /** At most this many. */\n"
        "  limit: number;\n"
        '  role?: "admin" | "member";\n'
        "  filter?: { [key: string]: unknown };\n"
        "}"
    )
    assert "session" not in text  # cookies are not declared
    assert "ListMembersHeaders" not in text
    # HEAD has no operationId: it is named from the method and the path.
    assert "export interface HeadOrgsOrgMembersQuery {\n  limit?: number;\n}" in text
    assert "export type HeadOrgsOrgMembersResponse = void;" in text
    assert "export interface HeadOrgsOrgMembersResponses {\n  200: void;\n}" in text
    # References that lead nowhere (outside the document, or round in a circle) are skipped.
    assert "Page" not in text


def test_jsdoc_from_description_format_examples_and_deprecated() -> None:
    text = _render("documentation")
    assert text.startswith(
        "/**\n * Events API *\\/ 2.0.0\n *\n"
        " * TypeScript declarations generated by apidisco from the API's OpenAPI document.\n"
        " * Do not edit: regenerate it.\n */\n"
    )
    assert "/**\n * Something that happened.\n *\n * See *\\/docs/events.\n */\n" in text
    at = "   * @format date-time\n" + "".join(
        f'   * @example "2026-01-0{n}T00:00:00Z"\n' for n in (1, 2)
    )
    assert at in text
    assert text.count("@example") == 2 + EXAMPLE_LIMIT
    assert '   * @default "a"\n' in text
    assert "   * @deprecated\n" in text


def test_without_a_2xx_the_default_response_is_the_success() -> None:
    text = _render("fallbacks")
    assert "export type GetHealthResponse = string;" in text
    assert "  default: string;" in _declaration(text, "GetHealthResponses")
    assert "export type GetItemsIdTagsResponse = boolean;" in text
    assert '  "2XX": boolean;' in text
    assert "/** The successful response body of `POST /health`: none was described. */" in text
    assert "export type PingResponse = unknown;" in text
    assert "PingResponses" not in text


def test_text_from_the_document_cannot_leave_its_comment() -> None:
    text = _render("hostile")
    assert re.findall(r"^export (?:const|interface|type) (\w+)", text, re.M) == [
        "GetThingExportConstAlsoInjected2Response",
        "GetThingExportConstAlsoInjected2Responses",
    ]


def test_operations_are_in_path_then_method_order() -> None:
    text = _render("fallbacks")
    titles = re.findall(r"^// (\w+ \S+) \(", text, re.M)
    assert titles == ["GET /health", "POST /health", "GET /items/{id}/tags"]


def test_an_empty_document_is_still_a_module() -> None:
    text = render_typescript({"openapi": "3.1.0", "info": {"title": "Empty", "version": "1"}})
    assert text.endswith("*/\n\nexport {};\n")
    assert render_typescript({}).startswith("/** API */\n") is False
    assert render_typescript({}).startswith("/**\n * API\n")


def test_the_output_does_not_depend_on_key_order() -> None:
    spec = json.loads((GOLDEN / "shop.json").read_text())
    reordered = {
        **spec,
        "paths": {
            path: dict(reversed(item.items())) for path, item in reversed(spec["paths"].items())
        },
        "components": {"schemas": dict(reversed(spec["components"]["schemas"].items()))},
    }
    assert render_typescript(reordered) == render_typescript(spec)


def test_every_case_ends_with_one_newline() -> None:
    for case in CASES:
        text = _render(case)
        assert text.endswith("\n"), case
        assert not text.endswith("\n\n"), case


# -- the documentation ---------------------------------------------------------------------


def test_the_docs_example_is_current() -> None:
    section = DOCS.read_text().partition("\n## TypeScript\n")[2].split("\n## ")[0]
    document = re.search(r"```json\n(.*?)```", section, re.S)
    output = re.search(r"```ts\n(.*?)```", section, re.S)
    assert document, "docs/exports.md: the TypeScript section lost its example document"
    assert output, "docs/exports.md: the TypeScript section lost its example output"
    assert render_typescript(json.loads(document.group(1))) == output.group(1)


# -- tsc -----------------------------------------------------------------------------------


#: A file tsc must reject, so a run that checks nothing (``--skipLibCheck``) is noticed.
PROBE = "export interface Probe {\n  value: Missing;\n}\n"


def test_every_generated_file_compiles_with_tsc(tmp_path: Path) -> None:
    tsc = find_tsc()
    if tsc is None:
        if REQUIRE_TSC:
            pytest.fail(f"APIDISCO_TEST_REQUIRE_TSC is set but: {NO_TSC}")
        pytest.skip(NO_TSC)
    files = {f"golden-{source.stem}.d.ts": source for source in sorted(GOLDEN.glob("*.json"))}
    for name, source in files.items():
        (tmp_path / name).write_text(render_typescript(json.loads(source.read_text())))
    for case in CASES:
        (tmp_path / f"case-{case}.d.ts").write_text(_render(case))
    (tmp_path / "probe.d.ts").write_text(PROBE)
    names = sorted(path.name for path in tmp_path.glob("*.d.ts"))
    command = [tsc, "--strict", "--noEmit", "--pretty", "false", "--target", "es2022"]
    command += ["--lib", "es2022,dom", *names]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    errors = [line for line in result.stdout.splitlines() if ": error TS" in line]
    assert errors, f"tsc reported nothing, not even for the probe:\n{result.stdout}{result.stderr}"
    assert all(line.startswith("probe.d.ts") for line in errors), "\n".join(errors)
