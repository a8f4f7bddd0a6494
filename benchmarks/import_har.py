"""How fast `apidisco capture import` loads a large HAR file.

Usage: python benchmarks/import_har.py [--flows 50000] [--runs 3] [--database URL]

Builds a HAR of N realistic JSON exchanges, then, in the same process, times
(a) the baseline: streaming the file and converting every entry to rows, with
no database, and (b) the full import into a fresh PostgreSQL database (and a
fresh SQLite file). Prints the median flows/s of each and the ratio to the
baseline. The PostgreSQL server defaults to $APIDISCO_TEST_DATABASE_URL or the
local one; a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import orjson
import sqlalchemy as sa

from apidisco.capture.exchange import Exchange
from apidisco.capture.har import read_har
from apidisco.capture.rows import RowBuilder
from apidisco.services import accounts, capture, endpoints
from apidisco.services.actor import Actor
from apidisco.store import migrate
from apidisco.store.database import Database
from apidisco.store.engine import create_engine, parse_database_url, sqlite_url

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def make_har(path: Path, flows: int) -> None:
    entries = []
    for index in range(flows):
        item_id = index % 5000
        body = orjson.dumps(
            {
                "id": item_id,
                "name": f"item {item_id}",
                "price": index * 0.5,
                "tags": ["a", "b"],
                "owner": {"id": index % 97, "active": True},
            }
        )
        entries.append(
            {
                "startedDateTime": "2026-03-01T10:00:00.000Z",
                "time": 12.0,
                "request": {
                    "method": "GET" if index % 4 else "POST",
                    "url": f"https://shop.example/api/items/{item_id}?expand=owner",
                    "httpVersion": "HTTP/1.1",
                    "headers": [
                        {"name": "Accept", "value": "application/json"},
                        {"name": "Authorization", "value": f"Bearer token-{index % 13}"},
                    ],
                    "queryString": [],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": -1,
                    **(
                        {"postData": {"mimeType": "application/json", "text": body.decode()}}
                        if index % 4 == 0
                        else {}
                    ),
                },
                "response": {
                    "status": 200,
                    "statusText": "OK",
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": "Content-Type", "value": "application/json"}],
                    "cookies": [],
                    "content": {
                        "size": len(body),
                        "mimeType": "application/json",
                        "text": body.decode(),
                    },
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "cache": {},
                "timings": {"send": 0, "wait": 10, "receive": 2},
            }
        )
    path.write_bytes(
        orjson.dumps(
            {
                "log": {
                    "version": "1.2",
                    "creator": {"name": "bench", "version": "1"},
                    "entries": entries,
                }
            }
        )
    )


def baseline(path: Path) -> float:
    builder = RowBuilder("bench")
    start = time.perf_counter()
    with path.open("rb") as stream:
        for record in read_har(stream):
            assert isinstance(record, Exchange)
            builder.exchange(record)
    return time.perf_counter() - start


def timed_import(database: Database, path: Path) -> float:
    migrate.upgrade(database)
    account = accounts.signup(
        database, email=f"{uuid.uuid4().hex}@example.com", password="benchmark", rounds=4
    )
    actor = Actor(id=account.id, email=account.email, role=account.role)
    pricing = endpoints.Pricing(endpoint_price=0, included={})
    endpoint = endpoints.create(database, actor, "https://93.184.216.34", pricing=pricing).id
    start = time.perf_counter()
    capture.import_files(database, actor, endpoint, [path])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database", default=os.environ.get("APIDISCO_TEST_DATABASE_URL", DEFAULT_SERVER)
    )
    args = parser.parse_args()
    server = parse_database_url(args.database)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with tempfile.TemporaryDirectory() as folder:
        har = Path(folder) / "bench.har"
        make_har(har, args.flows)
        print(f"HAR: {args.flows} flows, {har.stat().st_size / 1e6:.1f} MB")
        results: dict[str, list[float]] = {
            "baseline (parse + convert)": [],
            "postgresql": [],
            "sqlite": [],
        }
        for run in range(args.runs):
            results["baseline (parse + convert)"].append(baseline(har))
            name = f"apidisco_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            database = Database(engine=create_engine(server.set(database=name)))
            try:
                results["postgresql"].append(timed_import(database, har))
            finally:
                database.dispose()
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            lite = Database(engine=create_engine(sqlite_url(Path(folder) / f"run{run}.db")))
            try:
                results["sqlite"].append(timed_import(lite, har))
            finally:
                lite.dispose()
        base = statistics.median(results["baseline (parse + convert)"])
        print(f"{'':28} {'median s':>9} {'flows/s':>9} {'vs baseline':>12}")
        for label, times in results.items():
            median = statistics.median(times)
            print(f"{label:28} {median:9.2f} {args.flows / median:9.0f} {median / base:11.2f}x")
    admin.dispose()


if __name__ == "__main__":
    main()
