"""Record a small local API through mitmdump, infer it, and export its documents.

The whole loop on one machine, nothing mocked:

1. a small bookshop API (standard library only) starts on 127.0.0.1;
2. a fresh SQLite store gets an account and an endpoint for it;
3. ``mitmdump -s "$(apidisco addon path)"`` runs in reverse mode in front of
   the API, recording into that store;
4. an httpx client uses the API through the proxy: books and their reviews,
   a page of results, a 404, a refused call without a token;
5. mitmdump stops (Ctrl-C: the addon writes what is queued), inference runs,
   and the OpenAPI, Markdown and TypeScript documents are written to
   OUTPUT_DIR (a new temporary folder by default).

Usage: python examples/record_and_document.py [OUTPUT_DIR]
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from apidisco.config import resolve_settings
from apidisco.services import accounts, endpoints, exports, inference
from apidisco.services.actor import Actor
from apidisco.services.database import connect, upgrade_schema
from apidisco.services.endpoints import Pricing

TOKEN = "Bearer example-token"
BOOKS: dict[int, dict[str, Any]] = {
    n: {"id": n, "title": f"Book {n}", "author": f"Author {n % 3}", "year": 1990 + n, "tags": []}
    for n in range(1, 13)
}


class Bookshop(BaseHTTPRequestHandler):
    """GET/POST /books, GET/PUT/DELETE /books/{id}, GET/POST /books/{id}/reviews."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        return

    def _send(self, status: int, document: Any = None) -> None:
        body = b"" if document is None else json.dumps(document).encode()
        self.send_response(status)
        if document is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")

    def _route(self, method: str) -> None:
        if self.headers.get("Authorization") != TOKEN:
            self._send(401, {"error": "a bearer token is needed"})
            return
        path, _, query = self.path.partition("?")
        if path == "/books" and method == "GET":
            page = int(dict(p.split("=") for p in query.split("&") if "=" in p).get("page", 1))
            listed = list(BOOKS.values())[(page - 1) * 5 : page * 5]
            self._send(200, {"data": listed, "page": page, "total": len(BOOKS)})
        elif path == "/books" and method == "POST":
            book = {"id": max(BOOKS) + 1, "tags": [], **self._body()}
            BOOKS[book["id"]] = book
            self._send(201, book)
        elif match := re.fullmatch(r"/books/(\d+)", path):
            self._book(method, int(match.group(1)))
        elif match := re.fullmatch(r"/books/(\d+)/reviews", path):
            if method == "POST":
                self._send(201, {"id": 1, "stars": self._body()["stars"], "book": int(match[1])})
            else:
                self._send(200, [{"id": 1, "stars": 5, "text": "Lovely", "book": int(match[1])}])
        else:
            self._send(404, {"error": "no such resource"})

    def _book(self, method: str, number: int) -> None:
        if number not in BOOKS:
            self._send(404, {"error": f"no book {number}"})
        elif method == "GET":
            self._send(200, BOOKS[number])
        elif method == "PUT":
            BOOKS[number] = {**BOOKS[number], **self._body()}
            self._send(200, BOOKS[number])
        else:
            del BOOKS[number]
            self._send(204)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"mitmdump exited early:\n{process.stdout.read() if process.stdout else ''}"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} after {timeout} s")


def use_the_api(proxy: str) -> int:
    """The workload: what a client of the bookshop would do. Returns the calls made."""
    headers = {"Authorization": TOKEN}
    with httpx.Client(base_url=proxy, headers=headers, timeout=10) as client:
        calls = [client.get("/books", params={"page": page}) for page in (1, 2, 3)]
        calls += [client.get(f"/books/{n}") for n in range(1, 13)]
        calls.append(client.post("/books", json={"title": "New", "author": "Me", "year": 2026}))
        calls.append(client.put("/books/3", json={"title": "Renamed"}))
        calls.append(client.delete("/books/12"))
        calls.append(client.get("/books/99"))
        calls += [client.get(f"/books/{n}/reviews") for n in (1, 2, 3)]
        calls.append(client.post("/books/1/reviews", json={"stars": 4, "text": "Good"}))
        calls.append(httpx.get(f"{proxy}/books/1", timeout=10))  # no token: refused
    return len(calls)


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp(prefix="apidisco-"))
    output.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="apidisco-example-"))
    store = f"sqlite:///{scratch / 'store.db'}"

    api = ThreadingHTTPServer(("127.0.0.1", free_port()), Bookshop)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    destination = f"http://127.0.0.1:{api.server_address[1]}"

    database = connect(resolve_settings({"database_url": store}), require_head=False)
    upgrade_schema(database)
    account = accounts.signup(
        database, email="reader@example.com", password="a long password", rounds=4
    )
    actor = Actor(id=account.id, email=account.email, role=account.role)
    pricing = Pricing(endpoint_price=0, included={"FREE": 1, "PRO": 1, "TEAM": 1})
    endpoint = endpoints.create(
        database, actor, destination, pricing=pricing, allow_private=True, name="Bookshop"
    )

    port = free_port()
    bin_dir = Path(sys.executable).parent
    script = subprocess.run(
        [bin_dir / "apidisco", "addon", "path"], capture_output=True, text=True, check=True
    ).stdout.strip()
    mitmdump = bin_dir / "mitmdump"
    command = [
        str(mitmdump), "--listen-host", "127.0.0.1", "--listen-port", str(port),
        "--mode", f"reverse:{destination}", "--set", f"confdir={scratch / 'mitmproxy'}",
        "-s", script, "--set", f"apidisco_endpoint={endpoint.id}",
        "--set", f"apidisco_db={store}", "-q",
    ]  # fmt: skip
    proxy = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, proxy)
        made = use_the_api(f"http://127.0.0.1:{port}")
    finally:
        proxy.send_signal(signal.SIGINT)
        proxy.wait(timeout=30)
        api.shutdown()
    print(f"made {made} calls through mitmdump on port {port}")

    report = inference.infer_endpoint(database, actor, endpoint.id)
    print(f"inferred {len(report.resources)} endpoints from {report.calls} recorded calls:")
    for resource in report.resources:
        print(f"  {' '.join(resource.methods):<16} {resource.pattern}")
    for kind, name in (
        ("openapi", "openapi.yaml"),
        ("markdown", "API.md"),
        ("typescript", "api.d.ts"),
    ):
        (output / name).write_text(exports.export_endpoint(database, actor, endpoint.id, kind))
        print(f"wrote {output / name}")
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
