"""A local Stripe and PayPal on 127.0.0.1: the API calls apidisco makes, and signed events.

One ``ThreadingHTTPServer`` on an ephemeral port speaks both providers' APIs for
the calls apidisco makes, checking what it is sent as the real APIs do (keys,
tokens, form and JSON fields), and keeps the state a test needs (sessions,
orders, captures, refunds, idempotency keys):

Stripe (``Authorization: Bearer <secret key>``, form-encoded)::

    POST /v1/checkout/sessions     POST /v1/refunds

PayPal (client-credentials token first, then ``Authorization: Bearer <token>``)::

    POST /v1/oauth2/token                          POST /v2/checkout/orders
    POST /v2/checkout/orders/{id}/capture          POST /v2/payments/captures/{id}/refund
    POST /v1/billing/subscriptions                 POST /v1/notifications/verify-webhook-signature

Events are signed as the providers sign them: Stripe's with HMAC-SHA256 of
``"{t}.{payload}"`` under the webhook secret; PayPal's with an RSA key (made
with ``cryptography``) over ``transmission_id|transmission_time|webhook_id|crc32``,
and the verification endpoint really checks that signature against the bytes of
the event it is given. Nothing here is a stand-in for apidisco's verifier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import urllib.parse
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.localserver import LocalServer

STRIPE_KEY = "sk_test_51apidisco0000"
STRIPE_WEBHOOK_SECRET = "whsec_test_apidisco_secret"
PAYPAL_CLIENT_ID = "paypal-client-id"
PAYPAL_SECRET = "paypal-client-secret"
PAYPAL_WEBHOOK_ID = "WH-0APIDISCO"


@dataclass
class FakeProviders:
    """State of the fake Stripe and PayPal; see the module docstring."""

    requests: list[tuple[str, str]] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    captures: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    refund_status: str = "succeeded"
    paypal_refund_status: str = "COMPLETED"
    capture_status: str = "COMPLETED"
    verifications: int = 0
    _idempotent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _tokens: set[str] = field(default_factory=set)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    _http: LocalServer | None = None

    # -- lifecycle -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._http is not None
        return self._http.origin

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._http = LocalServer(handler, join_handlers=True, poll_interval=0.02)
        self._http.start()

    def stop(self) -> None:
        assert self._http is not None
        self._http.stop()

    def environ(self) -> dict[str, str]:
        """Settings pointing apidisco at this server."""
        return {
            "APIDISCO_STRIPE_API_KEY": STRIPE_KEY,
            "APIDISCO_STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "APIDISCO_STRIPE_API_BASE": self.base_url,
            "APIDISCO_STRIPE_PRICE_PRO": "price_pro_monthly",
            "APIDISCO_STRIPE_PRICE_TEAM": "price_team_monthly",
            "APIDISCO_PAYPAL_CLIENT_ID": PAYPAL_CLIENT_ID,
            "APIDISCO_PAYPAL_CLIENT_SECRET": PAYPAL_SECRET,
            "APIDISCO_PAYPAL_WEBHOOK_ID": PAYPAL_WEBHOOK_ID,
            "APIDISCO_PAYPAL_API_BASE": self.base_url,
            "APIDISCO_PAYPAL_PLAN_PRO": "P-PRO",
            "APIDISCO_PAYPAL_PLAN_TEAM": "P-TEAM",
        }

    def _next(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}{next(self._counter):04d}"

    # -- Stripe events ----------------------------------------------------------------

    def stripe_event(
        self,
        kind: str,
        obj: dict[str, Any],
        *,
        at: int | None = None,
        secret: str = STRIPE_WEBHOOK_SECRET,
        livemode: bool = False,
    ) -> tuple[bytes, dict[str, str]]:
        """A Stripe event delivery: its body and a Stripe-Signature made as Stripe makes it."""
        event = {
            "id": self._next("evt_"),
            "object": "event",
            "type": kind,
            "livemode": livemode,
            "created": at or int(datetime.now(UTC).timestamp()),
            "data": {"object": obj},
        }
        body = json.dumps(event).encode()
        return body, {"Stripe-Signature": stripe_signature(body, secret, at)}

    def stripe_pay(self, session_id: str, **changes: Any) -> tuple[bytes, dict[str, str]]:
        """The buyer pays the session: checkout.session.completed, signed."""
        session = self.sessions[session_id]
        session.update(
            status="complete",
            payment_status="paid",
            payment_intent=session.get("payment_intent") or self._next("pi_"),
        )
        return self.stripe_event("checkout.session.completed", {**session, **changes})

    def stripe_subscription(
        self, kind: str, sub_id: str, status: str, price: str, user_id: str | None
    ) -> tuple[bytes, dict[str, str]]:
        obj = {
            "id": sub_id,
            "object": "subscription",
            "status": status,
            "items": {"data": [{"price": {"id": price}}]},
            "metadata": {"user_id": user_id} if user_id else {},
        }
        return self.stripe_event(f"customer.subscription.{kind}", obj)

    # -- PayPal events -------------------------------------------------------------------

    def paypal_event(
        self,
        kind: str,
        resource: dict[str, Any],
        *,
        at: datetime | None = None,
        webhook_id: str = PAYPAL_WEBHOOK_ID,
    ) -> tuple[bytes, dict[str, str]]:
        """A PayPal delivery: body and transmission headers, signed with the RSA key."""
        event = {
            "id": self._next("WH-EVT-"),
            "event_version": "1.0",
            "create_time": (at or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
            "resource_type": kind.split(".")[0].lower(),
            "event_type": kind,
            "resource": resource,
        }
        body = json.dumps(event, indent=1).encode()  # not compact: bytes must be kept
        transmission_id = str(uuid.uuid4())
        when = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = f"{transmission_id}|{when}|{webhook_id}|{zlib.crc32(body)}".encode()
        signature = self._key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        return body, {
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": f"{self.base_url}/v1/notifications/certs/CERT-APIDISCO",
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
            "PAYPAL-TRANSMISSION-TIME": when,
        }

    def paypal_approve(self, order_id: str) -> tuple[bytes, dict[str, str]]:
        """The buyer approves the order: CHECKOUT.ORDER.APPROVED, signed."""
        order = self.orders[order_id]
        order["status"] = "APPROVED"
        return self.paypal_event("CHECKOUT.ORDER.APPROVED", order)

    def paypal_capture_event(
        self, order_id: str, kind: str = "PAYMENT.CAPTURE.COMPLETED", **changes: Any
    ) -> tuple[bytes, dict[str, str]]:
        """The event PayPal sends about the order's capture."""
        capture = next(c for c in self.captures.values() if c["order_id"] == order_id)
        resource = {
            "id": capture["id"],
            "status": capture["status"],
            "amount": capture["amount"],
            "custom_id": capture["custom_id"],
            "supplementary_data": {"related_ids": {"order_id": order_id}},
            **changes,
        }
        return self.paypal_event(kind, resource)

    def paypal_subscription(
        self, kind: str, sub_id: str, status: str, plan: str, user_id: str | None
    ) -> tuple[bytes, dict[str, str]]:
        resource = {"id": sub_id, "status": status, "plan_id": plan}
        if user_id:
            resource["custom_id"] = user_id
        return self.paypal_event(f"BILLING.SUBSCRIPTION.{kind}", resource)

    # -- the APIs ------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Answer:
        with self._lock:
            self.requests.append((method, path))
        if path.startswith("/v1/checkout") or path == "/v1/refunds":
            if headers.get("authorization") != f"Bearer {STRIPE_KEY}":
                return 401, {"error": {"type": "invalid_request_error", "message": "bad key"}}
            form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
            key = headers.get("idempotency-key")
            if key is None:
                return 400, {"error": {"message": "apidisco always sends an Idempotency-Key"}}
            with self._lock:
                if key in self._idempotent:
                    return self._idempotent[key]
            answer = (
                self._stripe_session(form)
                if path == "/v1/checkout/sessions"
                else self._refund(form)
            )
            with self._lock:
                self._idempotent.setdefault(key, answer)
            return answer
        if path == "/v1/oauth2/token":
            expected = base64.b64encode(f"{PAYPAL_CLIENT_ID}:{PAYPAL_SECRET}".encode()).decode()
            if headers.get("authorization") != f"Basic {expected}":
                return 401, {"error": "invalid_client", "error_description": "bad credentials"}
            if urllib.parse.parse_qs(raw.decode()).get("grant_type") != ["client_credentials"]:
                return 400, {"error": "unsupported_grant_type"}
            token = f"A21{uuid.uuid4().hex}"
            with self._lock:
                self._tokens.add(token)
            return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 32400}
        token = headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            known = token in self._tokens
        if not known:
            return 401, {"name": "AUTHENTICATION_FAILURE", "message": "bad token"}
        if path == "/v1/notifications/verify-webhook-signature":
            return self._verify(raw)
        request_id = headers.get("paypal-request-id")
        with self._lock:
            if request_id and request_id in self._idempotent:
                return self._idempotent[request_id]
        document = json.loads(raw or b"{}")
        if path == "/v2/checkout/orders":
            answer = self._order(document)
        elif path.startswith("/v2/checkout/orders/") and path.endswith("/capture"):
            answer = self._capture(path.split("/")[4])
        elif path.startswith("/v2/payments/captures/") and path.endswith("/refund"):
            answer = self._paypal_refund(path.split("/")[4], document)
        elif path == "/v1/billing/subscriptions":
            answer = self._subscription(document)
        else:
            return 404, {"name": "RESOURCE_NOT_FOUND"}
        if request_id and answer[0] < 300:
            with self._lock:
                self._idempotent.setdefault(request_id, answer)
        return answer

    def _stripe_session(self, form: dict[str, str]) -> Answer:
        mode = form.get("mode")
        for needed in ("success_url", "cancel_url", "line_items[0][quantity]"):
            if needed not in form:
                return 400, {"error": {"message": f"Missing required param: {needed}."}}
        session_id = self._next("cs_test_")
        session: dict[str, Any] = {
            "id": session_id,
            "object": "checkout.session",
            "mode": mode,
            "url": f"{self.base_url}/c/pay/{session_id}",
            "client_reference_id": form.get("client_reference_id"),
            "customer_email": form.get("customer_email"),
            "livemode": False,
            "status": "open",
            "payment_status": "unpaid",
            "payment_intent": None,
            "metadata": {
                k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")
            },
        }
        if mode == "payment":
            session["currency"] = form["line_items[0][price_data][currency]"]
            session["amount_total"] = int(form["line_items[0][price_data][unit_amount]"])
        elif mode == "subscription":
            session["line_price"] = form["line_items[0][price]"]
        else:
            return 400, {"error": {"message": f"Invalid mode: {mode}"}}
        with self._lock:
            self.sessions[session_id] = session
        return 200, session

    def _refund(self, form: dict[str, str]) -> Answer:
        intent = form.get("payment_intent")
        with self._lock:
            paid = [s for s in self.sessions.values() if s.get("payment_intent") == intent]
        if not paid:
            return 400, {"error": {"message": f"No such payment_intent: '{intent}'"}}
        refund = {
            "id": self._next("re_"),
            "object": "refund",
            "payment_intent": intent,
            "amount": paid[0]["amount_total"],
            "status": self.refund_status,
            "metadata": {"payment_id": form.get("metadata[payment_id]")},
        }
        with self._lock:
            self.refunds.append(refund)
        return 200, refund

    def _order(self, document: dict[str, Any]) -> Answer:
        units = document.get("purchase_units")
        if document.get("intent") != "CAPTURE" or not isinstance(units, list) or not units:
            return 400, {"name": "INVALID_REQUEST", "details": [{"issue": "MISSING_PARAMETER"}]}
        order_id = self._next("ORDER-")
        order = {
            "id": order_id,
            "status": "CREATED",
            "purchase_units": units,
            "links": [
                {"rel": "self", "href": f"{self.base_url}/v2/checkout/orders/{order_id}"},
                {"rel": "payer-action", "href": f"{self.base_url}/checkoutnow?token={order_id}"},
            ],
        }
        with self._lock:
            self.orders[order_id] = order
        return 201, order

    def _capture(self, order_id: str) -> Answer:
        order = self.orders.get(order_id)
        if order is None:
            return 404, {"name": "RESOURCE_NOT_FOUND"}
        if order["status"] == "COMPLETED":
            return 422, {
                "name": "UNPROCESSABLE_ENTITY",
                "details": [{"issue": "ORDER_ALREADY_CAPTURED"}],
            }
        if order["status"] != "APPROVED":
            return 422, {
                "name": "UNPROCESSABLE_ENTITY",
                "details": [{"issue": "ORDER_NOT_APPROVED"}],
            }
        unit = order["purchase_units"][0]
        capture = {
            "id": self._next("CAPTURE-"),
            "status": self.capture_status,
            "amount": unit["amount"],
            "custom_id": unit.get("custom_id"),
            "order_id": order_id,
        }
        order["status"] = "COMPLETED"
        with self._lock:
            self.captures[capture["id"]] = capture
        answer = {
            "id": order_id,
            "status": "COMPLETED",
            "purchase_units": [{**unit, "payments": {"captures": [capture]}}],
        }
        return 201, answer

    def _paypal_refund(self, capture_id: str, document: dict[str, Any]) -> Answer:
        capture = self.captures.get(capture_id)
        if capture is None:
            return 404, {
                "name": "RESOURCE_NOT_FOUND",
                "details": [{"issue": "INVALID_RESOURCE_ID"}],
            }
        refund = {
            "id": self._next("REFUND-"),
            "status": self.paypal_refund_status,
            "capture_id": capture_id,
            "amount": document.get("amount"),
        }
        with self._lock:
            self.refunds.append(refund)
        return 201, refund

    def _subscription(self, document: dict[str, Any]) -> Answer:
        if not document.get("plan_id"):
            return 400, {"name": "INVALID_REQUEST", "details": [{"issue": "MISSING_PARAMETER"}]}
        sub_id = self._next("I-")
        subscription = {
            "id": sub_id,
            "status": "APPROVAL_PENDING",
            "plan_id": document["plan_id"],
            "custom_id": document.get("custom_id"),
            "links": [{"rel": "approve", "href": f"{self.base_url}/webapps/billing?ba={sub_id}"}],
        }
        with self._lock:
            self.subscriptions[sub_id] = subscription
        return 201, subscription

    def _verify(self, raw: bytes) -> Answer:
        """Check the RSA signature over the event's bytes exactly as they were sent."""
        with self._lock:
            self.verifications += 1
        document = json.loads(raw)
        marker = b'"webhook_event":'
        start = raw.index(marker) + len(marker)
        while raw[start : start + 1].isspace():
            start += 1
        _, end = json.JSONDecoder().raw_decode(raw.decode(), start)
        event_bytes = raw[start:end]
        if not document.get("cert_url", "").startswith(f"{self.base_url}/v1/notifications/certs/"):
            return 200, {"verification_status": "FAILURE"}
        if document.get("auth_algo") != "SHA256withRSA":
            return 200, {"verification_status": "FAILURE"}
        message = (
            f"{document['transmission_id']}|{document['transmission_time']}|"
            f"{document['webhook_id']}|{zlib.crc32(event_bytes)}"
        ).encode()
        try:
            self._key.public_key().verify(
                base64.b64decode(document["transmission_sig"]),
                message,
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            return 200, {"verification_status": "FAILURE"}
        return 200, {"verification_status": "SUCCESS"}


Answer = tuple[int, dict[str, Any]]


def stripe_signature(
    body: bytes, secret: str = STRIPE_WEBHOOK_SECRET, at: int | None = None
) -> str:
    """``t=...,v1=...`` as Stripe signs ``body`` at ``at`` (default now)."""
    timestamp = at or int(datetime.now(UTC).timestamp())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeProviders

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, body = self.fake.handle("POST", self.path, headers, raw)
        encoded = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: Any) -> None:
        pass
