"""A readable Markdown API reference from an OpenAPI 3.1 document.

:func:`render_markdown` takes the document as plain data (as
:mod:`apidisco.infer.openapi` builds it) and returns GitHub-flavoured Markdown:

1. the title, the API's description and an overview: version, base URLs, the
   number of operations (by API type, when any is not REST);
2. a table of contents linking to the authentication section, each tag and each
   operation;
3. authentication: one section per security scheme saying what to send and
   where, and which operations require it or accept it;
4. the operations, grouped by their first tag (tags in the order the document
   declares them, then the others by name, untagged operations last), sorted by
   path and then in OpenAPI's method order (get, put, post, delete, options,
   head, patch, trace). Each has its summary, description, authentication, a
   parameters table, the request body, the responses (per status: description,
   media types, schema, headers), examples, pagination, rate limiting and CORS.

The rules that keep it readable and valid:

- **schemas** are a one-line type (:func:`apidisco.infer.fields.schema_type`:
  ``integer``, ``string (date-time)``, ``"open" | "closed"``, ``array of User``,
  ``map of string → integer``, ``User | null``) and, for objects and arrays or
  maps of objects, a table of their fields (:func:`apidisco.infer.fields.schema_fields`:
  nested fields as paths like ``items[].id``, ``$ref`` followed, cycles and
  depth cut) of at most :data:`MAX_FIELDS` rows.
- **examples** are JSON (or the text, for other media types) in fenced blocks:
  indented by two spaces, an array or object that fits in 80 columns on one
  line, cut after :data:`MAX_EXAMPLE_LINES` lines and lines after 200
  characters; a fence is longer than any run of backticks inside it.
- **anchors** are GitHub's: the heading's text lower-cased, punctuation
  dropped, spaces as hyphens, ``-1``, ``-2`` ... for repeats, counted over
  every heading in document order, headings inside descriptions included.
- **escaping**: titles, summaries and names are plain text and escaped;
  descriptions are CommonMark (OpenAPI says so) and kept as they are, on one
  line inside table cells. Every ``|`` in a table cell is escaped. Names and
  types are code spans, delimited by more backticks than they contain.
- no trailing spaces, one newline at the end; the same document always gives
  the same text.

This module writes the skeleton: the title, the overview, the table of contents
and the groups of operations. The sections it fills are written by
:mod:`apidisco.infer.markdown_auth` (authentication) and
:mod:`apidisco.infer.markdown_operation` (one operation), with
:mod:`apidisco.infer.markdown_fields` (schemas and field tables) and
:mod:`apidisco.infer.markdown_examples` (examples), into a
:class:`apidisco.infer.markdown_document.Document`; the Markdown text itself
(escaping, code spans, tables, anchors) is :mod:`apidisco.infer.markdown_text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apidisco.infer.markdown_auth import write_authentication
from apidisco.infer.markdown_document import Document, Operation, as_list, as_mapping
from apidisco.infer.markdown_examples import MAX_EXAMPLE_LINES
from apidisco.infer.markdown_fields import MAX_FIELDS
from apidisco.infer.markdown_operation import write_operation
from apidisco.infer.markdown_text import code_span, one_line, plain

__all__ = ["MAX_EXAMPLE_LINES", "MAX_FIELDS", "render_markdown"]


def _overview(document: Document, info: Mapping[str, Any]) -> None:
    document.heading(2, "Overview")
    lines = []
    if info.get("version") is not None:
        lines.append(f"- **Version:** {code_span(info['version'])}")
    servers = [as_mapping(server) for server in as_list(document.spec.get("servers"))]
    described = [
        code_span(server.get("url", ""))
        + (f" — {plain(server['description'])}" if server.get("description") else "")
        for server in servers
    ]
    if len(described) == 1:
        lines.append(f"- **Base URL:** {described[0]}")
    elif described:
        lines += ["- **Base URLs:**", *(f"  - {url}" for url in described)]
    total = f"- **Operations:** {len(document.operations)}"
    types: dict[str, int] = {}
    for operation in document.operations:
        kind = one_line(operation.operation.get("x-api-type")) or "REST"
        types[kind] = types.get(kind, 0) + 1
    if set(types) - {"REST"}:
        total += " (" + ", ".join(f"{kind} {types[kind]}" for kind in sorted(types)) + ")"
    document.blocks.append("\n".join([*lines, total]))


def _groups(document: Document) -> list[tuple[str, list[Operation]]]:
    """The operations by their first tag: declared tags in order, then the others
    by name, untagged operations last."""
    grouped: dict[str | None, list[Operation]] = {}
    for operation in document.operations:
        tags = [one_line(tag) for tag in as_list(operation.operation.get("tags")) if one_line(tag)]
        grouped.setdefault(tags[0] if tags else None, []).append(operation)
    declared = [one_line(as_mapping(tag).get("name")) for tag in as_list(document.spec.get("tags"))]
    order = [tag for tag in dict.fromkeys(declared) if tag in grouped]
    order += sorted(tag for tag in grouped if tag is not None and tag not in order)
    result = [(tag, grouped[tag]) for tag in order]
    if None in grouped:
        result.append(("Other operations" if result else "Operations", grouped[None]))
    return result


def render_markdown(spec: Mapping[str, Any]) -> str:
    """The API reference of an OpenAPI 3.1 document (see the module docstring)."""
    document = Document(spec)
    info = as_mapping(spec.get("info"))
    document.heading(1, one_line(info.get("title")) or "API reference")
    document.prose(info.get("description"))
    _overview(document, info)
    groups = _groups(document) or [("Operations", [])]
    document.heading(2, "Contents")
    contents = ["- " + document.anchors.link("Authentication", "authentication")]
    for index, (title, operations) in enumerate(groups):
        contents.append("- " + document.anchors.link(plain(title), ("group", index)))
        contents += ["  - " + document.operation_link(operation) for operation in operations]
    document.blocks.append("\n".join(contents))
    write_authentication(document)
    tags = {str(tag.get("name")): tag for tag in map(as_mapping, as_list(spec.get("tags")))}
    for index, (title, operations) in enumerate(groups):
        document.heading(2, title, ("group", index))
        document.prose(as_mapping(tags.get(title)).get("description"))
        for operation in operations:
            write_operation(document, operation)
        if not operations:
            document.blocks.append("No operations were captured.")
    return document.text()
