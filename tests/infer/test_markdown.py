"""The Markdown API reference: golden files, valid GFM, and one test per rule.

Golden files: every ``tests/data/markdown/<name>.json`` (an OpenAPI document) is
rendered and compared with ``<name>.md`` beside it. After a deliberate change,
regenerate them and review the diff::

    APIDISCO_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/infer/test_markdown.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from apidisco.infer.markdown import MAX_EXAMPLE_LINES, MAX_FIELDS, render_markdown
from tests.infer.golden import assert_golden

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "markdown"
DOCS = ROOT / "docs" / "exports.md"
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])
DOCUMENTS = sorted(GOLDEN.glob("*.json"))


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((GOLDEN / f"{name}.json").read_text())
    return document


def _document(paths: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": paths or {},
    } | extra


def _get(**operation: Any) -> dict[str, Any]:
    """A document with one ``GET /things`` operation."""
    return _document(
        {"/things": {"get": {"responses": {"204": {"description": "No"}}} | operation}}
    )


def _section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of any level."""
    after = text.split(f"\n{heading}\n", 1)[1]
    return re.split(r"\n#{1,6} ", after, maxsplit=1)[0]


# -- golden files ---------------------------------------------------------------------


@pytest.mark.parametrize("source", DOCUMENTS, ids=lambda path: path.stem)
def test_golden_files(source: Path) -> None:
    assert_golden(render_markdown(json.loads(source.read_text())), source.with_suffix(".md"))


def test_there_are_golden_files() -> None:
    assert {path.stem for path in DOCUMENTS} >= {"shop", "edge-cases", "empty"}


# -- valid GFM ------------------------------------------------------------------------


