"""Running an action sequence: resolve each step, wait, send, remember the response.

:func:`run_sequence` walks the steps in order. Each step's references are
filled from the responses so far (:func:`apidisco.infer.sequence.resolve_step`),
the recorded delay (scaled by ``speed``: 2 is twice as fast, 0 no waiting) is
waited out, and the request is sent through a :class:`~apidisco.replay.client.SafeClient`.
The run stops at the first authentication failure (401 or 403 where the
recording had none), when the budget is used up, or when a destination is
refused. After the steps, each path template is asked ``OPTIONS`` once (while
the budget lasts) for the methods its ``Allow`` header names.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apidisco.infer.sequence import (
    ReferenceNotFoundError,
    ResolvedRequest,
    StepResponse,
    resolve_step,
)
from apidisco.replay.client import (
    BudgetExhaustedError,
    RefusedError,
    Response,
    SafeClient,
    TransportError,
)
from apidisco.sensitive import DEFAULT_SENSITIVE_HEADERS

__all__ = ["AUTH_FAILURES", "RunResult", "StepResult", "run_sequence", "url_of"]

AUTH_FAILURES = frozenset({401, 403})


@dataclass(frozen=True)
class StepResult:
    """What happened to one step. ``outcome``: ok, changed, auth-failed, refused,
    error, skipped (a reference could not be filled) or not-sent (the run stopped)."""

    step: int
    method: str
    path: str
    operation: str
    recorded_status: int | None
    status: int | None = None
    ms: int | None = None
    outcome: str = "not-sent"
    detail: str = ""
    request: ResolvedRequest | None = None
    response: Response | None = None
    sent_at: float | None = None  # Unix time the request left


@dataclass
class RunResult:
    results: list[StepResult] = field(default_factory=list)
    stopped: str | None = None
    allowed: dict[str, list[str]] = field(default_factory=dict)
    requests: int = 0


def url_of(base_url: str, request: ResolvedRequest) -> str:
    """The absolute URL of ``request`` below the destination ``base_url``."""
    return base_url.rstrip("/") + "/" + request.target().lstrip("/")


def _content(request: ResolvedRequest) -> bytes | None:
    if request.has_json:
        return json.dumps(request.json, separators=(",", ":")).encode()
    if request.text is not None:
        return request.text.encode()
    return None


def _pattern(operation: str) -> str:
    return operation.partition(" ")[2] or "/"


def _allow(response: Response) -> list[str]:
    header = response.headers.get("allow", "")
    return sorted({m.strip().upper() for m in header.split(",") if m.strip()})


def run_sequence(
    steps: Sequence[Mapping[str, Any]],
    *,
    base_url: str,
    client: SafeClient,
    secrets: Callable[[str], str],
    overrides: Mapping[str, str] | None = None,
    speed: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
    probe: bool = True,
) -> RunResult:
    """Replay ``steps`` (see the module docstring); ``overrides`` replace headers by name."""
    run = RunResult()
    responses: list[StepResponse | None] = []
    last_path: dict[str, str] = {}
    replace = {name.lower(): value for name, value in (overrides or {}).items()}
    total = len(steps)
    for index, step in enumerate(steps):
        operation = str(step.get("operation") or "")
        recorded = step.get("status")
        base = StepResult(index, str(step.get("method", "GET")), "", operation, recorded)
        if run.stopped is not None:
            run.results.append(base)
            responses.append(None)
            continue
        try:
            request = resolve_step(step, responses, secrets)
        except ReferenceNotFoundError as error:
            run.results.append(_with(base, outcome="skipped", detail=str(error)))
            responses.append(None)
            continue
        headers = [(n, v) for n, v in request.headers if n.lower() not in replace]
        headers += sorted(replace.items())
        base = _with(base, path=request.target(), request=request)
        delay = float(step.get("delayMs") or 0) / 1000
        if speed > 0 and delay > 0:
            sleep(delay / speed)
        sent_at = time.time()
        try:
            response = client.request(
                request.method,
                url_of(base_url, request),
                headers=headers,
                content=_content(request),
            )
        except BudgetExhaustedError as error:
            run.stopped = str(error)
            run.results.append(_with(base, detail=str(error)))
            responses.append(None)
            continue
        except RefusedError as error:
            run.stopped = f"step {index}: refused: {error}"
            run.results.append(_with(base, outcome="refused", detail=str(error)))
            responses.append(None)
            continue
        except TransportError as error:
            run.results.append(_with(base, outcome="error", detail=str(error)))
            responses.append(None)
            continue
        outcome = "ok" if response.status == recorded else "changed"
        if response.status in AUTH_FAILURES and recorded not in AUTH_FAILURES:
            outcome = "auth-failed"
            if any(name.lower() in DEFAULT_SENSITIVE_HEADERS for name, _ in headers):
                why = (
                    "the credentials were refused (they may have expired: pass fresh ones "
                    "with --header, or record again)"
                )
            else:
                why = "it was sent without credentials, as recorded: the API now wants them"
            run.stopped = (
                f"step {index}: {request.method} {request.path} answered {response.status}: {why}"
            )
        if response.status == 405 and _allow(response):
            run.allowed.setdefault(_pattern(operation), []).extend(_allow(response))
        run.results.append(
            _with(
                base,
                status=response.status,
                ms=response.elapsed_ms,
                outcome=outcome,
                response=response,
                sent_at=sent_at,
            )
        )
        responses.append(StepResponse(response.status, response.headers, response.json()))
        if response.status < 400 and operation:
            last_path[_pattern(operation)] = request.path
        if progress is not None:
            progress(index + 1, total)
    if probe and run.stopped is None:
        _probe(run, client, base_url, last_path)
    run.requests = client.budget.sent
    return run


def _probe(run: RunResult, client: SafeClient, base_url: str, paths: Mapping[str, str]) -> None:
    """``OPTIONS`` on one concrete path of each template, for its ``Allow`` header."""
    for pattern in sorted(paths):
        url = base_url.rstrip("/") + "/" + urllib.parse.quote(paths[pattern].lstrip("/"), safe="/%")
        try:
            response = client.request("OPTIONS", url)
        except BudgetExhaustedError:
            return
        except (RefusedError, TransportError):
            continue
        methods = _allow(response)
        if methods:
            run.allowed.setdefault(pattern, []).extend(methods)
    for pattern, methods in run.allowed.items():
        run.allowed[pattern] = sorted(set(methods))


def _with(result: StepResult, **changes: Any) -> StepResult:
    import dataclasses

    return dataclasses.replace(result, **changes)
