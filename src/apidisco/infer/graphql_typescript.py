"""TypeScript declarations for GraphQL endpoints, from their rebuilt SDL.

:func:`graphql_namespaces` turns each GraphQL endpoint's schema (built with
graphql-core's ``build_schema``) and the operations seen into one
``export namespace`` appended to the TypeScript export. A namespace keeps the
schema's own names (``GraphQL.Book``) apart from the REST declarations of the
same file (``Book``): it is named ``GraphQL`` for ``/graphql`` and
``GraphQL<Path>`` otherwise (``/api/v2/graphql`` → ``GraphQLApiV2``), with a
numeric suffix when the file already declares that name. Inside it:

- **object and interface types** → ``export interface``; an object type also
  gets ``__typename?: "Book"``, so the members of a union can be told apart;
- **input types** → ``export interface``; a field that may be left out
  (nullable, or with a default) is optional: ``year?: number | null``;
- **enums** → a union of string literals (``"FICTION" | "SCIENCE"``);
- **unions** → a union of their members (``Author | Book``);
- **scalars** → ``ID`` and ``String`` are ``string``, ``Int`` and ``Float``
  ``number``, ``Boolean`` ``boolean``; a custom scalar is declared
  ``export type JSON = unknown;`` and used by its name;
- **nullability and lists** → a nullable type is ``T | null``; ``[Book!]!`` is
  ``Book[]``, ``[Book]`` is ``(Book | null)[] | null``;
- **arguments** → ``<Type><Field>Args`` (``QueryBooksArgs``) for each field that
  takes arguments, optional as input fields are;
- **operations** → for each operation seen with its text, named as
  graphql-codegen names them: ``<Name><Kind>Variables`` (``BooksByGenreQueryVariables``)
  from the variables' declared types, and ``<Name><Kind>`` (``BooksByGenreQuery``)
  for its result: the root fields it selected, with the schema's types. The
  query text is not stored, so a result type holds each root field under its
  field name (an alias renames it) with every field the traffic showed, not only
  the selected ones. Anonymous operations are named ``Anonymous<RootFields>``;
  persisted queries whose text was never seen are left out.

Names that TypeScript reserves or the file relies on
(:data:`~apidisco.infer.typescript.RESERVED`) take a ``_`` suffix; generated
names (arguments, operations) take the first free numeric suffix. Types come
root types first (``Query``, ``Mutation``, ``Subscription``), then by name;
arguments by type and field; operations by kind, name and root fields. The
same input gives the same text; it compiles with ``tsc --strict``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import count
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    Undefined,
    build_schema,
    parse_type,
    type_from_ast,
)

from apidisco.infer.graphql_types import pascal
from apidisco.infer.typescript import RESERVED

__all__ = ["declared_names", "graphql_namespace", "graphql_namespaces"]

_BUILTIN = {"ID": "string", "String": "string", "Int": "number", "Float": "number"}
_BUILTIN["Boolean"] = "boolean"
_ROOTS = ("Query", "Mutation", "Subscription")
_KINDS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
_DECLARATION = re.compile(r"^export (?:interface|type|namespace) ([A-Za-z_$][\w$]*)", re.M)


def declared_names(text: str) -> set[str]:
    """The names a TypeScript file declares at its top level (``export interface X``)."""
    return set(_DECLARATION.findall(text))


def _doc(text: str | None, pad: str) -> list[str]:
    lines = [line.rstrip().replace("*/", "*\\/") for line in (text or "").strip().splitlines()]
    if not lines:
        return []
    if len(lines) == 1:
        return [f"{pad}/** {lines[0]} */"]
    return [f"{pad}/**", *(f"{pad} * {line}".rstrip() for line in lines), f"{pad} */"]


def _unique(base: str, taken: set[str]) -> str:
    for number in count(1):
        name = base if number == 1 else f"{base}{number}"
        if name not in taken:
            taken.add(name)
            return name
    raise AssertionError("unreachable")  # pragma: no cover


def _has_default(field: GraphQLInputField | GraphQLArgument) -> bool:
    # graphql-core 3.3 keeps a default in ``default``; 3.2 in ``default_value``.
    default = getattr(field, "default", None)
    return default is not None or field.default_value is not Undefined


class _Namespace:
    """The declarations of one schema, inside its namespace."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.types = sorted(
            (
                named
                for name, named in schema.type_map.items()
                if not name.startswith("__") and name not in _BUILTIN
            ),
            key=lambda named: (_ROOTS.index(named.name) if named.name in _ROOTS else 3, named.name),
        )
        self.taken: set[str] = set(RESERVED)
        self.names = {
            named.name: _unique(named.name + ("_" if named.name in RESERVED else ""), self.taken)
            for named in self.types
        }

    def ref(self, type_: GraphQLType) -> str:
        """A type as TypeScript: nullable is ``| null``, a list ``T[]``."""
        if isinstance(type_, GraphQLNonNull):
            return self.bare(type_.of_type)
        return f"{self.bare(type_)} | null"

    def bare(self, type_: GraphQLType) -> str:
        if isinstance(type_, GraphQLList):
            item = self.ref(type_.of_type)
            return f"({item})[]" if " | " in item else f"{item}[]"
        assert isinstance(type_, GraphQLNamedType)
        return _BUILTIN.get(type_.name) or self.names[type_.name]

    def input_member(self, name: str, field: GraphQLInputField | GraphQLArgument) -> list[str]:
        required = isinstance(field.type, GraphQLNonNull) and not _has_default(field)
        optional = "" if required else "?"
        return [*_doc(field.description, "  "), f"  {name}{optional}: {self.ref(field.type)};"]

    def declaration(self, named: GraphQLNamedType) -> list[str]:
        name = self.names[named.name]
        doc = _doc(named.description, "")
        if isinstance(named, GraphQLScalarType):
            return [*doc, f"export type {name} = unknown;"]
        if isinstance(named, GraphQLEnumType):
            values = " | ".join(f'"{value}"' for value in sorted(named.values))
            return [*doc, f"export type {name} = {values};"]
        if isinstance(named, GraphQLUnionType):
            members = " | ".join(sorted(self.names[member.name] for member in named.types))
            return [*doc, f"export type {name} = {members};"]
        lines = [*doc, f"export interface {name} {{"]
        if isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in sorted(named.fields.items()):
                lines += self.input_member(field_name, input_field)
        elif isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            if isinstance(named, GraphQLObjectType):
                lines.append(f'  __typename?: "{named.name}";')
            for field_name, field in sorted(named.fields.items()):
                lines += _doc(field.description, "  ")
                lines.append(f"  {field_name}: {self.ref(field.type)};")
        return [*lines, "}"]

    def arguments(self) -> list[list[str]]:
        blocks = []
        for named in self.types:
            if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                continue
            for field_name, field in sorted(named.fields.items()):
                if not field.args:
                    continue
                name = _unique(f"{self.names[named.name]}{pascal(field_name)}Args", self.taken)
                lines = [f"/** The arguments of `{named.name}.{field_name}`. */"]
                lines.append(f"export interface {name} {{")
                for argument_name, argument in sorted(field.args.items()):
                    lines += self.input_member(argument_name, argument)
                blocks.append([*lines, "}"])
        return blocks

    def variable(self, name: str, declared: str) -> str:
        try:
            type_ = type_from_ast(self.schema, parse_type(declared))
        except GraphQLError:
            type_ = None
        if type_ is None:
            return f"  {name}?: unknown;"
        optional = "" if isinstance(type_, GraphQLNonNull) else "?"
        return f"  {name}{optional}: {self.ref(type_)};"

    def operation(self, operation: Mapping[str, Any]) -> list[list[str]]:
        kind = _KINDS[str(operation["kind"])]
        roots = [str(root) for root in operation.get("rootFields") or []]
        label = str(operation.get("name") or "")
        base = pascal(label) if label else "Anonymous" + "".join(pascal(r) for r in roots)
        if not base[:1].isalpha():
            base = "Operation" + base
        for number in count(1):
            prefix = f"{base}{kind}" if number == 1 else f"{base}{number}{kind}"
            names = (prefix, prefix + "Variables")
            if not set(names) & self.taken:
                self.taken.update(names)
                break
        variables = operation.get("variables") or {}
        calls = int(operation.get("calls") or 0)
        declared = ", ".join(f"${n}: {t}" for n, t in sorted(variables.items()))
        title = f"{kind.lower()} {label or '(anonymous)'}" + (f"({declared})" if declared else "")
        title += f", {calls} call{'s' if calls != 1 else ''}"
        members = [self.variable(n, str(t)) for n, t in sorted(variables.items())]
        variables_block = [f"/** The variables of {title}. */"]
        if members:
            variables_block += [f"export interface {names[1]} {{", *members, "}"]
        else:
            variables_block.append(f"export type {names[1]} = {{ [key: string]: never }};")
        root_type = getattr(self.schema, f"{kind.lower()}_type", None)
        fields = root_type.fields if isinstance(root_type, GraphQLObjectType) else {}
        result = [f"/** The result (`data`) of {title}. */", f"export interface {names[0]} {{"]
        for root in sorted(roots):
            field = fields.get(root)
            result.append(f"  {root}: {self.ref(field.type) if field else 'unknown'};")
        return [variables_block, [*result, "}"]]

    def body(self, operations: Iterable[Mapping[str, Any]]) -> list[list[str]]:
        blocks = [self.declaration(named) for named in self.types]
        blocks += self.arguments()
        for operation in operations:
            blocks += self.operation(operation)
        return blocks


