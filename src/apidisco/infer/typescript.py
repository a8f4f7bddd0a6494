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
always gives the same text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any

__all__ = ["EXAMPLE_LIMIT", "RESERVED", "render_typescript"]

#: At most this many ``examples`` are shown in a JSDoc comment.
EXAMPLE_LIMIT = 3

#: Names a declaration never takes: the language's reserved and type keywords, the
#: global type the file itself uses (``Blob``), the wrappers of the primitive types and
#: the utility types. Other globals (``Error``, ``File``, ``Map``) are fair names for an
#: API's types: a declaration in a module only shadows them inside that module.
RESERVED = frozenset(
    """
    abstract any as asserts async await bigint boolean break case catch class const constructor
    continue debugger declare default delete do else enum export extends false finally for from
    function get global if implements import in infer instanceof interface intrinsic is keyof let
    module namespace never new null number object of package private protected public readonly
    require return satisfies set static string super switch symbol this throw true try type
    typeof undefined unique unknown var void while with yield
    Array ArrayBuffer Awaited BigInt Blob Boolean Exclude Extract Function NonNullable Number
    Object Omit Partial Pick Promise Readonly ReadonlyArray Record Required ReturnType String
    Symbol Uint8Array
    """.split()
)

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER_SUFFIX = {"path": "PathParams", "query": "Query", "header": "Headers"}
_PARAMETER_LABEL = {"PathParams": "Path", "Query": "Query", "Headers": "Header"}
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_STATUS = re.compile(r"[1-5][0-9][0-9]")
_COMPONENT_REF = "#/components/schemas/"
_TEXT_TYPES = frozenset(
    {"application/javascript", "application/graphql", "application/sql", "application/x-ndjson"}
)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/")


@dataclass(frozen=True)
class _Type:
    """A TypeScript type expression: an atom, or a union or intersection of members."""

    text: str
    kind: str = "atom"
    members: tuple[_Type, ...] = ()


UNKNOWN = _Type("unknown")
NEVER = _Type("never")
UNDEFINED = _Type("undefined")
VOID = _Type("void")


@dataclass(frozen=True)
class _Body:
    """The type of a body, and its JSON schema when it is exactly one (so an object
    schema can be declared as an interface, with its members documented)."""

    type: _Type
    schema: Any = None
    binary: bool = False


def _union(types: Iterable[_Type]) -> _Type:
    """Members flattened and deduplicated; ``unknown`` absorbs, ``never`` vanishes,
    ``null`` and ``undefined`` go last."""
    members: dict[str, _Type] = {}
    for type_ in types:
        for member in type_.members if type_.kind == "union" else (type_,):
            members.setdefault(member.text, member)
    if "unknown" in members:
        return UNKNOWN
    if len(members) > 1:
        members.pop("never", None)
    for last in ("null", "undefined"):
        if last in members:
            members[last] = members.pop(last)
    if not members:
        return NEVER
    if len(members) == 1:
        return next(iter(members.values()))
    return _Type(" | ".join(members), "union", tuple(members.values()))


def _intersection(types: Iterable[_Type]) -> _Type:
    parts = list(dict.fromkeys(f"({t.text})" if t.kind == "union" else t.text for t in types))
    parts = [part for part in parts if part != "unknown"] or ["unknown"]
    return _Type(parts[0]) if len(parts) == 1 else _Type(" & ".join(parts), "intersection")


def _array(item: _Type) -> _Type:
    return _Type(f"({item.text})[]" if item.kind != "atom" else f"{item.text}[]")


def _literal(value: Any) -> str:
    """A JSON value as a TypeScript literal (strings double-quoted, as JSON writes them)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _property_name(name: str) -> str:
    return name if _IDENTIFIER.fullmatch(name) else _literal(name)


def _pascal(text: str) -> str:
    """``list_users`` → ``ListUsers``, ``getUser`` → ``GetUser``, ``Café`` → ``Cafe``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(
        part[0].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", ascii_text) if part
    )


def _comment(text: str) -> str:
    return text.replace("*/", "*\\/")


