"""``apidisco config``: what apidisco is configured to use, and why."""

from __future__ import annotations

import typer

from apidisco.cli.context import app_context
from apidisco.config import display_value

app = typer.Typer(help="Inspect apidisco's settings.", no_args_is_help=True)


@app.command()
def show(ctx: typer.Context) -> None:
    """Print every setting, its resolved value and where the value came from."""
    state = app_context(ctx)
    settings = state.settings
    rows = [
        (setting.name, display_value(setting, value, settings), source)
        for setting, value, source in settings.items()
    ]
    out = state.output
    if out.json_mode:
        out.json(
            {
                "config_file": settings.config_file,
                "settings": {
                    name: {"value": value, "source": source} for name, value, source in rows
                },
            }
        )
        return
    out.table(["Setting", "Value", "Source"], rows, title=f"Config file: {settings.config_file}")
