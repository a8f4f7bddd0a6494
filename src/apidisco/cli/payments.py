"""``apidisco payments``: your payments, refunds, and the provider events that settle them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from apidisco.cli.context import app_context
from apidisco.cli.lazy import lazy_module
from apidisco.errors import ValidationError

if TYPE_CHECKING:
    from apidisco.services import payments, webhooks
    from apidisco.services.payments import PaymentView
else:
    payments = lazy_module("apidisco.services.payments")
    webhooks = lazy_module("apidisco.services.webhooks")

app = typer.Typer(
    help="List and show payments, refund them (admins), and receive provider events.",
    no_args_is_help=True,
)


def _row(p: PaymentView) -> tuple[Any, ...]:
    return (
        p.id,
        p.created_at.isoformat(timespec="seconds"),
        p.provider.value,
        p.status.value,
        f"{p.amount} {p.currency}",
        p.credits,
        "yes" if p.sandbox else "no",
    )


@app.command("list")
def list_payments(
    ctx: typer.Context,
    everyone: Annotated[
        bool, typer.Option("--all", help="Everyone's payments (admins only).")
    ] = False,
) -> None:
    """List your payments, newest first."""
    state = app_context(ctx)
    rows = payments.listing(state.database(), state.actor(), everyone=everyone)
    out = state.output
    if out.json_mode:
        out.json(rows)
        return
    out.table(
        ["Id", "Created", "Provider", "Status", "Amount", "Credits", "Sandbox"],
        [_row(p) for p in rows],
    )


@app.command()
def show(
    ctx: typer.Context, payment: Annotated[str, typer.Argument(help="The payment id.")]
) -> None:
    """Show one payment."""
    state = app_context(ctx)
    view = payments.get(state.database(), state.actor(), payment)
    out = state.output
    if out.json_mode:
        out.json(view)
        return
    out.fields(
        [
            ("id", view.id),
            ("user", view.user_id),
            ("status", view.status.value),
            ("provider", view.provider.value),
            ("provider id", view.provider_payment_id),
            ("amount", f"{view.amount} {view.currency}"),
            ("credits", view.credits),
            ("sandbox", view.sandbox),
            ("created", view.created_at.isoformat(timespec="seconds")),
            ("completed", view.completed_at and view.completed_at.isoformat(timespec="seconds")),
            ("failed", view.failed_at and view.failed_at.isoformat(timespec="seconds")),
            ("provider data", json.dumps(view.provider_data or {}, sort_keys=True)),
        ]
    )


@app.command()
def refund(
    ctx: typer.Context, payment: Annotated[str, typer.Argument(help="The payment id.")]
) -> None:
    """Refund a completed payment through its provider and take its credits back (admins).

    Refused, with nothing sent to the provider, when the account has already
    spent some of the credits the payment bought.
    """
    state = app_context(ctx)
    settings = state.settings
    view = payments.refund(
        state.database(),
        state.actor(),
        payment,
        lambda provider: payments.connect(settings, provider),
    )
    if state.output.json_mode:
        state.output.json(view)
    else:
        state.output.success(
            f"Refunded payment {view.id} ({view.amount} {view.currency}); "
            f"{view.credits} credits taken back."
        )


def _headers(pairs: list[str], headers_file: Path | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if headers_file is not None:
        try:
            document = json.loads(headers_file.read_text())
        except (OSError, ValueError) as exc:
            raise ValidationError(f"cannot read headers from {headers_file}: {exc}") from None
        if not isinstance(document, dict) or not all(isinstance(v, str) for v in document.values()):
            raise ValidationError(f"{headers_file} must hold a JSON object of header strings")
        headers.update(document)
    for pair in pairs:
        name, sep, value = pair.partition(":")
        if not sep or not name.strip():
            raise ValidationError(f"--header takes 'Name: value', got {pair!r}")
        headers[name.strip()] = value.strip()
    return headers


@app.command()
def webhook(
    ctx: typer.Context,
    provider: Annotated[
        str, typer.Option("--provider", help="stripe or paypal.", case_sensitive=False)
    ],
    payload: Annotated[
        Path,
        typer.Option("--payload", help="The event body, byte for byte.", dir_okay=False),
    ],
    signature: Annotated[
        str | None,
        typer.Option("--signature", help="Stripe: the Stripe-Signature header's value."),
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            help="A delivery header as 'Name: value' (PayPal: the PAYPAL-* transmission "
            "headers); repeatable.",
        ),
    ] = None,
    headers_file: Annotated[
        Path | None,
        typer.Option("--headers", help="A JSON object of delivery headers.", dir_okay=False),
    ] = None,
) -> None:
    """Verify one provider event and apply it (complete or fail a payment, change a tier)."""
    state = app_context(ctx)
    try:
        body = payload.read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read {payload}: {exc.strerror}") from None
    headers = _headers(header or [], headers_file)
    if signature is not None:
        headers["Stripe-Signature"] = signature
    outcome = webhooks.deliver(state.database(), state.settings, provider, body, headers)
    out = state.output
    if out.json_mode:
        out.json(webhooks.outcome_summary(outcome))
    else:
        out.success(
            f"{outcome.event_type} ({outcome.event_id}): {outcome.result}, {outcome.detail}"
        )


@app.command()
def listen(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
) -> None:
    """Receive provider events over HTTP: POST /webhooks/stripe and /webhooks/paypal.

    Each delivery is verified and applied as `payments webhook` does. Stops on Ctrl-C.
    """
    state = app_context(ctx)
    out = state.output

    def report(provider: str, status: int, summary: dict[str, Any]) -> None:
        if out.json_mode:
            out.json({"provider": provider, "status": status, **summary})
        elif status == 200:
            out.line(
                f"{provider} {summary.get('event_type')} ({summary.get('event_id')}): "
                f"{summary.get('result')}, {summary.get('detail')}"
            )
        else:
            out.warning(f"{provider}: HTTP {status}: {summary.get('error')}")

    receiver = webhooks.receiver(
        state.database(), state.settings, host=host, port=port, report=report
    )
    if not out.json_mode:
        out.line(f"Listening on {receiver.url}/webhooks/stripe and {receiver.url}/webhooks/paypal")
    try:
        receiver.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()
