"""The batched capture writer, on each backend, against databases that commit.

The writer's thread opens connections of its own, so each test gets a database
of its own (a copy of one migrated per session) rather than the rolled-back
``database`` fixture.
Outages are real: on PostgreSQL the database stops accepting connections and
its sessions are terminated; on SQLite the directory holding the file goes away.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from apidisco.capture.exchange import CaptureBatch
from apidisco.errors import StoreError
from apidisco.store import migrate
from apidisco.store.database import Database
from apidisco.store.engine import create_engine, sqlite_url
from apidisco.store.models import ActionSequence, ApiCall, Endpoint, User
from apidisco.store.writer import CaptureWriter, WriterStats
from tests.conftest import PostgresScratch

MOMENT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))

Outage = Callable[[], contextlib.AbstractContextManager[None]]
MakeWriter = Callable[..., CaptureWriter]


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def template(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_scratch: PostgresScratch | None,
) -> sa.URL:
    """A migrated database to copy: migrating afresh for every test would take seconds."""
    if backend == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("writer-template") / "store.db")
    else:
        assert postgres_scratch is not None
        url = postgres_scratch.create()
    database = Database(engine=create_engine(url))
    migrate.upgrade(database)
    database.dispose()
    return url


@pytest.fixture
def store(
    template: sa.URL, tmp_path: Path, postgres_scratch: PostgresScratch | None
) -> Iterator[Database]:
    """A new migrated database that commits (SQLite: in a directory of its own, which an
    outage takes away)."""
    if template.get_backend_name() == "sqlite":
        assert template.database is not None
        (tmp_path / "db").mkdir()
        url = sqlite_url(tmp_path / "db" / "store.db")
        shutil.copyfile(template.database, str(url.database))
    else:
        assert postgres_scratch is not None
        name = f"apidisco_test_{uuid.uuid4().hex[:12]}"
        with postgres_scratch.engine.connect() as admin:
            admin.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"')
        postgres_scratch.created.append(name)
        url = template.set(database=name)
    database = Database(engine=create_engine(url))
    yield database
    database.dispose()


@pytest.fixture
def endpoints(store: Database) -> list[str]:
    """Three endpoints of one user, created at MOMENT and never used."""
    with store.transaction() as session:
        user = User(email="writer@example.com", password_hash="$2b$04$hash")
        session.add(user)
        session.flush()
        rows = [
            Endpoint(
                user_id=user.id,
                destination_url="https://shop.example.com",
                proxy_url=f"/proxy/{number}",
                created_at=MOMENT,
                updated_at=MOMENT,
            )
            for number in range(3)
        ]
        session.add_all(rows)
        session.flush()
        return [endpoint.id for endpoint in rows]


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal" / "capture.jsonl"


@pytest.fixture
def make_writer(store: Database, journal: Path) -> Iterator[MakeWriter]:
    """Writers over ``store`` with intervals short enough for tests; all closed afterwards."""
    writers: list[CaptureWriter] = []

    def make(**options: Any) -> CaptureWriter:
        options.setdefault("flush_interval", 0.02)
        options.setdefault("retry_interval", 0.05)
        writer = CaptureWriter(store, options.pop("journal_path", journal), **options)
        writers.append(writer)
        return writer

    yield make
    for writer in writers:
        writer.close(timeout=10)


@pytest.fixture
def outage(store: Database, postgres_scratch: PostgresScratch | None) -> Outage:
    """A context manager during which ``store`` cannot be reached."""

    @contextlib.contextmanager
    def unreachable() -> Iterator[None]:
        if store.backend == "sqlite":
            assert store.url.database is not None
            directory = Path(store.url.database).parent
            away = directory.with_name("db-away")
            store.engine.dispose()
            directory.rename(away)
            try:
                yield
            finally:
                away.rename(directory)
            return
        assert postgres_scratch is not None
        name = store.url.database
        with postgres_scratch.engine.connect() as admin:
            admin.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
        try:
            yield
        finally:
            with postgres_scratch.engine.connect() as admin:
                admin.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    return unreachable


# -- helpers -------------------------------------------------------------------------------


def full_row(endpoint_id: str, number: int) -> dict[str, Any]:
    """A row with every attribute set, varied by ``number``."""
    return {
        "id": f"call-{endpoint_id[:6]}-{number:05d}",
        "endpoint_id": endpoint_id,
        "method": "POST",
        "url": f"https://shop.example.com/api/orders/{number}?expand=items",
        "protocol": "https",
        "endpoint_pattern": "/api/orders/{orderId}",
        "request_headers": {"content-type": "application/json", "x-multi": ["a", "b"]},
        "request_body": '{"sku": "A-1"}',
        "request_body_json": {"sku": "A-1", "qty": number, "gift": None, "tags": [1.5, True]},
        "query_params": {"expand": "items"},
        "response_status": 201,
        "response_headers": {"content-type": "application/json"},
        "response_body": "[" * 10,
        # A JSON string and a JSON number are documents too, not NULL.
        "response_body_json": "just a string" if number % 3 == 0 else number,
        "cors_headers": None,
        # Some moments arrive with another offset; they are stored and read back in UTC.
        "timestamp": (MOMENT + timedelta(seconds=number)).astimezone(
            PLUS_TWO if number % 2 else UTC
        ),
        "duration": number,
        "request_body_truncated": number % 2 == 0,
        "response_body_truncated": True,
        "request_body_encoding": "utf-8",
        "response_body_encoding": None,
        "error": None,
        "connection_id": None,
        "message_direction": None,
        "graphql_operation": None,
    }


def sparse_row(endpoint_id: str, number: int) -> dict[str, Any]:
    """A row with only what the writer cannot make up (plus an id, to find it again)."""
    return {
        "id": f"sparse-{endpoint_id[:6]}-{number:05d}",
        "method": "GET",
        "url": f"wss://shop.example.com/socket/{number}",
        "request_headers": {},
        "response_headers": {},
        "timestamp": MOMENT + timedelta(seconds=number),
    }


def expected(row: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
    """What reading ``row`` back must give."""
    values: dict[str, Any] = {name: None for name in ApiCall.model_fields}
    values.update(protocol="http", request_body_truncated=False, response_body_truncated=False)
    values.update(row, endpoint_id=endpoint_id)
    values["timestamp"] = row["timestamp"].astimezone(UTC)
    return values


def rows_of(batches: list[CaptureBatch]) -> dict[str, dict[str, Any]]:
    return {row["id"]: expected(row, batch.endpoint_id) for batch in batches for row in batch.rows}


def stored(store: Database) -> dict[str, dict[str, Any]]:
    with store.session() as session:
        calls = session.exec(select(ApiCall)).all()
        values = {call.id: call.model_dump() for call in calls}
    assert len(values) == len(calls)
    return values


def count_calls(store: Database) -> int:
    with store.session() as session:
        return int(session.execute(sa.text("SELECT count(*) FROM api_calls")).scalar_one())


def sql_nulls(store: Database, column: str) -> int:
    """Rows whose ``column`` is SQL NULL (not the JSON literal null)."""
    with store.session() as session:
        statement = sa.text(f'SELECT count(*) FROM api_calls WHERE "{column}" IS NULL')
        return int(session.execute(statement).scalar_one())


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def balanced(stats: WriterStats) -> bool:
    """The module docstring's invariant, once nothing is queued."""
    return (
        stats.submitted_rows + stats.recovered_rows
        == stats.written_rows + stats.rejected_rows + stats.lost_rows + stats.journal_rows
    )


