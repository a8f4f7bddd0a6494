"""``apidisco infer``: turn an endpoint's captured calls into an API model."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.export import describer_of
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import inference
else:
    inference = lazy_module("apidisco.services.inference")


def infer(
    ctx: typer.Context,
    endpoint: Annotated[str, typer.Argument(help="Endpoint id or slug.")],
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Show the evidence behind every parameter and merge."),
    ] = False,
    pin: Annotated[
        list[str] | None,
        typer.Option(
            "--pin",
            metavar="TEMPLATE",
            help="Use this template for the paths it matches (/repos/{owner}/{repo}). Repeatable.",
        ),
    ] = None,
    forbid: Annotated[
        list[str] | None,
        typer.Option(
            "--forbid",
            metavar="TEMPLATE",
            help="Never make this template: its last {} stays literal (/docs/{}). Repeatable.",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            metavar="FILE",
            help="A TOML file of this endpoint's pins and forbids (pin = [...], forbid = [...]).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Infer the API from an endpoint's captured calls and store it.

    Streams the calls twice (paths first, then everything else), fills each
    call's endpoint pattern, and replaces the endpoint's discovered endpoints
    with what was found. Running it again on the same calls changes nothing.
    With llm_url configured, a language model also describes each operation
    (names only are sent; see docs/descriptions.md).
    """
    state = app_context(ctx)
    rules = inference.TemplateRules(tuple(pin or ()), tuple(forbid or ()))
    if templates is not None:
        rules = inference.load_template_rules(templates) + rules
    with contextlib.ExitStack() as stack:
        describer = describer_of(state, stack)
        with state.output.counting("Inferring") as update:
            report = inference.infer_endpoint(
                state.database(),
                state.actor(),
                endpoint,
                rules=rules,
                explain=explain,
                describer=describer,
                progress=update,
            )
    out = state.output
    if out.json_mode:
        out.json(report)
        return
    out.table(
        ["Pattern", "Methods", "Protocol", "Type", "Calls", "Auth", "Pagination"],
        [
            (
                r.pattern,
                " ".join(r.methods),
                r.protocol,
                r.api_type,
                r.calls,
                r.auth_type or "",
                r.pagination_type or "",
            )
            for r in report.resources
        ],
        title=f"Discovered in {report.calls} calls",
    )
    for pattern in report.unused_pins:
        out.warning(f"pin {pattern} matched no captured path")
    for warning in report.warnings:
        out.warning(warning)
    if explain:
        out.line()
        for line in report.explanation:
            out.line(line)
    out.success(
        f"{len(report.resources)} discovered endpoints: {report.created} new, "
        f"{report.updated} changed, {report.unchanged} unchanged, {report.removed} removed; "
        f"{report.patterns_set} call patterns set."
    )
