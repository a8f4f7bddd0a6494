"""``apidisco capture``: bring recorded traffic in from files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import capture
else:
    capture = lazy_module("apidisco.services.capture")

app = typer.Typer(help="Import captured traffic (HAR, mitmproxy flows).", no_args_is_help=True)


def flow_readers() -> dict[str, capture.Reader]:
    """The mitmproxy flow-file reader (mitmproxy is imported only when it is used)."""
    from apidisco.addon.flowfile import read_flows

    return {"flows": read_flows}


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(help="HAR or mitmproxy flow files.", exists=True, dir_okay=False),
    ],
    endpoint: Annotated[str, typer.Option("--endpoint", help="Endpoint id or slug.")],
    format_: Annotated[
        str | None,
        typer.Option("--format", help="har or flows (default: recognised by content)."),
    ] = None,
) -> None:
    """Import HAR 1.2 or mitmproxy flow files into an endpoint's captured calls.

    All files are imported in one transaction: a malformed entry anywhere stops
    the import, names the entry, and leaves the store as it was.
    """
    state = app_context(ctx)
    total = sum(path.stat().st_size for path in files)
    with state.output.progress("Importing", total) as advance:
        report = capture.import_files(
            state.database(),
            state.actor(),
            endpoint,
            files,
            format=format_,
            max_body=state.settings.capture_max_body,
            readers=flow_readers(),
            progress=advance,
        )
    out = state.output
    if out.json_mode:
        out.json(report)
    else:
        out.success(
            f"Imported {report.exchanges} exchanges and {report.messages} WebSocket messages "
            f"({report.rows} rows) into {report.endpoint_id}."
        )
