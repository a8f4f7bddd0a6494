"""Comparing a rebuilt GraphQL schema with the real one, position by position.

Rebuilt type names may differ from the real ones (a type named after its
field, ``Author`` for ``User``), so types are paired by where they occur: the
root types pair, then the types two paired fields return, the members of a
union with the real types of the same name, input types by the arguments and
fields that take them. Coordinates are the real schema's: ``User.name``,
``Query.user(id:)``, ``CreateUserInput.email``.

::

    exercised = exercised_coordinates(real, [(query, variables), ...])
    result = compare_schemas(model.sdl, real, exercised=exercised)
    result.recall, result.precision, result.type_accuracy
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
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
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    type_from_ast,
    visit,
)

__all__ = ["SchemaComparison", "compare_schemas", "exercised_coordinates"]

_Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


def exercised_coordinates(
    schema: GraphQLSchema, operations: Iterable[tuple[str, Mapping[str, Any] | None]]
) -> frozenset[str]:
    """The coordinates of ``schema`` that the operations (query text and
    variables) select or send: fields, arguments and input fields."""
    found: set[str] = set()
    for query, variables in operations:
        document = parse(query)
        info = TypeInfo(schema)
        visit(document, TypeInfoVisitor(info, _Exercised(info, found)))
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                for variable in definition.variable_definitions or ():
                    name = variable.variable.name.value
                    declared = type_from_ast(schema, variable.type)
                    if variables and name in variables and declared is not None:
                        _sent(declared, variables[name], found)
    return frozenset(found)


class _Exercised(Visitor):
    def __init__(self, info: TypeInfo, found: set[str]) -> None:
        super().__init__()
        self.info = info
        self.found = found
        self.fields: list[str | None] = []  # the coordinate of each field being visited

    def enter_field(self, node: Any, *_: Any) -> None:
        parent = self.info.get_parent_type()
        coordinate = None
        if parent is not None and not node.name.value.startswith("__"):
            coordinate = f"{parent.name}.{node.name.value}"
            self.found.add(coordinate)
        self.fields.append(coordinate)

    def leave_field(self, *_: Any) -> None:
        self.fields.pop()

    def enter_argument(self, node: Any, *_: Any) -> None:
        if self.info.get_directive() is None and self.fields and self.fields[-1]:
            self.found.add(f"{self.fields[-1]}({node.name.value}:)")

    def enter_object_field(self, node: Any, *_: Any) -> None:
        parent = self.info.get_parent_input_type()
        if parent is not None and isinstance(get_named_type(parent), GraphQLInputObjectType):
            self.found.add(f"{get_named_type(parent).name}.{node.name.value}")


def _sent(type_: GraphQLType, value: Any, found: set[str]) -> None:
    if isinstance(type_, GraphQLNonNull):
        _sent(type_.of_type, value, found)
    elif isinstance(type_, GraphQLList):
        for item in value if isinstance(value, list) else [value]:
            _sent(type_.of_type, item, found)
    elif isinstance(type_, GraphQLInputObjectType) and isinstance(value, Mapping):
        for key, item in value.items():
            if key in type_.fields:
                found.add(f"{type_.name}.{key}")
                _sent(type_.fields[key].type, item, found)


@dataclass(frozen=True)
class SchemaComparison:
    """A rebuilt schema against the real one; coordinates are the real schema's."""

    exercised: frozenset[str]
    recovered: frozenset[str]  # found at the matching position of the rebuilt schema
    typed: frozenset[str]  # ... with the right type (nullability aside)
    wrong_types: tuple[tuple[str, str, str], ...]  # coordinate, real type, rebuilt type
    invented: tuple[str, ...]  # rebuilt coordinates the real schema does not have there
    matched: int  # rebuilt coordinates that have a real counterpart
    over_non_null: tuple[str, ...]  # rebuilt says non-null where the real type is nullable
    type_names: Mapping[str, str] = field(default_factory=dict)  # rebuilt → real name

    @property
    def recall(self) -> float:
        """Exercised coordinates the rebuilt schema has."""
        return len(self.exercised & self.recovered) / len(self.exercised) if self.exercised else 1.0

    @property
    def precision(self) -> float:
        """Rebuilt coordinates that exist in the real schema at that position."""
        total = self.matched + len(self.invented)
        return self.matched / total if total else 1.0

    @property
    def type_accuracy(self) -> float:
        """Recovered exercised coordinates whose type is right."""
        recovered = self.exercised & self.recovered
        return len(recovered & self.typed) / len(recovered) if recovered else 1.0

    @property
    def name_accuracy(self) -> float:
        """Paired named types whose rebuilt name is the real one."""
        pairs = self.type_names
        return sum(a == b for a, b in pairs.items()) / len(pairs) if pairs else 1.0


def _unwrap(type_: GraphQLType) -> tuple[GraphQLType, bool]:
    if isinstance(type_, GraphQLNonNull):
        return type_.of_type, True
    return type_, False


