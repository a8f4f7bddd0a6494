"""``apidisco graphql``: GraphQL endpoints against their live servers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module
from apidisco.errors import ValidationError

if TYPE_CHECKING:
    from apidisco.services import introspection
else:
    introspection = lazy_module("apidisco.services.introspection")

app = typer.Typer(
    help="Compare GraphQL schemas rebuilt from traffic with their live servers.",
    no_args_is_help=True,
)

#: At most this many unexercised coordinates are listed in the table output (all in --json).
LISTED = 50


def _headers(values: list[str] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values or ():
        name, colon, content = value.partition(":")
        if not colon or not name.strip():
            raise ValidationError(f"--header {value!r} must be NAME: VALUE")
        headers[name.strip()] = content.strip()
    return headers


@app.command("compare")
def compare(
    ctx: typer.Context,
    endpoint: Annotated[str, typer.Argument(help="Endpoint id or slug.")],
    path: Annotated[
        str | None,
        typer.Option(
            "--path",
            metavar="PATTERN",
            help="The GraphQL endpoint to compare (/graphql), when traffic found several.",
        ),
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Allow a loopback, private or link-local server (as allow_private_destinations).",
        ),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", metavar="SECONDS", help="Give up after this long.")
    ] = 10.0,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            "-H",
            metavar="NAME: VALUE",
            help="Send this header too (Authorization: Bearer ...). Repeatable.",
        ),
    ] = None,
) -> None:
    """Ask the live server for its schema by introspection and compare it with
    the schema rebuilt from traffic.

    Sends one introspection query to the endpoint's destination plus the
    GraphQL path seen in traffic, after the SSRF check on its resolved
    addresses; no redirect is followed. Reports what traffic has and the server
    does not (invented: should be none), types that differ, and what the server
    has that traffic never exercised.
    """
    state = app_context(ctx)
    report = introspection.compare_endpoint(
        state.database(),
        state.actor(),
        endpoint,
        path=path,
        allow_private=allow_private or state.settings.allow_private_destinations,
        timeout=timeout,
        headers=_headers(header),
    )
    out = state.output
    if out.json_mode:
        out.json(report)
        return
    result = report.comparison
    out.fields(
        [
            ("Server", report.url),
            ("Types exercised", f"{result.covered_types} of {result.server_types}"),
            ("Fields exercised", f"{result.covered_fields} of {result.server_fields}"),
            ("Invented", len(result.invented)),
            ("Types that differ", len(result.mismatches)),
        ],
        title=f"GraphQL {report.pattern} of {report.endpoint_id}: traffic against introspection",
    )
    if result.invented:
        out.table(["In traffic, not on the server"], [(name,) for name in result.invented])
    if result.mismatches:
        out.table(
            ["Where", "Differs by", "Traffic", "Server"],
            [(m.coordinate, m.kind, m.traffic, m.server) for m in result.mismatches],
            title="Types that differ",
        )
    if result.renamed:
        out.table(["Rebuilt", "Server"], result.renamed, title="Types the server names differently")
    unexercised = [*result.unexercised_types, *result.unexercised_fields]
    if unexercised:
        out.line(f"Never exercised by traffic ({len(unexercised)}):")
        for name in unexercised[:LISTED]:
            out.line(f"  {name}")
        if len(unexercised) > LISTED:
            out.line(f"  ... and {len(unexercised) - LISTED} more (--json lists them all)")
    if result.invented:
        out.warning(f"{len(result.invented)} names in traffic are not in the server's schema.")
    else:
        out.success("Nothing in traffic is missing from the server's schema.")
