"""Stripe: Checkout Sessions, refunds, and signed webhook events.

Calls (form-encoded, ``Authorization: Bearer {stripe_api_key}``, an
``Idempotency-Key`` so a retried call never pays or refunds twice)::

    POST {stripe_api_base}/v1/checkout/sessions   mode=payment | mode=subscription
    POST {stripe_api_base}/v1/refunds             payment_intent=pi_...

A webhook delivery carries ``Stripe-Signature: t=<unix time>,v1=<hex>[,v1=...]``;
it is genuine when one ``v1`` equals HMAC-SHA256 of ``"{t}.{payload}"`` keyed
with the endpoint's signing secret (compared in constant time), and fresh when
``t`` is within ``webhook_tolerance`` seconds of now, either way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from apidisco.config import Settings
from apidisco.enums import PaymentProvider
from apidisco.errors import ConfigError, PaymentError, WebhookRefusedError
from apidisco.payments.events import (
    Event,
    Fact,
    Ignored,
    PaymentFailed,
    PaymentSucceeded,
    SubscriptionChanged,
    require_fresh,
)
from apidisco.payments.provider import (
    Capture,
    Checkout,
    CheckoutRequest,
    Refund,
    RefundRequest,
    SubscriptionRequest,
)
from apidisco.payments.transport import ApiClient, check_base_url
from apidisco.pricing import from_minor_units, minor_units

__all__ = ["SIGNATURE_HEADER", "StripeProvider", "sign_payload", "verify_signature"]

SIGNATURE_HEADER = "Stripe-Signature"
LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")
_REFUND_ACCEPTED = frozenset({"succeeded", "pending"})
_PAID = frozenset({"paid", "no_payment_required"})


def sign_payload(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``v1`` signature Stripe computes for ``payload`` signed at ``timestamp``."""
    message = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    payload: bytes, header: str | None, secret: str, *, tolerance: int, now: datetime
) -> datetime:
    """When the payload was signed, if ``header`` is a valid, fresh signature of it.

    Anything else raises :class:`WebhookRefusedError` saying what was wrong.
    """
    if not header:
        raise WebhookRefusedError(f"the {SIGNATURE_HEADER} header is missing")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookRefusedError(
            f"the {SIGNATURE_HEADER} header is malformed (it needs t=... and v1=...)"
        )
    expected = sign_payload(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise WebhookRefusedError(
            f"the {SIGNATURE_HEADER} does not match the payload "
            "(a forged event, a changed payload, or the wrong stripe_webhook_secret)"
        )
    require_fresh(int(now.timestamp()) - timestamp, tolerance, action="signed")
    return datetime.fromtimestamp(timestamp, UTC)


class StripeProvider:
    """Stripe through its REST API (``stripe_api_key``, ``stripe_api_base``)."""

    provider = PaymentProvider.STRIPE

    def __init__(
        self,
        api_key: str | None,
        *,
        webhook_secret: str | None = None,
        base_url: str = "https://api.stripe.com",
        tolerance: int = 300,
        timeout: float = 30.0,
    ) -> None:
        self._api_key = api_key or None
        self._webhook_secret = webhook_secret or None
        self.base_url = check_base_url(base_url, "stripe_api_base")
        self.tolerance = tolerance
        self._api = ApiClient(
            "Stripe",
            self.base_url,
            timeout=timeout,
            secrets=(self._api_key or "", self._webhook_secret or ""),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> StripeProvider:
        return cls(
            settings.stripe_api_key,
            webhook_secret=settings.stripe_webhook_secret,
            base_url=settings.stripe_api_base,
            tolerance=settings.webhook_tolerance,
            timeout=settings.payments_timeout,
        )

    @property
    def sandbox(self) -> bool:
        """Test mode unless a live key is configured."""
        return not (self._api_key or "").startswith(LIVE_KEY_PREFIXES)

    # -- calls ---------------------------------------------------------------------

    def _post(self, path: str, form: dict[str, str], idempotency_key: str) -> dict[str, Any]:
        if not self._api_key:
            raise ConfigError(
                "stripe_api_key is not set (APIDISCO_STRIPE_API_KEY): "
                "apidisco cannot talk to Stripe"
            )
        headers = {
            "Authorization": f"Bearer {self._api_key}",
            "Idempotency-Key": idempotency_key,
        }
        _, document = self._api.request("POST", path, data=form, headers=headers)
        return document

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        form = {
            "mode": "payment",
            "client_reference_id": request.payment_id,
            "customer_email": request.email,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": request.currency.lower(),
            "line_items[0][price_data][unit_amount]": str(
                minor_units(request.amount, request.currency)
            ),
            "line_items[0][price_data][product_data][name]": request.description,
            "metadata[payment_id]": request.payment_id,
            "metadata[user_id]": request.user_id,
            "metadata[credits]": str(request.credits),
            "payment_intent_data[metadata][payment_id]": request.payment_id,
        }
        session = self._post("/v1/checkout/sessions", form, f"checkout-{request.payment_id}")
        return _checkout(session)

    def create_subscription(self, request: SubscriptionRequest) -> Checkout:
        form = {
            "mode": "subscription",
            "client_reference_id": request.user_id,
            "customer_email": request.email,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "line_items[0][price]": request.plan,
            "line_items[0][quantity]": "1",
            "metadata[user_id]": request.user_id,
            "metadata[tier]": request.tier,
            "subscription_data[metadata][user_id]": request.user_id,
        }
        stamp = int(datetime.now(UTC).timestamp())
        key = f"subscribe-{request.user_id}-{request.tier}-{stamp}"
        return _checkout(self._post("/v1/checkout/sessions", form, key))

    def capture(self, provider_payment_id: str, payment_id: str) -> Capture:
        raise PaymentError("Stripe Checkout captures payments itself; there is nothing to capture")

    def refund(self, request: RefundRequest) -> Refund:
        intent = request.data.get("payment_intent")
        if not isinstance(intent, str) or not intent:
            raise PaymentError(
                f"payment {request.payment_id} has no Stripe payment intent on record; "
                "refund it in the Stripe dashboard"
            )
        form = {"payment_intent": intent, "metadata[payment_id]": request.payment_id}
        refund = self._post("/v1/refunds", form, f"refund-{request.payment_id}")
        return Refund.from_answer(refund, _REFUND_ACCEPTED)

    # -- events --------------------------------------------------------------------

    def verify_event(self, body: bytes, headers: Mapping[str, str], now: datetime) -> Event:
        if not self._webhook_secret:
            raise ConfigError(
                "stripe_webhook_secret is not set (APIDISCO_STRIPE_WEBHOOK_SECRET): "
                "Stripe events cannot be verified"
            )
        header = _header(headers, SIGNATURE_HEADER)
        signed_at = verify_signature(
            body, header, self._webhook_secret, tolerance=self.tolerance, now=now
        )
        try:
            document = json.loads(body)
        except ValueError:
            raise WebhookRefusedError("the signed Stripe event is not JSON") from None
        if not isinstance(document, dict) or not isinstance(document.get("type"), str):
            raise WebhookRefusedError("the signed Stripe event has no type")
        assert header is not None
        live = document.get("livemode")
        return Event(
            id=str(document.get("id") or ""),
            type=document["type"],
            delivery=hashlib.sha256(header.encode()).hexdigest()[:40],
            signed_at=signed_at,
            live=live if isinstance(live, bool) else None,
            document=document,
        )

    def interpret(self, event: Event) -> Fact:
        data = event.document.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        if not isinstance(obj, dict):
            return Ignored("the event has no data.object")
        kind = event.type
        if kind in {"checkout.session.completed", "checkout.session.async_payment_succeeded"}:
            if obj.get("mode") == "subscription":
                return Ignored("subscriptions follow customer.subscription events")
            if obj.get("payment_status") not in _PAID:
                return Ignored(f"the payment is not settled yet ({obj.get('payment_status')})")
            return _succeeded(obj)
        if kind == "checkout.session.expired":
            return PaymentFailed(_payment_id(obj), str(obj.get("id")), "the checkout expired")
        if kind == "checkout.session.async_payment_failed":
            return PaymentFailed(_payment_id(obj), str(obj.get("id")), "the payment failed")
        if kind in {
            "customer.subscription.created",
            "customer.subscription.updated",
            "customer.subscription.deleted",
        }:
            return _subscription(obj, deleted=kind.endswith(".deleted"))
        return Ignored(f"apidisco does not act on {kind}")

    def close(self) -> None:
        self._api.close()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def _checkout(session: dict[str, Any]) -> Checkout:
    session_id, url = session.get("id"), session.get("url")
    if not isinstance(session_id, str) or not isinstance(url, str):
        raise PaymentError("Stripe answered a checkout session without an id and a url")
    return Checkout(
        provider_payment_id=session_id,
        url=url,
        data={"checkout_url": url, "livemode": session.get("livemode")},
    )


def _payment_id(obj: Mapping[str, Any]) -> str | None:
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("payment_id"), str):
        return str(metadata["payment_id"])
    reference = obj.get("client_reference_id")
    return reference if isinstance(reference, str) else None


def _succeeded(obj: Mapping[str, Any]) -> PaymentSucceeded:
    currency = obj.get("currency")
    total = obj.get("amount_total")
    currency_code = currency.upper() if isinstance(currency, str) else None
    amount = (
        from_minor_units(total, currency_code)
        if isinstance(total, int) and not isinstance(total, bool) and currency_code
        else None
    )
    return PaymentSucceeded(
        payment_id=_payment_id(obj),
        provider_payment_id=str(obj.get("id")),
        amount=amount,
        currency=currency_code,
        data={
            key: obj.get(key)
            for key in ("payment_intent", "customer", "payment_status")
            if obj.get(key) is not None
        },
    )


def _subscription(obj: Mapping[str, Any], *, deleted: bool) -> Fact:
    subscription_id = obj.get("id")
    if not isinstance(subscription_id, str):
        return Ignored("the subscription has no id")
    plan: str | None = None
    items = obj.get("items")
    entries = items.get("data") if isinstance(items, dict) else None
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        price = entries[0].get("price")
        if isinstance(price, dict) and isinstance(price.get("id"), str):
            plan = price["id"]
    metadata = obj.get("metadata")
    user_id = metadata.get("user_id") if isinstance(metadata, dict) else None
    status = "canceled" if deleted else str(obj.get("status") or "").lower()
    return SubscriptionChanged(
        subscription_id=subscription_id,
        status=status,
        plan=plan,
        user_id=user_id if isinstance(user_id, str) else None,
    )