def replayed(writer: CaptureWriter) -> Callable[[], bool]:
    """Everything submitted is handled and the journal is empty again."""

    def check() -> bool:
        if not writer.flush(timeout=0):
            return False
        stats = writer.stats()
        return stats.healthy and stats.journal_rows == 0

    return check


def last_used(store: Database, endpoint_id: str) -> datetime | None:
    with store.session() as session:
        endpoint = session.get(Endpoint, endpoint_id)
        assert endpoint is not None
        return endpoint.last_used_at


def auth_tokens(store: Database, endpoint_id: str) -> tuple[Any, Any]:
    with store.session() as session:
        sequence = session.exec(
            select(ActionSequence).where(ActionSequence.endpoint_id == endpoint_id)
        ).one()
        return sequence.sequence, sequence.auth_tokens


def write_journal(path: Path, lines: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(lines))


def journal_line(endpoint_id: str, rows: list[dict[str, Any]], secrets: Any = None) -> bytes:
    """A journal line as a writer writes it (timestamps as ISO strings)."""
    encoded = [{**row, "timestamp": row["timestamp"].isoformat()} for row in rows]
    line = {"endpoint_id": endpoint_id, "rows": encoded, "secrets": secrets or {}}
    return json.dumps(line).encode() + b"\n"


# -- writing ---------------------------------------------------------------------------------


