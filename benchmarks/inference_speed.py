"""How fast `apidisco infer` is, and whether its memory grows with the calls.

Usage: python benchmarks/inference_speed.py [--sizes 10000,100000,1000000] [--runs 3]
       [--database URL]

For each size N, a scratch PostgreSQL database (created and dropped on the
server at --database, default $APIDISCO_TEST_DATABASE_URL or the local one) gets
one endpoint with N stored calls: a realistic mix of 38 operations (nested
resources with integer, UUID and word ids, list endpoints with page, offset and
cursor pagination, searches, JSON request bodies, 201/204/401/404 answers,
bearer tokens and API keys), built by capture's own row builder and written with
COPY. Then, alternating, each --runs times, in a fresh Python process each (so
its peak memory is its own):

- the baseline: what inference cannot avoid — both passes of streaming the
  calls out of PostgreSQL (the same server-side cursor and columns) and turning
  each row into an observation, with no analysis and no writes;
- `infer`: the whole `infer_endpoint` service on calls with no pattern yet —
  both passes, the analysis, writing every call's endpointPattern and storing
  the model (the patterns are cleared, untimed, before each such run);
- `again`: the same service re-run on unchanged calls, as a scheduled re-run
  is: nothing to write.

Prints, per size, the medians of wall time, calls/s (stored calls / wall
seconds), calls per CPU second of the Python process (it is single-threaded:
that is its speed on one core; PostgreSQL works on the other), peak resident
memory (VmHWM) and how much it grew over the run (from the resident size after
the imports), then inference's time as a multiple of the baseline's.
Goal (issue #5): at least 20,000 calls/s on one core, and peak memory that does
not grow with the number of calls.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from apidisco.capture.exchange import Exchange
from apidisco.capture.rows import RowBuilder
from apidisco.services import accounts, endpoints, inference
from apidisco.services.actor import Actor
from apidisco.services.endpoints import Pricing
from apidisco.store import migrate
from apidisco.store.database import Database
from apidisco.store.engine import create_engine, parse_database_url
from apidisco.store.repositories import ApiCallRepository
from apidisco.store.repositories.calls import CALL_COLUMNS, PATH_COLUMNS
from apidisco.store.repositories.capture import CaptureRepository, complete_call_row

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DESTINATION = "https://93.184.216.34/api/v1"
START = datetime(2026, 3, 1, tzinfo=UTC)
CHUNK = 10_000
#: baseline: streaming only; infer: the first inference (every call's pattern is
#: written); again: inference re-run on unchanged calls (nothing to write).
MODES = ("baseline", "infer", "again")
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]


def _user(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "email": f"user{n}@example.com",
        "name": f"User {n}",
        "created_at": "2026-01-02T03:04:05Z",
        "roles": ["member", "admin"][: 1 + n % 2],
        "profile": {"bio": None if n % 3 else "hello", "age": 20 + n % 50},
    }


def _exchange(index: int) -> Exchange:
    """The index-th call of the synthetic workload (deterministic)."""
    n = index % 5000
    kind = index % 38
    token = (("authorization", f"Bearer token-{index % 17}"),)
    json = (("content-type", "application/json"),)
    method, path, status, body, request = "GET", f"/users/{n}", 200, _user(n), None
    query = ""
    if kind < 8:
        pass
    elif kind < 12:
        path, query, body = "/users", f"?page={n % 40}&per_page=25", [_user(n), _user(n + 1)]
    elif kind < 15:
        path = f"/users/{n}/orders/{uuid.UUID(int=index)}"
        body = {
            "id": str(uuid.UUID(int=index)),
            "total": n * 1.5,
            "lines": [{"sku": "a", "qty": 2}],
        }
    elif kind < 17:
        path, query = f"/users/{n}/orders", f"?offset={n}&limit=20"
        body = {"items": [], "total": n}
    elif kind < 19:
        method, path, status, request = "POST", "/users", 201, {"name": f"u{n}", "password": "x"}
        body = {"id": n}
    elif kind < 20:
        method, path, status, body = "DELETE", f"/users/{n}", 204, None
    elif kind < 21:
        method, path, status, request = "PATCH", f"/users/{n}", 200, {"name": "new"}
    elif kind < 24:
        path, query = "/search", f"?q={WORDS[n % len(WORDS)]}&cursor=c{n}"
        body = {"results": [{"id": n, "score": 0.5}], "next_cursor": f"c{n + 1}"}
    elif kind < 26:
        path = f"/projects/{WORDS[n % len(WORDS)]}-{n % 30}"
        body = {"slug": path.rsplit("/", 1)[1], "stars": n}
    elif kind < 28:
        path = f"/projects/{WORDS[n % len(WORDS)]}-{n % 30}/issues/{n}"
        body = {"number": n, "state": ["open", "closed"][n % 2], "labels": []}
    elif kind < 29:
        path, status, body = f"/users/{n}", 404, {"error": "not found"}
    elif kind < 30:
        token = ()
        path, status, body = "/users/me", 401, {"error": "unauthorized"}
    elif kind < 31:
        path, body = "/users/me", _user(1)
    elif kind < 33:
        path = f"/reports/2026-03-{1 + n % 28:02}"
        body = {"day": f"2026-03-{1 + n % 28:02}", "visits": n}
    elif kind < 35:
        token = (("x-api-key", f"key-{n % 5}"),)
        path, body = f"/stats/{WORDS[n % 3]}", {"value": n, "unit": "ms"}
    else:
        method, path, status, request = "PUT", f"/settings/{n % 50}", 200, {"theme": "dark"}
        body = {"theme": "dark", "updated": True}
    return Exchange(
        method=method,
        url=f"{DESTINATION}{path}{query}",
        request_headers=token + (json if request is not None else ()),
        request_body=None if request is None else orjson.dumps(request),
        started=START + timedelta(milliseconds=index),
        status=status,
        response_headers=json if body is not None else (),
        response_body=None if body is None else orjson.dumps(body),
        duration_ms=12,
    )


# -- the scratch store ----------------------------------------------------------------


def _server_url(raw: str) -> sa.URL:
    return parse_database_url(raw)


def create_store(server: sa.URL, calls: int) -> tuple[str, str, str]:
    """A scratch database with one endpoint holding ``calls`` calls: (url, user id, endpoint id)."""
    name = f"apidisco_speed_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), pool_min=1, pool_max=1)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = server.set(database=name)
    database = Database(create_engine(url, pool_min=1, pool_max=2))
    migrate.upgrade(database)
    account = accounts.signup(
        database, email="bench@example.com", username="bench", password="long password", rounds=4
    )
    actor = Actor(id=account.id, email=account.email, role=account.role)
    pricing = Pricing(endpoint_price=0, included={"FREE": 10, "PRO": 10, "TEAM": 10})
    endpoint = endpoints.create(database, actor, DESTINATION, pricing=pricing, allow_private=True)
    builder = RowBuilder(endpoint.id)
    for start in range(0, calls, CHUNK):
        rows = [
            complete_call_row(row, endpoint.id)
            for index in range(start, min(calls, start + CHUNK))
            for row in builder.exchange(_exchange(index)).rows
        ]
        with database.transaction() as session:
            CaptureRepository(session).add_calls(rows)
        print(f"\r  stored {min(calls, start + CHUNK):,} calls", end="", file=sys.stderr)
    print(file=sys.stderr)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE api_calls")
    database.dispose()
    return url.render_as_string(hide_password=False), actor.id, endpoint.id


def forget_patterns(url: str) -> None:
    """Clear every call's endpointPattern, so the next run writes them all (untimed)."""
    engine = create_engine(parse_database_url(url), pool_min=1, pool_max=1)
    with engine.begin() as connection:
        connection.exec_driver_sql('UPDATE api_calls SET "endpointPattern" = NULL')
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM api_calls")
    engine.dispose()


