"""The HTTP receiver behind ``apidisco payments listen``: provider events in, answers out.

A ``ThreadingHTTPServer`` (standard library) on 127.0.0.1 by default, with::

    POST /webhooks/stripe      a Stripe event (Stripe-Signature header)
    POST /webhooks/paypal      a PayPal event (PAYPAL-TRANSMISSION-* headers)
    GET  /checkout/done        where checkouts send the buyer back to
    GET  /checkout/cancelled

Each delivery is handed, body and headers as received, to the ``handle``
callback the caller gives (the payments service), and answered as the
providers expect: 200 when accepted, 400 when refused (the provider stops
retrying a delivery that cannot succeed), 503 when apidisco could not process
it (the provider retries later). The receiver itself never touches the store.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from apidisco.errors import ApidiscoError, WebhookRefusedError

__all__ = ["MAX_BODY", "Handle", "WebhookReceiver"]

MAX_BODY = 1_048_576
PROVIDERS = {"/webhooks/stripe": "stripe", "/webhooks/paypal": "paypal"}
PAGES = {
    "/checkout/done": "Thank you. Your credits are added as soon as the provider confirms "
    "the payment; `apidisco payments list` shows where it stands.\n",
    "/checkout/cancelled": "The checkout was cancelled; nothing was charged.\n",
}

# handle(provider, body, headers) -> a JSON-serialisable summary of what was done.
Handle = Callable[[str, bytes, Mapping[str, str]], dict[str, Any]]
# report(provider, status, summary) is told about every delivery (for the console).
Report = Callable[[str, int, dict[str, Any]], None]


class WebhookReceiver:
    """Serves the routes above until :meth:`stop`; ``port`` 0 picks a free port."""

    def __init__(
        self,
        handle: Handle,
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        report: Report | None = None,
    ) -> None:
        self.handle = handle
        self.report = report
        handler = type("Handler", (_Handler,), {"receiver": self})
        self._http = ThreadingHTTPServer((host, port), handler)
        self._http.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._http.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        self._http.serve_forever(poll_interval=0.1)

    def start(self) -> None:
        """Serve on a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def deliver(self, provider: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        """The status and JSON body answering one delivery."""
        try:
            summary = self.handle(provider, body, headers)
            status = 200
        except WebhookRefusedError as refused:
            summary, status = {"error": refused.message, "refused": True}, 400
        except ApidiscoError as error:
            summary, status = {"error": error.message}, 503
        except Exception as error:  # a bug: answer, so the provider retries later
            summary, status = {"error": f"unexpected {type(error).__name__}"}, 500
        if self.report is not None:
            self.report(provider, status, summary)
        return status, json.dumps(summary, default=str).encode()


class _Handler(BaseHTTPRequestHandler):
    receiver: WebhookReceiver
    server_version = "apidisco-webhooks"

    def do_POST(self) -> None:
        provider = PROVIDERS.get(self.path.split("?", 1)[0])
        if provider is None:
            self._answer(404, b'{"error": "not found"}')
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length <= 0 or length > MAX_BODY:
            self._answer(413 if length > MAX_BODY else 400, b'{"error": "bad body length"}')
            return
        body = self.rfile.read(length)
        headers = {key: value for key, value in self.headers.items()}
        status, answer = self.receiver.deliver(provider, body, headers)
        self._answer(status, answer)

    def do_GET(self) -> None:
        page = PAGES.get(self.path.split("?", 1)[0])
        if page is None:
            self._answer(404, b'{"error": "not found"}')
            return
        self._answer(200, page.encode(), "text/plain; charset=utf-8")

    def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the receiver reports deliveries through its ``report`` callback."""
