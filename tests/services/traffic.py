"""Captured traffic of a small shop API, stored the way capture stores it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from apidisco.capture.exchange import Exchange
from apidisco.capture.rows import RowBuilder
from apidisco.store.database import Database
from apidisco.store.repositories.capture import CaptureRepository, complete_call_row
from tests.services.support import DESTINATION

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
JSON = (("content-type", "application/json"),)
TOKEN = (("authorization", "Bearer secret-token-1"),)


def exchange(
    index: int,
    method: str,
    path: str,
    status: int,
    body: object = None,
    *,
    request: object = None,
    headers: tuple[tuple[str, str], ...] = TOKEN,
) -> Exchange:
    return Exchange(
        method=method,
        url=f"{DESTINATION}{path}",
        request_headers=headers + (JSON if request is not None else ()),
        request_body=None if request is None else orjson.dumps(request),
        started=START + timedelta(seconds=index),
        status=status,
        response_headers=JSON if body is not None else (),
        response_body=None if body is None else orjson.dumps(body),
        duration_ms=5,
    )


def store(database: Database, endpoint_id: str, exchanges: list[Exchange]) -> None:
    builder = RowBuilder(endpoint_id)
    with database.transaction() as session:
        rows = [
            complete_call_row(row, endpoint_id)
            for exchange in exchanges
            for row in builder.exchange(exchange).rows
        ]
        CaptureRepository(session).add_calls(rows)


def shop(count_: int = 12) -> list[Exchange]:
    traffic = [exchange(0, "GET", "/users?page=1&per_page=10", 200, [{"id": 1, "name": "a"}])]
    for n in range(1, count_ + 1):
        traffic.append(
            exchange(n, "GET", f"/users/{n}", 200, {"id": n, "name": f"user {n}", "tags": []})
        )
    traffic += [
        exchange(50, "POST", "/users", 201, {"id": 99}, request={"name": "new", "password": "pw"}),
        exchange(51, "DELETE", "/users/7", 204),
        exchange(52, "GET", "/users/me", 200, {"id": 1, "name": "me"}),
        exchange(53, "GET", "/users/1", 401, {"error": "no"}, headers=()),
    ]
    return traffic
