"""Drift: the changes a replay shows against the baseline and the stored model.

:func:`detect_changes` compares the responses of one replay, grouped by
operation (``GET /books/{id}``), with each operation's baseline
(:mod:`apidisco.infer.baseline`) and with the stored model (the methods of each
path), and returns the classified changes (:class:`apidisco.infer.changes.Change`):

- an operation that answered 2xx before and now 404 or 410 is gone: when every
  replayed operation of its path is gone the path is (``REMOVED_ENDPOINT``),
  else the method is (``METHOD_REMOVED``); 405 removes the method. These, and
  methods a server now allows (its ``Allow`` header on an ``OPTIONS`` or 405
  answer) that the model lacks (``METHOD_ADDED``), come from
  :func:`~apidisco.infer.changes.compare_specs` on the model before and after;
- 401 or 403 where the recorded calls needed no credentials: ``AUTH_CHANGED``
  (breaking);
- any other new status: ``RESPONSE_CHANGED``, breaking when a success became
  a failure;
- the response body schema of a status seen before: ``SCHEMA_CHANGED`` with the
  differences of :func:`~apidisco.infer.changes.compare_schemas` (response
  direction), after :func:`~apidisco.infer.baseline.conform`;
- a value that was the same in every recorded response and differs now:
  ``RESPONSE_CHANGED`` (not breaking); the paths are in :attr:`Drift.values`.
  Values that varied when recorded (timestamps, ids) are noise, never a change.

Pure: no IO.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apidisco.enums import ApiChangeType
from apidisco.infer.baseline import Sample, conform, strip, value_changes
from apidisco.infer.changes import Change, compare_schemas, compare_specs
from apidisco.infer.schema import SchemaBuilder

__all__ = ["AUTH_FAILURES", "GONE", "Drift", "detect_changes", "split_operation"]

GONE = frozenset({404, 410})
AUTH_FAILURES = frozenset({401, 403})
T = ApiChangeType


@dataclass(frozen=True, slots=True)
class Drift:
    """One change, with what it was and what it is now (the api_changes snapshots)."""

    change: Change
    before: Any = None
    after: Any = None
    values: tuple[tuple[str, Any, Any], ...] = field(default=())

    def diff_json(self) -> dict[str, Any]:
        diff = self.change.diff_json()
        if self.values:
            diff["values"] = [{"path": p, "old": old, "new": new} for p, old, new in self.values]
        return diff


def split_operation(operation: str) -> tuple[str, str]:
    """``"GET /books/{id}"`` → ``("GET", "/books/{id}")``."""
    method, _, pattern = operation.partition(" ")
    return method.upper(), pattern or "/"


def _success(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _spec(methods: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    paths: dict[str, Any] = {
        pattern: {method.lower(): {"responses": {}} for method in sorted(set(found))}
        for pattern, found in sorted(methods.items())
        if found
    }
    return {"openapi": "3.1.0", "info": {"title": "model", "version": "0"}, "paths": paths}


def _statuses(samples: Sequence[Sample]) -> set[int]:
    return {s.status for s in samples if s.status is not None}


def _operation_drift(
    operation: str, baseline: Mapping[str, Any], samples: Sequence[Sample]
) -> list[Drift]:
    method, pattern = split_operation(operation)
    before = set(baseline.get("statuses") or ())
    now = _statuses(samples)
    found: list[Drift] = []
    new_statuses = sorted(now - before)
    if new_statuses and now & AUTH_FAILURES and not before & AUTH_FAILURES:
        if not baseline.get("credentials"):
            status = min(now & AUTH_FAILURES)
            found.append(
                Drift(
                    Change(
                        T.AUTH_CHANGED,
                        pattern,
                        method,
                        True,
                        f"{method} {pattern}: authentication became required (answered "
                        f"{status} to a request without credentials that it answered before)",
                    ),
                    {"statuses": sorted(before), "credentials": False},
                    {"statuses": sorted(now)},
                )
            )
        return found
    if now & (GONE | {405}) and not before & (GONE | {405}):
        return found  # the model comparison reports it
    if new_statuses:
        lost_success = any(_success(s) for s in before) and not any(_success(s) for s in now)
        found.append(
            Drift(
                Change(
                    T.RESPONSE_CHANGED,
                    pattern,
                    method,
                    lost_success,
                    f"{method} {pattern}: answered {', '.join(map(str, sorted(now)))} "
                    f"where it answered {', '.join(map(str, sorted(before))) or 'nothing'}",
                ),
                {"statuses": sorted(before)},
                {"statuses": sorted(now)},
            )
        )
    schemas: Mapping[str, Any] = baseline.get("schemas") or {}
    reshaped: set[str] = set()
    for status in sorted(now & before):
        old = schemas.get(str(status))
        replayed = [s.json for s in samples if s.status == status and s.json is not None]
        if old is None or not replayed:
            continue
        builder = SchemaBuilder()
        for document in replayed:
            builder.add(document)
        new = conform(old, strip(builder.build()))
        differences = compare_schemas(old, new, direction="response")
        reshaped.update(d.path for d in differences)
        if differences:
            found.append(
                Drift(
                    Change(
                        T.SCHEMA_CHANGED,
                        pattern,
                        method,
                        any(d.breaking for d in differences),
                        f"{method} {pattern}: "
                        + "; ".join(f"{status} {d.reason}" for d in differences),
                        differences,
                    ),
                    {"status": status, "schema": old},
                    {"status": status, "schema": new},
                )
            )
    successes = [s for s in samples if _success(s.status)]
    # A value whose type changed is reported by the schema change alone.
    values = [v for v in value_changes(baseline, successes) if v[0] not in reshaped]
    if values:
        found.append(
            Drift(
                Change(
                    T.RESPONSE_CHANGED,
                    pattern,
                    method,
                    False,
                    f"{method} {pattern}: "
                    + "; ".join(
                        f"{path} was {_show(old)}, now {_show(new)}" for path, old, new in values
                    ),
                ),
                {path: old for path, old, _ in values},
                {path: new for path, _, new in values},
                tuple(values),
            )
        )
    return found


def detect_changes(
    baselines: Mapping[str, Mapping[str, Any]],
    replayed: Mapping[str, Sequence[Sample]],
    model: Mapping[str, Sequence[str]],
    allowed: Mapping[str, Sequence[str]] | None = None,
) -> tuple[Drift, ...]:
    """Every change the replay shows (see the module docstring), in a stable order.

    ``baselines`` and ``replayed`` are keyed by operation; ``model`` maps each
    path template to its stored methods; ``allowed`` maps a template to the
    methods the server's ``Allow`` header named.
    """
    drifts: list[Drift] = []
    gone: dict[str, set[str]] = {}
    removed_methods: dict[str, set[str]] = {}
    replayed_methods: dict[str, set[str]] = {}
    for operation in sorted(replayed):
        samples = replayed[operation]
        method, pattern = split_operation(operation)
        replayed_methods.setdefault(pattern, set()).add(method)
        baseline = baselines.get(operation)
        if baseline is None:
            continue
        before = set(baseline.get("statuses") or ())
        now = _statuses(samples)
        if any(_success(s) for s in before) and not before & (GONE | {405}):
            if now and now <= GONE | {405} and now & GONE:
                gone.setdefault(pattern, set()).add(method)
            elif 405 in now and not any(_success(s) for s in now):
                removed_methods.setdefault(pattern, set()).add(method)
        drifts.extend(_operation_drift(operation, baseline, samples))

    old_model = {p: set(m) for p, m in model.items()}
    for operation in baselines:
        method, pattern = split_operation(operation)
        if pattern in replayed_methods:
            old_model.setdefault(pattern, set()).add(method)
    new_model = {p: set(m) for p, m in old_model.items()}
    for pattern, methods in gone.items():
        if methods >= replayed_methods.get(pattern, set()):
            new_model.pop(pattern, None)
        else:
            new_model[pattern] = new_model.get(pattern, set()) - methods
    for pattern, methods in removed_methods.items():
        if pattern in new_model:
            new_model[pattern] -= methods
    for pattern, named in (allowed or {}).items():
        if pattern in new_model:
            new_model[pattern] |= {m.upper() for m in named} - {"OPTIONS", "HEAD"}
    for change in compare_specs(_spec(_sorted(old_model)), _spec(_sorted(new_model))):
        drifts.append(
            Drift(
                change,
                {"methods": sorted(old_model.get(change.pattern, ()))},
                {"methods": sorted(new_model.get(change.pattern, ()))},
            )
        )
    return tuple(sorted(drifts, key=_order))


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _sorted(model: Mapping[str, set[str]]) -> dict[str, list[str]]:
    return {pattern: sorted(methods) for pattern, methods in model.items()}


def _order(drift: Drift) -> tuple[str, str, str, str]:
    change = drift.change
    return (change.pattern, change.method or "", change.type.value, change.description)
