"""The operations a GraphQL endpoint was sent: names, kinds, variables, errors.

:class:`OperationRecord` counts one operation's calls for
:class:`~apidisco.infer.graphql.GraphQLSchemaBuilder` and builds its
:class:`GraphQLOperation`. Records merge by adding; what one keeps is bounded:
the :data:`ERROR_LIMIT` smallest distinct errors (message, path, code) with
exact counts, messages cut to :data:`ERROR_LENGTH` characters, list indices in
paths written ``[]`` (``users[].email``), at most :data:`MAX_OPERATIONS` root
fields, hashes and variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from apidisco.infer.graphql_types import keep_smallest

__all__ = [
    "ERROR_LENGTH",
    "ERROR_LIMIT",
    "MAX_OPERATIONS",
    "GraphQLErrorSample",
    "GraphQLOperation",
    "GraphQLVariable",
    "OperationKey",
    "OperationKind",
    "OperationRecord",
]

MAX_OPERATIONS = 512
ERROR_LIMIT = 5
ERROR_LENGTH = 200

OperationKind = Literal["query", "mutation", "subscription"]


@dataclass(frozen=True)
class GraphQLVariable:
    name: str
    type: str  # as declared: "CreateUserInput!"


@dataclass(frozen=True)
class GraphQLErrorSample:
    """One distinct error of ``errors[]``: message (cut to :data:`ERROR_LENGTH`),
    path (``users[].email``) and ``extensions.code``, with how often it came."""

    message: str
    path: str | None
    code: str | None
    count: int


@dataclass(frozen=True)
class GraphQLOperation:
    """One operation: by name, or for an anonymous one by kind and root fields,
    or for a persisted query whose text was never seen by its hash."""

    name: str | None
    kind: OperationKind | None  # None: persisted only, the text was never seen
    root_fields: tuple[str, ...]
    variables: tuple[GraphQLVariable, ...]
    count: int
    persisted_only: bool
    hashes: tuple[str, ...]
    error_count: int  # responses with errors[]
    errors: tuple[GraphQLErrorSample, ...]


OperationKey = tuple[str, str, tuple[str, ...]]  # kind, name, root fields if anonymous
_ErrorKey = tuple[str, str, str]  # message, path, code ("" for none)


def _error_path(path: Any) -> str:
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += "[]"
        else:
            text += ("." if text else "") + str(part)
    return text


class OperationRecord:
    """The calls of one operation (or of one persisted-query hash)."""

    def __init__(self) -> None:
        self.count = 0
        self.error_count = 0
        self.errors: dict[_ErrorKey, int] = {}
        self.variables: dict[str, dict[str, int]] = {}
        self.roots: set[str] = set()
        self.hashes: set[str] = set()
        self.names: set[str] = set()  # operationName of hash-only requests
        self.truncated = False

    def add_errors(self, errors: Any) -> None:
        if not isinstance(errors, list) or not errors:
            return
        self.error_count += 1
        for error in errors:
            if not isinstance(error, Mapping):
                continue
            message = str(error.get("message", ""))
            if len(message) > ERROR_LENGTH:
                message = message[: ERROR_LENGTH - 1] + "…"
            path = error.get("path")
            extensions = error.get("extensions")
            code = extensions.get("code") if isinstance(extensions, Mapping) else None
            key = (
                message,
                _error_path(path) if isinstance(path, list) else "",
                code if isinstance(code, str) else "",
            )
            self.errors[key] = self.errors.get(key, 0) + 1
        self._trim()

    def _trim(self) -> None:
        if len(self.errors) > ERROR_LIMIT:
            for key in sorted(self.errors)[ERROR_LIMIT:]:
                del self.errors[key]
        for values in (self.roots, self.hashes, self.names):
            if len(values) > MAX_OPERATIONS:
                values.difference_update(sorted(values)[MAX_OPERATIONS:])
                self.truncated = True
        if keep_smallest(self.variables, MAX_OPERATIONS):
            self.truncated = True

    def merge(self, other: OperationRecord, *, calls_only: bool = False) -> None:
        self.count += other.count
        self.error_count += other.error_count
        for key, amount in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + amount
        self.hashes |= other.hashes
        self.truncated |= other.truncated
        if not calls_only:
            for name, types in other.variables.items():
                mine = self.variables.setdefault(name, {})
                for declared, amount in types.items():
                    mine[declared] = mine.get(declared, 0) + amount
            self.roots |= other.roots
            self.names |= other.names
        self._trim()

    def build(self, key: OperationKey | None) -> GraphQLOperation:
        variables = tuple(
            GraphQLVariable(name, min(types, key=lambda t: (-types[t], t)))
            for name, types in sorted(self.variables.items())
        )
        errors = tuple(
            GraphQLErrorSample(message, path or None, code or None, self.errors[key])
            for key in sorted(self.errors)
            for message, path, code in [key]
        )
        kind: OperationKind | None = None
        name = min(self.names) if self.names else None
        if key is not None:
            kind = key[0]  # type: ignore[assignment]  # one of ROOT_TYPES' keys
            name = key[1] or None
        return GraphQLOperation(
            name=name,
            kind=kind,
            root_fields=tuple(sorted(self.roots)),
            variables=variables,
            count=self.count,
            persisted_only=key is None,
            hashes=tuple(sorted(self.hashes)),
            error_count=self.error_count,
            errors=errors,
        )
