"""``apidisco monitor``: scheduled replay of monitored endpoints (cron-friendly)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module
from apidisco.cli.replay import parse_headers, plural

if TYPE_CHECKING:
    from apidisco import secretbox
    from apidisco.services import monitoring, notifications
    from apidisco.services import replay as replaying
else:
    monitoring = lazy_module("apidisco.services.monitoring")
    notifications = lazy_module("apidisco.services.notifications")
    replaying = lazy_module("apidisco.services.replay")
    secretbox = lazy_module("apidisco.secretbox")

app = typer.Typer(help="Replay monitored endpoints on their schedule.", no_args_is_help=True)

EXIT_FAILED = 1


@app.command()
def run(
    ctx: typer.Context,
    due: Annotated[
        bool,
        typer.Option("--due", help="Only endpoints whose monitoring frequency says they are due."),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds per request.")
    ] = 30.0,
    budget: Annotated[
        int | None,
        typer.Option("--budget", min=1, help="At most this many requests per endpoint."),
    ] = None,
) -> None:
    """Replay every MONITORING endpoint (with --due: those due), once.

    Safe to run side by side: each endpoint is claimed in the database first.
    Endpoints with new changes get their documents regenerated; pending
    changes go to notify_webhook_url (signed), else to stdout. Exit status 1
    when a replay failed or a notification could not be delivered.
    """
    state = app_context(ctx)
    settings = state.settings
    webhook = notifications.Webhook.from_settings(
        settings.notify_webhook_url,
        settings.notify_webhook_secret,
        settings.allow_private_destinations,
    )
    options = replaying.ReplayOptions(
        speed=1.0,
        timeout=timeout,
        budget=budget,
        allow_private=settings.allow_private_destinations,
        headers=parse_headers(None, state.environ),
    )
    with state.output.counting("Monitoring") as update:
        report = monitoring.run_monitoring(
            state.database(),
            state.actor(),
            box=secretbox.open_box(state.environ),
            options=options,
            webhook=webhook,
            due_only=due,
            progress=update,
        )
    out = state.output
    failed = [r for r in report.runs if r.outcome == "failed"]
    if out.json_mode:
        out.json(
            {
                "runs": [
                    {
                        "endpointId": r.endpoint_id,
                        "outcome": r.outcome,
                        "changes": r.changes,
                        "written": r.written,
                        "documented": r.documented,
                        "error": r.error,
                    }
                    for r in report.runs
                ],
                "notifications": report.notifications,
            }
        )
    else:
        out.table(
            ["Endpoint", "Outcome", "Changes", "New", "Documents", "Note"],
            [
                (r.endpoint_id, r.outcome, r.changes, r.written, r.documented or "", r.error or "")
                for r in report.runs
            ],
            title=f"{plural(len(report.runs), 'endpoint')} replayed",
        )
        sent = report.notifications
        for change in sent.delivered if sent.channel == "stdout" else ():
            flag = "BREAKING " if change.breaking else ""
            out.line(f"{flag}{change.change_type} {change.endpoint_id}: {change.description}")
        if sent.channel == "webhook" and sent.delivered:
            out.success(f"{len(sent.delivered)} changes sent to the webhook.")
        for error in sent.errors:
            out.warning(f"notification not delivered, will retry on the next run: {error}")
    if failed or report.notifications.failed:
        raise typer.Exit(EXIT_FAILED)
