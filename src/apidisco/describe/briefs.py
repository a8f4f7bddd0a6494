"""What a language model is told about one operation: names, never values.

An :class:`OperationBrief` is built by the caller from the inferred API model. It
holds an operation's method, path template and deterministic summary, and the
*names* of its parameters, request fields, response fields and status codes;
never an example, a captured value or a header's value.

:meth:`OperationBrief.shareable` is the last check before a brief leaves the
process. It drops every string that carries capture's mask (``‹masked:…›``) and
every parameter or field whose name the :mod:`apidisco.sensitive` lists call a
secret's. Names are compared as capture compares them (case-insensitively, with
``-`` and ``_`` alike), each part of a dotted or bracketed name on its own, and a
camelCase part also as its snake_case spelling::

    user.password   X-Api-Key   items[].accessToken   →   dropped
    user.email      X-Request-Id   items[].name       →   kept
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apidisco.sensitive import (
    DEFAULT_SENSITIVE_FIELDS,
    DEFAULT_SENSITIVE_HEADERS,
    DEFAULT_SENSITIVE_QUERY,
)

__all__ = ["MASK_MARK", "OperationBrief", "is_sensitive_name"]

MASK_MARK = "‹masked:"
"""How every value capture masked begins; a string holding it is never sent."""

_PARTS = re.compile(r"[^A-Za-z0-9_-]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_")


_SENSITIVE = frozenset(
    _normalise(name)
    for name in DEFAULT_SENSITIVE_FIELDS | DEFAULT_SENSITIVE_HEADERS | DEFAULT_SENSITIVE_QUERY
)


def is_sensitive_name(name: str) -> bool:
    """Whether any part of ``name`` is the name of a secret field, header or query parameter."""
    for part in _PARTS.split(name):
        if part and {_normalise(part), _normalise(_CAMEL.sub("_", part))} & _SENSITIVE:
            return True
    return False


def _is_masked(text: str) -> bool:
    return MASK_MARK in text


def _shareable_names(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in names if not _is_masked(name) and not is_sensitive_name(name))


@dataclass(frozen=True)
class OperationBrief:
    """One operation as the model sees it.

    ``key`` identifies the operation to the caller (``"GET /users/{userId}"``) and
    is the key the model answers under; ``summary`` is the deterministic one-line
    summary; the tuples hold names only.
    """

    key: str
    method: str
    pattern: str
    summary: str
    parameters: tuple[str, ...] = ()
    request_fields: tuple[str, ...] = ()
    response_fields: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def shareable(self) -> OperationBrief | None:
        """This brief without masked strings and secrets' names.

        ``None`` when the key or the method itself carries a mask: such an
        operation is not asked about at all and keeps its deterministic summary.
        """
        if _is_masked(self.key) or _is_masked(self.method):
            return None
        return OperationBrief(
            key=self.key,
            method=self.method,
            pattern="" if _is_masked(self.pattern) else self.pattern,
            summary="" if _is_masked(self.summary) else self.summary,
            parameters=_shareable_names(self.parameters),
            request_fields=_shareable_names(self.request_fields),
            response_fields=_shareable_names(self.response_fields),
            statuses=tuple(status for status in self.statuses if not _is_masked(status)),
        )
