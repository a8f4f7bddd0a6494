"""Import a HAR file into a new store from Python and look at what was recorded.

Creates an account and an endpoint in a fresh SQLite file, imports the HAR
through the same conversion live capture uses, and prints each captured call,
with its secrets masked as stored. Everything the CLI's `capture import` and
`calls list` do, as library calls.

Usage: python examples/import_and_inspect.py HAR_FILE [STORE_FILE]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from apidisco.config import resolve_settings
from apidisco.services import accounts, calls, capture, endpoints
from apidisco.services.actor import Actor
from apidisco.services.database import connect, upgrade_schema


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    har = Path(argv[1])
    store = Path(argv[2]) if len(argv) > 2 else Path(tempfile.mkdtemp()) / "example.db"
    settings = resolve_settings({"database_url": f"sqlite:///{store}"})
    database = connect(settings, require_head=False)
    try:
        upgrade_schema(database)
        account = accounts.signup(
            database, email="example@example.com", password="an example password", rounds=4
        )
        actor = Actor(id=account.id, email=account.email, role=account.role)
        endpoint = endpoints.create(
            database, actor, origin_of(har), pricing=endpoints.Pricing.from_settings(settings)
        )
        report = capture.import_files(database, actor, endpoint.id, [har])
        print(f"store: {store}")
        print(f"imported {report.exchanges} exchanges, {report.messages} WebSocket messages")
        for call in calls.list_calls(database, actor, endpoint.id, limit=1000):
            status = call.response_status or call.error or ""
            print(f"{call.method:7} {status!s:4} {call.protocol:8} {call.url}")
            for name, value in sorted(call.request_headers.items()):
                if "masked" in str(value):
                    print(f"        {name}: {value}")
    finally:
        database.dispose()
    return 0


def origin_of(har: Path) -> str:
    """The origin of the first request in the file: the endpoint's destination."""
    first = orjson.loads(har.read_bytes())["log"]["entries"][0]["request"]["url"]
    parts = urlsplit(first)
    return f"{parts.scheme}://{parts.netloc}"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
