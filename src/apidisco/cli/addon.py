"""``apidisco addon``: the mitmproxy addon script, for ``mitmdump -s``."""

from __future__ import annotations

import importlib.util

import typer

from apidisco.cli.context import app_context

app = typer.Typer(help="The mitmproxy addon that records traffic.", no_args_is_help=True)


def script_path() -> str:
    """The addon script's path, found without importing it (nor mitmproxy)."""
    spec = importlib.util.find_spec("apidisco.addon.script")
    origin = spec.origin if spec is not None else None
    assert origin is not None, "apidisco.addon.script is part of apidisco"
    return origin


@app.command()
def path(ctx: typer.Context) -> None:
    """Print the script to load with: mitmdump -s "$(apidisco addon path)".

    Its options: apidisco_endpoint, apidisco_db, apidisco_max_body,
    apidisco_filter, apidisco_journal and apidisco_gateway_port
    (mitmdump --set NAME=VALUE).
    """
    out = app_context(ctx).output
    if out.json_mode:
        out.json({"path": script_path()})
    else:
        out.line(script_path())
