"""The root ``apidisco`` command: global options and the one error boundary.

Every command group lives in its own module and is mounted here. This is the
only place that catches :class:`~apidisco.errors.ApidiscoError`: it prints
``Error: <message>`` on stderr and exits with the error's code. ``--debug``
lets the exception through with its traceback instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from apidisco import __version__
from apidisco.cli import (
    account,
    addon,
    audit,
    calls,
    capture,
    changes,
    config,
    credits,
    db,
    diff,
    discover,
    endpoint,
    export,
    graphql,
    infer,
    maintenance,
    monitor,
    payments,
    proxy,
    replay,
    serve,
)
from apidisco.cli.context import AppContext
from apidisco.cli.output import Output
from apidisco.errors import ApidiscoError

__all__ = ["app", "main"]

EXIT_INTERNAL_ERROR = 70


def _debug_requested(args: list[str]) -> bool:
    return "--debug" in args or os.environ.get("APIDISCO_DEBUG", "") not in {"", "0"}


class ErrorBoundary(TyperGroup):
    """The root group: runs the command and turns what escapes it into an exit code.

    Usage errors, ``--help`` and ``typer.Exit`` are handled by Typer itself
    (standalone mode); everything else that escapes a command arrives here.
    """

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        debug = _debug_requested(argv)
        try:
            return super().main(argv, *rest, **kwargs)
        except ApidiscoError as error:
            if debug:
                raise
            Output.error(error.message)
            sys.exit(error.exit_code)
        except Exception as error:
            if debug:
                raise
            Output.error(
                f"unexpected {type(error).__name__}: {error} "
                "(this is a bug in apidisco; rerun with --debug for the traceback)"
            )
            sys.exit(EXIT_INTERNAL_ERROR)


app = typer.Typer(
    name="apidisco",
    cls=ErrorBoundary,
    help="Discover and document HTTP APIs from real traffic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(account.app, name="account")
app.add_typer(credits.app, name="credits")
app.add_typer(payments.app, name="payments")
app.add_typer(endpoint.app, name="endpoint")
app.command("proxy")(proxy.proxy)
app.add_typer(addon.app, name="addon")
app.add_typer(capture.app, name="capture")
app.add_typer(calls.app, name="calls")
app.command("infer")(infer.infer)
app.command("document")(export.document)
app.command("export")(export.export)
app.command("discover")(discover.discover)
app.add_typer(graphql.app, name="graphql")
app.command("serve")(serve.serve)
app.command("diff")(diff.diff)
app.add_typer(replay.app, name="replay")
app.add_typer(changes.app, name="changes")
app.add_typer(monitor.app, name="monitor")
app.add_typer(audit.app, name="audit")
app.add_typer(maintenance.app, name="maintenance")
app.add_typer(db.app, name="db")
app.add_typer(config.app, name="config")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"apidisco {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="Database URL (sqlite:///file.db or postgresql://...). "
            "Default: $APIDISCO_DATABASE_URL, $DATABASE_URL, the config file, "
            "or the embedded SQLite file.",
            show_default=False,
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="Settings file to read instead of $APIDISCO_CONFIG or the default.",
            dir_okay=False,
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show tracebacks instead of one-line errors."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version.",
        ),
    ] = False,
) -> None:
    """Discover and document HTTP APIs from real traffic."""
    state = AppContext(
        flags={"database_url": database_url},
        environ=os.environ,
        output=Output(json_mode=json_output),
        config_file=config_file,
    )
    ctx.obj = state
    ctx.call_on_close(state.close)


def main() -> None:
    """Console-script entry point."""
    app()
