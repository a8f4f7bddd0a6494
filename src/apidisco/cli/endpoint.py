"""``apidisco endpoint``: create capture targets and move them through their lifecycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import AppContext, app_context
from apidisco.cli.lazy import lazy_module
from apidisco.errors import ValidationError

if TYPE_CHECKING:
    from apidisco.services import endpoints
    from apidisco.services.views import EndpointView
else:
    endpoints = lazy_module("apidisco.services.endpoints")

app = typer.Typer(
    help="Create endpoints and move them through their lifecycle.", no_args_is_help=True
)

EndpointArgument = Annotated[str, typer.Argument(help="Endpoint id or slug.")]


def _show(state: AppContext, endpoint: EndpointView, *, title: str | None = None) -> None:
    out = state.output
    if out.json_mode:
        out.json(endpoint)
        return
    out.fields(
        [
            ("id", endpoint.id),
            ("name", endpoint.name),
            ("destination", endpoint.destination_url),
            ("proxy", endpoint.proxy_url),
            ("status", endpoint.status.value),
            ("credits used", endpoint.credits_used),
            ("public", f"yes, at /docs/{endpoint.slug}" if endpoint.is_public else "no"),
            ("slug", endpoint.slug),
            ("monitoring", endpoint.monitoring_frequency or "off"),
            ("created", endpoint.created_at.isoformat(timespec="seconds")),
        ],
        title=title,
    )


@app.command()
def create(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Destination URL (http or https) to proxy to.")],
    name: Annotated[str | None, typer.Option("--name", help="A name for people.")] = None,
    slug: Annotated[
        str | None, typer.Option("--slug", help="URL-friendly name for published docs.")
    ] = None,
) -> None:
    """Create an endpoint (25 credits unless your plan includes it)."""
    state = app_context(ctx)
    settings = state.settings
    endpoint = endpoints.create(
        state.database(),
        state.actor(),
        url,
        pricing=endpoints.Pricing.from_settings(settings),
        allow_private=settings.allow_private_destinations,
        name=name,
        slug=slug,
    )
    _show(state, endpoint, title="Endpoint created")


@app.command("list")
def list_(
    ctx: typer.Context,
    everyone: Annotated[bool, typer.Option("--all", help="Everyone's (admins only).")] = False,
) -> None:
    """List your endpoints."""
    state = app_context(ctx)
    rows = endpoints.listing(state.database(), state.actor(), everyone=everyone)
    out = state.output
    if out.json_mode:
        out.json(rows)
        return
    out.table(
        ["Id", "Name", "Destination", "Status", "Public", "Created"],
        [
            (
                e.id,
                e.name,
                e.destination_url,
                e.status.value,
                e.slug if e.is_public else "",
                e.created_at.date().isoformat(),
            )
            for e in rows
        ],
    )


@app.command()
def show(ctx: typer.Context, endpoint: EndpointArgument) -> None:
    """Show one endpoint."""
    state = app_context(ctx)
    _show(state, endpoints.get(state.database(), state.actor(), endpoint))


@app.command()
def rename(
    ctx: typer.Context,
    endpoint: EndpointArgument,
    name: Annotated[str, typer.Argument(help="The new name.")],
) -> None:
    """Rename an endpoint."""
    state = app_context(ctx)
    _show(state, endpoints.rename(state.database(), state.actor(), endpoint, name))


@app.command()
def pause(ctx: typer.Context, endpoint: EndpointArgument) -> None:
    """Stop capturing and review what was captured (REVIEW)."""
    state = app_context(ctx)
    _show(state, endpoints.pause(state.database(), state.actor(), endpoint))


@app.command()
def resume(ctx: typer.Context, endpoint: EndpointArgument) -> None:
    """Capture again (ACTIVE)."""
    state = app_context(ctx)
    _show(state, endpoints.resume(state.database(), state.actor(), endpoint))


@app.command()
def deactivate(ctx: typer.Context, endpoint: EndpointArgument) -> None:
    """Switch an endpoint off (INACTIVE); `resume` switches it on again."""
    state = app_context(ctx)
    _show(state, endpoints.deactivate(state.database(), state.actor(), endpoint))


@app.command()
def archive(ctx: typer.Context, endpoint: EndpointArgument) -> None:
    """Archive an endpoint (ARCHIVED, final); its data stays until deleted."""
    state = app_context(ctx)
    _show(state, endpoints.archive(state.database(), state.actor(), endpoint))


@app.command()
def delete(
    ctx: typer.Context,
    endpoint: EndpointArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an endpoint and everything captured and inferred for it."""
    state = app_context(ctx)
    if not yes and not typer.confirm(f"Delete {endpoint} and all its captured data?"):
        raise typer.Exit(1)
    removed = endpoints.delete(state.database(), state.actor(), endpoint)
    if state.output.json_mode:
        state.output.json({"deleted": endpoint, "removed": removed})
    else:
        total = sum(removed.values())
        state.output.success(f"Deleted {endpoint} and {total} rows captured or inferred for it.")


@app.command()
def publish(
    ctx: typer.Context,
    endpoint: EndpointArgument,
    slug: Annotated[
        str | None, typer.Option("--slug", help="Publish under this slug (else its own).")
    ] = None,
) -> None:
    """Make the endpoint's documentation public at /docs/SLUG."""
    state = app_context(ctx)
    _show(state, endpoints.publish(state.database(), state.actor(), endpoint, slug))


@app.command()
def unpublish(ctx: typer.Context, endpoint: EndpointArgument) -> None:
    """Make the endpoint's documentation private again."""
    state = app_context(ctx)
    _show(state, endpoints.unpublish(state.database(), state.actor(), endpoint))


@app.command()
def monitor(
    ctx: typer.Context,
    endpoint: EndpointArgument,
    frequency: Annotated[
        str | None,
        typer.Option("--frequency", help="daily, weekly or monthly.", show_default=False),
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="Stop scheduled replay.")] = False,
) -> None:
    """Replay the endpoint's recorded sequence on a schedule, or stop doing so."""
    state = app_context(ctx)
    if off == (frequency is not None):
        raise ValidationError("give either --frequency daily|weekly|monthly or --off")
    _show(state, endpoints.set_monitoring(state.database(), state.actor(), endpoint, frequency))
