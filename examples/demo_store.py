"""Open an apidisco store from Python, load the demo data, and list what is there.

Everything the CLI does is a function in ``apidisco.services``; this is the
same work as ``apidisco db seed`` followed by a look at the result.

Usage: python examples/demo_store.py [DATABASE_URL]

Without an argument it uses the configured store (``apidisco config show``).
"""

from __future__ import annotations

import os
import sys

from apidisco.config import resolve_settings
from apidisco.services.database import connect, schema_status
from apidisco.services.demo import seed_demo


def main(argv: list[str]) -> int:
    flags = {"database_url": argv[1]} if len(argv) > 1 else {}
    settings = resolve_settings(flags, environ=os.environ)
    database = connect(settings)
    try:
        status = schema_status(database)
        print(f"store: {status.database} ({status.backend}, revision {status.current})")
        report = seed_demo(database)
        for account in report.accounts:
            state = "created" if account.created else "already there"
            print(f"{account.username:<6} {account.email:<20} {state}")
    finally:
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
