"""``apidisco credits``: the balance, the ledger, and admin grants."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import credits
else:
    credits = lazy_module("apidisco.services.credits")

app = typer.Typer(
    help="Show the credit balance and ledger; admins grant credits.", no_args_is_help=True
)


@app.command()
def balance(ctx: typer.Context) -> None:
    """Show your credit balance."""
    state = app_context(ctx)
    amount = credits.balance(state.database(), state.actor())
    if state.output.json_mode:
        state.output.json({"credits": amount})
    else:
        state.output.line(f"{amount} credits")


@app.command()
def history(
    ctx: typer.Context,
    user: Annotated[
        str | None, typer.Option("--user", help="Another account's ledger (admins only).")
    ] = None,
) -> None:
    """Show every change of balance, oldest first."""
    state = app_context(ctx)
    entries = credits.history(state.database(), state.actor(), user)
    out = state.output
    if out.json_mode:
        out.json(entries)
        return
    out.table(
        ["When", "Type", "Amount", "Balance", "Description"],
        [
            (
                e.created_at.isoformat(timespec="seconds"),
                e.type.value,
                f"{e.amount:+d}",
                e.balance_after,
                e.description,
            )
            for e in entries
        ],
    )


@app.command()
def grant(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", help="Account id, email or username.")],
    amount: Annotated[int, typer.Option("--amount", help="Credits to add; negative removes.")],
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the ledger.")],
) -> None:
    """Add or remove credits (ADMIN_ADJUST; admins only)."""
    state = app_context(ctx)
    entry = credits.grant(state.database(), state.actor(), user, amount, reason)
    if state.output.json_mode:
        state.output.json(entry)
    else:
        state.output.success(
            f"{entry.amount:+d} credits for {user}; balance {entry.balance_after}."
        )
