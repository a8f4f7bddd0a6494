"""``apidisco calls``: look at what was captured."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import calls
else:
    calls = lazy_module("apidisco.services.calls")

app = typer.Typer(help="List and show captured calls.", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    endpoint: Annotated[str, typer.Argument(help="Endpoint id or slug.")],
    method: Annotated[str | None, typer.Option("--method", help="GET, POST ...")] = None,
    status: Annotated[int | None, typer.Option("--status", help="Response status.")] = None,
    protocol: Annotated[
        str | None, typer.Option("--protocol", help="http, https, ws, wss, graphql, grpc.")
    ] = None,
    path: Annotated[str | None, typer.Option("--path", help="Text the URL contains.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
) -> None:
    """List an endpoint's captured calls, oldest first."""
    state = app_context(ctx)
    rows = calls.list_calls(
        state.database(),
        state.actor(),
        endpoint,
        method=method,
        status=status,
        protocol=protocol,
        path=path,
        limit=limit,
    )
    out = state.output
    if out.json_mode:
        out.json(rows)
        return
    out.table(
        ["Id", "When", "Method", "URL", "Protocol", "Status", "ms"],
        [
            (
                c.id,
                c.timestamp.isoformat(timespec="seconds"),
                c.method if c.message_direction is None else f"WS {c.message_direction}",
                c.url,
                c.protocol,
                c.response_status or c.error or "",
                c.duration,
            )
            for c in rows
        ],
    )


@app.command()
def show(ctx: typer.Context, call_id: Annotated[str, typer.Argument(help="Call id.")]) -> None:
    """Show one captured call in full (secrets appear masked, as stored)."""
    state = app_context(ctx)
    call = calls.show_call(state.database(), state.actor(), call_id)
    out = state.output
    if out.json_mode:
        out.json(call)
        return
    out.fields(
        [(name, value) for name, value in vars(call).items() if value not in (None, {}, False)],
        title=f"{call.method} {call.url}",
    )
