"""API changes between two OpenAPI 3.x documents, each classified as breaking or not.

:func:`compare_specs` reads an old and a new document and returns one
:class:`Change` per thing a client would notice, sorted by pattern, method and
type:

- ``NEW_ENDPOINT`` / ``REMOVED_ENDPOINT`` — a path (matched by its template, so
  ``/books/{id}`` and ``/books/{bookId}`` are the same path) appeared or
  disappeared; a removal is breaking;
- ``METHOD_ADDED`` / ``METHOD_REMOVED`` — an operation of a path both documents
  have; a removal is breaking;
- ``SCHEMA_CHANGED`` — the parameters and request body of an operation (one
  change), or one response status's body (one change per status): the
  differences :func:`compare_schemas` finds, and parameters added, removed or
  made required, identified by location and name (a header's name in any case, a
  path parameter by its position in the template);
- ``RESPONSE_CHANGED`` — the set of response statuses or media types changed:
  a removed success (2xx) status or a removed media type is breaking, a new one
  is not;
- ``AUTH_CHANGED`` — the security requirements (the operation's, else the
  document's) changed: security where anonymous calls were accepted, or a
  scheme removed, is breaking; anonymous calls newly accepted, or a scheme
  added beside the old ones, is not.

``$ref`` pointers into the same document (schemas, parameters, request bodies,
responses) are resolved, with a guard against cycles. The classification rules
for schemas are in :mod:`apidisco.infer.schema_diff`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from apidisco.enums import ApiChangeType
from apidisco.infer.schema_diff import Difference, SchemaComparer, compare_schemas

__all__ = ["Change", "Difference", "compare_schemas", "compare_specs"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TYPE_ORDER = {kind: index for index, kind in enumerate(ApiChangeType)}
_PARAMETER = re.compile(r"\{[^}/]*\}")
_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Change:
    """One change a client of the API would notice."""

    type: ApiChangeType
    pattern: str
    method: str | None
    breaking: bool
    description: str
    differences: tuple[Difference, ...] = ()

    def diff_json(self) -> dict[str, Any]:
        """What goes into ``api_changes.diff``: the breaking flag, where, and every difference."""
        return {
            "breaking": self.breaking,
            "pattern": self.pattern,
            "method": self.method,
            "differences": [difference.as_json() for difference in self.differences],
        }


def compare_specs(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[Change, ...]:
    """Every change from the ``old`` OpenAPI document to the ``new`` one, sorted."""
    changes = _SpecComparison(_Document(old), _Document(new)).changes()
    return tuple(sorted(changes, key=_order))


def _order(change: Change) -> tuple[str, str, int]:
    # A stable sort: within one type, the walk's order (request first, then statuses).
    return (change.pattern, change.method or "", _TYPE_ORDER[change.type])


class _Document:
    """An OpenAPI document with its local ``$ref`` pointers resolvable."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None]:
        """The node a (chain of) local ``$ref`` points at, and the first reference.

        A pointer that leads nowhere (another file, a missing component, a cycle
        of references) leaves the node as it is.
        """
        first = node.get("$ref") if isinstance(node.get("$ref"), str) else None
        seen: set[str] = set()
        current = node
        while isinstance(current.get("$ref"), str):
            ref = current["$ref"]
            if ref in seen:
                return node, first
            seen.add(ref)
            target = self._pointer(ref)
            if target is None:
                return node, first
            current = target
        return current, first

    def _pointer(self, ref: str) -> Mapping[str, Any] | None:
        if not ref.startswith("#/"):
            return None
        node: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node if isinstance(node, Mapping) else None

    def node(self, value: Any) -> Mapping[str, Any]:
        """A mapping with its reference resolved; ``{}`` for anything that is not one."""
        return self.resolve(value)[0] if isinstance(value, Mapping) else {}

    def paths(self) -> dict[str, tuple[str, Mapping[str, Any]]]:
        """Path items by normalised template (``/books/{}``), with the template as written."""
        found: dict[str, tuple[str, Mapping[str, Any]]] = {}
        for template, item in sorted((self.document.get("paths") or {}).items()):
            found.setdefault(_PARAMETER.sub("{}", str(template)), (str(template), self.node(item)))
        return found

    @staticmethod
    def operations(item: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
        return {m.upper(): item[m] for m in _METHODS if isinstance(item.get(m), Mapping)}

    def parameters(
        self, template: str, item: Mapping[str, Any], operation: Mapping[str, Any]
    ) -> dict[tuple[str, str], Mapping[str, Any]]:
        """Parameters by identity: (location, name) — a header's name lowercased, a path
        parameter's position in the template; the operation's override the path item's."""
        names = [match[1:-1] for match in _PARAMETER.findall(template)]
        found: dict[tuple[str, str], Mapping[str, Any]] = {}
        for source in (item.get("parameters"), operation.get("parameters")):
            for raw in source or ():
                parameter = self.node(raw)
                location, name = str(parameter.get("in", "")), str(parameter.get("name", ""))
                if location == "header":
                    key = name.lower()
                elif location == "path" and name in names:
                    key = str(names.index(name))
                else:
                    key = name
                found[(location, key)] = parameter
        return found

    def security(self, operation: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        requirements = (
            operation["security"] if "security" in operation else self.document.get("security")
        )
        return [r for r in requirements or () if isinstance(r, Mapping)]

    def scheme_label(self, name: str) -> str:
        """``http bearer``, ``apiKey header X-Api-Key``, ``oauth2`` — a scheme by what it is."""
        schemes = (self.document.get("components") or {}).get("securitySchemes") or {}
        scheme = self.node(schemes.get(name))
        kind = scheme.get("type")
        if kind == "http":
            return f"http {str(scheme.get('scheme', '')).lower()}".strip()
        if kind == "apiKey":
            return f"apiKey {scheme.get('in', '')} {scheme.get('name', '')}".strip()
        return str(kind) if kind else name


def _schema(holder: Mapping[str, Any]) -> Mapping[str, Any]:
    schema = holder.get("schema")
    return schema if isinstance(schema, Mapping) else {}


def _describe(operation: str, differences: list[Difference]) -> str:
    lead = next((d for d in differences if d.breaking), differences[0])
    more = len(differences) - 1
    suffix = f" (and {more} more difference{'s' if more > 1 else ''})" if more else ""
    return f"{operation}: {lead.reason}{suffix}"


def _whole_endpoint(
    kind: ApiChangeType,
    document: _Document,
    entry: tuple[str, Mapping[str, Any]],
    *,
    breaking: bool,
) -> Change:
    """An endpoint (template and path item) that one document has and the other lacks."""
    template, item = entry
    methods = ", ".join(document.operations(item))
    text = (
        f"Endpoint {template} was removed"
        if kind == ApiChangeType.REMOVED_ENDPOINT
        else f"New endpoint {template}"
    )
    return Change(kind, template, None, breaking, text + (f" ({methods})" if methods else ""))


class _SpecComparison:
    """The walk over two documents that yields their changes."""

    def __init__(self, old: _Document, new: _Document) -> None:
        self.old = old
        self.new = new

    def changes(self) -> Iterator[Change]:
        old_paths, new_paths = self.old.paths(), self.new.paths()
        for key in sorted(set(old_paths) | set(new_paths)):
            if key not in new_paths:
                yield _whole_endpoint(
                    ApiChangeType.REMOVED_ENDPOINT, self.old, old_paths[key], breaking=True
                )
            elif key not in old_paths:
                yield _whole_endpoint(
                    ApiChangeType.NEW_ENDPOINT, self.new, new_paths[key], breaking=False
                )
            else:
                yield from self._path(old_paths[key], new_paths[key])

    def _path(
        self, old: tuple[str, Mapping[str, Any]], new: tuple[str, Mapping[str, Any]]
    ) -> Iterator[Change]:
        (old_template, old_item), (template, new_item) = old, new
        old_operations = self.old.operations(old_item)
        new_operations = self.new.operations(new_item)
        for method in [m.upper() for m in _METHODS]:
            if method in old_operations and method not in new_operations:
                yield Change(
                    ApiChangeType.METHOD_REMOVED,
                    template,
                    method,
                    True,
                    f"{method} {template} was removed",
                )
            elif method in new_operations and method not in old_operations:
                yield Change(
                    ApiChangeType.METHOD_ADDED,
                    template,
                    method,
                    False,
                    f"{method} {template} was added",
                )
            elif method in new_operations:
                operation = _Operation(
                    self, template, method, (old_template, old_item), (template, new_item)
                )
                yield from operation.changes(old_operations[method], new_operations[method])


class _Operation:
    """The changes within one operation both documents have."""

    def __init__(
        self,
        spec: _SpecComparison,
        template: str,
        method: str,
        old_path: tuple[str, Mapping[str, Any]],
        new_path: tuple[str, Mapping[str, Any]],
    ) -> None:
        self.old, self.new = spec.old, spec.new
        self.template, self.method = template, method
        self.old_path, self.new_path = old_path, new_path
        self.label = f"{method} {template}"

    def _change(self, kind: ApiChangeType, differences: list[Difference]) -> Change:
        return Change(
            kind,
            self.template,
            self.method,
            any(d.breaking for d in differences),
            _describe(self.label, differences),
            tuple(differences),
        )

    def changes(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
        request = [*self._parameters(old, new), *self._request_body(old, new)]
        if request:
            yield self._change(ApiChangeType.SCHEMA_CHANGED, request)
        statuses, bodies = self._responses(old, new)
        if statuses:
            yield self._change(ApiChangeType.RESPONSE_CHANGED, statuses)
        for differences in bodies:
            yield self._change(ApiChangeType.SCHEMA_CHANGED, differences)
        security = list(self._security(old, new))
        if security:
            yield self._change(ApiChangeType.AUTH_CHANGED, security)

    def _comparer(self, direction: str, subject: str) -> SchemaComparer:
        return SchemaComparer(
            "response" if direction == "response" else "request",
            subject=subject,
            resolve_old=self.old.resolve,
            resolve_new=self.new.resolve,
        )

    # -- parameters ------------------------------------------------------------

    def _parameters(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Difference]:
        was = self.old.parameters(self.old_path[0], self.old_path[1], old)
        now = self.new.parameters(self.new_path[0], self.new_path[1], new)
        comparer = self._comparer("request", "request")
        for identity in sorted(set(was) | set(now)):
            location = identity[0]
            if identity not in now:
                name = str(was[identity].get("name", ""))
                yield Difference(
                    f"{location}.{name}",
                    "removed",
                    comparer.label(_schema(was[identity]), self.old.resolve),
                    None,
                    False,
                    f"{location} parameter {name} was removed",
                )
                continue
            name = str(now[identity].get("name", ""))
            path = f"{location}.{name}"
            required = bool(now[identity].get("required")) or location == "path"
            if identity not in was:
                qualifier = "required" if required else "optional"
                yield Difference(
                    path,
                    "added",
                    None,
                    comparer.label(_schema(now[identity]), self.new.resolve),
                    required,
                    f"{qualifier} {location} parameter {name} was added",
                )
                continue
            was_required = bool(was[identity].get("required")) or location == "path"
            if was_required != required:
                yield Difference(
                    path,
                    "required" if required else "optional",
                    was_required,
                    required,
                    required,
                    f"{location} parameter {name} became {'required' if required else 'optional'}",
                )
            yield from comparer.compare(_schema(was[identity]), _schema(now[identity]), path)

    # -- request body ----------------------------------------------------------

    def _request_body(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Difference]:
        was, now = self.old.node(old.get("requestBody")), self.new.node(new.get("requestBody"))
        if not was and not now:
            return
        was_required, required = bool(was.get("required")), bool(now.get("required"))
        if not now:
            yield Difference("$", "removed", "body", None, False, "request body was removed")
            return
        if not was:
            qualifier = "required" if required else "optional"
            yield Difference(
                "$", "added", None, "body", required, f"{qualifier} request body was added"
            )
            return
        if was_required != required:
            yield Difference(
                "$",
                "required" if required else "optional",
                was_required,
                required,
                required,
                f"request body became {'required' if required else 'optional'}",
            )
        was_content: Mapping[str, Any] = was.get("content") or {}
        now_content: Mapping[str, Any] = now.get("content") or {}
        for media in sorted(set(was_content) | set(now_content)):
            if media not in now_content:
                yield Difference(
                    f"requestBody.{media}", "removed", media, None, True,
                    f"request body no longer accepts {media}",
                )  # fmt: skip
            elif media not in was_content:
                yield Difference(
                    f"requestBody.{media}", "added", None, media, False,
                    f"request body now also accepts {media}",
                )  # fmt: skip
            else:
                subject = "request" if media == _JSON else f"request ({media})"
                yield from self._comparer("request", subject).compare(
                    _schema(self.old.node(was_content[media])),
                    _schema(self.new.node(now_content[media])),
                )

    # -- responses -------------------------------------------------------------

    def _responses(
        self, old: Mapping[str, Any], new: Mapping[str, Any]
    ) -> tuple[list[Difference], list[list[Difference]]]:
        was = {str(k): self.old.node(v) for k, v in (old.get("responses") or {}).items()}
        now = {str(k): self.new.node(v) for k, v in (new.get("responses") or {}).items()}
        statuses: list[Difference] = []
        bodies: list[list[Difference]] = []
        for status in sorted(set(was) | set(now)):
            if status not in now:
                success = status.startswith("2")
                kind = "success " if success else ""
                statuses.append(Difference(
                    f"responses.{status}", "removed", status, None, success,
                    f"{kind}response {status} was removed",
                ))  # fmt: skip
            elif status not in was:
                statuses.append(Difference(
                    f"responses.{status}", "added", None, status, False,
                    f"response {status} was added",
                ))  # fmt: skip
            else:
                media, body = self._response(status, was[status], now[status])
                statuses += media
                if body:
                    bodies.append(body)
        return statuses, bodies

    def _response(
        self, status: str, was: Mapping[str, Any], now: Mapping[str, Any]
    ) -> tuple[list[Difference], list[Difference]]:
        was_content: Mapping[str, Any] = was.get("content") or {}
        now_content: Mapping[str, Any] = now.get("content") or {}
        media_changes: list[Difference] = []
        body: list[Difference] = []
        for media in sorted(set(was_content) | set(now_content)):
            path = f"responses.{status}.{media}"
            if media not in now_content:
                media_changes.append(Difference(
                    path, "removed", media, None, True,
                    f"response {status} no longer returns {media}",
                ))  # fmt: skip
            elif media not in was_content:
                media_changes.append(Difference(
                    path, "added", None, media, False,
                    f"response {status} now also returns {media}",
                ))  # fmt: skip
            else:
                subject = f"{status} response" + ("" if media == _JSON else f" ({media})")
                body += self._comparer("response", subject).compare(
                    _schema(self.old.node(was_content[media])),
                    _schema(self.new.node(now_content[media])),
                )
        return media_changes, body

    # -- security --------------------------------------------------------------

    def _alternatives(self, document: _Document, operation: Mapping[str, Any]) -> set[str]:
        return {
            " + ".join(sorted(document.scheme_label(str(name)) for name in requirement))
            for requirement in document.security(operation)
            if requirement
        }

    @staticmethod
    def _anonymous(document: _Document, operation: Mapping[str, Any]) -> bool:
        requirements = document.security(operation)
        return not requirements or any(not requirement for requirement in requirements)

    def _security(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Difference]:
        was_open, now_open = self._anonymous(self.old, old), self._anonymous(self.new, new)
        was, now = self._alternatives(self.old, old), self._alternatives(self.new, new)
        if was_open and not now_open:
            yield Difference(
                "security", "required", False, True, True,
                f"authentication became required ({' or '.join(sorted(now))})",
            )  # fmt: skip
            return
        if now_open and not was_open:
            yield Difference(
                "security", "optional", True, False, False,
                "authentication is no longer required",
            )  # fmt: skip
        removed, added = sorted(was - now), sorted(now - was)
        if removed and added and not (was & now):
            yield Difference(
                "security", "type", removed, added, not now_open,
                f"authentication changed from {' or '.join(removed)} to {' or '.join(added)}",
            )  # fmt: skip
            return
        for label in removed:
            yield Difference(
                "security", "removed", label, None, not now_open,
                f"authentication with {label} is no longer accepted",
            )  # fmt: skip
        for label in added:
            yield Difference(
                "security", "added", None, label, False,
                f"authentication with {label} is now accepted",
            )  # fmt: skip
