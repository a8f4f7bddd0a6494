"""Everything the CLI prints goes through here: the only module that uses Rich.

Human output is Rich tables and lines on stdout; ``--json`` output is one JSON
document on stdout (sorted keys, ISO 8601 timestamps) for scripts; errors are
one line on stderr.

Rich is imported when something is first printed with it, not when the CLI
starts (~20 ms), and lines and errors on a stream that is no terminal (a pipe,
a file) are written as they are, without it; a progress bar there is not
drawn at all.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Output", "to_json"]


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    options = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
    return orjson.dumps(data, default=_default, option=options).decode()


class Output:
    """Where a command's results go, in the mode the user asked for."""

    def __init__(self, *, json_mode: bool = False) -> None:
        self.json_mode = json_mode

    @property
    def _stdout(self) -> Console:
        from rich.console import Console

        # Built on each use so it follows sys.stdout (test runners swap it).
        return Console(file=sys.stdout, highlight=False, soft_wrap=True)

    def json(self, data: Any) -> None:
        """Print one JSON document (only in --json mode)."""
        sys.stdout.write(to_json(data) + "\n")

    def line(self, text: str = "", *, style: str | None = None) -> None:
        """Print one line of plain text; nothing in it is read as markup (or emoji
        codes). The style applies on a terminal only."""
        if _plain(sys.stdout):
            sys.stdout.write(text + "\n")
            return
        from rich.text import Text

        self._stdout.print(Text(text, style=style or ""))

    def success(self, text: str) -> None:
        self.line(text, style="green")

    def warning(self, text: str) -> None:
        self.line(text, style="yellow")

    def table(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        title: str | None = None,
    ) -> None:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(escape("" if cell is None else str(cell)) for cell in row))
        self._stdout.print(table)

    def fields(self, pairs: Iterable[tuple[str, Any]], *, title: str | None = None) -> None:
        """One record as a two-column table of field names and values."""
        self.table(["Field", "Value"], pairs, title=title)

    @contextlib.contextmanager
    def progress(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        """A progress bar over ``total`` bytes on stderr; yields ``advance(n)``.

        Silent in --json mode and when stderr is not a terminal.
        """
        console = None if self.json_mode else _terminal(sys.stderr)
        if console is None:
            yield lambda _amount: None
            return
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(description, total=total)
            yield lambda amount: bar.advance(task, amount)

    @contextlib.contextmanager
    def counting(self, description: str) -> Iterator[Callable[[int, int], None]]:
        """A progress bar over items on stderr; yields ``update(done, total)``.

        Silent in --json mode and when stderr is not a terminal.
        """
        console = None if self.json_mode else _terminal(sys.stderr)
        if console is None:
            yield lambda _done, _total: None
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(description, total=None)
            yield lambda done, total: bar.update(task, completed=done, total=total)

    @staticmethod
    def error(text: str) -> None:
        """One line on stderr: ``Error: <text>`` (in bold red on a terminal)."""
        if _plain(sys.stderr):
            sys.stderr.write(f"Error: {text}\n")
            return
        from rich.console import Console
        from rich.text import Text

        message = Text.assemble(("Error:", "bold red"), " ", text)
        Console(file=sys.stderr, highlight=False, soft_wrap=True).print(message)


def _terminal(stream: IO[str]) -> Console | None:
    """A console on ``stream`` if Rich takes it for a terminal, else ``None``.

    Rich is not even imported for a :func:`_plain` stream.
    """
    if _plain(stream):
        return None
    from rich.console import Console

    console = Console(file=stream)
    return console if console.is_terminal else None


def _plain(stream: IO[str]) -> bool:
    """Whether ``stream`` is no terminal, and no variable Rich reads
    (``TTY_COMPATIBLE``, ``FORCE_COLOR``) calls it one: text goes there as it is."""
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return False
    return not _isatty(stream)


def _isatty(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is not None and bool(isatty())
    except ValueError:  # closed
        return False
