"""A GraphQL schema (SDL) rebuilt from captured operations and their responses.

::

    builder = GraphQLSchemaBuilder()
    for request, response in operations:   # one operation each: batches are split
        builder.add(request, response)
    model = builder.build()                  # model.sdl passes graphql.build_schema

``request`` is one GraphQL request object as sent (``query``, ``variables``,
``operationName``, ``extensions``; for a GET the caller builds it from the
query string), ``response`` its parsed JSON (``data``, ``errors``) or ``None``.
Each query is parsed with graphql-core and its selection set walked alongside
the response ``data``. Builders merge (:meth:`GraphQLSchemaBuilder.merge`);
adding, merging and building give the same model whatever the order of the
calls. Memory is bounded by the schema, not the traffic: at most
:data:`MAX_TYPES` types, :data:`~apidisco.infer.graphql_types.MAX_FIELDS`
fields per type, :data:`MAX_OPERATIONS` operations and
:data:`ERROR_LIMIT` error samples each; past a limit the smallest names are
kept and the model says ``truncated``.

The evidence lives in :mod:`~apidisco.infer.graphql_types`, the SDL is
written by :mod:`~apidisco.infer.graphql_sdl` and the operations are counted by
:mod:`~apidisco.infer.graphql_operations`.

The rules:

- **root types** ``Query``, ``Mutation``, ``Subscription`` by the operation's
  kind. Introspection (``__schema``, ``__type``) and ``__typename`` never
  become fields.
- **fragments and aliases** — named fragments and inline fragments are
  expanded; data is found by response key (the alias), the schema uses the
  field name. A fragment's fields count only where its keys are in the data.
- **object types** are named by ``__typename`` when the query asked for it;
  else by a fragment's type condition when exactly one fragment's fields (the
  one with most fields) are all in the object; else after the field, singular
  in PascalCase (``user`` and ``users`` → ``User``; ``user.posts`` →
  ``Post``). Types of one name are one type: their fields merge. A type
  named only after its field is folded into the type ``__typename`` named at
  the same position elsewhere, or else into the type its name ends with when
  that type has all its fields (``createUser`` → ``CreateUser`` → ``User``);
  types are not otherwise merged by shape.
- **unions** — a position where ``__typename`` named several types is a
  union of them, named after the field (``search`` → ``Search``). An
  interface is modelled the same way: the fields selected on it are
  documented on each object type.
- **scalars** — ``Boolean``; ``Int``, or ``Float`` when any number was not an
  integer; ``String``, but ``ID`` for fields and arguments named ``id`` or
  ending in ``Id``/``_id``; a position with several JSON types, or an object
  where the query selected nothing, is the custom scalar ``JSON``.
- **enums** — an enum literal in the query (``users(role: ADMIN)``) makes an
  enum named ``<Field><Arg>`` (``UsersRole``); response strings make an enum
  ``<Type><Field>`` (``UserStatus``) when all were upper-case names
  (``ACTIVE``) and schema.py's evidence rule holds (at least 10 strings,
  fewer distinct values than their square root); never under a secret field.
  Such an enum is the enum a variable declared (``$genre: Genre``) when that
  name ends its own and one's values hold the other's: ``BookGenre`` folds
  into ``Genre`` (:mod:`~apidisco.infer.graphql_enums`).
- **lists** from JSON arrays, the item type from every item; an array only
  ever empty is ``[String]`` (or the object type the selection names, when it
  is known) with a description saying so.
- **non-null** (``!``) only when every value of the field (or of the items)
  was non-null and there were at least
  :data:`~apidisco.infer.graphql_sdl.NON_NULL_MIN_SAMPLES`. A leaf field only
  ever null is a nullable ``String`` with a description saying so; an object
  field only ever null whose type is unknown is left out of the SDL and
  listed in ``unresolved``.
- **arguments** — a variable argument has the named type (and list depth)
  the operation declared for the variable (when operations differ, the most
  used), but nullable: GraphQL lets a ``T!`` variable fill a ``T`` argument, so
  the declaration does not prove the server requires it. A literal argument
  is typed from the literal: ``1``
  ``Int``, ``1.5`` ``Float``, ``"x"`` ``String`` (``ID`` by name), ``true``
  ``Boolean``, an object an input type ``<Field><Arg>Input``. Inferred
  arguments and input fields are nullable: a value always sent does not
  prove the server requires it.
- **input types** — a variable's declared named type is an input type when
  its JSON values were objects (fields typed from the values; nested objects
  ``<Field>Input``), an enum when they were upper-case names, else a custom
  scalar.
- **persisted queries** — a request with a ``persistedQuery`` hash and no
  query text is counted under its hash; once the same hash arrives with its
  text it belongs to that operation. Responses to hash-only requests are not
  walked: without the text an alias cannot be told from a field.
- **errors** — per operation, the responses with ``errors[]`` and the
  :data:`ERROR_LIMIT` smallest distinct (message, path, code) samples with
  counts; list indices in paths are ``[]`` (``users[].email``).

Only names and types reach the SDL, never a value (masked or not) but enum
values. Malformed requests (no query, a syntax error, no operation to run)
never raise: they are counted as ``unparsable``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)

from apidisco.infer.graphql_operations import (
    ERROR_LIMIT,
    MAX_OPERATIONS,
    GraphQLErrorSample,
    GraphQLOperation,
    GraphQLVariable,
    OperationKey,
    OperationKind,
    OperationRecord,
)
from apidisco.infer.graphql_sdl import render_sdl
from apidisco.infer.graphql_types import (
    BUILTIN_SCALARS,
    ROOT_TYPES,
    InputEvidence,
    ObjectEvidence,
    OutputEvidence,
    keep_smallest,
    path_type_name,
    split_type,
    valid_name,
)
from apidisco.infer.schema import SECRET_FIELDS

__all__ = [
    "ERROR_LIMIT",
    "MAX_OPERATIONS",
    "MAX_TYPES",
    "GraphQLErrorSample",
    "GraphQLModel",
    "GraphQLOperation",
    "GraphQLSchemaBuilder",
    "GraphQLVariable",
    "OperationKind",
]

MAX_TYPES = 512
_MAX_HASH = 128
_MAX_TOKENS = 50_000


@dataclass(frozen=True)
class GraphQLModel:
    """The rebuilt schema and the operations seen.

    ``sdl`` is ``""`` when no type was seen; ``unresolved`` lists the
    ``Type.field`` positions left out of it (object fields only ever null or
    empty); ``unparsable`` counts requests that could not be read.
    ``operations`` are sorted by kind, name and root fields, the persisted-only
    ones last by hash.
    """

    sdl: str
    operations: tuple[GraphQLOperation, ...]
    persisted_hashes: tuple[str, ...]
    unparsable: int
    unresolved: tuple[str, ...]
    calls: int
    truncated: bool


_Entry = tuple[str, FieldNode, str | None]  # field name, node, type condition


@lru_cache(maxsize=256)
def _parse(text: str) -> DocumentNode | None:
    try:
        return parse(text, no_location=True, max_tokens=_MAX_TOKENS)
    except (GraphQLError, RecursionError):
        return None


def _decoded(value: Any) -> Any:
    """A GET request's ``variables``/``extensions`` may still be JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _operation(document: DocumentNode, name: Any) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if isinstance(name, str) and name:
        named = [op for op in operations if op.name is not None and op.name.value == name]
        return named[0] if len(named) == 1 else None
    return operations[0] if len(operations) == 1 else None


