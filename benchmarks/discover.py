"""How fast `apidisco discover` turns a mitmproxy flow file into an OpenAPI document.

Usage: python benchmarks/discover.py [--sizes 1000,50000] [--runs 3 | --runs 3,1] [--seed 7]
       [--bench-venv /work/benchvenv] [--timeout 900] [--keep DIR]

Run it with the Python of apidisco's development virtualenv (apidisco and mitmproxy
come from there). mitmproxy2swagger pins other releases and lives in a virtualenv of
its own (--bench-venv; see benchmarks/inference_quality.py for how it is installed).

For each size N, a flow file of N HTTP flows is written with mitmproxy's own
``FlowWriter`` (deterministic for a --seed): a shop API under
https://api.shop.example/v1 with 32 operations — integer, UUID, slug, SKU and date
ids, list endpoints with page, filter, sort and cursor query parameters, JSON
request and response bodies of about 300-800 bytes, bearer tokens, realistic
request and response headers, 201/204 answers and 400/401/404/409/422/429/500
errors — plus about 3% of calls to a CDN and a telemetry host, as a browser
session has. Flows share 16 keep-alive client connections.

Then, alternating the tools in each of --runs rounds (one count for every size, or
one per size: ``--runs 3,1``), every command in a fresh
process of its own, timed from here (wall time of the whole process: interpreter
start-up, imports, reading, inference and writing):

- floor: a Python process that reads the file with ``mitmproxy.io.FlowReader(...)
  .stream()`` and touches each flow (method, URL, response body length) — the
  least any tool built on mitmproxy's reader can take for that file;
- apidisco: ``apidisco discover FILE -o openapi.yaml --base-url
  https://api.shop.example/v1`` (the console script, with a scratch
  APIDISCO_DATA_DIR and APIDISCO_CONFIG);
- mitmproxy2swagger: its two passes (``-i FILE -o schema.yaml -p
  https://api.shop.example/v1 -f flow``), every ``ignore:`` prefix of the first
  pass's x-path-templates removed in between (every suggested template accepted),
  timed together;
- mitmproxy2swagger tuned: the same with ``-r '[^/]*[0-9][^/]*' -s`` (any segment
  with a digit is a parameter; concrete paths are not listed as templates).

Before the first round every command runs once, untimed, on a 50-flow file, and
the commands run without ``PYTHONDONTWRITEBYTECODE``: each tool then starts from
its bytecode cache, as an installed tool does (apidisco's development install is
editable, so its modules have no cache until they are first imported with
caching on; without this it would compile its sources on every run).

Peak memory is the peak resident set size of each command's process, from GNU
``/usr/bin/time -f %M`` (``wait4``'s ``ru_maxrss``): /usr/bin/time forks and execs
the command itself, so the figure is the command's own and not inherited from this
(larger) process. For mitmproxy2swagger it is the larger of the two passes'.
A command that runs longer than --timeout seconds is stopped and reported as such.

Prints, per size, the medians of wall time and peak memory for each, the ratio of
each wall time to the floor's, apidisco's speed-up over each mitmproxy2swagger
variant, and the paths in each output document; then the goals (issue:
apidisco within 1.5x the floor, at least 3x faster than mitmproxy2swagger even
tuned, and under 100 MB of peak memory at 50,000 flows), met or not.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from mitmproxy import connection, http
from mitmproxy import io as mitmio
from mitmproxy.net.http import status_codes

BIN = Path(sys.executable).parent
APIDISCO_CLI = str(BIN / "apidisco")
DEFAULT_BENCH_VENV = Path("/work/benchvenv")
WARM_UP_FLOWS = 50
TIME = "/usr/bin/time"
HOST = "api.shop.example"
BASE_URL = f"https://{HOST}/v1"
TUNED = ["-r", "[^/]*[0-9][^/]*", "-s"]
FLOOR, APIDISCO, M2S, M2S_TUNED = "floor", "apidisco", "mitmproxy2swagger", "m2s tuned"
TOOLS = (FLOOR, APIDISCO, M2S, M2S_TUNED)
GOAL_FLOOR, GOAL_SPEEDUP, GOAL_MB, GOAL_FLOWS = 1.5, 3.0, 100.0, 50_000
START = 1_793_520_000.0  # 2026-11-01T00:00:00Z
CONNECTIONS = 16

#: The floor: read the file with mitmproxy's reader and touch every flow.
FLOOR_SCRIPT = """
import sys
from mitmproxy import io
n = size = 0
with open(sys.argv[1], "rb") as stream:
    for flow in io.FlowReader(stream).stream():
        n += 1
        size += len(flow.request.method) + len(flow.request.url)
        if flow.response is not None:
            size += len(flow.response.raw_content or b"")
