"""``apidisco discover``: capture files in, documents out — no account, no database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.capture import flow_readers
from apidisco.cli.context import app_context
from apidisco.cli.files import write_atomically
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import discover as discovery
    from apidisco.services import exports
    from apidisco.services import openapi_validation as validation
else:
    exports = lazy_module("apidisco.services.exports")
    validation = lazy_module("apidisco.services.openapi_validation")
    discovery = lazy_module("apidisco.services.discover")


def discover(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(help="HAR or mitmproxy flow files.", exists=True, dir_okay=False),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="The OpenAPI document to write.", dir_okay=False
        ),
    ],
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="The API's base URL; calls elsewhere are left out (default: the busiest origin).",
        ),
    ] = None,
    markdown: Annotated[
        Path | None,
        typer.Option(
            "--markdown", metavar="FILE", help="Also write a Markdown reference.", dir_okay=False
        ),
    ] = None,
    typescript: Annotated[
        Path | None,
        typer.Option(
            "--typescript",
            metavar="FILE",
            help="Also write TypeScript declarations.",
            dir_okay=False,
        ),
    ] = None,
    format_: Annotated[
        str | None,
        typer.Option("--format", help="yaml or json (default: by -o's extension, else yaml)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The API's title.")] = None,
) -> None:
    """Infer an API from HAR or flow files and write its documents, in one go.

    The same conversion, masking and inference as the stored path, streamed
    twice over the files; nothing is written unless every document is valid.
    """
    state = app_context(ctx)
    size = sum(path.stat().st_size for path in files)
    chosen = format_ or ("json" if output.suffix.lower() == ".json" else "yaml")
    wanted = [(output, "openapi", chosen)]
    if markdown is not None:
        wanted.append((markdown, "markdown", "yaml"))
    if typescript is not None:
        wanted.append((typescript, "typescript", "yaml"))
    # For small inputs the validator loads in a process of its own while they are read.
    with validation.head_start(size) as validator:
        with state.output.progress("Discovering", 2 * size) as advance:  # two passes
            found = discovery.discover_files(
                files,
                base_url=base_url,
                max_body=state.settings.capture_max_body,
                readers=flow_readers(),
                progress=advance,
                title=title,
            )
        rendered = exports.render_openapi_exports(
            found.api, [(kind, form) for _, kind, form in wanted], validator=validator
        )
    texts = [(path, text) for (path, _, _), text in zip(wanted, rendered, strict=True)]
    for path, text in texts:
        write_atomically(path, text)
    out = state.output
    summary = {
        "origin": found.origin,
        "calls": found.calls,
        "ignored": found.ignored,
        "endpoints": len(found.api.resources),
        "files": [str(path) for path, _ in texts],
    }
    if out.json_mode:
        out.json(summary)
        return
    out.success(
        f"{len(found.api.resources)} endpoints from {found.calls} calls to {found.origin} "
        f"({found.ignored} others left out); wrote {', '.join(str(p) for p, _ in texts)}."
    )