def _operations(row: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The operations of a GraphQL endpoint that have a kind (their text was seen),
    once each, by kind, name and root fields."""
    found: dict[tuple[int, str, tuple[str, ...]], Mapping[str, Any]] = {}
    for details in (row.get("operations") or {}).values():
        for operation in details.get("graphqlOperations") or []:
            kind = operation.get("kind")
            if kind not in _KINDS:
                continue
            roots = tuple(sorted(str(r) for r in operation.get("rootFields") or []))
            key = (list(_KINDS).index(kind), str(operation.get("name") or ""), roots)
            found.setdefault(key, operation)
    return [found[key] for key in sorted(found)]


def graphql_namespace(
    name: str, sdl: str, operations: Sequence[Mapping[str, Any]] = (), doc: str = ""
) -> str:
    """One ``export namespace`` declaring the schema ``sdl`` and the ``operations``
    (as in ``x-graphql-operations``: ``name``, ``kind``, ``rootFields``,
    ``variables``, ``calls``); :class:`ValueError` if ``sdl`` does not build."""
    try:
        schema = build_schema(sdl)
    except (GraphQLError, TypeError) as error:  # graphql-core reports bad SDL as TypeError
        raise ValueError(f"the GraphQL schema does not build: {error}") from None
    body = _Namespace(schema).body(operations)
    lines = [*_doc(doc, ""), f"export namespace {name} {{"]
    for index, block in enumerate(body):
        lines += ([""] if index else []) + [f"  {line}" if line else "" for line in block]
    return "\n".join([*lines, "}"]) + "\n"


def _namespace_base(pattern: str) -> str:
    words = [word for word in re.split(r"[^A-Za-z0-9]+", pattern) if word]
    if words and words[-1].lower() == "graphql":
        words.pop()
    return "GraphQL" + "".join(pascal(word) for word in words)


def graphql_namespaces(resources: Sequence[Mapping[str, Any]], *, taken: Collection[str]) -> str:
    """The namespaces of every GraphQL endpoint of ``resources`` that has a schema,
    by pattern, named apart from ``taken`` (:func:`declared_names` of the rest of
    the file); ``""`` when there is none."""
    rows = sorted(
        (
            row
            for row in resources
            if row.get("api_type") == "GraphQL" and row.get("graphql_schema")
        ),
        key=lambda row: (str(row["pattern"]), str(row.get("protocol", ""))),
    )
    names = set(taken) | set(RESERVED)
    parts = []
    for row in rows:
        pattern = str(row["pattern"])
        name = _unique(_namespace_base(pattern), names)
        doc = (
            f"GraphQL endpoint {pattern}: the schema rebuilt from traffic "
            "(`apidisco export graphql`) and the operations seen."
        )
        parts.append(graphql_namespace(name, str(row["graphql_schema"]), _operations(row), doc))
    return "\n".join(parts)