def drop_store(server: sa.URL, url: str) -> None:
    name = parse_database_url(url).database
    admin = create_engine(server.set(database="postgres"), pool_min=1, pool_max=1)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


# -- one measured run, in a child process ------------------------------------------------


def _status_kb(field: str) -> int:
    """A memory figure of this process from /proc (Linux), in kB.

    VmHWM, not ``ru_maxrss``: the latter survives exec, so a child started by a
    parent that once held more memory reports the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def child(mode: str, url: str, user_id: str, endpoint_id: str) -> None:
    database = Database(create_engine(parse_database_url(url), pool_min=1, pool_max=2))
    actor = Actor(id=user_id, email="bench@example.com", role="ADMIN")
    base_path = "/api/v1"
    rss_before = _status_kb("VmRSS")
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if mode == "baseline":
        calls = 0
        with database.session() as session:
            for _row in ApiCallRepository(session).stream(endpoint_id, PATH_COLUMNS):
                calls += 1
        with database.session() as session:
            for row in ApiCallRepository(session).stream(endpoint_id, CALL_COLUMNS):
                inference.observation_of(row, base_path)
    else:
        calls = inference.infer_endpoint(database, actor, endpoint_id).calls
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = _status_kb("VmHWM")
    result = {
        "calls": calls,
        "wall": wall,
        "cpu": cpu,
        "rss_kb": peak,
        "grew_kb": peak - rss_before,
    }
    print(orjson.dumps(result).decode())
    database.dispose()


def measure(mode: str, url: str, user_id: str, endpoint_id: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, url, user_id, endpoint_id],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(orjson.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database", default=os.environ.get("APIDISCO_TEST_DATABASE_URL", DEFAULT_SERVER)
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    server = _server_url(args.database)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"{'calls':>10} {'what':>9} {'wall s':>8} {'calls/s':>9} {'calls/cpu-s':>12} "
        f"{'peak MB':>8} {'grew MB':>8}"
    )
    summary = []
    for size in sizes:
        print(f"building {size:,} calls ...", file=sys.stderr)
        url, user_id, endpoint_id = create_store(server, size)
        try:
            results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
            for _ in range(args.runs):
                for mode in MODES:
                    if mode == "infer":
                        forget_patterns(url)
                    results[mode].append(measure(mode, url, user_id, endpoint_id))
        finally:
            drop_store(server, url)
        medians = {}
        for mode, runs in results.items():
            wall = statistics.median(run["wall"] for run in runs)
            cpu = statistics.median(run["cpu"] for run in runs)
            rss = statistics.median(run["rss_kb"] for run in runs) / 1024
            grew = statistics.median(run["grew_kb"] for run in runs) / 1024
            medians[mode] = (wall, cpu, rss, grew)
            print(
                f"{size:>10,} {mode:>9} {wall:>8.2f} {size / wall:>9,.0f} {size / cpu:>12,.0f} "
                f"{rss:>8.1f} {grew:>8.1f}"
            )
        summary.append((size, medians))
    print()
    print("inference vs baseline (wall):")
    for size, medians in summary:
        first = medians["infer"][0] / medians["baseline"][0]
        again = medians["again"][0] / medians["baseline"][0]
        print(
            f"  {size:>10,} calls: infer {first:.2f}x, again {again:.2f}x; "
            f"peak memory {medians['infer'][2]:.1f} MB"
        )
    first, last = summary[0], summary[-1]
    growth = last[1]["infer"][2] / first[1]["infer"][2]
    print(
        f"peak memory from {first[0]:,} to {last[0]:,} calls: x{growth:.2f}; "
        f"goal: >= 20,000 calls/s on one core and memory that does not grow"
    )


if __name__ == "__main__":
    main()
