"""TypeScript declarations (one ``.d.ts`` file) from an OpenAPI 3.1 document.

:func:`render_typescript` takes the document as plain data and returns the text
of one declaration file that compiles with ``tsc --strict``. The rules:

- **schemas** — every ``components.schemas`` entry is declared under its name
  made a PascalCase ASCII identifier (``user_profile`` → ``UserProfile``); an
  object schema is an ``export interface``, anything else an ``export type``.
  ``$ref`` to a component is its name; a ``$ref`` elsewhere is ``unknown``.
- **types** — ``string``, ``number`` (also for ``integer``), ``boolean``,
  ``null``; a type array is a union (``null`` last: ``string | null``);
  ``enum`` and ``const`` are literal unions (``"open" | "closed" | null``);
  ``anyOf``/``oneOf`` are unions, ``allOf`` intersections; arrays are ``T[]``
  (``(A | B)[]``); ``{}`` and ``true`` are ``unknown``, ``false`` is ``never``.
- **objects** — a property not in ``required`` is optional (``?``); a name that
  is not an ASCII identifier is quoted. ``additionalProperties`` is an index
  signature ``[key: string]: T`` (widened to every property's type when the
  object has properties too, as TypeScript requires); an object with neither
  is ``{ [key: string]: unknown }``. ``description``, ``format``, ``default``,
  up to :data:`EXAMPLE_LIMIT` ``examples`` and ``deprecated`` become JSDoc.
- **operations** — in path order, then method order, named after the PascalCase
  ``operationId`` (or method and path when there is none): ``…PathParams``,
  ``…Query`` and ``…Headers`` interfaces when there are such parameters (the
  path item's, overridden by the operation's; cookies are left out),
  ``…Request`` (the body), ``…Response`` (the union of the 2xx bodies, or the
  ``default`` response's when there is no 2xx: ``void`` when none has a body,
  ``| undefined`` when only some have, ``unknown`` when nothing was described)
  and ``…Responses`` (every status's body, by status).
- **bodies** — JSON (``application/json``, ``…+json``) wins when a body has it.
  Otherwise each media type gives a type: form and multipart bodies their
  object type with file fields (``format: binary`` or a binary
  ``contentMediaType``) as ``Blob``; text (``text/*``, XML, YAML, …) ``string``;
  anything else ``Blob``.
- **names** — unique and never a reserved word or a global type the file could
  shadow (:data:`RESERVED`). Components are named first, in key order; then
  each operation claims its names as a family: on a collision the family takes
  the first free numeric suffix (``GetUser2Request``). A body that *is* the
  component already named ``<OperationId>Request``/``…Response`` reuses it.

Everything is sorted or kept in the document's order, so the same document
always gives the same text. This module assembles the file: the header, the
component declarations and each operation's family of declarations. The
translation of schemas into types is :mod:`apidisco.infer.typescript_types`;
identifiers and unique names are :mod:`apidisco.infer.typescript_names`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any

from apidisco.infer.typescript_names import RESERVED, literal, pascal, property_name
from apidisco.infer.typescript_types import (
    EXAMPLE_LIMIT,
    UNDEFINED,
    UNKNOWN,
    VOID,
    SchemaTypes,
    TsType,
    doc,
    is_form,
    is_json,
    is_object,
    is_text,
    schema_doc,
    union,
)

__all__ = ["EXAMPLE_LIMIT", "RESERVED", "render_typescript"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER_SUFFIX = {"path": "PathParams", "query": "Query", "header": "Headers"}
_PARAMETER_LABEL = {"PathParams": "Path", "Query": "Query", "Headers": "Header"}
_STATUS = re.compile(r"[1-5][0-9][0-9]")


@dataclass(frozen=True)
class _Body:
    """The type of a body, and its JSON schema when it is exactly one (so an object
    schema can be declared as an interface, with its members documented)."""

    type: TsType
    schema: Any = None
    binary: bool = False


class _Renderer:
    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.types = SchemaTypes(spec)

    def resolve(self, value: Any) -> Any:
        """Follows local ``$ref``s (``#/components/parameters/…`` and the like)."""
        seen: set[str] = set()
        while isinstance(value, Mapping) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            if not ref.startswith("#/") or ref in seen:
                return {}
            seen.add(ref)
            target: Any = self.spec
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, Mapping) else None
            value = target
        return value if isinstance(value, Mapping) else {}

    def content(self, content: Any) -> _Body | None:
        """The type of a body: ``None`` when there is none."""
        if not isinstance(content, Mapping) or not content:
            return None
        medias = sorted(str(media) for media in content)
        schemas = {media: self.resolve(content[media]).get("schema", {}) for media in medias}
        json_medias = [media for media in medias if is_json(media)]
        if json_medias:
            types = [self.types.type(schemas[media], 0) for media in json_medias]
            single = schemas[json_medias[0]] if len({t.text for t in types}) == 1 else None
            return _Body(union(types), single)
        types = []
        for media in medias:
            if is_form(media) and is_object(schemas[media]):
                types.append(self.types.type(schemas[media], 0, binary=True))
            else:
                types.append(TsType("string" if is_text(media) else "Blob"))
        form = len(medias) == 1 and is_form(medias[0]) and is_object(schemas[medias[0]])
        return _Body(types[0], schemas[medias[0]], binary=True) if form else _Body(union(types))

    def operations(self) -> list[list[str]]:
        blocks: list[list[str]] = []
        paths = self.spec.get("paths")
        paths = paths if isinstance(paths, Mapping) else {}
        for path in sorted(paths):
            item = self.resolve(paths[path])
            for method in _METHODS:
                if isinstance(item.get(method), Mapping):
                    blocks += self.operation(path, method, item, item[method])
        return blocks

    def operation(
        self, path: str, method: str, item: Mapping[str, Any], operation: Mapping[str, Any]
    ) -> list[list[str]]:
        where = "`" + " ".join(f"{method.upper()} {path}".split()) + "`"
        parameters = self.parameters(item, operation)
        request_body = self.resolve(operation.get("requestBody"))
        request = self.content(request_body.get("content"))
        raw = operation.get("responses")
        responses = (
            {str(s): self.resolve(r) for s, r in raw.items()} if isinstance(raw, Mapping) else {}
        )
        statuses = sorted(responses, key=lambda s: (s == "default", s))
        bodies = {status: self.content(responses[status].get("content")) for status in statuses}
        success = [s for s in statuses if s.startswith("2")] or [
            s for s in statuses if s == "default"
        ]
        response = _success([bodies[status] for status in success])

        operation_id = operation.get("operationId")
        if not isinstance(operation_id, str) or not pascal(operation_id):
            operation_id = method + pascal(path)
        emitted = [*parameters, *(["Request"] if request else []), "Response"]
        emitted += ["Responses"] if responses else []
        reuse = {"Request": request.type.text if request else "", "Response": response.type.text}
        names = self.family(pascal(operation_id), emitted, reuse)

        summary = " ".join(str(operation.get("summary") or "").split())
        title = f"// {method.upper()} {path} ({operation_id})" + (f": {summary}" if summary else "")
        blocks = [[" ".join(title.split())]]  # one line, whatever the path holds
        for suffix, members in parameters.items():
            note = [f"{_PARAMETER_LABEL[suffix]} parameters of {where}."]
            blocks.append([*doc(note, ""), f"export interface {names[suffix]} {{", *members, "}"])
        if request:
            optional = "" if request_body.get("required") is True else " Optional."
            note = [f"The request body of {where}.{optional}"]
            blocks.append(self.body(names["Request"], request, note))
        statuses_text = f" ({', '.join(success)})." if success else ": none was described."
        note = [f"The successful response body of {where}{statuses_text}"]
        blocks.append(self.body(names["Response"], response, note))
        if responses:
            members = []
            for status in statuses:
                key = (
                    status if _STATUS.fullmatch(status) or status == "default" else literal(status)
                )
                body = bodies[status]
                description = " ".join(str(responses[status].get("description") or "").split())
                members += doc([description], "  ")
                members.append(f"  {key}: {body.type.text if body else 'void'};")
            note = [f"The response bodies of {where}, by status."]
            blocks.append(
                [*doc(note, ""), f"export interface {names['Responses']} {{", *members, "}"]
            )
        return [block for block in blocks if block]

    def parameters(
        self, item: Mapping[str, Any], operation: Mapping[str, Any]
    ) -> dict[str, list[str]]:
        """The member lines of each parameter interface that has members, by suffix; the
        operation's parameters override the path item's of the same name and place."""
        found: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter = self.resolve(raw)
            if parameter.get("in") in _PARAMETER_SUFFIX and isinstance(parameter.get("name"), str):
                found[(parameter["in"], parameter["name"])] = parameter
        members: dict[str, list[str]] = {}
        for place, suffix in _PARAMETER_SUFFIX.items():
            for (where, name), parameter in found.items():
                if where == place:
                    members.setdefault(suffix, []).extend(self.parameter(name, parameter))
        return members

    def parameter(self, name: str, parameter: Mapping[str, Any]) -> list[str]:
        schema = parameter.get("schema")
        content = parameter.get("content")
        if schema is None and isinstance(content, Mapping) and content:
            schema = self.resolve(content[sorted(content)[0]]).get("schema")
        schema = {} if schema is None else schema
        documented = dict(schema) if isinstance(schema, Mapping) else {}
        documented.update(
            {k: parameter[k] for k in ("description", "deprecated") if k in parameter}
        )
        optional = parameter.get("in") != "path" and parameter.get("required") is not True
        mark = "?" if optional else ""
        line = f"  {property_name(name)}{mark}: {self.types.type(schema, 1).text};"
        return [*doc(schema_doc(documented), "  "), line]

    def family(self, base: str, suffixes: list[str], reuse: Mapping[str, str]) -> dict[str, str]:
        """An operation's names: the first prefix (``base``, ``base2``, …) under which each
        name is free, or is the component the body already is."""
        base = base if base[:1].isalpha() else f"Operation{base}"
        for n in count(1):
            prefix = base if n == 1 else f"{base}{n}"
            names = {suffix: prefix + suffix for suffix in suffixes}
            if all(names[s] not in self.types.taken or names[s] == reuse.get(s) for s in suffixes):
                self.types.taken.update(names.values())
                return names
        raise AssertionError("unreachable")  # pragma: no cover

    def body(self, name: str, body: _Body, note: list[str]) -> list[str]:
        if body.type.text == name:
            return []  # the component of that name is the body
        if is_object(body.schema):
            described = schema_doc(body.schema)
            note = [*note, *([""] if described else []), *described]
            return self.types.declare(name, body.schema, note, body.binary)
        return self.types.alias(name, body.type, note)


