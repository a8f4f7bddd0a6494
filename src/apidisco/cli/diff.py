"""``apidisco diff``: what changed between two OpenAPI documents, and does it break clients."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import spec_diff
else:
    spec_diff = lazy_module("apidisco.services.spec_diff")

EXIT_BREAKING = 1


def diff(
    ctx: typer.Context,
    old: Annotated[
        Path, typer.Argument(metavar="OLD", help="The old OpenAPI document (YAML or JSON).")
    ],
    new: Annotated[
        Path, typer.Argument(metavar="NEW", help="The new OpenAPI document (YAML or JSON).")
    ],
    breaking_only: Annotated[
        bool, typer.Option("--breaking-only", help="List only the changes that break clients.")
    ] = False,
) -> None:
    """Classify the changes from OLD to NEW as breaking or not; a CI gate.

    Exit status: 0 when nothing breaking changed, 1 when something did, 2 when a
    document cannot be read. `apidisco --json diff OLD NEW` prints the changes as JSON.
    """
    state = app_context(ctx)
    result = spec_diff.diff_files(old, new)
    shown = result.breaking if breaking_only else result.changes
    out = state.output
    if out.json_mode:
        out.json(
            [
                {"type": change.type.value, "description": change.description} | change.diff_json()
                for change in shown
            ]
        )
    elif shown:
        out.table(
            ["Type", "Method", "Path", "Breaking", "Description"],
            [
                (
                    change.type.value,
                    change.method or "",
                    change.pattern,
                    "BREAKING" if change.breaking else "",
                    change.description.removeprefix(
                        f"{change.method} {change.pattern}: " if change.method else ""
                    ),
                )
                for change in shown
            ],
        )
        count, breaking = len(result.changes), len(result.breaking)
        summary = f"{count} change{'s' if count != 1 else ''}, {breaking} breaking."
        if breaking:
            out.warning(summary)
        else:
            out.success(summary)
    else:
        out.success("No breaking changes." if result.changes else "No changes.")
    if result.breaking:
        raise typer.Exit(EXIT_BREAKING)
