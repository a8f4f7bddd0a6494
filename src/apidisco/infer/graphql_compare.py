"""Where a GraphQL schema rebuilt from traffic and the server's own schema disagree.

::

    comparison = compare_with_server(rebuilt_sdl, introspection["data"])
    comparison.invented, comparison.mismatches, comparison.unexercised_fields

The server's schema is the answer to graphql-core's standard introspection
query (``get_introspection_query``), read with ``build_client_schema``. The
rebuilt schema may name a type differently (``Search`` for the server's
``SearchResult``, a type named after its field), so types pair **by position**:
the root types pair, then the named types two paired fields (or arguments, or
input fields) hold, the members of a rebuilt union with the server's possible
types of the same name. Then:

- **invented** — what the rebuilt schema has and the server does not, at that
  position: fields (``Book.subtitle``), arguments (``Query.books(order:)``),
  input fields, enum values (``Genre.FANTASY``), and object, union, enum and
  input types that pair with nothing. Traffic only shows what the server sent,
  so this should stay empty; rebuilt names are used.
- **mismatches** — paired fields, arguments and input fields whose types
  differ, by the server's coordinate, as one of (worst first): ``type`` (another
  named type: ``Int`` for ``Float``, ``JSON`` for an object), ``list`` (list
  depth), ``non-null`` (traffic says non-null, the server says nullable: a
  claim the traffic made that is wrong) and ``nullable`` (traffic says
  nullable, the server non-null: traffic cannot prove that a value is
  required, so arguments and input fields are always nullable when rebuilt).
- **renamed** — paired types whose names differ (rebuilt, server).
- **coverage** — the server's own types (introspection types and built-in
  scalars aside) and coordinates (fields, arguments, input fields; an
  interface's field counts when an implementing type's does) that some rebuilt
  type or coordinate pairs with, and the lists of those it never exercised.

Pure and deterministic: every list is sorted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
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
    build_client_schema,
    build_schema,
    specified_scalar_types,
)

__all__ = ["MISMATCH_KINDS", "SchemaComparison", "TypeMismatch", "compare_with_server"]

#: The kinds of type mismatch, worst first.
MISMATCH_KINDS = ("type", "list", "non-null", "nullable")

_ROOTS = ("query_type", "mutation_type", "subscription_type")


@dataclass(frozen=True)
class TypeMismatch:
    """A paired coordinate whose type traffic and server see differently."""

    coordinate: str  # the server's: Book.year, Query.book(id:), BookInput.title
    kind: str  # one of MISMATCH_KINDS
    traffic: str  # the rebuilt type: Int!
    server: str  # the server's type: Float


@dataclass(frozen=True)
class SchemaComparison:
    """A rebuilt schema against the server's; see the module docstring."""

    invented: tuple[str, ...]
    mismatches: tuple[TypeMismatch, ...]
    renamed: tuple[tuple[str, str], ...]  # (rebuilt name, server name)
    server_types: int
    covered_types: int
    unexercised_types: tuple[str, ...]
    server_fields: int  # fields, arguments and input fields
    covered_fields: int
    unexercised_fields: tuple[str, ...]


def _own_types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {
        name: named
        for name, named in schema.type_map.items()
        if not name.startswith("__") and name not in specified_scalar_types
    }


def _coordinates(schema: GraphQLSchema) -> set[str]:
    found: set[str] = set()
    for name, named in _own_types(schema).items():
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                found.add(f"{name}.{field_name}")
                args = getattr(field, "args", {})
                found.update(f"{name}.{field_name}({argument}:)" for argument in args)
    return found


def _unwrap(type_: GraphQLType) -> tuple[GraphQLType, bool]:
    if isinstance(type_, GraphQLNonNull):
        return type_.of_type, True
    return type_, False