def _persisted_hash(extensions: Any) -> str | None:
    if not isinstance(extensions, Mapping):
        return None
    persisted = extensions.get("persistedQuery")
    digest = persisted.get("sha256Hash") if isinstance(persisted, Mapping) else None
    return digest[:_MAX_HASH] if isinstance(digest, str) and digest else None


class _Selection:
    """A selection set flattened: fields by response key, and what names the object."""

    def __init__(self) -> None:
        self.fields: dict[str, list[_Entry]] = {}
        self.conditions: dict[str, set[str]] = {}  # type condition → its response keys
        self.typename_keys: list[str] = []


class _Walk:
    """One operation's selection sets walked alongside its response data."""

    def __init__(
        self,
        builder: GraphQLSchemaBuilder,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, str],
    ) -> None:
        self.types = builder._types
        self.secret_fields = builder.secret_fields
        self.fragments = fragments
        self.variables = variables
        self._selections: dict[tuple[int, ...], _Selection] = {}

    def selection(self, sets: tuple[SelectionSetNode, ...]) -> _Selection:
        key = tuple(map(id, sets))
        selection = self._selections.get(key)
        if selection is None:
            selection = self._selections[key] = _Selection()
            for selection_set in sets:
                self._collect(selection_set, None, selection, frozenset())
        return selection

    def _collect(
        self,
        selection_set: SelectionSetNode,
        condition: str | None,
        into: _Selection,
        visiting: frozenset[str],
    ) -> None:
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                key = node.alias.value if node.alias else node.name.value
                into.fields.setdefault(key, []).append((node.name.value, node, condition))
                if node.name.value == "__typename":
                    into.typename_keys.append(key)
                if condition is not None:
                    into.conditions.setdefault(condition, set()).add(key)
            elif isinstance(node, InlineFragmentNode):
                inner = node.type_condition.name.value if node.type_condition else condition
                self._collect(node.selection_set, inner, into, visiting)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in visiting:
                    inner = fragment.type_condition.name.value
                    self._collect(fragment.selection_set, inner, into, visiting | {name})

    @staticmethod
    def _name(obj: Mapping[str, Any], selection: _Selection, field: str) -> tuple[str, str]:
        for key in selection.typename_keys:
            value = obj.get(key)
            if valid_name(value) and value not in BUILTIN_SCALARS:
                return value, "typename"
        applicable = sorted(
            (-len(keys), condition)
            for condition, keys in selection.conditions.items()
            if valid_name(condition) and all(key in obj for key in keys)
        )
        if applicable and (len(applicable) == 1 or applicable[0][0] != applicable[1][0]):
            return applicable[0][1], "fragment"
        return path_type_name(field), "path"

    @staticmethod
    def _hint(selection: _Selection, field: str) -> str:
        conditions = [c for c in selection.conditions if valid_name(c)]
        return conditions[0] if len(conditions) == 1 else path_type_name(field)

    def object(
        self, type_name: str, source: str, obj: Mapping[str, Any], selection: _Selection
    ) -> None:
        evidence = self.types.get(type_name)
        if evidence is None:
            evidence = self.types[type_name] = ObjectEvidence()
        evidence.count += 1
        evidence.sources.add(source)
        for key, candidates in selection.fields.items():
            if key not in obj:
                continue  # a fragment that did not apply, or a skipped field
            chosen = [c for c in candidates if c[2] is None or c[2] == type_name] or candidates
            name = chosen[0][0]
            if name.startswith("__"):
                continue
            nodes = [node for field_name, node, _ in chosen if field_name == name]
            field = evidence.field(name)
            for argument in nodes[0].arguments or ():
                field.argument(argument.name.value).add_literal(argument.value, self.variables)
            sets = tuple(node.selection_set for node in nodes if node.selection_set is not None)
            self.value(field.output, obj[key], name, sets)

    def value(
        self, shape: OutputEvidence, value: Any, field: str, sets: tuple[SelectionSetNode, ...]
    ) -> None:
        shape.count += 1
        selection = self.selection(sets) if sets else None
        if selection is not None:
            shape.note_composite(self._hint(selection, field))
        if value is None:
            shape.nulls += 1
        elif isinstance(value, list):
            shape.kinds["list"] = shape.kinds.get("list", 0) + 1
            items = shape.child()
            for item in value:
                self.value(items, item, field, sets)
        elif isinstance(value, Mapping) and selection is not None:
            name, source = self._name(value, selection, field)
            shape.add_object(name)
            self.object(name, source, value, selection)
        else:
            secret = field.lower() in self.secret_fields
            shape.add_scalar(value, secret)


