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
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apidisco.infer.fields import Field, literal, named_type, resolve, schema_fields
from apidisco.infer.operations import is_rate_limit_header

__all__ = ["MAX_EXAMPLE_LINES", "MAX_FIELDS", "render_markdown"]

MAX_FIELDS = 60
MAX_EXAMPLE_LINES = 40
_MAX_LINE = 200
_WIDTH = 80
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOCATIONS = ("path", "query", "header", "cookie")
_ESCAPED = re.compile(r"([\\`*_\[\]<>#|~&])")
_LINE_START = re.compile(r"^(\d*)([-+=.)])")
_PIPE = re.compile(r"(\\*)\|")
_TICKS = re.compile(r"`+")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_FLAGS = (("deprecated", "deprecated"), ("readOnly", "read-only"), ("writeOnly", "write-only"))
_PAGINATION = {
    "page": "ask for further pages with a page-number query parameter.",
    "offset": "skip results with an offset query parameter and bound them with a limit.",
    "cursor": "pass the cursor (or follow the next-page link) of one response to get the next.",
}


# -- Markdown text --------------------------------------------------------------------


def _line(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _text(value: Any) -> str:
    """Plain text as Markdown that renders as that text, on one line."""
    text = _ESCAPED.sub(r"\\\1", _line(value))
    return _LINE_START.sub(r"\1\\\2", text)


def _code(value: Any) -> str:
    text = _line(value)
    longest = max((len(run) for run in _TICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or not text.strip():
        text = f" {text} "
    return f"{ticks}{text}{ticks}"


def _cell(markdown: str) -> str:
    """Markdown on one line, with every ``|`` not already escaped escaped."""
    return _PIPE.sub(
        lambda m: m.group(0) if len(m.group(1)) % 2 else f"{m.group(1)}\\|", _line(markdown)
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def row(cells: Sequence[str]) -> str:
        return "|" + "|".join(f" {_cell(cell)} " if cell else " " for cell in cells) + "|"

    return "\n".join([row(header), "|" + " --- |" * len(header), *map(row, rows)])


def _fence(text: str, language: str) -> list[str]:
    """A fenced block of ``text`` (shortened when long) and a note when it was."""
    lines = [line.rstrip() for line in text.splitlines()] or [""]
    lines = [line if len(line) <= _MAX_LINE else line[:_MAX_LINE] + "…" for line in lines]
    note = []
    if len(lines) > MAX_EXAMPLE_LINES:
        note = [f"*Shortened: the first {MAX_EXAMPLE_LINES} of {len(lines)} lines.*"]
        lines = [*lines[:MAX_EXAMPLE_LINES], "…"]
    body = "\n".join(lines)
    longest = max((len(run) for run in _TICKS.findall(body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}{language}\n{body}\n{ticks}", *note]


def _pretty(value: Any, indent: str = "", used: int = 0) -> str:
    """JSON indented by two spaces; an array or object that fits on its line stays on it."""
    flat = json.dumps(value, ensure_ascii=False, default=str)
    if not value or not isinstance(value, dict | list) or used + len(flat) <= _WIDTH:
        return flat
    inner = indent + "  "
    if isinstance(value, dict):
        keys = [json.dumps(str(key), ensure_ascii=False) + ": " for key in value]
        items = [
            inner + key + _pretty(item, inner, len(inner) + len(key))
            for key, item in zip(keys, value.values(), strict=True)
        ]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    items = [inner + _pretty(item, inner, len(inner)) for item in value]
    return "[\n" + ",\n".join(items) + f"\n{indent}]"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _slug(text: str) -> str:
    """GitHub's anchor for a heading with this text (github-slugger's rule)."""
    kept = "".join(ch for ch in text.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


class _Anchors:
    """Unique anchors in document order; links may point forward through a token."""

    def __init__(self) -> None:
        self.occurrences: dict[str, int] = {}
        self.anchors: dict[Hashable, str] = {}
        self.tokens: dict[Hashable, str] = {}

    def add(self, text: str, key: Hashable | None = None) -> None:
        base = slug = _slug(text)
        while slug in self.occurrences:
            self.occurrences[base] += 1
            slug = f"{base}-{self.occurrences[base]}"
        self.occurrences[slug] = 0
        if key is not None:
            self.anchors[key] = slug

    def add_headings_in(self, markdown: str) -> None:
        fence = ""
        for line in markdown.splitlines():
            opening = _FENCE.match(line)
            if fence:
                if (
                    opening
                    and opening.group(1)[0] == fence[0]
                    and len(opening.group(1)) >= len(fence)
                ):
                    fence = ""
            elif opening:
                fence = opening.group(1)
            elif heading := _ATX.match(line):
                self.add(_LINK.sub(r"\1", heading.group(1) or ""))

    def link(self, label: str, key: Hashable) -> str:
        token = self.tokens.setdefault(key, f"\x00{len(self.tokens)}\x00")
        return f"[{label}](#{token})"

    def resolve(self, text: str) -> str:
        for key, token in self.tokens.items():
            text = text.replace(token, self.anchors[key])
        return text


# -- the document ---------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _pair(item: tuple[Any, Any]) -> tuple[str, Mapping[str, Any]]:
    return str(item[0]), _mapping(item[1])


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class _Operation:
    path: str
    method: str
    item: Mapping[str, Any]
    operation: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        return ("operation", self.path, self.method)

    @property
    def title(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _operations(spec: Mapping[str, Any]) -> list[_Operation]:
    paths = _mapping(spec.get("paths"))
    return [
        _Operation(str(path), method, _mapping(paths[path]), paths[path][method])
        for path in sorted(paths, key=str)
        for method in _METHODS
        if isinstance(_mapping(paths[path]).get(method), Mapping)
    ]


def _location_order(item: tuple[tuple[str, str], Any]) -> int:
    location = item[0][0]
    return _LOCATIONS.index(location) if location in _LOCATIONS else len(_LOCATIONS)


def _status_key(status: str) -> tuple[int, int, str]:
    if status.isdigit():
        return (0, int(status), status)
    if len(status) == 3 and status[0].isdigit() and status[1:].upper() == "XX":
        return (0, int(status[0]) * 100 + 99, status)
    return (1, 0, status)


def _language(media: str, value: Any) -> str:
    if not isinstance(value, str) or "json" in media:
        return "json"
    return next((lang for lang in ("html", "xml") if lang in media), "text")


def _notes(schema: Mapping[str, Any]) -> list[str]:
    """What a field's schema says beyond its type, short."""
    notes = [_line(schema["description"])] if schema.get("description") else []
    notes += [label for flag, label in _FLAGS if schema.get(flag) is True]
    if "default" in schema:
        notes.append(f"default {_code(literal(schema['default']))}")
    for key, label in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
    ):
        if isinstance(schema.get(key), int | float) and not isinstance(schema[key], bool):
            notes.append(f"{label} {schema[key]}")
    if schema.get("pattern"):
        notes.append(f"pattern {_code(schema['pattern'])}")
    examples = _list(schema.get("examples")) or ([schema["example"]] if "example" in schema else [])
    if examples:
        notes.append("e.g. " + ", ".join(_code(literal(value)) for value in examples[:3]))
    return notes


def _join(notes: list[str]) -> str:
    """Notes in one cell: ``; `` between them, a space after one that ends a sentence."""
    text = ""
    for note in notes:
        text += (" " if text.endswith((".", "!", "?")) else "; ") + note if text else note
    return text


def _field_notes(field: Field) -> list[str]:
    notes = ["any other key"] if field.path.rsplit(".", 1)[-1] == "*" else []
    notes += _notes(field.schema)
    if field.recursive:
        notes.append(f"recursive: {_code(field.recursive)}")
    if field.hidden:
        notes.append("nested fields not shown")
    return notes


class _Renderer:
    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.anchors = _Anchors()
        self.blocks: list[str] = []
        self.operations = _operations(spec)
        self.schemes = _mapping(_mapping(spec.get("components")).get("securitySchemes"))

    # -- references

    def resolved(self, node: Any) -> Mapping[str, Any]:
        return _mapping(resolve(self.spec, node))

    def notes(self, schema: Any, holder: Mapping[str, Any]) -> list[str]:
        """A parameter's or header's notes: its own fields over its schema's."""
        own = {k: v for k, v in holder.items() if k not in ("examples", "schema", "content")}
        notes = _notes({**self.resolved(schema), **own})
        named = [self.resolved(e).get("value") for e in _mapping(holder.get("examples")).values()]
        if named and not any(note.startswith("e.g. ") for note in notes):
            notes.append("e.g. " + ", ".join(_code(literal(value)) for value in named[:3]))
        return notes

    # -- blocks

    def heading(self, level: int, text: str, key: Hashable | None = None) -> None:
        self.anchors.add(text, key)
        self.blocks.append(f"{'#' * level} {_text(text)}")

    def prose(self, markdown: Any) -> None:
        if isinstance(markdown, str) and markdown.strip():
            text = "\n".join(line.rstrip() for line in markdown.strip("\n").splitlines())
            self.anchors.add_headings_in(text)
            self.blocks.append(text)

    def operation_link(self, operation: _Operation) -> str:
        return self.anchors.link(_text(operation.title), operation.key)

    def scheme_link(self, name: str) -> str:
        if name in self.schemes:
            return self.anchors.link(_code(name), ("scheme", name))
        return _code(name)

    # -- the whole

    def render(self) -> str:
        info = _mapping(self.spec.get("info"))
        self.heading(1, _line(info.get("title")) or "API reference")
        self.prose(info.get("description"))
        self.overview(info)
        groups = self.groups() or [("Operations", [])]
        self.heading(2, "Contents")
        contents = ["- " + self.anchors.link("Authentication", "authentication")]
        for index, (title, operations) in enumerate(groups):
            contents.append("- " + self.anchors.link(_text(title), ("group", index)))
            contents += ["  - " + self.operation_link(operation) for operation in operations]
        self.blocks.append("\n".join(contents))
        self.authentication()
        tags = {str(tag.get("name")): tag for tag in map(_mapping, _list(self.spec.get("tags")))}
        for index, (title, operations) in enumerate(groups):
            self.heading(2, title, ("group", index))
            self.prose(_mapping(tags.get(title)).get("description"))
            for operation in operations:
                self.operation(operation)
            if not operations:
                self.blocks.append("No operations were captured.")
        text = self.anchors.resolve("\n\n".join(block for block in self.blocks if block))
        return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"

    def overview(self, info: Mapping[str, Any]) -> None:
        self.heading(2, "Overview")
        lines = []
        if info.get("version") is not None:
            lines.append(f"- **Version:** {_code(info['version'])}")
        servers = [_mapping(server) for server in _list(self.spec.get("servers"))]
        described = [
            _code(server.get("url", ""))
            + (f" — {_text(server['description'])}" if server.get("description") else "")
            for server in servers
        ]
        if len(described) == 1:
            lines.append(f"- **Base URL:** {described[0]}")
        elif described:
            lines += ["- **Base URLs:**", *(f"  - {url}" for url in described)]
        total = f"- **Operations:** {len(self.operations)}"
        types: dict[str, int] = {}
        for operation in self.operations:
            kind = _line(operation.operation.get("x-api-type")) or "REST"
            types[kind] = types.get(kind, 0) + 1
        if set(types) - {"REST"}:
            total += " (" + ", ".join(f"{kind} {types[kind]}" for kind in sorted(types)) + ")"
        self.blocks.append("\n".join([*lines, total]))

    def groups(self) -> list[tuple[str, list[_Operation]]]:
        grouped: dict[str | None, list[_Operation]] = {}
        for operation in self.operations:
            tags = [_line(tag) for tag in _list(operation.operation.get("tags")) if _line(tag)]
            grouped.setdefault(tags[0] if tags else None, []).append(operation)
        declared = [_line(_mapping(tag).get("name")) for tag in _list(self.spec.get("tags"))]
        order = [tag for tag in dict.fromkeys(declared) if tag in grouped]
        order += sorted(tag for tag in grouped if tag is not None and tag not in order)
        result = [(tag, grouped[tag]) for tag in order]
        if None in grouped:
            result.append(("Other operations" if result else "Operations", grouped[None]))
        return result

    # -- authentication

    def requirement(self, operation: _Operation) -> tuple[str, list[Mapping[str, Any]]]:
        """``required``, ``optional`` or ``none``, and the alternatives that satisfy it."""
        security = operation.operation.get("security", self.spec.get("security"))
        requirements = [_mapping(r) for r in _list(security)]
        alternatives = [r for r in requirements if r]
        if not alternatives:
            return "none", []
        return ("optional" if len(alternatives) < len(requirements) else "required"), alternatives

    def authentication(self) -> None:
        self.heading(2, "Authentication", "authentication")
        needs: dict[str, dict[str, list[_Operation]]] = {}
        counts = {"required": 0, "optional": 0, "none": 0}
        for operation in self.operations:
            level, alternatives = self.requirement(operation)
            counts[level] += 1
            for name in dict.fromkeys(name for r in alternatives for name in r):
                needs.setdefault(name, {}).setdefault(level, []).append(operation)
        if not self.schemes and not needs:
            self.blocks.append("No operation declares a security requirement.")
            return
        labels = {"required": "Required by", "optional": "Optional for", "none": "Not needed by"}
        self.blocks.append(
            "\n".join(
                f"- **{labels[level]}:** {_count(count, 'operation')}"
                for level, count in counts.items()
                if count
            )
        )
        for name, scheme in self.schemes.items():
            self.heading(3, name, ("scheme", name))
            resolved = self.resolved(scheme)
            self.blocks.append(self.scheme_text(resolved))
            self.prose(resolved.get("description"))
            uses = needs.get(name, {})
            lines = [
                f"- **{label}:** " + ", ".join(self.operation_link(o) for o in uses[level])
                for level, label in (("required", "Required by"), ("optional", "Optional for"))
                if uses.get(level)
            ]
            self.blocks.append("\n".join(lines) or "No operation uses it.")

    def scheme_text(self, scheme: Mapping[str, Any]) -> str:
        kind = scheme.get("type")
        if kind == "http":
            name = _line(scheme.get("scheme")).lower()
            if name == "bearer":
                text = "HTTP Bearer authentication: send `Authorization: Bearer <token>`."
                if scheme.get("bearerFormat"):
                    text += f" The token is a {_text(scheme['bearerFormat'])}."
                return text
            if name == "basic":
                return (
                    "HTTP Basic authentication: send"
                    " `Authorization: Basic <base64 of user:password>`."
                )
            return f"HTTP {_code(name)} authentication, in the `Authorization` header."
        if kind == "apiKey":
            where = {"header": "header", "query": "query parameter", "cookie": "cookie"}
            place = where.get(_line(scheme.get("in")), _text(scheme.get("in")))
            return f"An API key in the {_code(scheme.get('name', ''))} {place}."
        if kind == "oauth2":
            lines = []
            for name, flow in map(_pair, _mapping(scheme.get("flows")).items()):
                details = [
                    f"{label} {_code(flow[key])}"
                    for key, label in (
                        ("authorizationUrl", "authorize at"),
                        ("tokenUrl", "token at"),
                    )
                    if flow.get(key)
                ]
                if flow.get("scopes"):
                    details.append("scopes " + ", ".join(map(_code, _mapping(flow["scopes"]))))
                lines.append(f"- {_code(name)}" + (": " + "; ".join(details) if details else ""))
            if not lines:
                return "OAuth 2.0."
            return "OAuth 2.0, with these flows:\n\n" + "\n".join(lines)
        if kind == "openIdConnect":
            return f"OpenID Connect, discovered at {_code(scheme.get('openIdConnectUrl', ''))}."
        if kind == "mutualTLS":
            return "Mutual TLS: the client presents a certificate."
        return f"A {_code(kind or 'custom')} security scheme."

    def requirement_text(self, operation: _Operation) -> str:
        level, alternatives = self.requirement(operation)
        if level == "none":
            return "none"
        options = []
        for requirement in alternatives:
            parts = []
            for name, scopes in requirement.items():
                scoped = ", ".join(_code(scope) for scope in _list(scopes))
                parts.append(self.scheme_link(name) + (f" (scopes {scoped})" if scoped else ""))
            options.append(" and ".join(parts))
        return f"{level} — " + " or ".join(options)

    # -- operations

    def operation(self, operation: _Operation) -> None:
        details = operation.operation
        self.heading(3, operation.title, operation.key)
        if details.get("summary"):
            self.blocks.append(_text(details["summary"]))
        self.prose(details.get("description"))
        facts = []
        if details.get("operationId"):
            facts.append(f"- **Operation ID:** {_code(details['operationId'])}")
        tags = [_line(tag) for tag in _list(details.get("tags"))]
        if len(tags) > 1:
            facts.append("- **Tags:** " + ", ".join(_text(tag) for tag in tags))
        if details.get("x-api-type"):
            facts.append(f"- **API type:** {_text(details['x-api-type'])}")
        facts.append(f"- **Authentication:** {self.requirement_text(operation)}")
        if details.get("deprecated") is True:
            facts.append("- **Deprecated**")
        self.blocks.append("\n".join(facts))
        self.parameters(operation)
        self.request_body(details.get("requestBody"))
        self.responses(details)
        self.pagination(details.get("x-pagination"))
        self.cors(operation.item.get("x-cors"))

    def parameters(self, operation: _Operation) -> None:
        merged: dict[tuple[str, str], Mapping[str, Any]] = {}
        for source in (operation.item, operation.operation):
            for parameter in map(self.resolved, _list(source.get("parameters"))):
                merged[(_line(parameter.get("in")), _line(parameter.get("name")))] = parameter
        if not merged:
            return
        rows = []
        for (location, _), parameter in sorted(merged.items(), key=_location_order):
            schema = parameter.get("schema")
            if schema is None:
                content = _mapping(parameter.get("content"))
                schema = _mapping(next(iter(content.values()), None)).get("schema")
            rows.append(
                (
                    _code(parameter.get("name", "")),
                    _text(location),
                    _code(named_type(schema, self.spec)),
                    "yes" if parameter.get("required") else "no",
                    _join(self.notes(schema, parameter)),
                )
            )
        self.blocks.append("**Parameters**")
        self.blocks.append(_table(("Name", "In", "Type", "Required", "Description"), rows))

    def request_body(self, body: Any) -> None:
        if body is None:
            return
        body = self.resolved(body)
        needed = "required" if body.get("required") else "optional"
        self.blocks.append(f"**Request body** ({needed})")
        self.prose(body.get("description"))
        for line, details in self.content(_mapping(body.get("content"))):
            self.blocks += [line, *details]

    def responses(self, details: Mapping[str, Any]) -> None:
        listed = _mapping(details.get("responses"))
        responses = {str(status): self.resolved(listed[status]) for status in listed}
        statuses = sorted(responses, key=_status_key)
        rate_limited = [_line(name) for name in _list(details.get("x-rate-limit-headers"))]
        rows = []
        for status in statuses:
            kinds = ", ".join(
                f"{_code(media)}: {_code(named_type(_mapping(entry).get('schema'), self.spec))}"
                for media, entry in _mapping(responses[status].get("content")).items()
            )
            description = _line(responses[status].get("description"))
            rows.append((_code(status), description, kinds or "no body"))
        if rows:
            self.blocks += ["**Responses**", _table(("Status", "Description", "Content"), rows)]
        for status in statuses:
            headers = {
                str(name): self.resolved(header)
                for name, header in _mapping(responses[status].get("headers")).items()
            }
            content = self.content(_mapping(responses[status].get("content")))
            # The summary table already says what a body-only response holds.
            if headers or any(details for _, details in content):
                self.blocks.append(f"**Response {_code(status)}**")
            if headers:
                self.blocks += ["Headers:", self.header_table(headers)]
            if any(details for _, details in content):
                for line, more in content:
                    self.blocks += [line, *more]
            rate_limited += [
                name
                for name, header in headers.items()
                if is_rate_limit_header(name.lower())
                or _line(header.get("description")).lower() == "rate limit"
            ]
        names = sorted(dict.fromkeys(name.lower() for name in rate_limited if name))
        if names:
            carried = ", ".join(_code(name) for name in names)
            self.blocks.append(f"**Rate limiting:** responses carry {carried}.")

    def header_table(self, headers: Mapping[str, Mapping[str, Any]]) -> str:
        rows = [
            (
                _code(name),
                _code(named_type(header.get("schema"), self.spec)),
                "yes" if header.get("required") else "no",
                _join(self.notes(header.get("schema"), header)),
            )
            for name, header in headers.items()
        ]
        return _table(("Header", "Type", "Required", "Description"), rows)

    def content(self, content: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
        """Per media type: a line naming it and its type, and the blocks detailing it."""
        result = []
        for media, entry in content.items():
            schema = _mapping(entry).get("schema")
            line = f"{_code(media)} — {_code(named_type(schema, self.spec))}"
            result.append((line, self.schema_table(schema) + self.examples(media, entry)))
        return result

    def examples(self, media: str, entry: Any) -> list[str]:
        entry = _mapping(entry)
        named = {str(k): self.resolved(v) for k, v in _mapping(entry.get("examples")).items()}
        samples = [(name, e) for name, e in named.items() if "value" in e]
        if "example" in entry:
            samples.insert(0, ("example", {"value": entry["example"]}))
        blocks = []
        for name, sample in samples:
            value = sample["value"]
            label = "Example" if len(samples) == 1 else f"Example {_code(name)}"
            if sample.get("summary"):
                label += f" ({_text(sample['summary'])})"
            language = _language(media, value)
            text = _pretty(value) if language == "json" else str(value)
            blocks += [label + ":", *_fence(text, language)]
        return blocks

    def schema_table(self, schema: Any) -> list[str]:
        fields = schema_fields(schema, self.spec)
        if not fields:
            return []
        rows = [
            (
                _code(f.path),
                _code(f.type),
                "yes" if f.required else "no",
                _join(_field_notes(f)),
            )
            for f in fields[:MAX_FIELDS]
        ]
        blocks = [_table(("Field", "Type", "Required", "Notes"), rows)]
        if len(fields) > MAX_FIELDS:
            blocks.append(f"*{_count(len(fields) - MAX_FIELDS, 'more field')} not shown.*")
        return blocks

    # -- pagination and CORS

    def pagination(self, pagination: Any) -> None:
        pagination = _mapping(pagination)
        style = _line(pagination.get("style"))
        if not style:
            return
        text = f"**Pagination** ({_text(style)}-based): {_PAGINATION.get(style, '')}".rstrip(": ")
        extra = [
            f"{_code(key)} {_code(literal(value))}"
            for key, value in pagination.items()
            if key != "style"
        ]
        self.blocks.append(text + (f" Also: {', '.join(extra)}." if extra else ""))

    def cors(self, cors: Any) -> None:
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
            values = [_line(v) for v in _list(cors.get(key))]
            if values:
                shown = ", ".join(
                    "any (`*`)" if key == "allowOrigins" and v == "*" else _code(v) for v in values
                )
                lines.append(f"- **{label}:** {shown}")
        if "allowCredentials" in cors:
            allowed = "allowed" if cors["allowCredentials"] else "not allowed"
            lines.append(f"- **Credentials:** {allowed}")
        if isinstance(cors.get("maxAge"), int):
            lines.append(f"- **Preflight cached for:** {_count(cors['maxAge'], 'second')}")
        if "preflight" in cors:
            seen = "seen" if cors["preflight"] else "not seen"
            lines.append(f"- **Preflight requests:** {seen}")
        if lines:
            self.blocks += ["**CORS**", "\n".join(lines)]


def render_markdown(spec: Mapping[str, Any]) -> str:
    """The API reference of an OpenAPI 3.1 document (see the module docstring)."""
    return _Renderer(spec).render()
