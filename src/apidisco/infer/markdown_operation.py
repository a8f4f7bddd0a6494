"""One operation's section in the Markdown API reference.

:func:`write_operation` writes, under the operation's heading: its summary and
description; its facts (operation ID, further tags, API type, authentication,
deprecation); a parameters table (the path item's parameters, overridden by the
operation's, by location: path, query, header, cookie); the request body; the
responses (a summary table by status, then per status its headers and each
media type's type, field table and examples); the rate-limit headers the
responses carry; pagination; and CORS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apidisco.infer.fields import literal, named_type
from apidisco.infer.markdown_auth import requirement_text
from apidisco.infer.markdown_document import Document, Operation, as_list, as_mapping
from apidisco.infer.markdown_examples import example_blocks
from apidisco.infer.markdown_fields import header_table, holder_notes, join_notes, schema_table
from apidisco.infer.markdown_text import code_span, one_line, plain, plural, table
from apidisco.infer.operations import is_rate_limit_header

__all__ = ["write_operation"]

_LOCATIONS = ("path", "query", "header", "cookie")
_PAGINATION = {
    "page": "ask for further pages with a page-number query parameter.",
    "offset": "skip results with an offset query parameter and bound them with a limit.",
    "cursor": "pass the cursor (or follow the next-page link) of one response to get the next.",
}


def _location_order(item: tuple[tuple[str, str], Any]) -> int:
    location = item[0][0]
    return _LOCATIONS.index(location) if location in _LOCATIONS else len(_LOCATIONS)


def _status_key(status: str) -> tuple[int, int, str]:
    if status.isdigit():
        return (0, int(status), status)
    if len(status) == 3 and status[0].isdigit() and status[1:].upper() == "XX":
        return (0, int(status[0]) * 100 + 99, status)
    return (1, 0, status)


def write_operation(document: Document, operation: Operation) -> None:
    """The operation's section (see the module docstring)."""
    details = operation.operation
    document.heading(3, operation.title, operation.key)
    if details.get("summary"):
        document.blocks.append(plain(details["summary"]))
    document.prose(details.get("description"))
    facts = []
    if details.get("operationId"):
        facts.append(f"- **Operation ID:** {code_span(details['operationId'])}")
    tags = [one_line(tag) for tag in as_list(details.get("tags"))]
    if len(tags) > 1:
        facts.append("- **Tags:** " + ", ".join(plain(tag) for tag in tags))
    if details.get("x-api-type"):
        facts.append(f"- **API type:** {plain(details['x-api-type'])}")
    facts.append(f"- **Authentication:** {requirement_text(document, operation)}")
    if details.get("deprecated") is True:
        facts.append("- **Deprecated**")
    document.blocks.append("\n".join(facts))
    _parameters(document, operation)
    _request_body(document, details.get("requestBody"))
    _responses(document, details)
    _pagination(document, details.get("x-pagination"))
    _cors(document, operation.item.get("x-cors"))


def _parameters(document: Document, operation: Operation) -> None:
    merged: dict[tuple[str, str], Mapping[str, Any]] = {}
    for source in (operation.item, operation.operation):
        for parameter in map(document.resolved, as_list(source.get("parameters"))):
            merged[(one_line(parameter.get("in")), one_line(parameter.get("name")))] = parameter
    if not merged:
        return
    rows = []
    for (location, _), parameter in sorted(merged.items(), key=_location_order):
        schema = parameter.get("schema")
        if schema is None:
            content = as_mapping(parameter.get("content"))
            schema = as_mapping(next(iter(content.values()), None)).get("schema")
        rows.append(
            (
                code_span(parameter.get("name", "")),
                plain(location),
                code_span(named_type(schema, document.spec)),
                "yes" if parameter.get("required") else "no",
                join_notes(holder_notes(document, schema, parameter)),
            )
        )
    document.blocks.append("**Parameters**")
    document.blocks.append(table(("Name", "In", "Type", "Required", "Description"), rows))