class GraphQLSchemaBuilder:
    """Folds GraphQL operations and their responses into a schema; see the module
    docstring for the rules. ``secret_fields`` as for
    :class:`~apidisco.infer.schema.SchemaBuilder` (no enums under them)."""

    def __init__(self, *, secret_fields: Iterable[str] = SECRET_FIELDS) -> None:
        self.secret_fields = frozenset(n.strip().lower().replace("-", "_") for n in secret_fields)
        self.calls = 0
        self.unparsable = 0
        self._types: dict[str, ObjectEvidence] = {}
        self._declared: dict[str, InputEvidence] = {}
        self._operations: dict[OperationKey, OperationRecord] = {}
        self._persisted: dict[str, OperationRecord] = {}  # hash → hash-only requests
        self._hash_owner: dict[str, OperationKey] = {}  # hash → the operation sent with its text
        self._truncated = False

    def add(self, request: Mapping[str, Any], response: Any) -> None:
        """Fold in one operation as sent and its parsed JSON response (or ``None``)."""
        self.calls += 1
        raw: Any = request  # captured data: check, whatever the annotation says
        if not isinstance(raw, Mapping):
            self.unparsable += 1
            return
        digest = _persisted_hash(_decoded(request.get("extensions")))
        errors = response.get("errors") if isinstance(response, Mapping) else None
        query = request.get("query")
        if not isinstance(query, str) or not query.strip():
            if digest is None:
                self.unparsable += 1
                return
            record = self._persisted.setdefault(digest, OperationRecord())
            record.count += 1
            record.hashes.add(digest)
            name = request.get("operationName")
            if isinstance(name, str) and valid_name(name):
                record.names.add(name)
            record.add_errors(errors)
            self._trim()
            return
        document = _parse(query)
        operation = _operation(document, request.get("operationName")) if document else None
        if document is None or operation is None:
            self.unparsable += 1
            return
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        declared = {
            d.variable.name.value: print_ast(d.type) for d in operation.variable_definitions or ()
        }
        walk = _Walk(self, fragments, declared)
        root = walk.selection((operation.selection_set,))
        kind = operation.operation.value
        roots = sorted({entry[0] for entries in root.fields.values() for entry in entries})
        roots = [name for name in roots if name != "__typename"]
        name = operation.name.value if operation.name else ""
        key: OperationKey = (kind, name, () if name else tuple(roots))
        record = self._operations.setdefault(key, OperationRecord())
        record.count += 1
        record.roots.update(roots)
        for variable, declared_type in declared.items():
            types = record.variables.setdefault(variable, {})
            types[declared_type] = types.get(declared_type, 0) + 1
        if digest is not None:
            record.hashes.add(digest)
            owner = self._hash_owner.get(digest)
            self._hash_owner[digest] = key if owner is None else min(owner, key)
        record.add_errors(errors)
        variables = _decoded(request.get("variables"))
        self._add_variables(declared, variables if isinstance(variables, Mapping) else {})
        data = response.get("data") if isinstance(response, Mapping) else None
        if isinstance(data, Mapping):
            try:
                walk.object(ROOT_TYPES[kind], "root", data, root)
            except RecursionError:  # a selection nested deeper than Python recurses
                self.unparsable += 1
        self._trim()

    def _add_variables(self, declared: Mapping[str, str], values: Mapping[str, Any]) -> None:
        for variable, declared_type in declared.items():
            base, flags = split_type(declared_type)
            if base in BUILTIN_SCALARS or not valid_name(base):
                continue
            evidence = self._declared.setdefault(base, InputEvidence())
            if variable in values:
                secret = variable.lower() in self.secret_fields
                self._fold_declared(evidence, values[variable], len(flags) - 1, secret)

    def _fold_declared(self, evidence: InputEvidence, value: Any, depth: int, secret: bool) -> None:
        if depth > 0 and isinstance(value, list):
            for item in value:
                self._fold_declared(evidence, item, depth - 1, secret)
        else:
            evidence.add_json(value, secret, self.secret_fields)

    def _trim(self) -> None:
        roots = {name: self._types.pop(name) for name in ROOT_TYPES.values() if name in self._types}
        trimmed = keep_smallest(self._types, MAX_TYPES) | keep_smallest(self._declared, MAX_TYPES)
        trimmed |= keep_smallest(self._persisted, MAX_OPERATIONS)
        if len(self._operations) > MAX_OPERATIONS:
            for key in sorted(self._operations)[MAX_OPERATIONS:]:
                del self._operations[key]
            trimmed = True
        if len(self._hash_owner) > MAX_OPERATIONS:
            for digest in sorted(self._hash_owner)[MAX_OPERATIONS:]:
                del self._hash_owner[digest]
            trimmed = True
        self._types.update(roots)
        self._truncated |= trimmed

    def merge(self, other: GraphQLSchemaBuilder) -> None:
        """Fold in everything ``other`` has seen; ``other`` is left unchanged."""
        if other is self:
            raise ValueError("a builder cannot merge itself")
        self.calls += other.calls
        self.unparsable += other.unparsable
        self._truncated |= other._truncated
        for name in sorted(other._types):
            self._types.setdefault(name, ObjectEvidence()).merge(other._types[name])
        for name in sorted(other._declared):
            self._declared.setdefault(name, InputEvidence()).merge(other._declared[name])
        for key in sorted(other._operations):
            record = self._operations.setdefault(key, OperationRecord())
            record.merge(other._operations[key])
        for digest in sorted(other._persisted):
            record = self._persisted.setdefault(digest, OperationRecord())
            record.merge(other._persisted[digest])
        for digest, key in other._hash_owner.items():
            owner = self._hash_owner.get(digest)
            self._hash_owner[digest] = key if owner is None else min(owner, key)
        self._trim()

    def build(self) -> GraphQLModel:
        sdl, unresolved = render_sdl(self._types, self._declared)
        operations: list[GraphQLOperation] = []
        owned: dict[OperationKey, list[str]] = {}
        for digest, key in sorted(self._hash_owner.items()):
            owned.setdefault(key, []).append(digest)
        for key in sorted(self._operations):
            record = OperationRecord()
            record.merge(self._operations[key])
            for digest in owned.get(key, []):
                if digest in self._persisted:
                    record.merge(self._persisted[digest], calls_only=True)
            operations.append(record.build(key))
        persisted = tuple(sorted(d for d in self._persisted if d not in self._hash_owner))
        operations.extend(self._persisted[digest].build(None) for digest in persisted)
        truncated = self._truncated or any(
            record.truncated for record in [*self._operations.values(), *self._persisted.values()]
        )
        truncated |= any(evidence.is_truncated() for evidence in self._types.values())
        truncated |= any(evidence.is_truncated() for evidence in self._declared.values())
        return GraphQLModel(
            sdl=sdl,
            operations=tuple(operations),
            persisted_hashes=persisted,
            unparsable=self.unparsable,
            unresolved=unresolved,
            calls=self.calls,
            truncated=truncated,
        )