def _doc(lines: list[str], pad: str) -> list[str]:
    """A JSDoc block: one line when it fits one line, else the long form."""
    lines = [_comment(part.rstrip()) for line in lines for part in line.splitlines() or [""]]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return []
    if len(lines) == 1:
        return [f"{pad}/** {lines[0]} */"]
    return [f"{pad}/**", *(f"{pad} * {line}".rstrip() for line in lines), f"{pad} */"]


def _schema_doc(schema: Any) -> list[str]:
    if not isinstance(schema, Mapping):
        return []
    lines = str(schema.get("description") or "").strip().splitlines()
    tags = []
    if isinstance(schema.get("format"), str):
        tags.append(f"@format {schema['format']}")
    if "default" in schema:
        tags.append(f"@default {_literal(schema['default'])}")
    examples = schema.get("examples")
    if isinstance(examples, list):
        tags.extend(f"@example {_literal(example)}" for example in examples[:EXAMPLE_LIMIT])
    if schema.get("deprecated") is True:
        tags.append("@deprecated")
    return [*lines, *([""] if lines and tags else []), *tags]


def _media_base(media: str) -> str:
    return media.split(";", 1)[0].strip().lower()


def _is_json(media: str) -> bool:
    base = _media_base(media)
    return base.endswith(("/json", "+json"))


def _is_text(media: str) -> bool:
    base = _media_base(media)
    return (
        base.startswith("text/")
        or base in _TEXT_TYPES
        or base.endswith(("/xml", "+xml", "/yaml", "+yaml", "/x-yaml", "/csv"))
    )


def _is_form(media: str) -> bool:
    return _media_base(media).startswith(_FORM_TYPES)


def _is_object(schema: Any) -> bool:
    """Whether a schema is declared as an ``interface``: a plain, non-nullable object."""
    if not isinstance(schema, Mapping):
        return False
    if any(k in schema for k in ("$ref", "enum", "const", "anyOf", "oneOf", "allOf")):
        return False
    kind = schema.get("type")
    if kind is None:
        return "properties" in schema or "additionalProperties" in schema
    return bool(kind == "object")


def _unique(base: str, taken: set[str]) -> str:
    for n in count(1):
        name = base if n == 1 else f"{base}{n}"
        if name not in taken:
            return name
    raise AssertionError("unreachable")  # pragma: no cover