def _request_body(document: Document, body: Any) -> None:
    if body is None:
        return
    body = document.resolved(body)
    needed = "required" if body.get("required") else "optional"
    document.blocks.append(f"**Request body** ({needed})")
    document.prose(body.get("description"))
    for line, details in _content(document, as_mapping(body.get("content"))):
        document.blocks += [line, *details]


def _responses(document: Document, details: Mapping[str, Any]) -> None:
    listed = as_mapping(details.get("responses"))
    responses = {str(status): document.resolved(listed[status]) for status in listed}
    statuses = sorted(responses, key=_status_key)
    rate_limited = [one_line(name) for name in as_list(details.get("x-rate-limit-headers"))]
    rows = []
    for status in statuses:
        kinds = ", ".join(
            f"{code_span(media)}: "
            f"{code_span(named_type(as_mapping(entry).get('schema'), document.spec))}"
            for media, entry in as_mapping(responses[status].get("content")).items()
        )
        description = one_line(responses[status].get("description"))
        rows.append((code_span(status), description, kinds or "no body"))
    if rows:
        document.blocks += ["**Responses**", table(("Status", "Description", "Content"), rows)]
    for status in statuses:
        headers = {
            str(name): document.resolved(header)
            for name, header in as_mapping(responses[status].get("headers")).items()
        }
        content = _content(document, as_mapping(responses[status].get("content")))
        # The summary table already says what a body-only response holds.
        if headers or any(details for _, details in content):
            document.blocks.append(f"**Response {code_span(status)}**")
        if headers:
            document.blocks += ["Headers:", header_table(document, headers)]
        if any(details for _, details in content):
            for line, more in content:
                document.blocks += [line, *more]
        rate_limited += [
            name
            for name, header in headers.items()
            if is_rate_limit_header(name.lower())
            or one_line(header.get("description")).lower() == "rate limit"
        ]
    names = sorted(dict.fromkeys(name.lower() for name in rate_limited if name))
    if names:
        carried = ", ".join(code_span(name) for name in names)
        document.blocks.append(f"**Rate limiting:** responses carry {carried}.")


def _content(document: Document, content: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Per media type: a line naming it and its type, and the blocks detailing it."""
    result = []
    for media, entry in content.items():
        schema = as_mapping(entry).get("schema")
        line = f"{code_span(media)} — {code_span(named_type(schema, document.spec))}"
        details = schema_table(document, schema) + example_blocks(document, media, entry)
        result.append((line, details))
    return result


def _pagination(document: Document, pagination: Any) -> None:
    pagination = as_mapping(pagination)
    style = one_line(pagination.get("style"))
    if not style:
        return
    text = f"**Pagination** ({plain(style)}-based): {_PAGINATION.get(style, '')}".rstrip(": ")
    extra = [
        f"{code_span(key)} {code_span(literal(value))}"
        for key, value in pagination.items()
        if key != "style"
    ]
    document.blocks.append(text + (f" Also: {', '.join(extra)}." if extra else ""))


def _cors(document: Document, cors: Any) -> None:
    if not isinstance(cors, Mapping):
        return
    lines = []
    for key, label in (
        ("allowOrigins", "Allowed origins"),
        ("allowMethods", "Allowed methods"),
        ("allowHeaders", "Allowed request headers"),
        ("exposeHeaders", "Exposed response headers"),
        ("requestOrigins", "Origins seen in requests"),
    ):
        values = [one_line(v) for v in as_list(cors.get(key))]
        if values:
            shown = ", ".join(
                "any (`*`)" if key == "allowOrigins" and v == "*" else code_span(v) for v in values
            )
            lines.append(f"- **{label}:** {shown}")
    if "allowCredentials" in cors:
        allowed = "allowed" if cors["allowCredentials"] else "not allowed"
        lines.append(f"- **Credentials:** {allowed}")
    if isinstance(cors.get("maxAge"), int):
        lines.append(f"- **Preflight cached for:** {plural(cors['maxAge'], 'second')}")
    if "preflight" in cors:
        seen = "seen" if cors["preflight"] else "not seen"
        lines.append(f"- **Preflight requests:** {seen}")
    if lines:
        document.blocks += ["**CORS**", "\n".join(lines)]
