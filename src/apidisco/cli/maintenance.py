"""``apidisco maintenance``: jobs an operator runs on a schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import retention
else:
    retention = lazy_module("apidisco.services.retention")

app = typer.Typer(help="Scheduled jobs: data retention.", no_args_is_help=True)


@app.command()
def cleanup(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would go; remove nothing.")
    ] = False,
) -> None:
    """Remove endpoints older than DATA_RETENTION_DAYS, old audit logs and expired sessions.

    Demo accounts' data, payments and the credit ledger are never removed. Run it
    daily (see docs/operations.md); it needs database access, not a login.
    """
    state = app_context(ctx)
    report = retention.cleanup(
        state.database(), days=state.settings.data_retention_days, dry_run=dry_run
    )
    out = state.output
    if out.json_mode:
        out.json(report)
        return
    verb = "Would remove" if dry_run else "Removed"
    out.line(
        f"{verb} {len(report.endpoints)} endpoints created before "
        f"{report.cutoff.isoformat(timespec='seconds')}:"
    )
    rows = [
        ("endpoints", len(report.endpoints)),
        *sorted(report.owned_rows.items()),
        ("audit_logs (older than a year)", report.audit_logs),
        ("sessions (expired)", report.sessions),
    ]
    out.table(["Table", "Rows"], rows)
