"""Capturing real exchanges with the shop server, stored the way the proxy stores them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from cryptography.fernet import Fernet

from apidisco.capture.exchange import Exchange
from apidisco.capture.rows import RowBuilder
from apidisco.secretbox import SecretBox
from apidisco.services import endpoints
from apidisco.services.actor import Actor
from apidisco.services.documents import document_endpoint
from apidisco.services.inference import infer_endpoint
from apidisco.services.sequences import CallFilter, record_sequence
from apidisco.store.database import Database
from apidisco.store.repositories.capture import CaptureRepository, complete_call_row
from tests.services.apiserver import TOKEN, ShopServer
from tests.services.support import PRICING

KEY = Fernet.generate_key().decode()
BOX = SecretBox(KEY)
START = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
STEPS_PER_SESSION = 5


def _exchange(response: httpx.Response, started: datetime) -> Exchange:
    request = response.request
    return Exchange(
        method=request.method,
        url=str(request.url),
        request_headers=tuple(request.headers.multi_items()),
        request_body=request.content or None,
        started=started,
        status=response.status_code,
        response_headers=tuple(response.headers.multi_items()),
        response_body=response.content or None,
        duration_ms=3,
    )


def browse(server: ShopServer, sessions: int = 2) -> list[Exchange]:
    """What a person did with the shop: per session, create a book, read it twice,
    look at an author twice (:data:`STEPS_PER_SESSION` calls)."""
    exchanges: list[Exchange] = []
    moment = START
    with httpx.Client(base_url=server.destination, trust_env=False) as client:

        def call(method: str, path: str, **kwargs: object) -> httpx.Response:
            nonlocal moment
            response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
            exchanges.append(_exchange(response, moment))
            moment += timedelta(milliseconds=20)
            return response

        for session in range(sessions):
            created = call(
                "POST",
                "/books",
                json={"title": f"Dune {session}", "price": 12.5},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            book = created.json()["id"]
            call("GET", f"/books/{book}")
            call("GET", f"/books/{book}")
            call("GET", f"/authors/{7 + session}")
            call("GET", f"/authors/{7 + session}")
            moment += timedelta(minutes=5)
    return exchanges


def store_captured(database: Database, endpoint_id: str, exchanges: list[Exchange]) -> None:
    """Rows and kept secrets, as the proxy's writer stores them with APIDISCO_SECRET_KEY set."""
    fernet = Fernet(KEY)
    builder = RowBuilder(endpoint_id, keep_secrets=True)
    rows = []
    secrets: dict[str, str] = {}
    for exchange in exchanges:
        batch = builder.exchange(exchange)
        rows += [complete_call_row(row, endpoint_id) for row in batch.rows]
        secrets.update({k: fernet.encrypt(v.encode()).decode() for k, v in batch.secrets.items()})
    with database.transaction() as session:
        repository = CaptureRepository(session)
        repository.add_calls(rows)
        repository.merge_auth_tokens(endpoint_id, secrets)


def recorded_endpoint(
    database: Database, user: Actor, server: ShopServer, *, monitoring: str | None = None
) -> str:
    """An endpoint on the shop server: two captured sessions, inferred (documented and
    monitored at ``monitoring`` when given), and the first session recorded."""
    endpoint_id = endpoints.create(
        database, user, server.destination, pricing=PRICING, allow_private=True
    ).id
    store_captured(database, endpoint_id, browse(server))
    if monitoring is None:
        infer_endpoint(database, user, endpoint_id)
    else:
        endpoints.set_monitoring(database, user, endpoint_id, monitoring)
        document_endpoint(database, user, endpoint_id)
    record_sequence(database, user, endpoint_id, calls=CallFilter(limit=STEPS_PER_SESSION), box=BOX)
    return endpoint_id
