"""``apidisco replay``: record an endpoint's action sequence and replay it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import AppContext, app_context
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco import secretbox
    from apidisco.services import replay as replaying
    from apidisco.services import sequences
    from apidisco.services.replay import ReplayReport
else:
    replaying = lazy_module("apidisco.services.replay")
    secretbox = lazy_module("apidisco.secretbox")
    sequences = lazy_module("apidisco.services.sequences")

app = typer.Typer(
    help="Record an endpoint's calls as a replayable sequence; replay it to find API changes.",
    no_args_is_help=True,
)

HEADERS_ENV = "APIDISCO_REPLAY_HEADERS"
EXIT_STOPPED = 1

EndpointArgument = Annotated[str, typer.Argument(help="Endpoint id or slug.")]
HeaderOption = Annotated[
    list[str] | None,
    typer.Option(
        "--header",
        "-H",
        metavar="'NAME: VALUE'",
        help="A header to send in place of the recorded one (credentials). Repeatable.",
    ),
]


def parse_headers(
    given: list[str] | None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``--header`` values over ``APIDISCO_REPLAY_HEADERS`` (one ``Name: value`` a line)."""
    headers: dict[str, str] = {}
    lines = (environ or {}).get(HEADERS_ENV, "").splitlines()
    for text in [line for line in lines if line.strip()] + list(given or ()):
        name, value = sequences.parse_header(text)
        headers[name] = value
    return headers


@app.command()
def record(
    ctx: typer.Context,
    endpoint: EndpointArgument,
    from_calls: Annotated[
        str | None,
        typer.Option(
            "--from-calls",
            metavar="FILTER",
            help="Which captured calls: 'method=POST path=/books status=201 limit=20' "
            "(default: the first 200 HTTP calls).",
        ),
    ] = None,
    header: HeaderOption = None,
) -> None:
    """Build the endpoint's action sequence from its captured calls.

    Values a response returned and a later request reused (ids, tokens,
    cursors) become references, so a replay works on what it creates. Secrets
    stay masked; --header values are kept encrypted with APIDISCO_SECRET_KEY.
    Recording again replaces the sequence and its baselines.
    """
    state = app_context(ctx)
    report = sequences.record_sequence(
        state.database(),
        state.actor(),
        endpoint,
        calls=sequences.parse_call_filter(from_calls),
        headers=parse_headers(header),
        box=secretbox.open_box(state.environ),
    )
    out = state.output
    if out.json_mode:
        out.json(report)
        return
    out.table(["Operation"], [(operation,) for operation in report.operations])
    for fingerprint in report.secrets_missing:
        out.warning(
            f"a masked value ({fingerprint}) has no kept original: replay needs --header "
            "for it, or a capture made with APIDISCO_SECRET_KEY set"
        )
    out.success(
        f"Recorded {report.steps} steps of {report.endpoint_id}: {report.references} "
        f"references to earlier responses, {report.secrets_kept} kept secrets, "
        f"{len(report.headers_kept)} headers kept encrypted."
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def short_description(text: str, method: str | None, pattern: str) -> str:
    """A change's description without the method and path its row already shows."""
    return text.removeprefix(f"{method} {pattern}: " if method else f"{pattern}: ")


def _allow_private(state: AppContext, flag: bool) -> bool:
    return flag or state.settings.allow_private_destinations


def show_report(state: AppContext, report: ReplayReport) -> None:
    """The per-call table, the changes, and why the replay stopped."""
    out = state.output
    if report.dry_run:
        for planned in report.requests_planned:
            out.line(f"{planned['step']}: {planned['method']} {planned['url']}")
            for name, value in planned["query"]:
                out.line(f"    ?{name}={value}")
            for name, value in sorted(planned["headers"].items()):
                out.line(f"    {name}: {value}")
            if planned["body"] is not None:
                out.line(f"    body: {planned['body']}")
        return
    out.table(
        ["Step", "Method", "Path", "Status", "ms", "Outcome"],
        [(r.step, r.method, r.path, r.status or "", r.ms, r.outcome) for r in report.steps],
        title=f"Replay of {report.endpoint_id}: {report.requests} requests",
    )
    if report.changes:
        out.table(
            ["Type", "Method", "Path", "Breaking", "Description"],
            [
                (
                    c.change_type,
                    c.method or "",
                    c.pattern,
                    "BREAKING" if c.breaking else "",
                    short_description(c.description, c.method, c.pattern),
                )
                for c in report.changes
            ],
            title=f"{plural(len(report.changes), 'change')} ({report.written} new)",
        )
    else:
        out.success("No API changes.")


@app.command()
def run(
    ctx: typer.Context,
    endpoint: EndpointArgument,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the requests (secrets masked); send nothing.")
    ] = False,
    speed: Annotated[
        float,
        typer.Option("--speed", min=0, help="Delay factor: 2 replays twice as fast, 0 waits none."),
    ] = 1.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds per request.")
    ] = 30.0,
    budget: Annotated[
        int | None,
        typer.Option("--budget", min=1, help="Send at most this many requests (redirects count)."),
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Allow loopback and private destinations (allow_private_destinations); "
            "cloud metadata addresses are refused regardless.",
        ),
    ] = False,
    header: HeaderOption = None,
) -> None:
    """Replay the endpoint's action sequence and record the API changes it shows.

    Every request and redirect is checked against the destination rules on
    the resolved addresses; the run stops at the first authentication
    failure. Exit status 1 when the replay stopped early.
    """
    state = app_context(ctx)
    options = replaying.ReplayOptions(
        dry_run=dry_run,
        speed=speed,
        timeout=timeout,
        budget=budget,
        allow_private=_allow_private(state, allow_private),
        headers=parse_headers(header, state.environ),
    )
    with state.output.counting("Replaying") as update:
        report = replaying.replay_endpoint(
            state.database(),
            state.actor(),
            endpoint,
            box=secretbox.open_box(state.environ),
            options=options,
            progress=update,
        )
    if state.output.json_mode:
        state.output.json(report)
    else:
        show_report(state, report)
    if report.stopped:
        state.output.error(f"replay stopped: {report.stopped}")
        raise typer.Exit(EXIT_STOPPED)
