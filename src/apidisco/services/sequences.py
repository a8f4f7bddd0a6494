"""``apidisco replay record``: an endpoint's action sequence from its captured calls.

The selected calls (``--from-calls``: all HTTP calls, oldest first, up to
:data:`MAX_STEPS`) become the steps of the endpoint's one ``action_sequences``
row, correlated (:mod:`apidisco.infer.correlation`); the baseline of each
operation the steps use is learnt from *every* captured call of that operation
(:mod:`apidisco.infer.baseline`). Secrets stay masked in the steps; their
originals are what capture kept encrypted in ``authTokens``, and ``--header``
values are added there, encrypted with ``APIDISCO_SECRET_KEY``
(:mod:`apidisco.secretbox`). Recording again replaces the steps and baselines.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from apidisco.errors import ConfigError, ValidationError
from apidisco.infer.baseline import Sample, learn_baselines, sample_of
from apidisco.infer.correlation import RecordedCall, build_steps
from apidisco.infer.observation import split_target
from apidisco.infer.sequence import masks_in
from apidisco.secretbox import SecretBox
from apidisco.services import audit
from apidisco.services.actor import Actor
from apidisco.services.endpoints import find_endpoint
from apidisco.store.database import Database, Session
from apidisco.store.models import ApiCall
from apidisco.store.repositories import ApiCallRepository
from apidisco.store.repositories.sequences import ActionSequenceRepository

__all__ = [
    "HEADER_PREFIX",
    "MAX_STEPS",
    "CallFilter",
    "RecordReport",
    "parse_call_filter",
    "parse_header",
    "record_sequence",
]

MAX_STEPS = 200
SAMPLES_PER_OPERATION = 200
HEADER_PREFIX = "header:"
_REPLAYABLE = frozenset({"http", "https", "graphql"})


@dataclass(frozen=True)
class CallFilter:
    """Which captured calls become steps (``--from-calls``)."""

    method: str | None = None
    status: int | None = None
    path: str | None = None
    limit: int = MAX_STEPS


def parse_call_filter(text: str | None) -> CallFilter:
    """``"method=POST path=/books status=201 limit=20"`` (spaces or commas between)."""
    if not text:
        return CallFilter()
    values: dict[str, Any] = {}
    for item in text.replace(",", " ").split():
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or not value:
            raise ValidationError(f"--from-calls: {item!r} is not key=value")
        if key not in {"method", "status", "path", "limit"}:
            raise ValidationError(
                f"--from-calls: unknown key {key!r} (expected method, status, path, limit)"
            )
        if key in {"status", "limit"}:
            if not value.isdigit() or int(value) < 1:
                raise ValidationError(f"--from-calls: {key} must be a positive number")
            values[key] = int(value)
        else:
            values[key] = value.upper() if key == "method" else value
    if values.get("limit", 0) > MAX_STEPS:
        raise ValidationError(f"--from-calls: limit is at most {MAX_STEPS}")
    return CallFilter(**values)


def parse_header(text: str) -> tuple[str, str]:
    """``"Authorization: Bearer x"`` → ``("authorization", "Bearer x")``."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or not value.strip():
        raise ValidationError(f"header {name.strip() or text!r} must be given as 'Name: value'")
    return name.strip().lower(), value.strip()


@dataclass(frozen=True)
class RecordReport:
    endpoint_id: str
    steps: int
    operations: tuple[str, ...]
    references: int
    secrets_kept: int
    secrets_missing: tuple[str, ...]
    headers_kept: tuple[str, ...]


def _text_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(name).lower(): ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        for name, value in headers.items()
    }


def _json_of(value: Any, text: str | None) -> Any:
    if value is not None:
        return value
    return None if text is None else _maybe_json(text)


def _maybe_json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def recorded_call(call: ApiCall, base_path: str, first_ms: float) -> RecordedCall:
    """The correlation view of a stored call."""
    path, query = split_target(call.url, base_path)
    body_json = call.request_body_json
    body_text = None
    if body_json is None and call.request_body and call.request_body_encoding is None:
        body_text = call.request_body
    pattern = call.endpoint_pattern or path
    return RecordedCall(
        method=call.method.upper(),
        path=path,
        query=tuple((name, value) for name, value in query),
        headers=_text_headers(call.request_headers or {}),
        body_json=body_json,
        body_text=body_text,
        status=call.response_status,
        response_headers=_text_headers(call.response_headers or {}),
        response_json=_json_of(call.response_body_json, None),
        offset_ms=round(call.timestamp.timestamp() * 1000 - first_ms),
        operation=f"{call.method.upper()} {pattern}",
    )


def _replayable(call: ApiCall) -> bool:
    return (
        call.message_direction is None
        and call.protocol in _REPLAYABLE
        and call.error is None
        and call.response_status is not None
        and not call.request_body_truncated
    )