def _github_slug(text: str) -> str:
    """GitHub's heading anchor, from the heading's rendered text."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def _rendered_text(inline: Token) -> str:
    return "".join(child.content for child in inline.children or [] if child.type != "softbreak")


def _anchors(tokens: list[Token]) -> set[str]:
    anchors: set[str] = set()
    counts: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        base = slug = _github_slug(_rendered_text(tokens[index + 1]))
        while slug in counts:
            counts[base] += 1
            slug = f"{base}-{counts[base]}"
        counts[slug] = 0
        anchors.add(slug)
    return anchors


@pytest.mark.parametrize("source", DOCUMENTS, ids=lambda path: path.stem)
def test_output_is_valid_gfm(source: Path) -> None:
    text = render_markdown(json.loads(source.read_text()))
    tokens = GFM.parse(text)
    anchors = _anchors(tokens)
    links = [
        str(child.attrs["href"])
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert links, "no links: the table of contents is missing"
    for link in links:
        assert link.startswith("#"), link
        assert link[1:] in anchors, f"{link} points at no heading"
    # Every table row has as many cells as its header: no pipe broke out of a cell.
    columns = 0
    for token in tokens:
        if token.type == "thead_open":
            columns = 0
        elif token.type == "th_open":
            columns += 1
        elif token.type == "tr_open":
            cells = 0
        elif token.type == "td_open":
            cells += 1
        elif token.type == "tr_close" and cells:
            assert cells == columns
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    assert not [line for line in text.splitlines() if line != line.rstrip()], "trailing spaces"
    assert "\n\n\n" not in text
    assert "\x00" not in text


def test_the_same_document_gives_the_same_text_whatever_its_key_order() -> None:
    spec = _load("shop")
    reordered = {
        **spec,
        "paths": dict(reversed(list(spec["paths"].items()))),
        "components": {
            "schemas": dict(reversed(list(spec["components"]["schemas"].items()))),
            "securitySchemes": spec["components"]["securitySchemes"],
        },
    }
    assert render_markdown(reordered) == render_markdown(spec) == render_markdown(_load("shop"))


# -- title, overview and contents -----------------------------------------------------


def test_overview_counts_operations_by_api_type_and_lists_servers() -> None:
    text = render_markdown(_load("shop"))
    assert text.startswith("# Shop API\n\nThe shop's HTTP API")
    assert "- **Operations:** 7 (GraphQL 1, REST 6)" in text
    assert "- **Base URLs:**\n  - `https://api.shop.example/v2`\n" in text
    one = render_markdown(_document(servers=[{"url": "https://x.example", "description": "Prod"}]))
    assert "- **Base URL:** `https://x.example` — Prod" in one
    assert "- **Operations:** 0" in one


def test_contents_links_each_tag_then_its_operations_by_path_and_method() -> None:
    text = render_markdown(_load("shop"))
    contents = _section(text, "## Contents")
    assert contents.strip().splitlines() == [
        "- [Authentication](#authentication)",
        "- [users](#users)",
        "  - [GET /users](#get-users)",
        "  - [POST /users](#post-users)",
        "  - [GET /users/{userId}](#get-usersuserid)",
        "  - [DELETE /users/{userId}](#delete-usersuserid)",
        "- [orders](#orders)",
        "  - [GET /orders](#get-orders)",
        "- [graphql](#graphql)",
        "  - [POST /graphql](#post-graphql)",
        "- [Other operations](#other-operations)",
        "  - [GET /health](#get-health)",
    ]


def test_undeclared_tags_follow_declared_ones_by_name_and_first_tag_wins() -> None:
    ok = {"responses": {"204": {"description": "No Content"}}}
    spec = _document(
        {
            "/a": {"get": ok | {"tags": ["zeta", "alpha"]}},
            "/b": {"get": ok | {"tags": ["beta"]}},
            "/c": {"get": ok | {"tags": ["declared"]}},
        },
        tags=[{"name": "declared", "description": "Declared first."}, {"name": "unused"}],
    )
    text = render_markdown(spec)
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert headings == ["Overview", "Contents", "Authentication", "declared", "beta", "zeta"]
    assert "## declared\n\nDeclared first.\n\n### GET /c" in text
    assert "- **Tags:** zeta, alpha" in text
    untagged = render_markdown(_get())
    assert "## Operations\n\n### GET /things" in untagged


def test_repeated_headings_get_numbered_anchors() -> None:
    text = render_markdown(_load("edge-cases"))
    # The description's "## Overview" comes first, then the section, then the tag
    # named like the Authentication section.
    assert "- [Authentication](#authentication)\n- [Authentication](#authentication-1)" in text
    ok = {"responses": {"204": {"description": "No Content"}}}
    spec = _document({"/a-b": {"get": ok}, "/a_b": {"get": ok}, "/ab": {"get": ok}})
    contents = _section(render_markdown(spec), "## Contents")
    assert re.findall(r"\(#(.+?)\)", contents)[2:] == ["get-a-b", "get-a_b", "get-ab"]
    same = _document({"/users": {"get": ok | {"tags": ["GET /users"]}}})
    contents = _section(render_markdown(same), "## Contents")
    assert "- [GET /users](#get-users)\n  - [GET /users](#get-users-1)" in contents


def test_headings_inside_descriptions_count_but_not_inside_fences() -> None:
    description = "## Users\n\n```\n## Users\n```\n\n~~~\n# Users\n~~~"
    ok = {"responses": {"204": {"description": "No Content"}}, "tags": ["Users"]}
    spec = _document({"/u": {"get": ok}}, info={"title": "T", "description": description})
    assert "- [Users](#users-1)" in render_markdown(spec)


def test_an_empty_api_still_has_every_section() -> None:
    text = render_markdown({})
    assert text.startswith("# API reference\n")
    assert "## Authentication\n\nNo operation declares a security requirement." in text
    assert text.endswith("## Operations\n\nNo operations were captured.\n")
    assert render_markdown(_load("empty")).startswith("# Empty\n")


# -- escaping -------------------------------------------------------------------------


def test_plain_text_is_escaped_and_names_are_code_spans() -> None:
    text = render_markdown(_load("edge-cases"))
    assert text.startswith("# Edge \\| cases\\_API \\*v2\\*\n")
    assert "Dash \\| pipe \\`tick\\` \\*star\\* and \\<html\\>" in text
    html = GFM.render(text)
    assert "Dash | pipe `tick` *star* and &lt;html&gt;" in html
    assert "<code>tick`name</code>" in html
    assert "<code>a|b</code>" in html


def test_table_cells_escape_pipes_and_hold_one_line() -> None:
    text = render_markdown(_load("edge-cases"))
    assert (
        "| `a\\|b` | query | `string` | no | Pipes \\| in descriptions; pattern `^[a\\|b]+$` |"
        in (text)
    )
    assert '| `mode` | query | `"fast" \\| "slow" \\| null` | no | e.g. `"fast"` |' in text


def test_a_summary_that_looks_like_a_list_item_stays_a_paragraph() -> None:
    text = render_markdown(_get(summary="1. first - then"))
    assert "\n\n1\\. first - then\n\n" in text
    assert "<ol" not in GFM.render(text)


# -- authentication -------------------------------------------------------------------


def test_security_schemes_say_what_to_send_and_who_needs_it() -> None:
    text = render_markdown(_load("shop"))
    assert "- **Required by:** 5 operations\n- **Optional for:** 1 operation\n" in text
    bearer = _section(text, "### bearerAuth")
    assert "send `Authorization: Bearer <token>`. The token is a JWT." in bearer
    assert "- **Optional for:** [GET /orders](#get-orders)" in bearer
    assert "An API key in the `x-api-key` header." in _section(text, "### apiKeyHeader")


@pytest.mark.parametrize(
    ("scheme", "sentence"),
    [
        ({"type": "http", "scheme": "basic"}, "`Authorization: Basic <base64 of user:password>`"),
        ({"type": "http", "scheme": "Digest"}, "HTTP `digest` authentication"),
        ({"type": "apiKey", "in": "query", "name": "key"}, "`key` query parameter"),
        ({"type": "apiKey", "in": "cookie", "name": "sid"}, "`sid` cookie"),
        ({"type": "oauth2", "flows": {}}, "OAuth 2.0."),
        (
            {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t"}}},
            "- `clientCredentials`: token at `https://t`",
        ),
        ({"type": "openIdConnect", "openIdConnectUrl": "https://id"}, "discovered at `https://id`"),
        ({"type": "mutualTLS"}, "Mutual TLS"),
        ({"type": "custom"}, "A `custom` security scheme."),
    ],
)
def test_each_kind_of_scheme(scheme: dict[str, Any], sentence: str) -> None:
    text = render_markdown(_document(components={"securitySchemes": {"s": scheme}}))
    assert sentence in text
    assert "No operation uses it." in text


def test_required_optional_and_no_authentication() -> None:
    schemes = {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}}
    required = render_markdown(_get(security=[{"bearerAuth": []}]) | {"components": schemes})
    assert "- **Authentication:** required — [`bearerAuth`](#bearerauth)" in required
    optional = render_markdown(_get(security=[{}, {"bearerAuth": []}]) | {"components": schemes})
    assert "- **Authentication:** optional — [`bearerAuth`](#bearerauth)" in optional
    assert "- **Authentication:** none" in render_markdown(_get())
    # Scheme names not declared in components are shown, not linked.
    unknown = render_markdown(_get(security=[{"other": ["read"]}]))
    assert "- **Authentication:** required — `other` (scopes `read`)" in unknown


def test_the_document_security_applies_unless_the_operation_overrides_it() -> None:
    text = render_markdown(_load("edge-cases"))
    assert "### GET /a\\_b" in text
    a_b = _section(text, "### GET /a\\_b")
    assert "- **Authentication:** required — [`oauth`](#oauth) (scopes `read`)" in a_b
    assert "- **Authentication:** none" in _section(text, "### GET /a-b")  # security: []
    put = _section(text, "### PUT /trees/{treeId}")
    assert "optional — [`oauth`](#oauth) (scopes `write`) and [`apiKeyQuery`](#apikeyquery)" in put


# -- parameters, bodies and responses -------------------------------------------------


def test_parameters_are_listed_path_first_with_path_level_ones_merged() -> None:
    text = render_markdown(_load("edge-cases"))
    put = _section(text, "### PUT /trees/{treeId}")
    assert "| `treeId` | path | `string (uuid)` | yes | |" in put
    get = _section(text, "### GET /a-b")
    names = re.findall(r"^\| `+(.+?)`+ \| (path|query|header|cookie) \|", get, re.MULTILINE)
    assert names == [
        ("a\\|b", "query"),
        ("mode", "query"),
        ("tick`name", "header"),
        ("session", "cookie"),
    ]
    assert "| `session` | cookie | `string` | no | deprecated |" in get


def test_an_operation_parameter_overrides_the_path_level_one() -> None:
    path_level = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    own = path_level | {"schema": {"type": "integer"}, "description": "Own."}
    spec = _document(
        {
            "/t/{id}": {
                "parameters": [path_level],
                "get": {"parameters": [own], "responses": {"204": {"description": "No"}}},
            }
        }
    )
    assert "| `id` | path | `integer` | yes | Own. |" in render_markdown(spec)


def test_a_parameter_with_content_and_a_named_enum() -> None:
    spec = _get(
        parameters=[
            {
                "name": "filter",
                "in": "query",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            {"name": "status", "in": "query", "schema": {"$ref": "#/components/schemas/Status"}},
        ]
    ) | {"components": {"schemas": {"Status": {"type": "string", "enum": ["on", "off"]}}}}
    text = render_markdown(spec)
    assert "| `filter` | query | `object` | no | |" in text
    assert '| `status` | query | `Status ("on" \\| "off")` | no | |' in text


def test_a_request_body_lists_its_fields_and_example() -> None:
    text = render_markdown(_load("shop"))
    post = _section(text, "### POST /users")
    assert "**Request body** (required)" in post
    assert "`application/json` — `CreateUserRequest`" in post
    assert "| `name` | `string` | yes | min length 1; max length 80 |" in post
    assert '| `role` | `"admin" \\| "member"` | no | default `"member"` |' in post
    assert 'Example:\n\n```json\n{"email": "grace@example.com", "name": "Grace"}\n```' in post


def test_refs_to_bodies_and_responses_are_followed_and_cycles_marked() -> None:
    text = render_markdown(_load("edge-cases"))
    put = _section(text, "### PUT /trees/{treeId}")
    assert (
        "**Request body** (required)\n\nThe whole tree.\n\n`application/json` — `TreeNode`" in put
    )
    assert "| `children` | `array of TreeNode` | yes | recursive: `TreeNode` |" in put
    assert "| `parent` | `TreeNode \\| null` | no | recursive: `TreeNode` |" in put
    assert "| `200` | A tree | `application/json`: `TreeNode` |" in put
    assert "| `firstLeaf.label` | `string` | yes | read-only |" in put


def test_responses_are_listed_by_status_and_204_has_no_body() -> None:
    text = render_markdown(_load("edge-cases"))
    get = _section(text, "### GET /a-b")
    table = get.split("**Responses**", 1)[1].split("**Response `", 1)[0]
    assert re.findall(r"^\| `(\w+)` \| ", table, re.MULTILINE) == ["200", "2XX", "default"]
    delete = _section(render_markdown(_load("shop")), "### DELETE /users/{userId}")
    assert "| `204` | No Content | no body |" in delete
    assert "**Response `204`**" not in delete


def test_a_response_with_only_a_body_type_has_no_details_block() -> None:
    response = {"200": {"description": "OK", "content": {"text/csv": {"schema": {}}}}}
    text = render_markdown(_get(responses=response))
    assert "| `200` | OK | `text/csv`: `any` |" in text
    assert "**Response `200`**" not in text


def test_response_headers_and_rate_limits() -> None:
    text = render_markdown(_load("shop"))
    orders = _section(text, "### GET /orders")
    assert "Headers:\n\n| Header | Type | Required | Description |" in orders
    assert "| `x-ratelimit-limit` | `integer` | yes | Rate limit |" in orders
    assert "**Rate limiting:** responses carry `x-ratelimit-limit`, `x-ratelimit-remaining`." in (
        orders
    )
    headers = {"Retry-After": {"schema": {"type": "integer"}}, "ETag": {"schema": {}}}
    detected = render_markdown(_get(responses={"429": {"description": "Slow", "headers": headers}}))
    assert "**Rate limiting:** responses carry `retry-after`." in detected


def test_examples_are_fenced_by_media_type_and_shortened() -> None:
    text = render_markdown(_load("shop"))
    assert "```html\n<!doctype html>\n<title>Not found</title>" in text
    assert "```text\nok\n```" in text
    deep = _section(render_markdown(_load("edge-cases")), "### POST /deep")
    assert '````json\n{\n  "code": "```js\\nx()\\n```",' in deep
    assert f"*Shortened: the first {MAX_EXAMPLE_LINES} of 50 lines.*" in deep
    assert f"*{62 - MAX_FIELDS} more fields not shown.*" in deep
    assert "| `level2.level3.level4.level5` | `object` | no | nested fields not shown |" in deep


def test_several_named_examples_are_labelled() -> None:
    get = _section(render_markdown(_load("edge-cases")), "### GET /a-b")
    assert 'Example `small` (One):\n\n```json\n{"n": 1}\n```\n\nExample `big`:' in get


def test_long_lines_in_examples_are_cut() -> None:
    content = {"text/plain": {"schema": {"type": "string"}, "example": "x" * 500}}
    text = render_markdown(_get(responses={"200": {"description": "OK", "content": content}}))
    assert "```text\n" + "x" * 200 + "…\n```" in text


# -- pagination and CORS --------------------------------------------------------------


@pytest.mark.parametrize(
    ("pagination", "line"),
    [
        ({"style": "page"}, "**Pagination** (page-based): ask for further pages"),
        ({"style": "offset"}, "**Pagination** (offset-based): skip results with an offset"),
        ({"style": "cursor"}, "**Pagination** (cursor-based): pass the cursor"),
        ({"style": "link", "param": "p"}, '**Pagination** (link-based) Also: `param` `"p"`.'),
    ],
)
def test_pagination(pagination: dict[str, Any], line: str) -> None:
    assert line in render_markdown(_get(**{"x-pagination": pagination}))


def test_no_pagination_or_cors_notes_without_the_extensions() -> None:
    text = render_markdown(_get())
    assert "Pagination" not in text
    assert "CORS" not in text


def test_cors_notes_for_every_operation_on_the_path() -> None:
    text = render_markdown(_load("shop"))
    for heading in ("### GET /users", "### POST /users"):
        cors = text.split(f"\n{heading}\n", 1)[1].split("\n### ", 1)[0]
        assert "**CORS**\n\n- **Allowed origins:** `https://app.shop.example`" in cors
        assert "- **Credentials:** allowed" in cors
        assert "- **Preflight cached for:** 600 seconds" in cors
        assert "- **Preflight requests:** seen" in cors
    anyone = text.split("\n### GET /users/{userId}\n", 1)[1].split("\n### ", 1)[0]
    assert "- **Allowed origins:** any (`*`)" in anyone
    assert "- **Credentials:** not allowed" in anyone
    assert "- **Preflight requests:** not seen" in anyone


# -- the documentation ----------------------------------------------------------------


def test_the_example_in_the_docs_is_what_render_markdown_gives() -> None:
    section = DOCS.read_text().partition("\n## Markdown\n")[2]
    assert section, "docs/exports.md has no Markdown section"
    document = re.search(r"^```json\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    output = re.search(r"^````markdown\n(.*?)^````$", section, re.MULTILINE | re.DOTALL)
    assert document, "docs/exports.md: the Markdown section lost its example document"
    assert output, "docs/exports.md: the Markdown section lost its example output"
    assert render_markdown(json.loads(document.group(1))) == output.group(1)


def test_names_starting_or_ending_with_a_backtick_keep_it() -> None:
    parameter = {"name": "`quoted`", "in": "query", "schema": {"type": "string"}}
    text = render_markdown(_get(parameters=[parameter]))
    assert "| `` `quoted` `` | query |" in text
    assert "<code>`quoted`</code>" in GFM.render(text)


def test_an_operation_without_responses_or_cors_values() -> None:
    spec = _document({"/t": {"get": {"summary": "Bare"}, "x-cors": {}}})
    section = _section(render_markdown(spec), "### GET /t")
    assert "**Responses**" not in section
    assert "**CORS**" not in section