class _Comparer:
    def __init__(self, rebuilt: GraphQLSchema, server: GraphQLSchema) -> None:
        self.rebuilt = rebuilt
        self.server = server
        self.pairs: dict[str, str] = {}  # rebuilt name → server name
        self.queue: list[tuple[GraphQLNamedType, GraphQLNamedType | None]] = []
        self.invented: set[str] = set()
        self.mismatches: dict[str, TypeMismatch] = {}
        self.covered: set[str] = set()

    def counterpart(
        self, rebuilt: GraphQLNamedType, server: GraphQLNamedType
    ) -> GraphQLNamedType | None:
        """The server type a rebuilt object type stands for where ``server`` is expected."""
        if isinstance(server, GraphQLUnionType | GraphQLInterfaceType):
            for possible in self.server.get_possible_types(server):
                if possible.name == rebuilt.name:
                    return possible
            return server if isinstance(server, GraphQLInterfaceType) else None
        return server if isinstance(server, GraphQLObjectType) else None

    def named(self, rebuilt: GraphQLNamedType, server: GraphQLNamedType) -> bool:
        """Whether two named types at one position agree; pairs them when they do."""
        if isinstance(server, GraphQLScalarType):
            agree = isinstance(rebuilt, GraphQLScalarType) and rebuilt.name == server.name
            if agree and server.name not in specified_scalar_types:
                self.pairs.setdefault(rebuilt.name, server.name)
            return agree
        if isinstance(rebuilt, GraphQLScalarType):
            return False
        if isinstance(server, GraphQLEnumType) or isinstance(rebuilt, GraphQLEnumType):
            agree = isinstance(server, GraphQLEnumType) and isinstance(rebuilt, GraphQLEnumType)
        elif isinstance(server, GraphQLInputObjectType) or isinstance(
            rebuilt, GraphQLInputObjectType
        ):
            agree = isinstance(server, GraphQLInputObjectType) and isinstance(
                rebuilt, GraphQLInputObjectType
            )
        elif isinstance(rebuilt, GraphQLUnionType):
            agree = isinstance(server, GraphQLUnionType | GraphQLInterfaceType)
            if agree:
                self.pairs.setdefault(rebuilt.name, server.name)
                for member in rebuilt.types:
                    self.queue.append((member, self.counterpart(member, server)))
            return agree
        else:
            found = self.counterpart(rebuilt, server)
            if found is None:
                return False
            self.queue.append((rebuilt, found))
            return True
        if agree:
            self.queue.append((rebuilt, server))
        return agree

    def kind(self, rebuilt: GraphQLType, server: GraphQLType) -> str | None:
        """The worst mismatch between two types, or None when they agree."""
        levels: list[tuple[bool, bool]] = []
        while True:
            rebuilt, rebuilt_non_null = _unwrap(rebuilt)
            server, server_non_null = _unwrap(server)
            levels.append((rebuilt_non_null, server_non_null))
            if isinstance(rebuilt, GraphQLList) and isinstance(server, GraphQLList):
                rebuilt, server = rebuilt.of_type, server.of_type
                continue
            if isinstance(rebuilt, GraphQLList) or isinstance(server, GraphQLList):
                return "list"
            break
        assert isinstance(rebuilt, GraphQLNamedType)
        assert isinstance(server, GraphQLNamedType)
        if not self.named(rebuilt, server):
            return "type"
        if any(mine and not theirs for mine, theirs in levels):
            return "non-null"
        if any(theirs and not mine for mine, theirs in levels):
            return "nullable"
        return None

    def compare(self, where: str, rebuilt: GraphQLType, server: GraphQLType) -> None:
        self.covered.add(where)
        found = self.kind(rebuilt, server)
        if found is not None:
            self.mismatches[where] = TypeMismatch(where, found, str(rebuilt), str(server))

    def field(
        self,
        owner: str,
        name: str,
        server_owner: GraphQLNamedType,
        field: GraphQLField | GraphQLInputField,
    ) -> None:
        fields = getattr(server_owner, "fields", {})
        server_field = fields.get(name)
        args = field.args if isinstance(field, GraphQLField) else {}
        if server_field is None:
            self.invented.add(f"{owner}.{name}")
            self.invented.update(f"{owner}.{name}({argument}:)" for argument in args)
            return
        where = f"{server_owner.name}.{name}"
        for interface in getattr(server_owner, "interfaces", ()):
            if name in interface.fields:
                self.covered.add(f"{interface.name}.{name}")
        self.compare(where, field.type, server_field.type)
        server_args = getattr(server_field, "args", {})
        for argument, rebuilt_argument in sorted(args.items()):
            server_argument = server_args.get(argument)
            if server_argument is None:
                self.invented.add(f"{owner}.{name}({argument}:)")
            else:
                self.compare(f"{where}({argument}:)", rebuilt_argument.type, server_argument.type)

    def run(self) -> None:
        for root in _ROOTS:
            rebuilt, server = getattr(self.rebuilt, root), getattr(self.server, root)
            if rebuilt is not None:
                self.queue.append((rebuilt, server))
        while self.queue:
            rebuilt, server = self.queue.pop(0)
            if rebuilt.name in self.pairs:
                continue
            if server is None:
                continue  # reported below: a type that pairs with nothing
            self.pairs[rebuilt.name] = server.name
            if isinstance(rebuilt, GraphQLObjectType | GraphQLInputObjectType):
                for name, field in sorted(rebuilt.fields.items()):
                    self.field(rebuilt.name, name, server, field)
            elif isinstance(rebuilt, GraphQLEnumType) and isinstance(server, GraphQLEnumType):
                extra = set(rebuilt.values) - set(server.values)
                self.invented.update(f"{rebuilt.name}.{value}" for value in extra)
        for name, named in _own_types(self.rebuilt).items():
            if name not in self.pairs and not isinstance(named, GraphQLScalarType):
                self.invented.add(name)


def _build(sdl: str, introspection: Mapping[str, Any]) -> tuple[GraphQLSchema, GraphQLSchema]:
    try:
        rebuilt = build_schema(sdl)
    except (GraphQLError, TypeError) as error:
        raise ValueError(f"the rebuilt schema does not build: {error}") from None
    try:
        server = build_client_schema(introspection)  # type: ignore[arg-type]
    except (GraphQLError, TypeError, KeyError, ValueError) as error:
        raise ValueError(f"the introspection result is not a schema: {error}") from None
    return rebuilt, server


def compare_with_server(sdl: str, introspection: Mapping[str, Any]) -> SchemaComparison:
    """Compare the rebuilt ``sdl`` with the server's schema, ``introspection``
    being the ``data`` of its answer to the standard introspection query (with
    ``__schema``); :class:`ValueError` when either is not a schema."""
    rebuilt, server = _build(sdl, introspection)
    comparer = _Comparer(rebuilt, server)
    comparer.run()
    server_types = _own_types(server)
    covered_types = set(comparer.pairs.values()) & set(server_types)
    coordinates = _coordinates(server)
    covered = comparer.covered & coordinates
    return SchemaComparison(
        invented=tuple(sorted(comparer.invented)),
        mismatches=tuple(
            sorted(
                comparer.mismatches.values(),
                key=lambda m: (MISMATCH_KINDS.index(m.kind), m.coordinate),
            )
        ),
        renamed=tuple(sorted((a, b) for a, b in comparer.pairs.items() if a != b)),
        server_types=len(server_types),
        covered_types=len(covered_types),
        unexercised_types=tuple(sorted(set(server_types) - covered_types)),
        server_fields=len(coordinates),
        covered_fields=len(covered),
        unexercised_fields=tuple(sorted(coordinates - covered)),
    )