def _count_refs(value: Any) -> int:
    if isinstance(value, dict):
        if set(value) == {"ref"}:
            return 1
        return sum(_count_refs(item) for item in value.values())
    if isinstance(value, list):
        return sum(_count_refs(item) for item in value)
    return 0


def record_sequence(
    database: Database,
    actor: Actor,
    endpoint: str,
    *,
    calls: CallFilter = CallFilter(),
    headers: Mapping[str, str] | None = None,
    box: SecretBox | None = None,
) -> RecordReport:
    """Build and store ``endpoint``'s action sequence (see the module docstring)."""
    headers = dict(headers or {})
    if headers and box is None:
        raise ConfigError(
            "APIDISCO_SECRET_KEY is not set: --header values are kept encrypted with it"
        )
    with database.session() as session:
        target = find_endpoint(session, actor, endpoint)
        endpoint_id = target.id
        base_path = urllib.parse.urlsplit(target.destination_url).path
        found = ApiCallRepository(session).search(
            endpoint_id,
            method=calls.method,
            status=calls.status,
            path=calls.path,
            limit=calls.limit * 4,
        )
        selected = [call for call in found if _replayable(call)][: calls.limit]
        if not selected:
            raise ValidationError(
                f"endpoint {endpoint_id} has no captured HTTP calls to record"
                + (" that match --from-calls" if calls != CallFilter() else "")
            )
        first_ms = selected[0].timestamp.timestamp() * 1000
        recorded = [recorded_call(call, base_path, first_ms) for call in selected]
        operations = {call.operation for call in recorded}
        samples = _samples(session, endpoint_id, base_path, operations, recorded)
        existing = ActionSequenceRepository(session).for_endpoint(endpoint_id)
        kept = dict(existing.auth_tokens or {}) if existing is not None else {}
    steps = build_steps(recorded)
    baselines = learn_baselines(samples)
    tokens: dict[str, str] = {}
    if box is not None:
        tokens = {f"{HEADER_PREFIX}{name}": box.encrypt(value) for name, value in headers.items()}
        for name, value in kept.items():
            if name.startswith(HEADER_PREFIX):
                box.decrypt(value, f"the kept {name[len(HEADER_PREFIX) :]} header")
    overridden = {name for name in headers} | {
        name[len(HEADER_PREFIX) :] for name in kept if name.startswith(HEADER_PREFIX)
    }
    needed = _needed_masks(steps, overridden)
    missing = tuple(sorted(f for f in needed if f not in kept))
    with database.transaction() as session:
        find_endpoint(session, actor, endpoint_id)
        ActionSequenceRepository(session).put(
            endpoint_id, sequence=steps, baselines={"operations": baselines}, tokens=tokens
        )
        audit.record(
            session,
            actor,
            "REPLAY_RECORDED",
            resource_type="ENDPOINT",
            resource_id=endpoint_id,
            details={"steps": len(steps), "operations": len(operations)},
        )
    return RecordReport(
        endpoint_id=endpoint_id,
        steps=len(steps),
        operations=tuple(sorted(operations)),
        references=_count_refs(steps),
        secrets_kept=len(needed) - len(missing),
        secrets_missing=missing,
        headers_kept=tuple(sorted(headers)),
    )


def _needed_masks(steps: list[dict[str, Any]], overridden: set[str]) -> set[str]:
    """Fingerprints the steps need filled, headers replaced by name aside."""
    needed: set[str] = set()
    for step in steps:
        for name, value in (step.get("headers") or {}).items():
            if name not in overridden:
                needed |= masks_in(value)
        needed |= masks_in(step.get("path")) | masks_in(step.get("query"))
        needed |= masks_in(step.get("body"))
    return needed


def _samples(
    session: Session,
    endpoint_id: str,
    base_path: str,
    operations: set[str],
    recorded: list[RecordedCall],
) -> dict[str, list[Sample]]:
    """Up to :data:`SAMPLES_PER_OPERATION` captured responses of each operation.

    Calls are found by their inferred pattern; before ``apidisco infer`` there is
    none, and each operation's samples are the recorded calls themselves.
    """
    grouped: dict[str, list[Sample]] = {}
    patterns = [op.partition(" ")[2] for op in operations]
    repository = ActionSequenceRepository(session)
    for call in repository.calls_with_patterns(endpoint_id, patterns):
        if not _replayable(call):
            continue
        view = recorded_call(call, base_path, 0)
        if view.operation in operations:
            group = grouped.setdefault(view.operation, [])
            if len(group) < SAMPLES_PER_OPERATION:
                group.append(sample_of(view))
    unmatched = operations - set(grouped)
    for view in recorded:
        if view.operation in unmatched:
            group = grouped.setdefault(view.operation, [])
            if len(group) < SAMPLES_PER_OPERATION:
                group.append(sample_of(view))
    return grouped
