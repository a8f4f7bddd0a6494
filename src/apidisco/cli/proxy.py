"""``apidisco proxy``: run the gateway (and optionally an HTTP(S) proxy) that records traffic.

A single command, mounted by ``main.py`` with ``app.command("proxy")(proxy.proxy)``.
mitmproxy is imported only when the command runs (``apidisco.addon.server``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from apidisco.cli.context import app_context

__all__ = ["proxy"]


def proxy(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on.", show_default=True)
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", min=1, max=65535, help="Port of the /proxy/{endpoint-id}/ gateway."),
    ] = 8080,
    proxy_port: Annotated[
        int | None,
        typer.Option(
            "--proxy-port",
            min=1,
            max=65535,
            help="Also listen here as a regular HTTP(S) proxy; its flows are matched to "
            "endpoints by destination.",
            show_default=False,
        ),
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint",
            help="Record every flow of the regular proxy under this endpoint id instead.",
            show_default=False,
        ),
    ] = None,
    confdir: Annotated[
        Path,
        typer.Option(
            "--confdir",
            help="mitmproxy's configuration directory (its CA certificate lives there).",
            file_okay=False,
        ),
    ] = Path("~/.mitmproxy"),
) -> None:
    """Record traffic sent to http://HOST:PORT/proxy/{endpoint-id}/... until Ctrl-C.

    A request to /proxy/{endpoint-id}/rest?query is forwarded to the endpoint's
    destination URL + /rest?query (WebSocket upgrades too) and recorded while
    the endpoint is ACTIVE or MONITORING. Ctrl-C stops the proxy after every
    recorded row is written (or journaled, if the database is unreachable).
    """
    from apidisco.addon.server import Listeners, ca_certificate, run_proxy

    state = app_context(ctx)
    out = state.output
    listeners = Listeners(
        host=host, port=port, proxy_port=proxy_port, confdir=confdir, endpoint_id=endpoint
    )

    def ready(database: str) -> None:
        if out.json_mode:
            return
        out.line(f"Recording into {database}")
        out.line(f"Gateway:  {listeners.gateway_url}{{endpoint-id}}/...")
        if listeners.proxy_url is not None:
            out.line(f"Proxy:    {listeners.proxy_url}")
            out.line(f"HTTPS clients of the proxy must trust {ca_certificate(confdir)}")
        out.line("Press Ctrl-C to stop.")

    run = run_proxy(state.settings, listeners, on_ready=ready)
    stats = run.stats
    if out.json_mode:
        out.json({"database": run.database, "writer": stats, "recorder": run.counts})
        return
    out.success(
        f"Stopped. Rows submitted {stats.submitted_rows}, written {stats.written_rows} "
        f"(replayed from the journal {stats.replayed_rows}), journaled {stats.journaled_rows}, "
        f"waiting in the journal {stats.journal_rows}, rejected {stats.rejected_rows}, "
        f"lost {stats.lost_rows}; database failures {stats.failures}."
    )
    for reason, count in sorted(run.counts.items()):
        if reason.startswith("not-recorded:"):
            out.warning(f"Not recorded ({reason.partition(':')[2]}): {count} flow(s)")
