"""``apidisco audit``: who did what."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import audit
else:
    audit = lazy_module("apidisco.services.audit")

app = typer.Typer(help="Read the audit log.", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    action: Annotated[
        str | None, typer.Option("--action", help="Only this action, e.g. ENDPOINT_CREATED.")
    ] = None,
    resource: Annotated[
        str | None, typer.Option("--resource", help="Only this resource type, e.g. ENDPOINT.")
    ] = None,
    resource_id: Annotated[
        str | None, typer.Option("--resource-id", help="Only this resource.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 100,
) -> None:
    """Show your actions, newest first (admins see everyone's)."""
    state = app_context(ctx)
    entries = audit.list_entries(
        state.database(),
        state.actor(),
        action=action,
        resource_type=resource,
        resource_id=resource_id,
        limit=limit,
    )
    out = state.output
    if out.json_mode:
        out.json(entries)
        return
    out.table(
        ["When", "Who", "Action", "Resource", "Id"],
        [
            (
                e.created_at.isoformat(timespec="seconds"),
                e.user_email or "system",
                e.action,
                e.resource_type,
                e.resource_id,
            )
            for e in entries
        ],
    )
