"""The ``apidisco`` console script: what a command will need is started before the CLI loads.

Loading the command line (Typer, Click and the command's module) takes a good
part of a short ``apidisco discover`` run, and that command's OpenAPI
validator loads in a helper process of its own
(:mod:`apidisco.services.openapi_validation`). Reading which command is asked
for costs nothing, so the helper is started first and loads while the CLI
does. Only this module and the standard library are loaded before that.

A command line read wrongly here costs nothing but time: the CLI parses it
properly, and a helper started for nothing ends when this process does.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

__all__ = ["command_named", "main"]

#: The root command's options that take a value (see :mod:`apidisco.cli.main`).
_VALUED_OPTIONS = frozenset({"--db", "--config"})


def command_named(args: Sequence[str]) -> str | None:
    """The command that ``args`` (``sys.argv[1:]``) run: the first word that is not
    a root option or an option's value, if any."""
    taking_value = False
    for arg in args:
        if taking_value:
            taking_value = False
        elif arg in _VALUED_OPTIONS:
            taking_value = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    """Console-script entry point."""
    if command_named(sys.argv[1:]) == "discover":
        from apidisco.services.openapi_validation import start_early

        start_early()
    from apidisco.cli.main import main as run

    try:
        run()
    finally:
        # The command is done. The interpreter's last act would be a collection
        # walking every object the command loaded (~15 ms) for garbage that no
        # longer matters; frozen, they are left to the process's end.
        gc.freeze()
