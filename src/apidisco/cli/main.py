"""The root ``apidisco`` command: global options and the one error boundary.

Every command (or group of commands) lives in its own module and is mounted
here, by name (:data:`COMMANDS`): a run loads only the module of the command it
runs. This is the only place that catches
:class:`~apidisco.errors.ApidiscoError`: it prints ``Error: <message>`` on
stderr and exits with the error's code. ``--debug`` lets the exception through
with its traceback instead.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from apidisco import __version__
from apidisco.cli.context import AppContext
from apidisco.cli.launch import command_named
from apidisco.cli.output import Output
from apidisco.errors import ApidiscoError

__all__ = ["COMMANDS", "app", "command_line", "main"]

if TYPE_CHECKING:
    app: typer.Typer  # the whole command line (see __getattr__)

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


#: Every command: name → (module of :mod:`apidisco.cli`, its attribute, whether
#: that is a group of commands). ``--help`` lists the single commands first, then
#: the groups, each in this order.
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "account": ("account", "app", True),
    "credits": ("credits", "app", True),
    "payments": ("payments", "app", True),
    "endpoint": ("endpoint", "app", True),
    "proxy": ("proxy", "proxy", False),
    "addon": ("addon", "app", True),
    "capture": ("capture", "app", True),
    "calls": ("calls", "app", True),
    "infer": ("infer", "infer", False),
    "document": ("export", "document", False),
    "export": ("export", "export", False),
    "discover": ("discover", "discover", False),
    "graphql": ("graphql", "app", True),
    "serve": ("serve", "serve", False),
    "diff": ("diff", "diff", False),
    "replay": ("replay", "app", True),
    "changes": ("changes", "app", True),
    "monitor": ("monitor", "app", True),
    "audit": ("audit", "app", True),
    "maintenance": ("maintenance", "app", True),
    "db": ("db", "app", True),
    "config": ("config", "app", True),
}


def command_line(only: str | None = None) -> typer.Typer:
    """The ``apidisco`` command line; with ``only``, just that command under the root.

    Typer turns every command's signature into Click's objects each time the
    command line runs (~20 ms for all of them), and each command's module has
    to be imported first: :func:`main` builds only the command that is asked
    for. The root's options, help and errors are the same either way.
    """
    made = typer.Typer(
        name="apidisco",
        cls=ErrorBoundary,
        help="Discover and document HTTP APIs from real traffic.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    made.callback()(root)
    for name, (module, attribute, group) in COMMANDS.items():
        if only is not None and name != only:
            continue
        target = getattr(importlib.import_module(f"apidisco.cli.{module}"), attribute)
        if group:
            made.add_typer(target, name=name)
        else:
            made.command(name)(target)
    return made


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"apidisco {__version__}")
        raise typer.Exit()


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
    """Console-script entry point: the command asked for, or the whole command line
    (for ``--help``, no command, or a name that is none)."""
    named = command_named(sys.argv[1:])
    command_line(named if named in COMMANDS else None)()


def __getattr__(name: str) -> Any:
    # ``app``, the whole command line (for tests and the documentation), is
    # built when first asked for, not when the module is imported.
    if name == "app":
        made = globals()["app"] = command_line()
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