class _Comparer:
    def __init__(self, real: GraphQLSchema, rebuilt: GraphQLSchema) -> None:
        self.real = real
        self.rebuilt = rebuilt
        self.pairs: dict[str, str] = {}
        self.queue: list[tuple[GraphQLNamedType, GraphQLNamedType | None]] = []
        self.recovered: set[str] = set()
        self.typed: set[str] = set()
        self.wrong: list[tuple[str, str, str]] = []
        self.invented: list[str] = []
        self.over_non_null: list[str] = []
        self.matched = 0

    def counterpart(
        self, rebuilt: GraphQLNamedType, real: GraphQLNamedType
    ) -> GraphQLNamedType | None:
        """The real type a rebuilt composite type stands for at a position of ``real``."""
        if isinstance(real, GraphQLObjectType):
            return real
        if isinstance(real, GraphQLUnionType | GraphQLInterfaceType):
            for possible in self.real.get_possible_types(real):
                if possible.name == rebuilt.name:
                    return possible
            return real if isinstance(real, GraphQLInterfaceType) else None
        return None

    def same(self, coordinate: str, real: GraphQLType, rebuilt: GraphQLType) -> bool:
        real, real_non_null = _unwrap(real)
        rebuilt, rebuilt_non_null = _unwrap(rebuilt)
        if rebuilt_non_null and not real_non_null:
            self.over_non_null.append(coordinate)
        if isinstance(real, GraphQLList) or isinstance(rebuilt, GraphQLList):
            if not (isinstance(real, GraphQLList) and isinstance(rebuilt, GraphQLList)):
                return False
            return self.same(coordinate, real.of_type, rebuilt.of_type)
        assert isinstance(real, GraphQLNamedType)
        assert isinstance(rebuilt, GraphQLNamedType)
        if isinstance(real, GraphQLScalarType):
            return isinstance(rebuilt, GraphQLScalarType) and rebuilt.name == real.name
        if isinstance(real, GraphQLEnumType):
            if isinstance(rebuilt, GraphQLEnumType):
                self.queue.append((rebuilt, real))
                return True
            return False
        if isinstance(real, GraphQLInputObjectType):
            if isinstance(rebuilt, GraphQLInputObjectType):
                self.queue.append((rebuilt, real))
                return True
            return False
        if isinstance(rebuilt, GraphQLUnionType):
            self.pairs.setdefault(rebuilt.name, real.name)
            for member in rebuilt.types:
                self.queue.append((member, self.counterpart(member, real)))
            return isinstance(real, GraphQLUnionType | GraphQLInterfaceType)
        if isinstance(rebuilt, GraphQLObjectType):
            self.queue.append((rebuilt, self.counterpart(rebuilt, real)))
            return True
        return False

    def compare_field(
        self,
        rebuilt_name: str,
        name: str,
        real_owner: GraphQLNamedType | None,
        rebuilt_field: GraphQLField | GraphQLInputField,
    ) -> None:
        real_fields = getattr(real_owner, "fields", {}) if real_owner is not None else {}
        real_field = real_fields.get(name)
        if real_owner is None or real_field is None:
            self.invented.append(f"{rebuilt_name}.{name}")
            if isinstance(rebuilt_field, GraphQLField):
                self.invented.extend(f"{rebuilt_name}.{name}({a}:)" for a in rebuilt_field.args)
            return
        self.matched += 1
        coordinates = {f"{real_owner.name}.{name}"}
        for interface in getattr(real_owner, "interfaces", ()):
            if name in interface.fields:
                coordinates.add(f"{interface.name}.{name}")
        self.recovered |= coordinates
        coordinate = min(coordinates)
        if self.same(coordinate, real_field.type, rebuilt_field.type):
            self.typed |= coordinates
        else:
            self.wrong.append((coordinate, str(real_field.type), str(rebuilt_field.type)))
        if not isinstance(rebuilt_field, GraphQLField):
            return
        assert isinstance(real_field, GraphQLField)
        for argument, rebuilt_argument in sorted(rebuilt_field.args.items()):
            real_argument = real_field.args.get(argument)
            where = f"{real_owner.name}.{name}({argument}:)"
            if real_argument is None:
                self.invented.append(f"{rebuilt_name}.{name}({argument}:)")
                continue
            self.matched += 1
            self.recovered.add(where)
            if self.same(where, real_argument.type, rebuilt_argument.type):
                self.typed.add(where)
            else:
                self.wrong.append((where, str(real_argument.type), str(rebuilt_argument.type)))

    def run(self) -> None:
        for kind in ("query_type", "mutation_type", "subscription_type"):
            rebuilt, real = getattr(self.rebuilt, kind), getattr(self.real, kind)
            if rebuilt is not None:
                self.queue.append((rebuilt, real))
        while self.queue:
            rebuilt, real = self.queue.pop(0)
            if rebuilt.name in self.pairs:
                continue
            if real is not None:
                self.pairs[rebuilt.name] = real.name
            if isinstance(rebuilt, GraphQLObjectType | GraphQLInputObjectType):
                for name, rebuilt_field in sorted(rebuilt.fields.items()):
                    self.compare_field(rebuilt.name, name, real, rebuilt_field)


def compare_schemas(
    rebuilt_sdl: str, real: GraphQLSchema, *, exercised: Iterable[str]
) -> SchemaComparison:
    """Compare ``rebuilt_sdl`` with ``real`` on the ``exercised`` coordinates
    (see :func:`exercised_coordinates`)."""
    comparer = _Comparer(real, build_schema(rebuilt_sdl))
    comparer.run()
    return SchemaComparison(
        exercised=frozenset(exercised),
        recovered=frozenset(comparer.recovered),
        typed=frozenset(comparer.typed),
        wrong_types=tuple(sorted(set(comparer.wrong))),
        invented=tuple(sorted(set(comparer.invented))),
        matched=comparer.matched,
        over_non_null=tuple(sorted(set(comparer.over_non_null))),
        type_names=dict(sorted(comparer.pairs.items())),
    )