def _success(bodies: list[_Body | None]) -> _Body:
    """The union of the successful bodies: ``unknown`` when no status was described,
    ``void`` when none has a body, ``| undefined`` when only some have."""
    present = [body for body in bodies if body is not None]
    if not bodies:
        return _Body(UNKNOWN)
    if not present:
        return _Body(VOID)
    if len(present) < len(bodies):
        return _Body(union([*(body.type for body in present), UNDEFINED]))
    schema = present[0].schema if len({body.type.text for body in present}) == 1 else None
    return _Body(union(body.type for body in present), schema)


def render_typescript(spec: Mapping[str, Any]) -> str:
    """The ``.d.ts`` text for an OpenAPI 3.1 document (see the module docstring)."""
    renderer = _Renderer(spec)
    info = spec.get("info")
    info = info if isinstance(info, Mapping) else {}
    title = " ".join(str(info.get("title") or "API").split())
    version = " ".join(str(info.get("version") or "").split())
    header = doc(
        [
            f"{title} {version}".strip(),
            "",
            "TypeScript declarations generated by apidisco from the API's OpenAPI document.",
            "Do not edit: regenerate it.",
        ],
        "",
    )
    sections = [header]
    components = renderer.types.components()
    if components:
        sections += [["// Schemas"], *components]
    operations = renderer.operations()
    if operations:
        sections += [["// Operations"], *operations]
    if not components and not operations:
        sections.append(["export {};"])
    return "\n\n".join("\n".join(block) for block in sections) + "\n"
