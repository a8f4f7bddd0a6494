"""``apidisco db``: build, upgrade and inspect the store's schema; load demo data."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import database, demo
else:
    database = lazy_module("apidisco.services.database")
    demo = lazy_module("apidisco.services.demo")

app = typer.Typer(
    help="Build, upgrade and inspect the store's schema; load demo data.",
    no_args_is_help=True,
)


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Upgrade the database schema to the newest revision (creating it if empty)."""
    state = app_context(ctx)
    report = database.upgrade_schema(state.database(require_head=False))
    out = state.output
    if out.json_mode:
        out.json(
            {
                "database": report.database,
                "before": report.before,
                "after": report.after,
                "changed": report.changed,
            }
        )
    elif report.changed:
        start = report.before or "an empty database"
        out.success(f"Upgraded {report.database} from {start} to revision {report.after}.")
    else:
        out.line(f"{report.database} is already at the newest revision ({report.after}).")


@app.command()
def current(ctx: typer.Context) -> None:
    """Show the schema revision of the database and the one this apidisco needs."""
    state = app_context(ctx)
    status = database.schema_status(state.database(require_head=False))
    out = state.output
    if out.json_mode:
        out.json(
            {
                "database": status.database,
                "backend": status.backend,
                "current": status.current,
                "head": status.head,
                "at_head": status.at_head,
            }
        )
        return
    out.line(f"database: {status.database}")
    if status.at_head:
        out.success(f"revision: {status.current} (newest)")
    else:
        out.warning(
            f"revision: {status.current or 'none (empty)'}; newest is {status.head}: "
            "run `apidisco db upgrade`"
        )


@app.command()
def check(ctx: typer.Context) -> None:
    """Exit 1 when the models and the schema the migrations built differ."""
    state = app_context(ctx)
    report = database.check_schema(state.database(require_head=False))
    out = state.output
    if out.json_mode:
        out.json(
            {
                "database": report.database,
                "revision": report.revision,
                "clean": report.clean,
                "differences": list(report.differences),
            }
        )
    elif report.clean:
        out.success(f"No drift: the models match the schema at revision {report.revision}.")
    else:
        out.warning(f"The models and the schema at revision {report.revision} differ:")
        for difference in report.differences:
            out.line(f"  {difference}")
    if not report.clean:
        raise typer.Exit(1)


@app.command()
def seed(ctx: typer.Context) -> None:
    """Create the demo accounts demo1..demo3 (password demo123) with sample data.

    Accounts that already exist are left as they are, so running it again
    changes nothing.
    """
    state = app_context(ctx)
    report = demo.seed_demo(state.database())
    out = state.output
    if out.json_mode:
        out.json({"created": report.created, "accounts": list(report.accounts)})
        return
    out.table(
        ["Username", "Email", "Id", "Status"],
        [
            (a.username, a.email, a.user_id, "created" if a.created else "exists")
            for a in report.accounts
        ],
        title="Demo accounts (password: demo123)",
    )
