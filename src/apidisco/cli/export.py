"""``apidisco export`` and ``apidisco document``: documents from the inferred API."""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import AppContext, app_context
from apidisco.cli.files import write_atomically
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import documents, exports
    from apidisco.services.inference import Describer
else:
    documents = lazy_module("apidisco.services.documents")
    exports = lazy_module("apidisco.services.exports")

KIND_HELP = "openapi, markdown, typescript, graphql (SDL) or asyncapi."


def deliver(state: AppContext, text: str, output: Path | None, check: Path | None) -> None:
    """Print ``text``, write it to ``output``, or compare it with ``check`` (exit 1 on drift)."""
    out = state.output
    if check is not None:
        result = exports.check_text(check, text)
        if result.matches:
            if out.json_mode:
                out.json({"file": str(check), "matches": True})
            else:
                out.success(f"{check} is up to date.")
            return
        if out.json_mode:
            out.json(
                {
                    "file": str(check),
                    "matches": False,
                    "missing": result.missing,
                    "diff": result.diff,
                }
            )
        else:
            sys.stdout.write(result.diff)
            out.warning(f"{check} differs from what apidisco exports now.")
        raise typer.Exit(1)
    if output is None:
        sys.stdout.write(text)
        return
    write_atomically(output, text)
    if out.json_mode:
        out.json({"file": str(output), "bytes": len(text.encode())})
    else:
        out.success(f"Wrote {output}.")


def export(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=KIND_HELP, metavar="KIND")],
    endpoint: Annotated[str, typer.Argument(help="Endpoint id or slug.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write here instead of stdout.", dir_okay=False
        ),
    ] = None,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format", help="yaml or json (OpenAPI; default: by -o's extension, else yaml)."
        ),
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            "--check",
            metavar="FILE",
            help="Exit 0 if FILE matches the export, else 1 with a diff; writes nothing.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Export an endpoint's inferred API: OpenAPI 3.1, Markdown, TypeScript,
    GraphQL SDL or AsyncAPI 3.0.

    Documents are validated before anything is written. Output is
    deterministic, so it diffs cleanly in git; --check makes it a CI gate.
    """
    state = app_context(ctx)
    chosen = format_ or _format_of(output or check)
    text = exports.export_endpoint(state.database(), state.actor(), endpoint, kind, format=chosen)
    deliver(state, text, output, check)


def _format_of(path: Path | None) -> str:
    return "json" if path is not None and path.suffix.lower() == ".json" else "yaml"


def describer_of(state: AppContext, stack: contextlib.ExitStack) -> Describer | None:
    """A language model's describer when ``llm_url`` is configured, else None."""
    if not state.settings.llm_url:
        return None
    from apidisco.describe import describe_operations
    from apidisco.describe.chat import ChatClient

    client = stack.enter_context(ChatClient.from_settings(state.settings))
    return functools.partial(describe_operations, client)


def document(
    ctx: typer.Context,
    endpoint: Annotated[str, typer.Argument(help="Endpoint id or slug.")],
) -> None:
    """Document an endpoint: PROCESSING, inference, documents, then MONITORING or COMPLETE.

    One documentation row per discovered endpoint (OpenAPI fragment, Markdown,
    TypeScript, GraphQL SDL where there is one), versioned by semver. On a
    failure the endpoint returns to its previous status.
    """
    state = app_context(ctx)
    with contextlib.ExitStack() as stack:
        report = documents.document_endpoint(
            state.database(), state.actor(), endpoint, describer=describer_of(state, stack)
        )
    out = state.output
    if out.json_mode:
        out.json(report)
        return
    out.table(
        ["Pattern", "Protocol", "Version", "Change"],
        [(d.pattern, d.protocol, d.version, d.change) for d in report.documents],
        title=f"Documents of {report.endpoint_id}",
    )
    out.success(f"{len(report.documents)} documents; {report.endpoint_id} is {report.status}.")
