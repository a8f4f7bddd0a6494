"""``apidisco credits``: the balance, the ledger, admin grants, prices and purchases."""

from __future__ import annotations

from contextlib import closing
from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module

if TYPE_CHECKING:
    from apidisco.services import credits, payments
else:
    credits = lazy_module("apidisco.services.credits")
    payments = lazy_module("apidisco.services.payments")

app = typer.Typer(
    help="Show the credit balance and ledger, buy credits and subscriptions; admins grant credits.",
    no_args_is_help=True,
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


@app.command()
def prices(ctx: typer.Context) -> None:
    """Show the credit packs on sale and the subscription tiers."""
    state = app_context(ctx)
    settings = state.settings
    packs = list(settings.credit_packs)
    tiers = settings.subscription_tiers()
    out = state.output
    if out.json_mode:
        out.json({"packs": packs, "tiers": tiers, "endpoint_price": settings.endpoint_price})
        return
    out.table(
        ["Pack", "Credits", "Price"],
        [(p.name, p.credits, f"{p.price} {p.currency}") for p in packs],
        title="Credit packs (apidisco credits buy PACK --provider stripe|paypal)",
    )
    out.table(
        ["Tier", "Endpoints included", "Per month", "Stripe price", "PayPal plan"],
        [
            (t.name, t.endpoints, f"{t.price} {t.currency}", t.stripe_price, t.paypal_plan)
            for t in tiers
        ],
        title=f"Subscription tiers (endpoints beyond: {settings.endpoint_price} credits each)",
    )


Provider = Annotated[
    str, typer.Option("--provider", help="stripe or paypal.", case_sensitive=False)
]


@app.command()
def buy(
    ctx: typer.Context,
    pack: Annotated[str, typer.Argument(help="The credit pack (see `credits prices`).")],
    provider: Provider,
) -> None:
    """Buy a credit pack: opens a checkout and prints the URL to pay at.

    The credits are added when the provider's signed event confirms the payment
    (`apidisco payments listen` or `apidisco payments webhook`).
    """
    state = app_context(ctx)
    with closing(payments.connect(state.settings, provider)) as adapter:
        checkout = payments.buy(state.database(), state.actor(), state.settings, pack, adapter)
    out = state.output
    if out.json_mode:
        out.json(checkout)
        return
    assert checkout.payment is not None
    mode = " (sandbox)" if checkout.sandbox else ""
    out.line(
        f"Payment {checkout.payment.id}: {checkout.payment.credits} credits for "
        f"{checkout.payment.amount} {checkout.payment.currency} via {checkout.provider}{mode}."
    )
    out.line("Pay at:")
    out.line(checkout.url)


@app.command()
def subscribe(
    ctx: typer.Context,
    tier: Annotated[str, typer.Argument(help="PRO or TEAM.")],
    provider: Provider,
) -> None:
    """Subscribe to a tier: opens a subscription checkout and prints the URL to pay at.

    The tier changes when the provider's signed subscription event arrives.
    """
    state = app_context(ctx)
    with closing(payments.connect(state.settings, provider)) as adapter:
        checkout = payments.subscribe(
            state.database(), state.actor(), state.settings, tier, adapter
        )
    out = state.output
    if out.json_mode:
        out.json(checkout)
        return
    mode = " (sandbox)" if checkout.sandbox else ""
    out.line(f"{checkout.tier} subscription via {checkout.provider}{mode}. Subscribe at:")
    out.line(checkout.url)
