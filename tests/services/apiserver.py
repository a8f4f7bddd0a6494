"""A small book-shop API on 127.0.0.1 whose behaviour a test switches between versions.

Versions (``server.version``):

- ``baseline`` — ``POST /api/books`` (needs ``Authorization: Bearer TOKEN``)
  creates a book (201, ``Location``); ``GET /api/books/{id}`` reads it;
  ``GET /api/authors/{id}`` needs no credentials; ``OPTIONS`` answers ``Allow``.
  Every response carries a fresh ``requestId`` and ``servedAt``; ids count up.
- ``field-removed`` — books lose ``title``;
- ``type-changed`` — a book's ``price`` is a string;
- ``endpoint-removed`` — ``/api/authors/...`` answers 404;
- ``method-added`` — ``/api/books/{id}`` also allows DELETE;
- ``auth-added`` — ``/api/authors/...`` answers 401 without credentials;
- ``metadata-redirect`` — ``GET /api/books/{id}`` answers 302 to the cloud
  metadata address.

It counts the requests it answers per method and path.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.localserver import LocalServer

TOKEN = "s3cret-token-7f1e2d"
START = datetime(2026, 1, 1, tzinfo=UTC)


class ShopServer(LocalServer):
    def __init__(self) -> None:
        self.version = "baseline"
        self.requests: Counter[str] = Counter()
        self.books: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1001)
        self._ticks = itertools.count(1)
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def _answer(
                self, status: int, body: Any = None, headers: dict[str, str] | None = None
            ) -> None:
                content = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def _handle(self) -> None:
                with owner._lock:
                    owner.requests[f"{self.command} {self.path.split('?')[0]}"] += 1
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body, headers = owner.route(
                    self.command, self.path.split("?")[0], dict(self.headers.items()), raw
                )
                self._answer(status, body, headers)

            do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = _handle  # noqa: N815

        super().__init__(Handler)

    @property
    def url(self) -> str:
        return self.origin

    @property
    def destination(self) -> str:
        return f"{self.url}/api"

    def count(self, method: str, prefix: str) -> int:
        with self._lock:
            return sum(
                n for key, n in self.requests.items() if key.startswith(f"{method} {prefix}")
            )

    def _stamp(self) -> dict[str, str]:
        tick = next(self._ticks)
        return {
            "requestId": str(uuid.uuid4()),
            "servedAt": (START + timedelta(seconds=tick)).isoformat(),
        }

    def _book(self, book: dict[str, Any]) -> dict[str, Any]:
        shown = {**book, **self._stamp()}
        if self.version == "field-removed":
            shown.pop("title")
        if self.version == "type-changed":
            shown["price"] = f"{book['price']:.2f}"
        return shown

    def route(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        parts = [p for p in path.split("/") if p]
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization")
        if parts[:1] != ["api"]:
            return 404, {"error": "not found"}, {}
        if method == "OPTIONS":
            allowed = "GET, OPTIONS"
            if parts[1:2] == ["books"] and len(parts) == 3 and self.version == "method-added":
                allowed = "GET, DELETE, OPTIONS"
            if parts[1:2] == ["books"] and len(parts) == 2:
                allowed = "POST, OPTIONS"
            return 204, None, {"Allow": allowed}
        if parts[1:2] == ["books"] and len(parts) == 2 and method == "POST":
            if auth != f"Bearer {TOKEN}":
                return 401, {"error": "unauthorised"}, {}
            sent = json.loads(raw or b"{}")
            book_id = f"bk_{next(self._ids)}"
            book = {
                "id": book_id,
                "title": sent.get("title", ""),
                "price": float(sent.get("price", 0)),
                "currency": "EUR",
                "createdAt": (START + timedelta(minutes=next(self._ticks))).isoformat(),
            }
            self.books[book_id] = book
            return 201, self._book(book), {"Location": f"/api/books/{book_id}"}
        if parts[1:2] == ["books"] and len(parts) == 3 and method == "GET":
            if self.version == "metadata-redirect":
                return 302, None, {"Location": "http://169.254.169.254/latest/meta-data/"}
            found = self.books.get(parts[2])
            if found is None:
                return 404, {"error": "no such book"}, {}
            return 200, self._book(found), {}
        if parts[1:2] == ["authors"] and len(parts) == 3 and method == "GET":
            if self.version == "endpoint-removed":
                return 404, {"error": "not found"}, {}
            if self.version == "auth-added" and not auth:
                return 401, {"error": "sign in"}, {"WWW-Authenticate": "Bearer"}
            return 200, {"id": parts[2], "name": "Ann Author", "books": 3, **self._stamp()}, {}
        if len(parts) >= 2 and parts[1] in {"books", "authors"}:
            return 405, {"error": "method not allowed"}, {"Allow": "GET, OPTIONS"}
        return 404, {"error": "not found"}, {}
