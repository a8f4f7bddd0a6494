"""PayPal: Orders v2, captures, refunds, subscriptions, and verified webhook events.

Every call carries an OAuth2 access token obtained with the app's client id and
secret (client credentials, ``POST /v1/oauth2/token``, kept until it expires),
and a ``PayPal-Request-Id`` so a retried call is not carried out twice::

    POST /v2/checkout/orders                       intent CAPTURE, custom_id = payment id
    POST /v2/checkout/orders/{order}/capture       after CHECKOUT.ORDER.APPROVED
    POST /v2/payments/captures/{capture}/refund
    POST /v1/billing/subscriptions                 plan_id, custom_id = account id
    POST /v1/notifications/verify-webhook-signature

A webhook delivery is genuine when PayPal's verification API answers
``verification_status: SUCCESS`` for its transmission headers, the configured
``paypal_webhook_id`` and the event. The event is passed to that API exactly
as it arrived (its bytes are spliced into the request, not re-serialised),
because PayPal's signature covers a CRC32 of the original body.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from apidisco.config import Settings
from apidisco.enums import PaymentProvider
from apidisco.errors import ConfigError, PaymentError, WebhookRefusedError
from apidisco.payments.events import (
    Event,
    Fact,
    Ignored,
    OrderApproved,
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

__all__ = ["LIVE_API", "SANDBOX_API", "TRANSMISSION_HEADERS", "PayPalProvider"]

SANDBOX_API = "https://api-m.sandbox.paypal.com"
LIVE_API = "https://api-m.paypal.com"
TRANSMISSION_HEADERS = (
    "PAYPAL-AUTH-ALGO",
    "PAYPAL-CERT-URL",
    "PAYPAL-TRANSMISSION-ID",
    "PAYPAL-TRANSMISSION-SIG",
    "PAYPAL-TRANSMISSION-TIME",
)
_REFUND_ACCEPTED = frozenset({"COMPLETED", "PENDING"})
_STATUSES = {
    "ACTIVE": "active",
    "SUSPENDED": "suspended",
    "CANCELLED": "canceled",
    "EXPIRED": "expired",
    "APPROVAL_PENDING": "incomplete",
    "APPROVED": "incomplete",
}
_SUBSCRIPTION_EVENTS = frozenset(
    {
        "BILLING.SUBSCRIPTION.ACTIVATED",
        "BILLING.SUBSCRIPTION.UPDATED",
        "BILLING.SUBSCRIPTION.RE-ACTIVATED",
        "BILLING.SUBSCRIPTION.CANCELLED",
        "BILLING.SUBSCRIPTION.SUSPENDED",
        "BILLING.SUBSCRIPTION.EXPIRED",
    }
)


class PayPalProvider:
    """PayPal through its REST API (``paypal_client_id``, ``paypal_client_secret``)."""

    provider = PaymentProvider.PAYPAL

    def __init__(
        self,
        client_id: str | None,
        client_secret: str | None,
        *,
        webhook_id: str | None = None,
        live: bool = False,
        base_url: str = "",
        tolerance: int = 300,
        timeout: float = 30.0,
    ) -> None:
        self._client_id = client_id or None
        self._client_secret = client_secret or None
        self._webhook_id = webhook_id or None
        self.live = live
        self.base_url = check_base_url(
            base_url or (LIVE_API if live else SANDBOX_API), "paypal_api_base"
        )
        self.tolerance = tolerance
        self._api = ApiClient(
            "PayPal", self.base_url, timeout=timeout, secrets=(self._client_secret or "",)
        )
        self._token: str | None = None
        self._token_expires = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> PayPalProvider:
        return cls(
            settings.paypal_client_id,
            settings.paypal_client_secret,
            webhook_id=settings.paypal_webhook_id,
            live=settings.paypal_live,
            base_url=settings.paypal_api_base,
            tolerance=settings.webhook_tolerance,
            timeout=settings.payments_timeout,
        )

    @property
    def sandbox(self) -> bool:
        return not self.live

    # -- calls ---------------------------------------------------------------------

    def _access_token(self) -> str:
        if self._token is not None and time.monotonic() < self._token_expires:
            return self._token
        if not self._client_id or not self._client_secret:
            raise ConfigError(
                "paypal_client_id and paypal_client_secret must be set "
                "(APIDISCO_PAYPAL_CLIENT_ID, APIDISCO_PAYPAL_CLIENT_SECRET) to talk to PayPal"
            )
        _, document = self._api.request(
            "POST",
            "/v1/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(self._client_id, self._client_secret),
        )
        token = document.get("access_token")
        if not isinstance(token, str) or not token:
            raise PaymentError("PayPal answered the token request without an access_token")
        expires_in = document.get("expires_in")
        lifetime = expires_in if isinstance(expires_in, int) else 300
        self._token = token
        self._token_expires = time.monotonic() + max(lifetime - 60, 1)
        self._api.hide(token)
        return token

    def _call(
        self,
        path: str,
        *,
        body: bytes,
        request_id: str | None = None,
        ok: frozenset[int] = frozenset(),
    ) -> tuple[int, dict[str, Any]]:
        headers = {
            "Authorization": f"Bearer {self._access_token()}",
            "Content-Type": "application/json",
        }
        if request_id:
            headers["PayPal-Request-Id"] = request_id
        return self._api.request("POST", path, content=body, headers=headers, ok=ok)

    def _post_json(self, path: str, document: dict[str, Any], request_id: str) -> dict[str, Any]:
        return self._call(path, body=json.dumps(document).encode(), request_id=request_id)[1]

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        order = self._post_json(
            "/v2/checkout/orders",
            {
                "intent": "CAPTURE",
                "purchase_units": [
                    {
                        "reference_id": request.payment_id,
                        "custom_id": request.payment_id,
                        "description": request.description,
                        "amount": {
                            "currency_code": request.currency,
                            "value": f"{request.amount:.2f}",
                        },
                    }
                ],
                "payment_source": {
                    "paypal": {
                        "experience_context": {
                            "return_url": request.success_url,
                            "cancel_url": request.cancel_url,
                            "user_action": "PAY_NOW",
                        }
                    }
                },
            },
            f"checkout-{request.payment_id}",
        )
        return _checkout(order, ("payer-action", "approve"), "order")

    def create_subscription(self, request: SubscriptionRequest) -> Checkout:
        subscription = self._post_json(
            "/v1/billing/subscriptions",
            {
                "plan_id": request.plan,
                "custom_id": request.user_id,
                "subscriber": {"email_address": request.email},
                "application_context": {
                    "return_url": request.success_url,
                    "cancel_url": request.cancel_url,
                    "user_action": "SUBSCRIBE_NOW",
                },
            },
            f"subscribe-{request.user_id}-{request.tier}-{int(time.time())}",
        )
        return _checkout(subscription, ("approve",), "subscription")

    def capture(self, provider_payment_id: str, payment_id: str) -> Capture:
        status, order = self._call(
            f"/v2/checkout/orders/{provider_payment_id}/capture",
            body=b"{}",
            request_id=f"capture-{payment_id}",
            ok=frozenset({422}),
        )
        if status == 422:
            details = order.get("details")
            issue = details[0].get("issue") if isinstance(details, list) and details else None
            if issue == "ORDER_ALREADY_CAPTURED":
                return Capture(capture_id=None, status="ALREADY_CAPTURED")
            raise PaymentError(f"PayPal refused to capture order {provider_payment_id}: {issue}")
        capture = _first_capture(order)
        capture_id = capture.get("id") if capture else None
        capture_status = str((capture or order).get("status") or "")
        return Capture(
            capture_id=capture_id if isinstance(capture_id, str) else None,
            status=capture_status,
            data={"capture_id": capture_id, "capture_status": capture_status},
        )

    def refund(self, request: RefundRequest) -> Refund:
        capture_id = request.data.get("capture_id")
        if not isinstance(capture_id, str) or not capture_id:
            raise PaymentError(
                f"payment {request.payment_id} has no PayPal capture on record; "
                "refund it in the PayPal dashboard"
            )
        refund = self._post_json(
            f"/v2/payments/captures/{capture_id}/refund",
            {
                "amount": {"currency_code": request.currency, "value": f"{request.amount:.2f}"},
                "custom_id": request.payment_id,
            },
            f"refund-{request.payment_id}",
        )
        return Refund.from_answer(refund, _REFUND_ACCEPTED)

    # -- events --------------------------------------------------------------------

    def verify_event(self, body: bytes, headers: Mapping[str, str], now: datetime) -> Event:
        if not self._webhook_id:
            raise ConfigError(
                "paypal_webhook_id is not set (APIDISCO_PAYPAL_WEBHOOK_ID): "
                "PayPal events cannot be verified"
            )
        lowered = {key.lower(): value for key, value in headers.items()}
        missing = [name for name in TRANSMISSION_HEADERS if not lowered.get(name.lower())]
        if missing:
            raise WebhookRefusedError(f"the PayPal delivery lacks the {missing[0]} header")
        try:
            document = json.loads(body)
        except ValueError:
            raise WebhookRefusedError("the PayPal event is not JSON") from None
        if not isinstance(document, dict) or not isinstance(document.get("event_type"), str):
            raise WebhookRefusedError("the PayPal event has no event_type")
        transmission = {name: lowered[name.lower()] for name in TRANSMISSION_HEADERS}
        self._verify_with_paypal(body, transmission)
        signed_at = _transmission_time(transmission["PAYPAL-TRANSMISSION-TIME"])
        require_fresh(int((now - signed_at).total_seconds()), self.tolerance, action="sent")
        return Event(
            id=str(document.get("id") or ""),
            type=document["event_type"],
            delivery=transmission["PAYPAL-TRANSMISSION-ID"],
            signed_at=signed_at,
            live=None,
            document=document,
        )

    def _verify_with_paypal(self, body: bytes, transmission: Mapping[str, str]) -> None:
        fields = {
            "auth_algo": transmission["PAYPAL-AUTH-ALGO"],
            "cert_url": transmission["PAYPAL-CERT-URL"],
            "transmission_id": transmission["PAYPAL-TRANSMISSION-ID"],
            "transmission_sig": transmission["PAYPAL-TRANSMISSION-SIG"],
            "transmission_time": transmission["PAYPAL-TRANSMISSION-TIME"],
            "webhook_id": self._webhook_id,
        }
        # The event goes in as received: re-serialising it would change its CRC32.
        request = json.dumps(fields).encode()[:-1] + b', "webhook_event": ' + body.strip() + b"}"
        _, answer = self._call("/v1/notifications/verify-webhook-signature", body=request)
        status = answer.get("verification_status")
        if status != "SUCCESS":
            raise WebhookRefusedError(
                f"PayPal did not verify the event's signature (verification_status {status}): "
                "a forged or changed event, or the wrong paypal_webhook_id"
            )

    def interpret(self, event: Event) -> Fact:
        resource = event.document.get("resource")
        if not isinstance(resource, dict):
            return Ignored("the event has no resource")
        kind = event.type
        if kind == "CHECKOUT.ORDER.APPROVED":
            units = resource.get("purchase_units")
            unit = units[0] if isinstance(units, list) and units else {}
            custom = unit.get("custom_id") if isinstance(unit, dict) else None
            return OrderApproved(
                payment_id=custom if isinstance(custom, str) else None,
                provider_payment_id=str(resource.get("id")),
            )
        if kind == "PAYMENT.CAPTURE.COMPLETED":
            return _capture_completed(resource)
        if kind in {"PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.DECLINED"}:
            custom = resource.get("custom_id")
            return PaymentFailed(
                payment_id=custom if isinstance(custom, str) else None,
                provider_payment_id=_order_id(resource) or "",
                reason="PayPal denied the capture",
            )
        if kind in _SUBSCRIPTION_EVENTS:
            subscription_id = resource.get("id")
            if not isinstance(subscription_id, str):
                return Ignored("the subscription has no id")
            raw_status = str(resource.get("status") or "").upper()
            if kind == "BILLING.SUBSCRIPTION.CANCELLED":
                raw_status = "CANCELLED"
            plan, custom = resource.get("plan_id"), resource.get("custom_id")
            return SubscriptionChanged(
                subscription_id=subscription_id,
                status=_STATUSES.get(raw_status, raw_status.lower()),
                plan=plan if isinstance(plan, str) else None,
                user_id=custom if isinstance(custom, str) else None,
            )
        return Ignored(f"apidisco does not act on {kind}")

    def close(self) -> None:
        self._api.close()


def _checkout(document: dict[str, Any], rels: tuple[str, ...], what: str) -> Checkout:
    identifier = document.get("id")
    links = document.get("links")
    url = None
    if isinstance(links, list):
        by_rel = {link.get("rel"): link.get("href") for link in links if isinstance(link, dict)}
        url = next((by_rel[rel] for rel in rels if isinstance(by_rel.get(rel), str)), None)
    if not isinstance(identifier, str) or url is None:
        raise PaymentError(f"PayPal answered a new {what} without an id and an approve link")
    return Checkout(
        provider_payment_id=identifier,
        url=url,
        data={"checkout_url": url, f"{what}_status": document.get("status")},
    )


def _first_capture(order: Mapping[str, Any]) -> dict[str, Any] | None:
    units = order.get("purchase_units")
    if not isinstance(units, list) or not units or not isinstance(units[0], dict):
        return None
    payments = units[0].get("payments")
    captures = payments.get("captures") if isinstance(payments, dict) else None
    if isinstance(captures, list) and captures and isinstance(captures[0], dict):
        return captures[0]
    return None


def _order_id(resource: Mapping[str, Any]) -> str | None:
    supplementary = resource.get("supplementary_data")
    related = supplementary.get("related_ids") if isinstance(supplementary, dict) else None
    order = related.get("order_id") if isinstance(related, dict) else None
    return order if isinstance(order, str) else None


def _capture_completed(resource: Mapping[str, Any]) -> Fact:
    order_id = _order_id(resource)
    if order_id is None:
        return Ignored("the capture names no order (supplementary_data.related_ids.order_id)")
    amount_document = resource.get("amount")
    amount: Decimal | None = None
    currency: str | None = None
    if isinstance(amount_document, dict):
        try:
            amount = Decimal(str(amount_document.get("value")))
        except InvalidOperation:
            amount = None
        code = amount_document.get("currency_code")
        currency = code.upper() if isinstance(code, str) else None
    custom = resource.get("custom_id")
    return PaymentSucceeded(
        payment_id=custom if isinstance(custom, str) else None,
        provider_payment_id=order_id,
        amount=amount,
        currency=currency,
        data={"capture_id": resource.get("id"), "capture_status": resource.get("status")},
    )


def _transmission_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise WebhookRefusedError(f"PAYPAL-TRANSMISSION-TIME is not a time: {text!r}") from None
    if moment.tzinfo is None:
        raise WebhookRefusedError(f"PAYPAL-TRANSMISSION-TIME has no time zone: {text!r}")
    return moment
