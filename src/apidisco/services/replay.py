"""``apidisco replay run``: replay an endpoint's action sequence and record what changed.

The sequence (:mod:`apidisco.services.sequences`) is replayed against the
endpoint's destination by :mod:`apidisco.replay.runner`: the destination and
every redirect pass the SSRF rules, masked secrets are filled from
``authTokens`` (decrypted with ``APIDISCO_SECRET_KEY``: without it there is no
replay), ``--header`` values replace headers by name. The responses are
compared with the baselines and the stored model (:mod:`apidisco.infer.drift`)
and each change is written to ``api_changes`` (:mod:`apidisco.services.changes`),
unless the latest row already says the same. The replayed exchanges are stored
as captured calls (masked like any capture), so documents regenerated from the
calls show the API as it is now; ``lastReplayAt`` is set.

``dry_run`` resolves and lists the requests, secrets masked, sending nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from apidisco.capture.exchange import Exchange
from apidisco.capture.rows import RowBuilder
from apidisco.capture.secrets import Masker
from apidisco.destinations import check_destination
from apidisco.errors import ConfigError, ValidationError
from apidisco.infer.baseline import Sample
from apidisco.infer.drift import detect_changes, split_operation
from apidisco.infer.sequence import masks_in, render_value
from apidisco.replay.client import Budget, SafeClient
from apidisco.replay.runner import RunResult, StepResult, run_sequence
from apidisco.secretbox import SECRET_KEY_ENV, SecretBox
from apidisco.services import audit
from apidisco.services.actor import Actor
from apidisco.services.changes import ChangeView, write_changes
from apidisco.services.endpoints import find_endpoint
from apidisco.services.sequences import HEADER_PREFIX
from apidisco.store.database import Database
from apidisco.store.models import utcnow
from apidisco.store.repositories import DiscoveredEndpointRepository
from apidisco.store.repositories.capture import CaptureRepository, complete_call_row
from apidisco.store.repositories.monitoring import MonitoringRepository
from apidisco.store.repositories.sequences import ActionSequenceRepository

__all__ = ["ReplayOptions", "ReplayReport", "StepRow", "replay_endpoint"]


@dataclass(frozen=True)
class ReplayOptions:
    dry_run: bool = False
    speed: float = 1.0
    timeout: float = 30.0
    budget: int | None = None
    allow_private: bool = False
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True)
class StepRow:
    """One line of the result table."""

    step: int
    method: str
    path: str
    status: int | None
    ms: int | None
    outcome: str
    detail: str = ""


@dataclass(frozen=True)
class ReplayReport:
    endpoint_id: str
    dry_run: bool
    steps: tuple[StepRow, ...]
    stopped: str | None
    requests: int
    changes: tuple[ChangeView, ...]
    written: int
    requests_planned: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class _Loaded:
    endpoint_id: str
    destination: str
    steps: list[dict[str, Any]]
    tokens: dict[str, str]
    baselines: dict[str, Any]
    model: dict[str, list[str]]
    discovered: dict[str, str]


def _load(database: Database, actor: Actor, endpoint: str) -> _Loaded:
    with database.session() as session:
        target = find_endpoint(session, actor, endpoint)
        row = ActionSequenceRepository(session).for_endpoint(target.id)
        if row is None or not row.sequence:
            raise ValidationError(
                f"endpoint {target.id} has no action sequence: run "
                f"`apidisco replay record {target.id}` first"
            )
        discovered = DiscoveredEndpointRepository(session).list_for_endpoint(target.id)
        return _Loaded(
            endpoint_id=target.id,
            destination=target.destination_url,
            steps=list(row.sequence),
            tokens=dict(row.auth_tokens or {}),
            baselines=dict((row.baseline_snapshots or {}).get("operations") or {}),
            model={d.pattern: list(d.methods) for d in discovered},
            discovered={d.pattern: d.id for d in discovered},
        )


def _overrides(
    loaded: _Loaded, box: SecretBox | None, headers: Mapping[str, str]
) -> dict[str, str]:
    stored = {}
    for name, token in loaded.tokens.items():
        if name.startswith(HEADER_PREFIX) and box is not None:
            header = name[len(HEADER_PREFIX) :]
            stored[header] = box.decrypt(token, f"the kept {header} header")
    return {**stored, **{name.lower(): value for name, value in headers.items()}}


def _secrets(loaded: _Loaded, box: SecretBox) -> Callable[[str], str]:
    cache: dict[str, str] = {}

    def secret(fingerprint: str) -> str:
        if fingerprint not in cache:
            token = loaded.tokens.get(fingerprint)
            if token is None:
                raise ValidationError(f"no kept original for the masked value {fingerprint}")
            cache[fingerprint] = box.decrypt(token)
        return cache[fingerprint]

    return secret


def _check_secrets(loaded: _Loaded, overrides: Mapping[str, str]) -> None:
    """Every masked value the steps send must have its original kept (or be replaced)."""
    for index, step in enumerate(loaded.steps):
        places = [
            (f"header {name}", value)
            for name, value in (step.get("headers") or {}).items()
            if name not in overrides
        ]
        places += [("path", step.get("path")), ("query", step.get("query"))]
        places += [("body", step.get("body"))]
        for where, value in places:
            if any(f not in loaded.tokens for f in masks_in(value)):
                hint = (
                    f"pass --header '{where[7:]}: ...'"
                    if where.startswith("header ")
                    else "capture it again with APIDISCO_SECRET_KEY set"
                )
                raise ValidationError(
                    f"step {index} ({step.get('method')} {render_value(step.get('path'))}) sends "
                    f"a masked {where} whose original was not kept: {hint}"
                )


def _plan(loaded: _Loaded, overrides: Mapping[str, str]) -> tuple[dict[str, Any], ...]:
    planned = []
    for index, step in enumerate(loaded.steps):
        headers = {
            name: render_value(value)
            for name, value in (step.get("headers") or {}).items()
            if name not in overrides
        }
        headers.update({name: "‹from --header›" for name in overrides})
        body = step.get("body")
        planned.append(
            {
                "step": index,
                "method": step.get("method"),
                "url": loaded.destination.rstrip("/") + str(render_value(step.get("path"))),
                "query": render_value(step.get("query") or []),
                "headers": headers,
                "body": render_value(body.get("json", body.get("text"))) if body else None,
                "delayMs": step.get("delayMs", 0),
            }
        )
    return tuple(planned)


def _row(result: StepResult) -> StepRow:
    return StepRow(
        step=result.step,
        method=result.method,
        path=result.path,
        status=result.status,
        ms=result.ms,
        outcome=result.outcome,
        detail=result.detail,
    )


def _has_credentials(result: StepResult) -> bool:
    request = result.request
    return request is not None and any(
        Masker().is_sensitive_header(name) for name, _ in request.headers
    )


def _replayed_samples(run: RunResult) -> dict[str, list[Sample]]:
    masker = Masker()
    grouped: dict[str, list[Sample]] = {}
    for result in run.results:
        if result.response is None or not result.operation:
            continue
        document = result.response.json()
        grouped.setdefault(result.operation, []).append(
            Sample(
                result.response.status,
                masker.json(document) if document is not None else None,
                credentials=_has_credentials(result),
            )
        )
    return grouped


def _store_exchanges(
    database: Database, endpoint_id: str, run: RunResult, started: datetime
) -> None:
    """The replayed exchanges, as capture would store them (masked), with their patterns."""
    builder = RowBuilder(endpoint_id)
    rows = []
    for result in run.results:
        request, response = result.request, result.response
        if request is None or response is None:
            continue
        content = orjson.dumps(request.json) if request.has_json else (request.text or "").encode()
        exchange = Exchange(
            method=request.method,
            url=response.url,
            request_headers=request.headers,
            request_body=content or None,
            started=datetime.fromtimestamp(result.sent_at, UTC) if result.sent_at else started,
            status=response.status,
            response_headers=tuple(response.headers.items()),
            response_body=response.content or None,
            duration_ms=response.elapsed_ms,
        )
        _, pattern = split_operation(result.operation)
        for row in builder.exchange(exchange).rows:
            rows.append(complete_call_row({**row, "endpoint_pattern": pattern}, endpoint_id))
    if rows:
        with database.transaction() as session:
            CaptureRepository(session).add_calls(rows)


def replay_endpoint(
    database: Database,
    actor: Actor,
    endpoint: str,
    *,
    box: SecretBox | None,
    options: ReplayOptions = ReplayOptions(),
    progress: Callable[[int, int], None] | None = None,
    claimed: bool = False,
    sleep: Callable[[float], None] | None = None,
) -> ReplayReport:
    """Replay ``endpoint``'s sequence and record the changes (see the module docstring).

    ``claimed``: the caller (monitoring) already set ``lastReplayAt``.
    """
    loaded = _load(database, actor, endpoint)
    if options.dry_run:
        overrides = {name.lower(): v for name, v in (options.headers or {}).items()}
        overrides.update(
            {n[len(HEADER_PREFIX) :]: "" for n in loaded.tokens if n.startswith(HEADER_PREFIX)}
        )
        return ReplayReport(loaded.endpoint_id, True, (), None, 0, (), 0, _plan(loaded, overrides))
    if box is None:
        raise ConfigError(
            f"{SECRET_KEY_ENV} is not set: replay needs it to decrypt the kept credentials "
            "(no key, no replay)"
        )
    try:
        check_destination(loaded.destination, allow_private=options.allow_private)
    except ValidationError as error:
        raise ValidationError(f"replay refused: {error.message}") from None
    overrides = _overrides(loaded, box, options.headers or {})
    _check_secrets(loaded, overrides)
    started = utcnow()
    with SafeClient(
        allow_private=options.allow_private,
        timeout=options.timeout,
        budget=Budget(options.budget),
    ) as client:
        run = run_sequence(
            loaded.steps,
            base_url=loaded.destination,
            client=client,
            secrets=_secrets(loaded, box),
            overrides=overrides,
            speed=options.speed,
            progress=progress,
            sleep=sleep or time.sleep,
        )
    drifts = detect_changes(loaded.baselines, _replayed_samples(run), loaded.model, run.allowed)
    _store_exchanges(database, loaded.endpoint_id, run, started)
    with database.transaction() as session:
        find_endpoint(session, actor, loaded.endpoint_id)
        written = write_changes(session, loaded.endpoint_id, drifts, loaded.discovered)
        if not claimed:
            MonitoringRepository(session).touch(loaded.endpoint_id, started)
        audit.record(
            session,
            actor,
            "REPLAY_RUN",
            resource_type="ENDPOINT",
            resource_id=loaded.endpoint_id,
            details={
                "requests": run.requests,
                "changes": len(drifts),
                "written": len(written),
                "stopped": run.stopped,
            },
        )
    return ReplayReport(
        endpoint_id=loaded.endpoint_id,
        dry_run=False,
        steps=tuple(_row(result) for result in run.results),
        stopped=run.stopped,
        requests=run.requests,
        changes=tuple(ChangeView.of_drift(d) for d in drifts),
        written=len(written),
    )
