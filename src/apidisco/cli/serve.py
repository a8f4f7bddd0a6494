"""``apidisco serve``: the documentation site in a browser.

A single command, mounted by ``main.py`` with ``app.command("serve")(serve.serve)``.
Starlette, uvicorn and Jinja2 are imported only when the command runs
(``apidisco.web.server``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from apidisco.cli.context import app_context

__all__ = ["serve"]


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on.", show_default=True)
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.", show_default=True)
    ] = 8000,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            metavar="IPS",
            help="Comma-separated addresses of reverse proxies whose X-Forwarded-Proto and "
            "X-Forwarded-For are trusted ('*' for any). Default: $FORWARDED_ALLOW_IPS, "
            "else 127.0.0.1.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the documentation site at http://HOST:PORT/ until Ctrl-C.

    Public endpoints' documentation is at /docs/SLUG for anyone; logged-in users
    also see their own private endpoints (by slug or id). See docs/site.md.
    """
    from apidisco.web.server import serve as run

    state = app_context(ctx)
    database = state.database()
    out = state.output

    def ready(url: str) -> None:
        if not out.json_mode:
            out.line(f"Serving the documentation in {database.describe()} at {url}")
            out.line("Press Ctrl-C to stop.")

    run(
        database,
        state.settings,
        host=host,
        port=port,
        forwarded_allow_ips=forwarded_allow_ips,
        on_ready=ready,
    )
    if not out.json_mode:
        out.success("Stopped.")