print(n, size)
"""

WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris"]
CATEGORIES = [
    f"{a}-{b}"
    for a in ("garden", "kitchen", "office", "outdoor", "bath", "kids")
    for b in ("tools", "decor", "storage", "lighting", "textiles")
]
STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled"]
AGENTS = [
    b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0",
    b"ShopApp/4.12.0 (iPhone; iOS 18.1; Scale/3.00)",
    b"okhttp/4.12.0",
]


# -- the workload -----------------------------------------------------------------------


@dataclass
class Call:
    method: str
    path: str  # under BASE_URL, with the query string
    status: int
    response: Any = None  # a JSON document, or None for no body
    request: Any = None
    host: str = HOST
    token: bool = True
    content_type: str = "application/json"
    raw: bytes | None = None  # a non-JSON response body


@dataclass
class Workload:
    """A deterministic shop API session: ``call(index)`` is the index-th call."""

    rng: random.Random
    tokens: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    carts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tokens = [f"eyJhbGciOiJIUzI1NiJ9.{self._hex(48)}.{self._hex(43)}" for _ in range(24)]
        self.orders = [self.uuid() for _ in range(4000)]
        self.carts = [self.uuid() for _ in range(1500)]

    def _hex(self, length: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(length))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def user_id(self) -> int:
        return int(self.rng.paretovariate(0.9) * 40) % 3000 + 1

    def product_id(self) -> int:
        return int(self.rng.paretovariate(1.1) * 15) % 1500 + 1

    def user(self, n: int) -> dict[str, Any]:
        word = WORDS[n % len(WORDS)]
        return {
            "id": n,
            "email": f"{word}.{n}@example.com",
            "name": f"{word.title()} Shopper {n}",
            "created_at": f"2025-{1 + n % 12:02}-{1 + n % 28:02}T10:{n % 60:02}:00Z",
            "verified": n % 3 != 0,
            "roles": ["customer", "reviewer"][: 1 + n % 2],
            "locale": ["en-GB", "de-DE", "fr-FR"][n % 3],
            "profile": {"bio": None if n % 4 else "Likes gardening.", "avatar_url": None},
            "loyalty": {"tier": ["bronze", "silver", "gold"][n % 3], "points": n * 7 % 5000},
        }

    def product(self, n: int) -> dict[str, Any]:
        return {
            "id": n,
            "sku": f"SKU-{n:05}",
            "name": f"{WORDS[n % len(WORDS)].title()} item {n}",
            "category": CATEGORIES[n % len(CATEGORIES)],
            "price": {"amount": round(4.99 + n * 0.37, 2), "currency": "EUR"},
            "stock": n * 13 % 200,
            "rating": round(1 + n % 40 / 10, 1),
            "tags": ["new", "sale", "eco"][: n % 3],
            "dimensions": {"width_cm": 10 + n % 50, "height_cm": 5 + n % 30},
        }

    def order(self, order_id: str, user: int) -> dict[str, Any]:
        lines = [
            {"product_id": p, "quantity": 1 + p % 3, "unit_price": round(4.99 + p * 0.37, 2)}
            for p in (self.product_id(), self.product_id())
        ]
        return {
            "id": order_id,
            "user_id": user,
            "status": self.rng.choice(STATUSES),
            "placed_at": f"2026-10-{self.rng.randint(1, 30):02}T12:00:00Z",
            "lines": lines,
            "shipping": {"method": "standard", "address_id": user * 3},
            "total": {"amount": sum(line["unit_price"] for line in lines), "currency": "EUR"},
        }

    def error(self, status: int, code: str, message: str) -> dict[str, Any]:
        return {
            "error": {"status": status, "code": code, "message": message},
            "request_id": self.uuid(),
            "documentation_url": f"https://docs.shop.example/errors/{code}",
        }

    def call(self, index: int) -> Call:
        r = self.rng
        kind = r.randrange(100)
        u, p = self.user_id(), self.product_id()
        if kind < 2:
            return Call(
                "GET",
                f"/assets/app.{self._hex(8)}.js",
                200,
                host="cdn.shop.example",
                token=False,
                content_type="application/javascript",
                raw=b"(()=>{" + b"var a=1;" * 60 + b"})();",
            )
        if kind < 3:
            event = {"event": "page_view", "page": f"/products/{p}", "session": self.uuid()}
            return Call(
                "POST", "/collect", 204, request=event, host="telemetry.example.net", token=False
            )
        if kind < 12:
            if r.random() < 0.03:
                return Call(
                    "GET", f"/users/{u + 5000}", 404, self.error(404, "not_found", "No such user.")
                )
            return Call("GET", f"/users/{u}", 200, self.user(u))
        if kind < 16:
            page = r.randint(1, 40)
            body = {
                "data": [self.user(page * 25 + i) for i in range(2)],
                "page": page,
                "per_page": 25,
                "total": 3000,
            }
            return Call("GET", f"/users?page={page}&per_page=25", 200, body)
        if kind < 18:
            new = {
                "email": f"new{index}@example.com",
                "name": f"New {index}",
                "password": "hunter2-" + self._hex(8),
                "locale": "en-GB",
            }
            roll = r.random()
            if roll < 0.08:
                return Call("POST", "/users", 409, self.error(409, "conflict", "Email taken."), new)
            if roll < 0.14:
                return Call(
                    "POST",
                    "/users",
                    422,
                    self.error(422, "invalid", "password: too short"),
                    {**new, "password": "x"},
                )
            return Call("POST", "/users", 201, self.user(3000 + index), new)
        if kind < 19:
            return Call(
                "PATCH",
                f"/users/{u}",
                200,
                self.user(u),
                {"name": f"Renamed {u}", "locale": "de-DE"},
            )
        if kind < 20:
            return Call("DELETE", f"/users/{u}", 204)
        if kind < 23:
            if r.random() < 0.1:
                return Call(
                    "GET",
                    "/users/me",
                    401,
                    self.error(401, "unauthorized", "Missing or expired token."),
                    token=False,
                )
            return Call("GET", "/users/me", 200, self.user(u))
        if kind < 27:
            status = r.choice(STATUSES)
            orders = [
                {"id": o, "status": status, "total": {"amount": 12.5, "currency": "EUR"}}
                for o in r.sample(self.orders, 3)
            ]
            body = {
                "data": orders,
                "next": f"/v1/users/{u}/orders?status={status}&limit=3&offset=3",
            }
            return Call("GET", f"/users/{u}/orders?status={status}&limit=3", 200, body)
        if kind < 29:
            body = {
                "data": [
                    {
                        "id": u * 3 + i,
                        "street": f"{i + 1} {WORDS[i].title()} Road",
                        "city": "Leeds",
                        "postcode": "LS1 4AP",
                        "country": "GB",
                        "default": i == 0,
                    }
                    for i in range(2)
                ]
            }
            return Call("GET", f"/users/{u}/addresses", 200, body)
        if kind < 30:
            address = {
                "street": "12 Cedar Lane",
                "city": "York",
                "postcode": "YO1 7HH",
                "country": "GB",
            }
            return Call(
                "POST",
                f"/users/{u}/addresses",
                201,
                {"id": u * 3 + 2, **address, "default": False},
                address,
            )
        if kind < 38:
            order = r.choice(self.orders)
            if r.random() < 0.03:
                return Call(
                    "GET",
                    f"/orders/{self.uuid()}",
                    404,
                    self.error(404, "not_found", "No such order."),
                )
            return Call("GET", f"/orders/{order}", 200, self.order(order, u))
        if kind < 41:
            checkout: dict[str, Any] = {
                "cart_id": r.choice(self.carts),
                "shipping": {"method": "standard", "address_id": u * 3},
                "payment": {"method": "card", "token": "tok_" + self._hex(16)},
            }
            if r.random() < 0.1:
                return Call(
                    "POST", "/orders", 422, self.error(422, "invalid", "cart is empty"), checkout
                )
            return Call("POST", "/orders", 201, self.order(self.uuid(), u), checkout)
        if kind < 42:
            order = r.choice(self.orders)
            if r.random() < 0.3:
                return Call(
                    "POST",
                    f"/orders/{order}/cancel",
                    409,
                    self.error(409, "conflict", "Order already shipped."),
                    {"reason": "changed my mind"},
                )
            return Call(
                "POST",
                f"/orders/{order}/cancel",
                200,
                {**self.order(order, u), "status": "cancelled"},
                {"reason": "changed my mind"},
            )
        if kind < 44:
            order = r.choice(self.orders)
            return Call(
                "GET",
                f"/orders/{order}/items",
                200,
                {"data": self.order(order, u)["lines"], "order_id": order},
            )
        if kind < 52:
            page = r.randint(1, 20)
            category = r.choice(CATEGORIES)
            sort = r.choice(["price", "-price", "rating", "name"])
            body = {
                "data": [self.product(page * 3 + i) for i in range(2)],
                "page": page,
                "total": 1500,
            }
            return Call("GET", f"/products?category={category}&sort={sort}&page={page}", 200, body)
        if kind < 62:
            if r.random() < 0.02:
                return Call(
                    "GET",
                    f"/products/{p + 9000}",
                    404,
                    self.error(404, "not_found", "No such product."),
                )
            return Call("GET", f"/products/{p}", 200, self.product(p))
        if kind < 63:
            change = {"price": {"amount": 19.99, "currency": "EUR"}, "stock": 40}
            return Call(
                "PUT",
                f"/products/{p}",
                200,
                {**self.product(p), **change},
                {**self.product(p), **change},
            )
        if kind < 66:
            page = r.randint(1, 5)
            reviews = [
                {
                    "id": p * 10 + i,
                    "user_id": self.user_id(),
                    "stars": 1 + i * 2,
                    "title": "Solid",
                    "body": "Does what it says; arrived quickly and well packed.",
                    "created_at": "2026-09-12T08:30:00Z",
                }
                for i in range(3)
            ]
            return Call(
                "GET", f"/products/{p}/reviews?page={page}", 200, {"data": reviews, "page": page}
            )
        if kind < 67:
            review = {"stars": 4, "title": "Good value", "body": "Would buy again. " * 3}
            return Call(
                "POST",
                f"/products/{p}/reviews",
                201,
                {"id": p * 10 + 9, "user_id": u, **review, "created_at": "2026-11-01T09:00:00Z"},
                review,
            )
        if kind < 68:
            return Call(
                "GET",
                "/categories",
                200,
                {
                    "data": [
                        {"slug": c, "name": c.replace("-", " ").title(), "products": len(c) * 7}
                        for c in CATEGORIES[:8]
                    ]
                },
            )
        if kind < 71:
            slug = r.choice(CATEGORIES)
            body = {
                "slug": slug,
                "name": slug.replace("-", " ").title(),
                "description": f"Everything for {slug.replace('-', ' ')}.",
                "products": len(slug) * 7,
                "featured": [self.product(len(slug) + i) for i in range(1)],
            }
            return Call("GET", f"/categories/{slug}", 200, body)
        if kind < 75:
            cart = r.choice(self.carts)
            items = [
                {
                    "id": self.uuid(),
                    "product_id": p,
                    "quantity": 2,
                    "unit_price": {"amount": 9.5, "currency": "EUR"},
                }
                for _ in range(2)
            ]
            return Call(
                "GET",
                f"/carts/{cart}",
                200,
                {"id": cart, "user_id": u, "items": items, "updated_at": "2026-11-01T10:00:00Z"},
            )
        if kind < 78:
            cart = r.choice(self.carts)
            item = {"product_id": p, "quantity": 1 + p % 4}
            if r.random() < 0.05:
                return Call(
                    "POST",
                    f"/carts/{cart}/items",
                    400,
                    self.error(400, "bad_request", "quantity must be positive"),
                    {**item, "quantity": 0},
                )
            return Call(
                "POST",
                f"/carts/{cart}/items",
                201,
                {
                    "id": self.uuid(),
                    **item,
                    "unit_price": {"amount": 9.5, "currency": "EUR"},
                    "cart": {"id": cart, "items": 3},
                },
                item,
            )
        if kind < 79:
            return Call("DELETE", f"/carts/{r.choice(self.carts)}/items/{self.uuid()}", 204)
        if kind < 84:
            word = r.choice(WORDS)
            cursor = f"&cursor={self._hex(12)}" if r.random() < 0.5 else ""
            hits = [
                {
                    "type": "product",
                    "id": p + i,
                    "name": f"{word.title()} item {p + i}",
                    "score": round(0.9 - i * 0.1, 2),
                }
                for i in range(4)
            ]
            return Call(
                "GET",
                f"/search?q={word}{cursor}",
                200,
                {"results": hits, "next_cursor": self._hex(12)},
            )
        if kind < 86:
            day = f"2026-{r.randint(1, 10):02}-{r.randint(1, 28):02}"
            return Call(
                "GET",
                f"/reports/daily/{day}",
                200,
                {
                    "date": day,
                    "orders": r.randint(100, 900),
                    "revenue": {"amount": r.randint(1000, 90000) / 10, "currency": "EUR"},
                    "visitors": r.randint(1000, 9000),
                    "conversion_rate": round(r.random() / 10, 4),
                    "top_products": [self.product_id() for _ in range(5)],
                },
            )
        if kind < 89:
            sku = f"SKU-{p:05}"
            return Call(
                "GET",
                f"/inventory/{sku}",
                200,
                {
                    "sku": sku,
                    "warehouses": [
                        {"code": w, "available": r.randint(0, 90), "reserved": r.randint(0, 9)}
                        for w in ("LDS", "MAN", "BRS")
                    ],
                    "updated_at": "2026-11-01T06:00:00Z",
                },
            )
        if kind < 91:
            shipment = r.randint(100_000, 140_000)
            events = [
                {"at": f"2026-10-2{i}T0{i}:00:00Z", "status": s, "location": "Leeds hub"}
                for i, s in enumerate(["label_created", "in_transit", "out_for_delivery"])
            ]
            return Call(
                "GET",
                f"/shipments/{shipment}/tracking",
                200,
                {"shipment_id": shipment, "carrier": "DPD", "events": events},
            )
        if kind < 93:
            credentials = {
                "grant_type": "password",
                "username": f"user{u}@example.com",
                "password": "correct horse " + self._hex(6),
            }
            if r.random() < 0.15:
                return Call(
                    "POST",
                    "/auth/token",
                    401,
                    self.error(401, "invalid_grant", "Wrong username or password."),
                    credentials,
                    token=False,
                )
            return Call(
                "POST",
                "/auth/token",
                200,
                {
                    "access_token": r.choice(self.tokens),
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "refresh_token": self._hex(40),
                    "scope": "orders profile",
                },
                credentials,
                token=False,
            )
        if kind < 95:
            span = f"from=2026-10-{r.randint(1, 14):02}&to=2026-10-{r.randint(15, 30):02}"
            if r.random() < 0.05:
                return Call(
                    "GET",
                    f"/stats/summary?{span}",
                    429,
                    self.error(429, "rate_limited", "Slow down."),
                )
            return Call(
                "GET",
                f"/stats/summary?{span}",
                200,
                {
                    "orders": {"count": 812, "amount": 40210.5},
                    "users": {"new": 120, "active": 2210},
                    "refunds": {"count": 7, "amount": 312.0},
                    "currency": "EUR",
                    "generated_at": "2026-11-01T00:00:00Z",
                },
            )
        if kind < 96:
            return Call(
                "GET", "/health", 200, {"status": "ok", "version": "4.12.0", "uptime_s": index}
            )
        if kind < 98:
            hooks = [
                {
                    "id": i,
                    "url": f"https://hooks.example.org/{WORDS[i]}",
                    "events": ["order.created", "order.shipped"],
                    "active": True,
                }
                for i in range(3)
            ]
            return Call("GET", "/webhooks", 200, {"data": hooks})
        if r.random() < 0.3:
            return Call(
                "GET",
                f"/orders/{r.choice(self.orders)}",
                500,
                raw=b"<html><body><h1>500 Internal Server Error</h1></body></html>",
                content_type="text/html",
            )
        hook = {
            "url": f"https://hooks.example.org/{self._hex(6)}",
            "events": ["order.created"],
            "secret": self._hex(20),
        }
        return Call("POST", "/webhooks", 201, {"id": 100 + index, **hook, "active": True}, hook)


def _connections(
    rng: random.Random,
) -> list[tuple[connection.Client, dict[str, connection.Server]]]:
    pairs = []
    for n in range(CONNECTIONS):
        client = connection.Client(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            peername=(f"10.0.0.{10 + n}", 50_000 + n),
            sockname=("10.0.0.1", 8080),
            timestamp_start=START,
            tls=True,
            sni=HOST,
            tls_version="TLSv1.3",
            alpn=b"http/1.1",
        )
        servers = {}
        for index, host in enumerate((HOST, "cdn.shop.example", "telemetry.example.net")):
            servers[host] = connection.Server(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                address=(host, 443),
                peername=(f"203.0.113.{10 + index}", 443),
                sockname=("10.0.0.1", 40_000 + n),
                timestamp_start=START,
                timestamp_tcp_setup=START + 0.01,
                tls=True,
                sni=host,
                tls_version="TLSv1.3",
                alpn=b"http/1.1",
            )
        pairs.append((client, servers))
    return pairs


def _flow(
    workload: Workload,
    pairs: list[tuple[connection.Client, dict[str, connection.Server]]],
    index: int,
) -> http.HTTPFlow:
    call = workload.call(index)
    rng = workload.rng
    started = START + index * 0.05
    client, servers = pairs[index // 40 % CONNECTIONS]
    prefix = "/v1" if call.host == HOST else ""
    request_body = b"" if call.request is None else orjson.dumps(call.request)
    request_headers = [
        (b"Host", call.host.encode()),
        (b"User-Agent", AGENTS[index // 40 % len(AGENTS)]),
        (b"Accept", b"application/json, text/plain, */*"),
        (b"Accept-Language", b"en-GB,en;q=0.9"),
    ]
    if call.token:
        token = workload.tokens[index // 40 % len(workload.tokens)]
        request_headers.append((b"Authorization", f"Bearer {token}".encode()))
    if request_body:
        request_headers.append((b"Content-Type", b"application/json"))
        request_headers.append((b"Content-Length", str(len(request_body)).encode()))
    request = http.Request(
        host=call.host,
        port=443,
        method=call.method.encode(),
        scheme=b"https",
        authority=b"",
        path=(prefix + call.path).encode(),
        http_version=b"HTTP/1.1",
        headers=http.Headers(request_headers),
        content=request_body,
        trailers=None,
        timestamp_start=started,
        timestamp_end=started + 0.001,
    )
    if call.raw is not None:
        response_body = call.raw
    else:
        response_body = b"" if call.response is None else orjson.dumps(call.response)
    response_headers = [
        (b"Date", b"Sun, 01 Nov 2026 10:00:00 GMT"),
        (b"Server", b"nginx/1.27.2"),
        (b"X-Request-Id", str(uuid.UUID(int=rng.getrandbits(128), version=4)).encode()),
    ]
    if response_body:
        response_headers.append((b"Content-Type", call.content_type.encode()))
    response_headers.append((b"Content-Length", str(len(response_body)).encode()))
    if call.host == HOST:
        response_headers.append((b"Cache-Control", b"no-store"))
        response_headers.append((b"X-RateLimit-Limit", b"600"))
        response_headers.append((b"X-RateLimit-Remaining", str(599 - index % 600).encode()))
    reason = status_codes.RESPONSES.get(call.status, "").encode()
    elapsed = 0.005 + rng.random() * 0.08
    response = http.Response(
        http_version=b"HTTP/1.1",
        status_code=call.status,
        reason=reason,
        headers=http.Headers(response_headers),
        content=response_body,
        trailers=None,
        timestamp_start=started + elapsed,
        timestamp_end=started + elapsed + 0.002,
    )
    flow = http.HTTPFlow(client, servers[call.host])
    flow.id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    flow.timestamp_created = started
    flow.request = request
    flow.response = response
    flow.live = False
    return flow


def make_flows(path: Path, count: int, seed: int) -> None:
    """A flow file of ``count`` HTTP flows, the same for the same seed."""
    workload = Workload(random.Random(seed))
    pairs = _connections(workload.rng)
    with path.open("wb") as stream:
        writer = mitmio.FlowWriter(stream)  # type: ignore[no-untyped-call]
        for index in range(count):
            writer.add(_flow(workload, pairs, index))


# -- measuring ---------------------------------------------------------------------------


@dataclass
class Run:
    wall: float  # seconds; inf when stopped at the timeout
    peak_kb: int  # the peak resident set size, kB; 0 when unknown
    paths: int = 0  # paths in the output document


class Timeout(Exception):
    pass


def timed(command: list[str], folder: Path, environ: dict[str, str], timeout: float) -> Run:
    """One command in a process of its own: its wall time and peak resident memory."""
    report = folder / "time.txt"
    report.unlink(missing_ok=True)
    wrapped = [TIME, "-f", "%M", "-o", str(report), *command]
    started = time.perf_counter()
    try:
        result = subprocess.run(
            wrapped,
            cwd=folder,
            env=environ,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise Timeout(shlex.join(command)) from None
    wall = time.perf_counter() - started
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace")[-2000:]
        raise SystemExit(f"{shlex.join(command)} failed ({result.returncode}):\n{output}")
    return Run(wall, int(report.read_text().split()[-1]))


def paths_in(document: Path) -> int:
    return len((yaml.safe_load(document.read_text()) or {}).get("paths") or {})


@dataclass
class Bench:
    bench: Path  # the bin folder of mitmproxy2swagger's virtualenv
    folder: Path
    timeout: float
    environ: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        data = self.folder / "apidisco-data"
        data.mkdir(exist_ok=True)
        config = self.folder / "apidisco.toml"
        config.touch()
        self.environ = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "APIDISCO_DATA_DIR": str(data),
            "APIDISCO_CONFIG": str(config),
        }

    def warm_up(self, seed: int) -> None:
        """Run every command once, untimed, on a small file: each then runs from its
        bytecode cache, as an installed tool does."""
        flows = self.folder / "warm-up.flows"
        make_flows(flows, WARM_UP_FLOWS, seed)
        for tool in TOOLS:
            self.run(tool, flows)
        flows.unlink()

    def floor(self, flows: Path) -> Run:
        command = [sys.executable, "-c", FLOOR_SCRIPT, str(flows)]
        return timed(command, self.folder, self.environ, self.timeout)

    def apidisco(self, flows: Path) -> Run:
        output = self.folder / "openapi.yaml"
        output.unlink(missing_ok=True)
        command = [APIDISCO_CLI, "discover", str(flows), "-o", str(output)]
        run = timed([*command, "--base-url", BASE_URL], self.folder, self.environ, self.timeout)
        run.paths = paths_in(output)
        return run

    def mitmproxy2swagger(self, flows: Path, extra: list[str]) -> Run:
        """Both passes, accepting every suggested path template in between."""
        output = self.folder / "schema.yaml"
        output.unlink(missing_ok=True)
        command = [str(self.bench / "mitmproxy2swagger"), "-i", str(flows), "-o", str(output)]
        command += ["-p", BASE_URL, "-f", "flow", *extra]
        started = time.perf_counter()
        first = timed(command, self.folder, self.environ, self.timeout)
        text = output.read_text()
        output.write_text(re.sub(r"^(\s*-\s*)ignore:", r"\1", text, flags=re.MULTILINE))
        left = max(1.0, self.timeout - (time.perf_counter() - started))
        second = timed(command, self.folder, self.environ, left)
        wall = time.perf_counter() - started
        return Run(wall, max(first.peak_kb, second.peak_kb), paths_in(output))

    def run(self, tool: str, flows: Path) -> Run:
        try:
            if tool == FLOOR:
                return self.floor(flows)
            if tool == APIDISCO:
                return self.apidisco(flows)
            return self.mitmproxy2swagger(flows, TUNED if tool == M2S_TUNED else [])
        except Timeout:
            return Run(float("inf"), 0)


# -- output ------------------------------------------------------------------------------


@dataclass
class Medians:
    wall: float
    peak_mb: float
    paths: int
    stopped: int  # runs stopped at the timeout


def medians(runs: list[Run]) -> Medians:
    done = [run for run in runs if run.wall != float("inf")]
    if not done:
        return Medians(float("inf"), 0.0, 0, len(runs))
    return Medians(
        statistics.median(run.wall for run in runs),
        statistics.median(run.peak_kb for run in done) / 1024,
        int(statistics.median(run.paths for run in done)),
        len(runs) - len(done),
    )


def seconds(value: float, timeout: float) -> str:
    return f"> {timeout:.0f}" if value == float("inf") else f"{value:.2f}"


def print_table(
    size: int, megabytes: float, runs: int, results: dict[str, Medians], timeout: float
) -> None:
    floor, ours = results[FLOOR].wall, results[APIDISCO].wall
    print(f"\n{size:,} flows ({megabytes:.1f} MB flow file), medians of {runs} run(s):")
    print(
        f"{'':19} {'wall s':>8} {'peak MB':>8} {'vs floor':>9} {'apidisco faster':>16} {'paths':>6}"
    )
    for tool in TOOLS:
        m = results[tool]
        ratio = "" if m.wall == float("inf") else f"{m.wall / floor:.2f}x"
        speedup = f"{m.wall / ours:.1f}x" if tool in (M2S, M2S_TUNED) else ""
        paths = str(m.paths) if tool != FLOOR else ""
        note = f"  ({m.stopped} run(s) stopped at {timeout:.0f} s)" if m.stopped else ""
        print(
            f"{tool:19} {seconds(m.wall, timeout):>8} {m.peak_mb:>8.1f} {ratio:>9} "
            f"{speedup:>16} {paths:>6}{note}"
        )


def print_markdown(summary: list[tuple[int, float, dict[str, Medians]]], timeout: float) -> None:
    print("\n| flows | what | wall s | peak MB | vs floor | apidisco faster | paths |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for size, _, results in summary:
        floor, ours = results[FLOOR].wall, results[APIDISCO].wall
        for tool in TOOLS:
            m = results[tool]
            ratio = "" if m.wall == float("inf") else f"{m.wall / floor:.2f}x"
            speedup = f"{m.wall / ours:.1f}x" if tool in (M2S, M2S_TUNED) else ""
            paths = str(m.paths) if tool != FLOOR else ""
            print(
                f"| {size:,} | {tool} | {seconds(m.wall, timeout)} | {m.peak_mb:.1f} | "
                f"{ratio} | {speedup} | {paths} |"
            )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_goals(summary: list[tuple[int, float, dict[str, Medians]]]) -> None:
    print(
        f"\nGoals: apidisco within {GOAL_FLOOR}x the floor; at least {GOAL_SPEEDUP:.0f}x "
        f"faster than mitmproxy2swagger, tuned too; peak memory under {GOAL_MB:.0f} MB "
        f"at {GOAL_FLOWS:,} flows."
    )
    for size, _, results in summary:
        ours = results[APIDISCO]
        ratio = ours.wall / results[FLOOR].wall
        print(f"  {size:,} flows: time vs floor {ratio:.2f}x: {verdict(ratio <= GOAL_FLOOR)}")
        for tool in (M2S, M2S_TUNED):
            speedup = results[tool].wall / ours.wall
            print(
                f"  {size:,} flows: {speedup:.1f}x faster than {tool}: "
                f"{verdict(speedup >= GOAL_SPEEDUP)}"
            )
        if size >= GOAL_FLOWS:
            print(
                f"  {size:,} flows: peak memory {ours.peak_mb:.1f} MB: "
                f"{verdict(ours.peak_mb < GOAL_MB)}"
            )


# -- the run -----------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_folder(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="apidisco-discover-") as folder:
        yield Path(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,50000", help="flows per file, comma-separated")
    parser.add_argument(
        "--runs", default="3", help="rounds per size: one count, or one per size (3,1)"
    )
    parser.add_argument("--seed", type=int, default=7, help="the workload's random seed")
    parser.add_argument(
        "--bench-venv",
        type=Path,
        default=DEFAULT_BENCH_VENV,
        help=f"mitmproxy2swagger's virtualenv (default {DEFAULT_BENCH_VENV})",
    )
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds before a command is stopped"
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and leave it behind")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args()
    bench = args.bench_venv / "bin"
    if not (bench / "mitmproxy2swagger").exists():
        raise SystemExit(f"mitmproxy2swagger not found in {bench}")
    if shutil.which(TIME) is None:
        raise SystemExit(f"{TIME} (GNU time) is needed to measure peak memory")
    command = shlex.join(["python", "benchmarks/discover.py", *sys.argv[1:]])
    sizes = [int(size) for size in args.sizes.split(",")]
    counts = [int(count) for count in args.runs.split(",")]
    if len(counts) not in (1, len(sizes)):
        parser.error("--runs: one count, or one per size")
    rounds = dict(zip(sizes, counts * len(sizes) if len(counts) == 1 else counts, strict=True))
    summary = []
    with scratch_folder(args.keep) as folder:
        runner = Bench(bench, folder, args.timeout)
        runner.warm_up(args.seed)
        for size in sizes:
            flows = folder / f"shop-{size}.flows"
            started = time.perf_counter()
            make_flows(flows, size, args.seed)
            megabytes = flows.stat().st_size / 1e6
            print(
                f"wrote {flows.name}: {size:,} flows, {megabytes:.1f} MB "
                f"in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            runs: dict[str, list[Run]] = {tool: [] for tool in TOOLS}
            for round_ in range(rounds[size]):
                order = TOOLS if round_ % 2 == 0 else TOOLS[::-1]
                for tool in order:
                    run = runner.run(tool, flows)
                    runs[tool].append(run)
                    print(
                        f"  {size:,} round {round_ + 1} {tool}: "
                        f"{seconds(run.wall, args.timeout)} s, {run.peak_kb / 1024:.1f} MB",
                        file=sys.stderr,
                    )
            results = {tool: medians(tool_runs) for tool, tool_runs in runs.items()}
            print_table(size, megabytes, rounds[size], results, args.timeout)
            summary.append((size, megabytes, results))
            if args.keep is None:
                flows.unlink()
    if args.markdown:
        print_markdown(summary, args.timeout)
    print_goals(summary)
    print(f"command: {command}")


if __name__ == "__main__":
    main()
