"""A documented API to show, and the site running on a real uvicorn server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from sqlmodel import select

from apidisco.config import Settings, resolve_settings
from apidisco.enums import ApiChangeType
from apidisco.services import endpoints
from apidisco.services.actor import Actor
from apidisco.services.documents import document_endpoint
from apidisco.store.database import Database
from apidisco.store.models import ApiChange, DiscoveredEndpoint
from apidisco.web.server import server_config
from tests.services.support import DESTINATION, PRICING
from tests.services.traffic import exchange, shop, store

# A captured example that would run if the site put captured text into a page as HTML.
SCRIPT = "<script>window.apidiscoPwned = true</script>"
IMAGE = '<img src=x onerror="window.apidiscoPwned = true">'


def settings_for(tmp_path: Path) -> Settings:
    return resolve_settings(
        {}, {"APIDISCO_DATA_DIR": str(tmp_path / "data")}, tmp_path / "none.toml"
    )


def documented(database: Database, actor: Actor, name: str, slug: str, *, public: bool) -> str:
    """An endpoint of ``actor``'s with a shop's traffic (one example holding a script),
    documented; published at ``slug`` when ``public``. Returns its id."""
    created = endpoints.create(
        database, actor, DESTINATION, pricing=PRICING, allow_private=True, name=name, slug=slug
    )
    traffic = shop(3) + [
        exchange(60, "GET", "/notes/1", 200, {"id": 1, "text": SCRIPT, "html": IMAGE}),
    ]
    store(database, created.id, traffic)
    document_endpoint(database, actor, created.id)
    describe(database, created.id, "/notes/{noteId}", "GET", f"Returns a note. {SCRIPT} {IMAGE}")
    if public:
        endpoints.publish(database, actor, created.id)
    return created.id


def describe(database: Database, endpoint_id: str, pattern: str, method: str, text: str) -> None:
    """Give an operation a description (CommonMark, kept as it is by the Markdown
    reference), as a description written from captured content would be."""
    with database.transaction() as session:
        row = session.exec(
            select(DiscoveredEndpoint).where(
                DiscoveredEndpoint.endpoint_id == endpoint_id, DiscoveredEndpoint.pattern == pattern
            )
        ).one()
        operations = dict(row.operations or {})
        operations[method] = {**operations.get(method, {}), "description": text}
        row.operations = operations
        session.add(row)


def change(
    database: Database,
    endpoint_id: str,
    *,
    kind: ApiChangeType,
    description: str,
    breaking: bool,
    at: datetime,
    pattern: str = "/users/{userId}",
    method: str | None = "GET",
) -> None:
    """An ``api_changes`` row as monitoring writes it (``diff`` is ``Change.diff_json()``)."""
    diff: dict[str, Any] = {
        "breaking": breaking,
        "pattern": pattern,
        "method": method,
        "differences": [],
    }
    with database.transaction() as session:
        session.add(
            ApiChange(
                endpoint_id=endpoint_id,
                change_type=kind,
                change_description=description,
                before_snapshot={},
                after_snapshot={},
                diff=diff,
                detected_at=at.astimezone(UTC),
            )
        )


class RunningSite:
    """The site under uvicorn on 127.0.0.1, an ephemeral port, in a thread."""

    def __init__(self, database: Database, settings: Settings) -> None:
        config = server_config(
            database,
            settings,
            host="127.0.0.1",
            port=0,
            forwarded_allow_ips="127.0.0.1",
            access_log=False,
            configure_logging=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="site", daemon=True)
        self.url = ""

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the site did not start")
            time.sleep(0.02)
        [server] = self.server.servers
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        assert not self.thread.is_alive(), "the site did not stop"


@contextmanager
def running_site(database: Database, settings: Settings) -> Iterator[RunningSite]:
    site = RunningSite(database, settings)
    site.start()
    try:
        yield site
    finally:
        site.stop()
