"""Buying credits, provider events, refunds and subscriptions from the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import Result

from apidisco.config import resolve_settings
from apidisco.services.database import connect
from tests.cli.conftest import Invoke, json_of
from tests.payments.ledger import assert_ledger_invariant
from tests.payments.provider import FakeProviders, stripe_signature


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def _login(cli: Invoke, email: str) -> None:
    _ok(cli("account", "login", "--email", email, "--password-stdin", input="long password\n"))


@pytest.fixture
def shop(
    fresh_store: Invoke, providers: FakeProviders, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Invoke]:
    """A store with root (admin) and ann (logged in), pointed at the fake providers."""
    for name, value in providers.environ().items():
        monkeypatch.setenv(name, value)
    for email in ("root@example.com", "ann@example.com"):
        _ok(
            fresh_store(
                "account", "signup", "--email", email, "--password-stdin", input="long password\n"
            )
        )
    _login(fresh_store, "ann@example.com")
    yield fresh_store
    database = connect(resolve_settings(environ=os.environ))
    try:
        assert_ledger_invariant(database)
    finally:
        database.dispose()


def _webhook(
    cli: Invoke, provider: str, payload: Path, *options: str, json_mode: bool = False
) -> Result:
    """``apidisco payments webhook`` with a delivery saved in ``payload``; ``options``
    carry its signature or headers."""
    command = ("payments", "webhook", "--provider", provider, "--payload", str(payload))
    return cli(*(("--json",) if json_mode else ()), *command, *options)


def _balance(cli: Invoke) -> int:
    data = json_of(_ok(cli("--json", "credits", "balance")))
    assert isinstance(data, dict)
    return int(data["credits"])


def test_prices_lists_packs_and_tiers(apidisco: Invoke) -> None:
    table = _ok(apidisco("credits", "prices")).stdout
    assert "starter" in table
    assert "5.00 USD" in table
    assert "PRO" in table
    assert "19.00 USD" in table
    data = json_of(_ok(apidisco("--json", "credits", "prices")))
    assert isinstance(data, dict)
    assert data["packs"][0] == {
        "name": "starter",
        "credits": 100,
        "price": "5.00",
        "currency": "USD",
    }
    assert [t["name"] for t in data["tiers"]] == ["FREE", "PRO", "TEAM"]


def test_buy_with_stripe_then_the_signed_event_adds_the_credits(
    shop: Invoke, providers: FakeProviders, tmp_path: Path
) -> None:
    bought = _ok(shop("credits", "buy", "starter", "--provider", "stripe")).stdout
    assert "100 credits for 5.00 USD via STRIPE (sandbox)" in bought
    (session,) = providers.sessions.values()
    assert session["url"] in bought

    body, headers = providers.stripe_pay(session["id"])
    payload = tmp_path / "event.json"
    payload.write_bytes(body)
    signature = headers["Stripe-Signature"]
    applied = _ok(_webhook(shop, "stripe", payload, "--signature", signature))
    assert "checkout.session.completed" in applied.stdout
    assert "completed" in applied.stdout
    assert _balance(shop) == 200

    replay = _webhook(shop, "stripe", payload, "--signature", signature)
    assert replay.exit_code == 14
    assert "a replay" in replay.stderr
    forged = _webhook(
        shop, "stripe", payload, "--signature", stripe_signature(body, secret="whsec_guess")
    )
    assert forged.exit_code == 14
    assert "does not match the payload" in forged.stderr
    assert _balance(shop) == 200

    listed = json_of(_ok(shop("--json", "payments", "list")))
    assert isinstance(listed, list)
    assert [(p["status"], p["provider"], p["credits"]) for p in listed] == [
        ("COMPLETED", "STRIPE", 100)
    ]
    shown = _ok(shop("payments", "show", listed[0]["id"])).stdout
    assert "COMPLETED" in shown
    assert session["id"] in shown


def test_buy_with_paypal_is_captured_and_credited_through_events(
    shop: Invoke, providers: FakeProviders, tmp_path: Path
) -> None:
    bought = json_of(_ok(shop("--json", "credits", "buy", "standard", "--provider", "paypal")))
    assert isinstance(bought, dict)
    order_id = bought["provider_id"]
    assert bought["payment"]["status"] == "PENDING"
    assert bought["url"].endswith(order_id)

    body, headers = providers.paypal_approve(order_id)
    (tmp_path / "approved.json").write_bytes(body)
    (tmp_path / "headers.json").write_text(json.dumps(headers))
    approved = json_of(
        _ok(
            _webhook(
                shop,
                "paypal",
                tmp_path / "approved.json",
                "--headers",
                str(tmp_path / "headers.json"),
                json_mode=True,
            )
        )
    )
    assert isinstance(approved, dict)
    assert approved["result"] == "captured"

    body, headers = providers.paypal_capture_event(order_id)
    (tmp_path / "captured.json").write_bytes(body)
    options = [item for name, value in headers.items() for item in ("--header", f"{name}: {value}")]
    _ok(_webhook(shop, "paypal", tmp_path / "captured.json", *options))
    assert _balance(shop) == 600


def test_refund_is_for_admins_and_takes_the_credits_back(
    shop: Invoke, providers: FakeProviders, tmp_path: Path
) -> None:
    bought = json_of(_ok(shop("--json", "credits", "buy", "starter", "--provider", "stripe")))
    assert isinstance(bought, dict)
    payment_id = bought["payment"]["id"]
    body, headers = providers.stripe_pay(bought["provider_id"])
    (tmp_path / "paid.json").write_bytes(body)
    _ok(
        _webhook(shop, "stripe", tmp_path / "paid.json", "--signature", headers["Stripe-Signature"])
    )
    denied = shop("payments", "refund", payment_id)
    assert denied.exit_code == 4
    assert "only an admin can refund payments" in denied.stderr
    mine_only = shop("payments", "list", "--all")
    assert mine_only.exit_code == 4

    _login(shop, "root@example.com")
    everyone = json_of(_ok(shop("--json", "payments", "list", "--all")))
    assert isinstance(everyone, list)
    assert [p["id"] for p in everyone] == [payment_id]
    refunded = _ok(shop("payments", "refund", payment_id)).stdout
    assert f"Refunded payment {payment_id}" in refunded
    assert len(providers.refunds) == 1
    again = shop("payments", "refund", payment_id)
    assert again.exit_code == 2
    assert "is REFUNDED" in again.stderr
    _login(shop, "ann@example.com")
    assert _balance(shop) == 100


def test_subscribe_prints_where_to_subscribe(shop: Invoke, providers: FakeProviders) -> None:
    result = _ok(shop("credits", "subscribe", "pro", "--provider", "paypal")).stdout
    (subscription,) = providers.subscriptions.values()
    assert "PRO subscription via PAYPAL (sandbox)" in result
    assert subscription["links"][0]["href"] in result


def test_provider_and_configuration_errors_are_one_line(
    shop: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APIDISCO_STRIPE_API_KEY", "sk_test_wrong")
    refused = shop("credits", "buy", "starter", "--provider", "stripe")
    assert refused.exit_code == 13
    assert refused.stderr.startswith("Error: Stripe answered HTTP 401")
    monkeypatch.delenv("APIDISCO_STRIPE_API_KEY")
    missing = shop("credits", "buy", "starter", "--provider", "stripe")
    assert missing.exit_code == 2
    assert "stripe_api_key is not set" in missing.stderr
    unknown = shop("credits", "buy", "starter", "--provider", "bitcoin")
    assert unknown.exit_code == 2
    assert "unknown payment provider 'bitcoin'" in unknown.stderr
    assert json_of(_ok(shop("--json", "payments", "list"))) == []


def test_listen_receives_signed_events_over_http(
    shop: Invoke, providers: FakeProviders, tmp_path: Path
) -> None:
    bought = json_of(_ok(shop("--json", "credits", "buy", "starter", "--provider", "stripe")))
    assert isinstance(bought, dict)
    body, headers = providers.stripe_pay(bought["provider_id"])
    with subprocess.Popen(
        [sys.executable, "-m", "apidisco", "payments", "listen", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().split()[2].removesuffix("/webhooks/stripe")
            assert url.startswith("http://127.0.0.1:")
            forged = httpx.post(
                f"{url}/webhooks/stripe",
                content=body,
                headers={"Stripe-Signature": stripe_signature(body, secret="whsec_forged")},
            )
            assert forged.status_code == 400
            accepted = httpx.post(f"{url}/webhooks/stripe", content=body, headers=headers)
            assert accepted.status_code == 200
            assert accepted.json()["result"] == "completed"
            assert _balance(shop) == 200
        finally:
            process.send_signal(signal.SIGINT)
            output, errors = process.communicate(timeout=10)
    assert process.returncode == 0, errors
    assert "HTTP 400: the Stripe-Signature does not match" in output
    assert "checkout.session.completed" in output
