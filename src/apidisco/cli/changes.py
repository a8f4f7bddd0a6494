"""``apidisco changes``: the API changes replays found."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module
from apidisco.cli.replay import short_description
from apidisco.errors import ValidationError

if TYPE_CHECKING:
    from apidisco.services import changes
else:
    changes = lazy_module("apidisco.services.changes")

app = typer.Typer(help="List the API changes that replays found.", no_args_is_help=True)


def parse_since(text: str | None) -> datetime | None:
    """A date (2026-03-01) or moment (2026-03-01T10:00:00Z); UTC when no zone is given."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"--since {text!r} is not a date: use 2026-03-01 or 2026-03-01T10:00:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("list")
def list_(
    ctx: typer.Context,
    endpoint: Annotated[str, typer.Argument(help="Endpoint id or slug.")],
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Only changes detected since (ISO 8601)."),
    ] = None,
    breaking: Annotated[
        bool, typer.Option("--breaking", help="Only the changes that break clients.")
    ] = False,
) -> None:
    """List an endpoint's API changes, newest first."""
    state = app_context(ctx)
    rows = changes.list_changes(
        state.database(), state.actor(), endpoint, since=parse_since(since), breaking=breaking
    )
    out = state.output
    if out.json_mode:
        out.json(rows)
        return
    if not rows:
        out.success("No API changes recorded." if not breaking else "No breaking API changes.")
        return
    out.table(
        ["Detected", "Type", "Method", "Path", "Breaking", "Description", "Notified"],
        [
            (
                c.detected_at.strftime("%Y-%m-%d %H:%M") if c.detected_at else "",
                c.change_type,
                c.method or "",
                c.pattern,
                "BREAKING" if c.breaking else "",
                short_description(c.description, c.method, c.pattern),
                "yes" if c.notified_at else "",
            )
            for c in rows
        ],
    )