def test_rows_from_many_threads_arrive_once_with_their_values(
    store: Database, endpoints: list[str], make_writer: MakeWriter
) -> None:
    writer = make_writer(batch_rows=40)
    batches = [
        CaptureBatch(
            endpoint_id=endpoints[thread % 3],
            rows=tuple(
                (full_row if number % 4 else sparse_row)(endpoints[thread % 3], number)
                for number in range(thread * 1000 + batch * 3, thread * 1000 + batch * 3 + 3)
            ),
        )
        for thread in range(6)
        for batch in range(20)
    ]

    def submit_share(thread: int) -> None:
        for batch in batches[thread * 20 : (thread + 1) * 20]:
            writer.submit(batch)

    threads = [threading.Thread(target=submit_share, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert writer.flush(timeout=10)

    assert stored(store) == rows_of(batches)
    assert sql_nulls(store, "corsHeaders") == 360
    assert sql_nulls(store, "responseBodyJson") == 90  # the sparse rows only
    stats = writer.stats()
    assert (stats.submitted_rows, stats.written_rows, stats.journaled_rows) == (360, 360, 0)
    assert stats.healthy
    assert balanced(stats)


def test_what_a_row_leaves_out_gets_its_default(
    store: Database, endpoints: list[str], make_writer: MakeWriter
) -> None:
    writer = make_writer()
    before = datetime.now(UTC)
    row = {"method": "GET", "url": "/a", "request_headers": {}, "response_headers": {}}
    writer.submit(CaptureBatch(endpoints[0], (row, dict(row))))
    assert writer.flush(timeout=10)

    calls = list(stored(store).values())
    assert len(calls) == 2
    assert len({call["id"] for call in calls}) == 2
    for call in calls:
        assert len(call["id"]) == 24
        assert before <= call["timestamp"] <= datetime.now(UTC)
        assert call["timestamp"].tzinfo == UTC
        assert (call["protocol"], call["request_body_truncated"]) == ("http", False)
    assert sql_nulls(store, "requestBodyJson") == 2


def test_submissions_share_transactions(
    store: Database, endpoints: list[str], make_writer: MakeWriter
) -> None:
    writer = make_writer(batch_rows=50, flush_interval=0.5)
    for number in range(200):
        writer.submit(CaptureBatch(endpoints[0], (full_row(endpoints[0], number),)))
    assert writer.flush(timeout=10)
    assert count_calls(store) == 200
    assert 4 <= writer.stats().transactions <= 6


def test_a_quiet_moment_flushes_a_small_group(
    store: Database, endpoints: list[str], make_writer: MakeWriter
) -> None:
    writer = make_writer(batch_rows=1000, flush_interval=0.05)
    writer.submit(CaptureBatch(endpoints[0], (full_row(endpoints[0], 1),)))
    # The counters move just after the commit, so wait on them, not on the row.
    eventually(lambda: writer.stats().written_rows == 1, timeout=2)
    assert count_calls(store) == 1
    assert writer.stats().transactions == 1


def test_last_used_at_moves_to_the_newest_row_only_forward(
    store: Database, endpoints: list[str], make_writer: MakeWriter
) -> None:
    first, second = endpoints[0], endpoints[1]
    writer = make_writer()
    rows = [full_row(first, number) for number in (5, 1, 3)]
    writer.submit(CaptureBatch(first, tuple(rows)))
    assert writer.flush(timeout=10)
    assert last_used(store, first) == MOMENT + timedelta(seconds=5)

    writer.submit(CaptureBatch(first, (full_row(first, 2),)))
    assert writer.flush(timeout=10)
    assert last_used(store, first) == MOMENT + timedelta(seconds=5)

    writer.submit(CaptureBatch(first, (full_row(first, 9),)))
    assert writer.flush(timeout=10)
    assert last_used(store, first) == MOMENT + timedelta(seconds=9)
    assert last_used(store, second) is None
    with store.session() as session:
        endpoint = session.get(Endpoint, first)
        assert endpoint is not None
        assert endpoint.updated_at == MOMENT  # traffic is not an edit


def test_secrets_are_merged_into_the_auth_tokens(
    store: Database, endpoints: list[str], make_writer: MakeWriter
) -> None:
    fresh, existing, empty = endpoints
    with store.transaction() as session:
        session.add(
            ActionSequence(
                endpoint_id=existing,
                sequence=[{"order": 1, "method": "GET", "url": "/a"}],
                auth_tokens={"old": "c0"},
            )
        )
        session.add(ActionSequence(endpoint_id=empty, sequence=[], auth_tokens=None))
    writer = make_writer(flush_interval=0.2)
    writer.submit(CaptureBatch(fresh, (full_row(fresh, 1),), {"fp1": "c1"}))
    writer.submit(CaptureBatch(fresh, (), {"fp2": "c2"}))
    writer.submit(CaptureBatch(existing, (full_row(existing, 1),), {"fp3": "c3"}))
    writer.submit(CaptureBatch(empty, (full_row(empty, 1),), {"fp4": "c4"}))
    assert writer.flush(timeout=10)
    writer.submit(CaptureBatch(fresh, (full_row(fresh, 2),), {"fp1": "c1b"}))
    assert writer.flush(timeout=10)

    assert auth_tokens(store, fresh) == ([], {"fp1": "c1b", "fp2": "c2"})
    assert auth_tokens(store, existing) == (
        [{"order": 1, "method": "GET", "url": "/a"}],
        {"old": "c0", "fp3": "c3"},
    )
    assert auth_tokens(store, empty) == ([], {"fp4": "c4"})


# -- when the database is away ------------------------------------------------------------------


def test_an_outage_sends_rows_to_the_journal_and_they_come_back_once(
    store: Database, endpoints: list[str], make_writer: MakeWriter, outage: Outage, journal: Path
) -> None:
    endpoint = endpoints[0]
    writer = make_writer(batch_rows=7)
    before = [CaptureBatch(endpoint, (full_row(endpoint, number),)) for number in range(5)]
    for batch in before:
        writer.submit(batch)
    assert writer.flush(timeout=10)

    during = [
        CaptureBatch(
            endpoint,
            tuple(full_row(endpoint, 100 + 3 * number + k) for k in range(3)),
            {f"fp{number}": f"c{number}"},
        )
        for number in range(10)
    ]
    with outage():
        for batch in during:
            writer.submit(batch)
        assert writer.flush(timeout=10)
        failures = writer.stats().failures
        eventually(lambda: writer.stats().failures >= failures + 2)  # it keeps retrying
        stats = writer.stats()
        assert not stats.healthy
        assert (stats.written_rows, stats.journaled_rows, stats.journal_rows) == (5, 30, 30)
        assert len(journal.read_bytes().splitlines()) == 10

    eventually(replayed(writer))
    assert journal.stat().st_size == 0
    assert stored(store) == rows_of(before + during)
    assert sql_nulls(store, "corsHeaders") == 35
    assert last_used(store, endpoint) == MOMENT + timedelta(seconds=129)
    assert auth_tokens(store, endpoint)[1] == {f"fp{n}": f"c{n}" for n in range(10)}
    stats = writer.stats()
    assert (stats.written_rows, stats.replayed_rows, stats.journal_rows) == (35, 30, 0)
    assert balanced(stats)


def test_rows_journaled_when_closing_during_an_outage_go_to_the_next_writer(
    store: Database, endpoints: list[str], make_writer: MakeWriter, outage: Outage
) -> None:
    endpoint = endpoints[1]
    batches = [CaptureBatch(endpoint, (full_row(endpoint, number),)) for number in range(10)]
    with outage():
        writer = make_writer()
        for batch in batches:
            writer.submit(batch)
        assert writer.close(timeout=10)
        stats = writer.stats()
        assert (stats.written_rows, stats.journal_rows) == (0, 10)
        assert balanced(stats)

    successor = make_writer()
    eventually(replayed(successor))
    assert stored(store) == rows_of(batches)
    stats = successor.stats()
    assert (stats.recovered_rows, stats.replayed_rows, stats.written_rows) == (10, 10, 10)
    assert balanced(stats)


def test_a_journal_left_by_a_crash_is_replayed_on_start_without_duplicates(
    store: Database, endpoints: list[str], make_writer: MakeWriter, journal: Path
) -> None:
    endpoint = endpoints[0]
    rows = [full_row(endpoint, number) for number in range(6)]
    # The crash came in the middle of a replay: the first line's rows are stored already.
    with store.transaction() as session:
        session.add_all(ApiCall(**row) for row in rows[:3])
    write_journal(
        journal,
        [
            journal_line(endpoint, rows[:3]),
            journal_line(endpoint, rows[3:], {"fp": "c"}),
        ],
    )

    writer = make_writer()
    assert writer.stats().recovered_rows == 6
    eventually(replayed(writer))
    assert stored(store) == {row["id"]: expected(row, endpoint) for row in rows}
    assert journal.stat().st_size == 0
    assert auth_tokens(store, endpoint)[1] == {"fp": "c"}
    stats = writer.stats()
    assert (stats.replayed_rows, stats.written_rows, stats.skipped_journal_lines) == (6, 6, 0)
    assert balanced(stats)


def test_a_line_cut_off_by_a_crash_is_skipped_and_counted(
    store: Database, endpoints: list[str], make_writer: MakeWriter, journal: Path, outage: Outage
) -> None:
    endpoint = endpoints[0]
    kept = [full_row(endpoint, number) for number in range(2)]
    cut = journal_line(endpoint, [full_row(endpoint, 7)])[:-40]
    write_journal(journal, [journal_line(endpoint, kept), cut])
    later = CaptureBatch(endpoint, (full_row(endpoint, 3),))

    with outage():
        writer = make_writer()
        writer.submit(later)  # appended after the cut-off line, on a line of its own
        assert writer.flush(timeout=10)
        assert writer.stats().journal_rows == 3

    eventually(replayed(writer))
    assert set(stored(store)) == {kept[0]["id"], kept[1]["id"], later.rows[0]["id"]}
    stats = writer.stats()
    assert (stats.skipped_journal_lines, stats.recovered_rows, stats.written_rows) == (1, 2, 3)
    assert balanced(stats)
    assert journal.stat().st_size == 0


def test_a_full_queue_journals_without_blocking_or_dropping(
    store: Database, endpoints: list[str], make_writer: MakeWriter
) -> None:
    endpoint = endpoints[2]
    batches = [CaptureBatch(endpoint, (full_row(endpoint, number),)) for number in range(11)]
    writer = make_writer(queue_size=2, batch_rows=1)
    with store.engine.connect() as blocker:
        # Another transaction holds the table: the writer's first write waits for it.
        transaction = blocker.begin()
        if store.backend == "postgresql":
            blocker.exec_driver_sql("LOCK TABLE api_calls IN ACCESS EXCLUSIVE MODE")
        writer.submit(batches[0])
        eventually(lambda: writer.stats().queue_depth == 0)
        time.sleep(0.05)
        for batch in batches[1:]:
            started = time.monotonic()
            writer.submit(batch)
            assert time.monotonic() - started < 0.5
        assert not writer.flush(timeout=0.05)
        stats = writer.stats()
        assert (stats.queue_depth, stats.overflow_rows, stats.journal_rows) == (2, 8, 8)
        transaction.rollback()

    eventually(replayed(writer))
    assert stored(store) == rows_of(batches)
    stats = writer.stats()
    assert (stats.submitted_rows, stats.written_rows, stats.overflow_rows) == (11, 11, 8)
    assert balanced(stats)


def test_rows_the_database_refuses_are_set_aside_and_the_rest_is_written(
    store: Database, endpoints: list[str], make_writer: MakeWriter, journal: Path
) -> None:
    endpoint = endpoints[0]
    bad_status = {**full_row(endpoint, 2), "response_status": 42}
    good = [
        CaptureBatch(endpoint, (full_row(endpoint, 1),)),
        CaptureBatch(endpoint, (full_row(endpoint, 3),)),
    ]
    mixed = CaptureBatch(endpoint, (full_row(endpoint, 4), bad_status, full_row(endpoint, 5)))
    orphan = CaptureBatch("no-such-endpoint", (full_row("no-such-endpoint", 6),))
    writer = make_writer(flush_interval=0.3)
    for batch in (good[0], mixed, orphan, good[1]):
        writer.submit(batch)
    assert writer.flush(timeout=10)

    assert set(stored(store)) == {
        row["id"] for batch in (*good, mixed) for row in batch.rows if row is not bad_status
    }
    stats = writer.stats()
    assert (stats.written_rows, stats.rejected_rows, stats.journal_rows) == (4, 2, 0)
    assert stats.healthy
    assert balanced(stats)
    rejected = [json.loads(line) for line in Path(f"{journal}.rejected").read_text().splitlines()]
    assert sorted(line["rows"][0]["id"] for line in rejected) == sorted(
        [bad_status["id"], orphan.rows[0]["id"]]
    )
    assert all(line["error"] for line in rejected)


# -- the writer's life -----------------------------------------------------------------------


def test_close_writes_what_is_queued_and_is_idempotent(
    store: Database, endpoints: list[str], make_writer: MakeWriter
) -> None:
    endpoint = endpoints[0]
    writer = make_writer(flush_interval=5.0, batch_rows=10_000)
    for number in range(3):
        writer.submit(CaptureBatch(endpoint, (full_row(endpoint, number),)))
    started = time.monotonic()
    assert writer.close(timeout=10)
    assert time.monotonic() - started < 2
    assert count_calls(store) == 3
    assert writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit(CaptureBatch(endpoint, (full_row(endpoint, 9),)))


def test_the_writer_is_a_context_manager(
    store: Database, endpoints: list[str], journal: Path
) -> None:
    endpoint = endpoints[0]
    with CaptureWriter(store, journal, flush_interval=5.0) as writer:
        writer.submit(CaptureBatch(endpoint, (full_row(endpoint, 1),)))
    assert count_calls(store) == 1


def test_one_journal_serves_one_writer(store: Database, make_writer: MakeWriter) -> None:
    first = make_writer()
    with pytest.raises(StoreError, match="in use"):
        make_writer()
    first.close()
    make_writer()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"method": "GET", "url": "/", "request_headers": {}}, "lacks response_headers"),
        ({**full_row("e", 1), "colour": "red"}, "no attribute colour"),
        ({**full_row("e", 1), "endpoint_id": "other"}, "endpoint 'other'"),
        ({**full_row("e", 1), "timestamp": datetime(2026, 1, 1)}, "aware datetime"),
    ],
)
def test_rows_that_can_never_be_stored_are_refused_at_once(
    make_writer: MakeWriter, row: dict[str, Any], message: str
) -> None:
    writer = make_writer()
    with pytest.raises(ValueError, match=message):
        writer.submit(CaptureBatch("e", (row,)))
    assert writer.stats().submitted_rows == 0