class _Renderer:
    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        components = spec.get("components")
        schemas = components.get("schemas") if isinstance(components, Mapping) else None
        self.schemas: Mapping[str, Any] = schemas if isinstance(schemas, Mapping) else {}
        self.taken: set[str] = set(RESERVED)
        self.names: dict[str, str] = {}
        for key in sorted(self.schemas):
            pascal = _pascal(key)
            base = pascal if pascal[:1].isalpha() else f"Schema{pascal}"
            self.names[key] = name = _unique(base, self.taken)
            self.taken.add(name)

    # -- schemas to types -------------------------------------------------------------

    def type(self, schema: Any, level: int, binary: bool = False) -> _Type:
        """The type of a schema, for text at indentation ``level``; ``binary`` makes
        file fields of form and multipart bodies ``Blob``."""
        if schema is True or schema == {}:
            return UNKNOWN
        if not isinstance(schema, Mapping):
            return NEVER if schema is False else UNKNOWN
        if "$ref" in schema:
            return self.ref(schema["$ref"])
        kinds = schema.get("type")
        kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
        if "const" in schema:
            return _Type(_literal(schema["const"]))
        if isinstance(schema.get("enum"), list):
            values = [*schema["enum"], *([None] if "null" in kinds else [])]
            return _union(_Type(_literal(value)) for value in values)
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list):
                return _union(self.type(branch, level, binary) for branch in schema[key])
        if isinstance(schema.get("allOf"), list):
            return _intersection(self.type(branch, level, binary) for branch in schema["allOf"])
        if not kinds:
            if "properties" in schema or "additionalProperties" in schema:
                kinds = ["object"]
            elif "items" in schema:
                kinds = ["array"]
            else:
                return UNKNOWN
        return _union(self.scalar(kind, schema, level, binary) for kind in kinds)

    def scalar(self, kind: Any, schema: Mapping[str, Any], level: int, binary: bool) -> _Type:
        if kind == "string":
            media = str(schema.get("contentMediaType") or "")
            is_file = schema.get("format") == "binary" or (media and not _is_text(media))
            return _Type("Blob" if binary and is_file else "string")
        if kind in ("integer", "number"):
            return _Type("number")
        if kind in ("boolean", "null"):
            return _Type(kind)
        if kind == "array":
            items = schema.get("items")
            return _array(UNKNOWN if items is None else self.type(items, level, binary))
        if kind == "object":
            return _Type(self.object_literal(schema, level, binary))
        return UNKNOWN

    def ref(self, ref: Any) -> _Type:
        if isinstance(ref, str) and ref.startswith(_COMPONENT_REF):
            key = ref[len(_COMPONENT_REF) :].replace("~1", "/").replace("~0", "~")
            if key in self.names:
                return _Type(self.names[key])
        return UNKNOWN

    def members(self, schema: Mapping[str, Any], level: int, binary: bool = False) -> list[str]:
        """The member lines of an object type (properties, then the index signature)."""
        pad = "  " * (level + 1)
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        required = schema.get("required")
        required = set(required) if isinstance(required, list) else set()
        lines: list[str] = []
        types: list[_Type] = []
        for name, prop in properties.items():
            type_ = self.type(prop, level + 1, binary)
            optional = name not in required
            types.append(_union([type_, UNDEFINED]) if optional else type_)
            lines += _doc(_schema_doc(prop), pad)
            lines.append(f"{pad}{_property_name(name)}{'?' if optional else ''}: {type_.text};")
        extra = schema.get("additionalProperties")
        if extra is None and not properties:
            extra = True  # an object that says nothing of its keys may have any
        if extra is False and not properties:
            lines.append(f"{pad}[key: string]: never;")  # an object that must be empty
        elif extra is not None and extra is not False:
            value = _union([self.type(extra, level + 1, binary), *types])
            lines += _doc(_schema_doc(extra), pad)
            lines.append(f"{pad}[key: string]: {value.text};")
        return lines

    def object_literal(self, schema: Mapping[str, Any], level: int, binary: bool) -> str:
        """``{ [key: string]: T }`` on one line for a plain map, else one member a line."""
        lines = self.members(schema, level, binary)
        if len(lines) == 1 and "\n" not in lines[0] and lines[0].lstrip().startswith("[key:"):
            return "{ " + lines[0].strip()[:-1] + " }"
        return "{\n" + "\n".join(lines) + "\n" + "  " * level + "}"

    # -- declarations -----------------------------------------------------------------

    def declare(self, name: str, schema: Any, doc: list[str], binary: bool = False) -> list[str]:
        """``export interface`` for an object schema, else ``export type``."""
        if _is_object(schema):
            members = "\n".join(self.members(schema, 0, binary))
            return [*_doc(doc, ""), f"export interface {name} {{\n{members}\n}}"]
        return self.alias(name, self.type(schema, 0, binary), doc)

    def alias(self, name: str, type_: _Type, doc: list[str]) -> list[str]:
        return [*_doc(doc, ""), f"export type {name} = {type_.text};"]

    def components(self) -> list[list[str]]:
        return [
            self.declare(self.names[key], self.schemas[key], _schema_doc(self.schemas[key]))
            for key in sorted(self.schemas)
        ]

    # -- operations -------------------------------------------------------------------

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
        json_medias = [media for media in medias if _is_json(media)]
        if json_medias:
            types = [self.type(schemas[media], 0) for media in json_medias]
            single = schemas[json_medias[0]] if len({t.text for t in types}) == 1 else None
            return _Body(_union(types), single)
        types = []
        for media in medias:
            if _is_form(media) and _is_object(schemas[media]):
                types.append(self.type(schemas[media], 0, binary=True))
            else:
                types.append(_Type("string" if _is_text(media) else "Blob"))
        form = len(medias) == 1 and _is_form(medias[0]) and _is_object(schemas[medias[0]])
        return _Body(types[0], schemas[medias[0]], binary=True) if form else _Body(_union(types))

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
        if not isinstance(operation_id, str) or not _pascal(operation_id):
            operation_id = method + _pascal(path)
        emitted = [*parameters, *(["Request"] if request else []), "Response"]
        emitted += ["Responses"] if responses else []
        reuse = {"Request": request.type.text if request else "", "Response": response.type.text}
        names = self.family(_pascal(operation_id), emitted, reuse)

        summary = " ".join(str(operation.get("summary") or "").split())
        title = f"// {method.upper()} {path} ({operation_id})" + (f": {summary}" if summary else "")
        blocks = [[" ".join(title.split())]]  # one line, whatever the path holds
        for suffix, members in parameters.items():
            doc = [f"{_PARAMETER_LABEL[suffix]} parameters of {where}."]
            blocks.append([*_doc(doc, ""), f"export interface {names[suffix]} {{", *members, "}"])
        if request:
            optional = "" if request_body.get("required") is True else " Optional."
            doc = [f"The request body of {where}.{optional}"]
            blocks.append(self.body(names["Request"], request, doc))
        statuses_text = f" ({', '.join(success)})." if success else ": none was described."
        doc = [f"The successful response body of {where}{statuses_text}"]
        blocks.append(self.body(names["Response"], response, doc))
        if responses:
            members = []
            for status in statuses:
                key = (
                    status if _STATUS.fullmatch(status) or status == "default" else _literal(status)
                )
                body = bodies[status]
                description = " ".join(str(responses[status].get("description") or "").split())
                members += _doc([description], "  ")
                members.append(f"  {key}: {body.type.text if body else 'void'};")
            doc = [f"The response bodies of {where}, by status."]
            blocks.append(
                [*_doc(doc, ""), f"export interface {names['Responses']} {{", *members, "}"]
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
        line = f"  {_property_name(name)}{mark}: {self.type(schema, 1).text};"
        return [*_doc(_schema_doc(documented), "  "), line]

    def family(self, base: str, suffixes: list[str], reuse: Mapping[str, str]) -> dict[str, str]:
        """An operation's names: the first prefix (``base``, ``base2``, …) under which each
        name is free, or is the component the body already is."""
        base = base if base[:1].isalpha() else f"Operation{base}"
        for n in count(1):
            prefix = base if n == 1 else f"{base}{n}"
            names = {suffix: prefix + suffix for suffix in suffixes}
            if all(names[s] not in self.taken or names[s] == reuse.get(s) for s in suffixes):
                self.taken.update(names.values())
                return names
        raise AssertionError("unreachable")  # pragma: no cover

    def body(self, name: str, body: _Body, doc: list[str]) -> list[str]:
        if body.type.text == name:
            return []  # the component of that name is the body
        if _is_object(body.schema):
            schema_doc = _schema_doc(body.schema)
            doc = [*doc, *([""] if schema_doc else []), *schema_doc]
            return self.declare(name, body.schema, doc, body.binary)
        return self.alias(name, body.type, doc)


def _success(bodies: list[_Body | None]) -> _Body:
    """The union of the successful bodies: ``unknown`` when no status was described,
    ``void`` when none has a body, ``| undefined`` when only some have."""
    present = [body for body in bodies if body is not None]
    if not bodies:
        return _Body(UNKNOWN)
    if not present:
        return _Body(VOID)
    if len(present) < len(bodies):
        return _Body(_union([*(body.type for body in present), UNDEFINED]))
    schema = present[0].schema if len({body.type.text for body in present}) == 1 else None
    return _Body(_union(body.type for body in present), schema)


def render_typescript(spec: Mapping[str, Any]) -> str:
    """The ``.d.ts`` text for an OpenAPI 3.1 document (see the module docstring)."""
    renderer = _Renderer(spec)
    info = spec.get("info")
    info = info if isinstance(info, Mapping) else {}
    title = " ".join(str(info.get("title") or "API").split())
    version = " ".join(str(info.get("version") or "").split())
    header = _doc(
        [
            f"{title} {version}".strip(),
            "",
            "TypeScript declarations generated by apidisco from the API's OpenAPI document.",
            "Do not edit: regenerate it.",
        ],
        "",
    )
    sections = [header]
    components = renderer.components()
    if components:
        sections += [["// Schemas"], *components]
    operations = renderer.operations()
    if operations:
        sections += [["// Operations"], *operations]
    if not components and not operations:
        sections.append(["export {};"])
    return "\n\n".join("\n".join(block) for block in sections) + "\n"
