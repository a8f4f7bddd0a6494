"""The writer process: the hand-off, draining at the end, and every fallback."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.fernet import Fernet
from mitmproxy.test import taddons

from apidisco.addon import convert
from apidisco.addon.handoff import Record, WriterProcess, _Child, merge
from apidisco.addon.recorder import Recorder
from apidisco.capture.exchange import CaptureBatch, Exchange
from apidisco.capture.rows import RowBuilder
from apidisco.config import Settings
from apidisco.store.database import Database
from tests.addon.harness import harness, hook, run
from tests.addon.support import auth_tokens, calls, endpoint, owner, stored_endpoint, url_of
from tests.addon.test_flowfile import FLOWS
from tests.addon.test_recorder import DESTINATION, http_flow


@pytest.fixture
def endpoint_id(store_database: Database) -> str:
    return endpoint(store_database, owner(store_database), DESTINATION)


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The recorder's environment: nothing of this machine's; its data directory."""
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("APIDISCO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("APIDISCO_SECRET_KEY", raising=False)
    return tmp_path / "data"


def exchange(path: str) -> Exchange:
    return Exchange(
        method="GET",
        url=f"{DESTINATION}{path}",
        request_headers=(("Accept", "application/json"),),
        request_body=None,
        started=datetime.now(UTC),
        status=200,
        response_headers=(("Content-Type", "application/json"),),
        response_body=b'{"ok": true}',
    )


def recorded_paths(database: Database, endpoint_id: str) -> list[str]:
    return sorted(row.url.removeprefix(DESTINATION) for row in calls(database, endpoint_id))


def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- through the recorder ---------------------------------------------------------------


def record_through_a_process(
    context: taddons.context,
    recorder: Recorder,
    database: Database,
    endpoint_id: str,
    **options: str,
) -> None:
    """Configure ``recorder`` to record into ``database`` through a writer process, with
    more ``options``, and start it."""
    context.configure(
        recorder,
        apidisco_db=url_of(database),
        apidisco_endpoint=endpoint_id,
        apidisco_writer="process",
        **options,
    )
    recorder.running()


def test_the_writer_process_writes_everything_handed_over_when_done(
    store_database: Database, endpoint_id: str, environment: Path
) -> None:
    recorder = Recorder()

    async def scenario() -> None:
        async with harness(recorder) as context:
            record_through_a_process(context, recorder, store_database, endpoint_id)
            assert recorder.handoff is not None
            for number in range(50):
                await hook(recorder.response, http_flow(f"{DESTINATION}/n/{number}"))
            child = recorder.handoff.pid
            recorder.done()  # returns only once the process wrote (or journaled) everything
            assert recorder.handoff is None
            assert child is not None
            with pytest.raises(ProcessLookupError):
                os.kill(child, 0)

    run(scenario())
    assert recorded_paths(store_database, endpoint_id) == sorted(f"/n/{n}" for n in range(50))
    assert recorder.counts["handed-off"] == 50
    assert recorder.counts["rows"] == 0  # nothing was written in-process
    assert recorder.process_stats is not None
    assert recorder.process_stats.written_rows == 50
    last_used = stored_endpoint(store_database, endpoint_id).last_used_at
    assert last_used == datetime.fromtimestamp(1_700_000_000, UTC)
    # Each writer has a journal of its own; both are free again.
    assert len(list((environment / "journal").glob("capture-*.journal.lock"))) == 2


def test_secrets_are_encrypted_by_the_writer_process(
    store_database: Database,
    endpoint_id: str,
    environment: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = Fernet.generate_key()
    monkeypatch.setenv("APIDISCO_SECRET_KEY", key.decode())
    recorder = Recorder()

    async def scenario() -> None:
        async with harness(recorder) as context:
            record_through_a_process(context, recorder, store_database, endpoint_id)
            assert recorder.handoff is not None
            flow = http_flow(f"{DESTINATION}/me", headers=[("Authorization", "Bearer tok-789")])
            await hook(recorder.response, flow)
            recorder.done()

    run(scenario())
    (row,) = calls(store_database, endpoint_id)
    assert recorder.counts["handed-off"] == 1
    assert "tok-789" not in orjson.dumps(row.request_headers).decode()
    fingerprint = row.request_headers["authorization"].removeprefix("Bearer ‹masked:")[:8]
    tokens = auth_tokens(store_database, endpoint_id)
    assert "tok-789" not in orjson.dumps(tokens).decode()
    assert Fernet(key).decrypt(tokens[fingerprint].encode()) == b"tok-789"


def test_when_the_writer_process_dies_nothing_is_lost(
    store_database: Database, endpoint_id: str, environment: Path
) -> None:
    recorder = Recorder()

    async def scenario() -> None:
        async with harness(recorder) as context:
            record_through_a_process(context, recorder, store_database, endpoint_id)
            handoff = recorder.handoff
            assert handoff is not None
            for number in range(20):  # handed over while the process still starts up
                await hook(recorder.response, http_flow(f"{DESTINATION}/before/{number}"))
            assert handoff.pid is not None
            os.kill(handoff.pid, signal.SIGKILL)
            wait_for(lambda: not handoff.alive)
            for number in range(5):  # the process is gone: written in-process
                await hook(recorder.response, http_flow(f"{DESTINATION}/after/{number}"))
            recorder.done()

    run(scenario())
    expected = [f"/before/{n}" for n in range(20)] + [f"/after/{n}" for n in range(5)]
    assert recorded_paths(store_database, endpoint_id) == sorted(expected)
    assert recorder.counts["handed-off"] == 20
    assert recorder.counts["in-process:writer-process-exited"] == 20
    assert recorder.counts["in-process:stopped"] == 5
    assert recorder.counts["rows"] == 5


def test_a_full_hand_off_writes_in_process(
    store_database: Database, endpoint_id: str, environment: Path
) -> None:
    recorder = Recorder()
    recorder.handoff_limit = 3

    async def scenario() -> None:
        async with harness(recorder) as context:
            record_through_a_process(context, recorder, store_database, endpoint_id)
            assert recorder.handoff is not None
            for number in range(10):  # faster than the starting process acknowledges
                await hook(recorder.response, http_flow(f"{DESTINATION}/n/{number}"))
            recorder.done()

    run(scenario())
    assert recorded_paths(store_database, endpoint_id) == sorted(f"/n/{n}" for n in range(10))
    assert recorder.counts["handed-off"] == 3
    assert recorder.counts["in-process:full"] == 7
    assert recorder.counts["rows"] == 7


def test_the_thread_writer_starts_no_process(
    store_database: Database, endpoint_id: str, environment: Path
) -> None:
    recorder = Recorder()

    async def scenario() -> None:
        async with harness(recorder) as context:
            context.configure(
                recorder,
                apidisco_db=url_of(store_database),
                apidisco_endpoint=endpoint_id,
                apidisco_writer="thread",
            )
            recorder.running()
            assert recorder.handoff is None
            await hook(recorder.response, http_flow(f"{DESTINATION}/a"))
            recorder.done()

    run(scenario())
    assert recorded_paths(store_database, endpoint_id) == ["/a"]
    assert recorder.counts["rows"] == 1


# -- the hand-off itself ---------------------------------------------------------------


@pytest.fixture
def handoff(settings: Settings, tmp_path: Path) -> Iterator[tuple[WriterProcess, list[Record]]]:
    """A writer process whose fallback only collects what it is given."""
    fallen: list[Record] = []

    def fallback(records: Sequence[Record]) -> None:
        fallen.extend(records)

    process = WriterProcess.start(
        settings, journal=tmp_path / "child.journal", secret_key=None, fallback=fallback, limit=2
    )
    yield process, fallen
    process.stop()


def test_offer_refuses_when_full_and_never_waits(
    handoff: tuple[WriterProcess, list[Record]], endpoint_id: str, store_database: Database
) -> None:
    process, fallen = handoff
    started = time.perf_counter()
    answers = [process.offer(Record(endpoint_id, exchange(f"/{n}"), 1000, False)) for n in range(3)]
    assert time.perf_counter() - started < 0.05
    assert answers == [None, None, "full"]
    wait_for(lambda: process.pending() == 0)  # acknowledged once stored: room again
    assert process.offer(Record(endpoint_id, exchange("/3"), 1000, False)) is None
    stats = process.stop()
    assert stats is not None
    assert stats.written_rows == 3
    assert fallen == []
    assert recorded_paths(store_database, endpoint_id) == ["/0", "/1", "/3"]
    assert process.offer(Record(endpoint_id, exchange("/4"), 1000, False)) == "stopped"


def test_records_a_dead_process_did_not_acknowledge_go_to_the_fallback(
    handoff: tuple[WriterProcess, list[Record]], endpoint_id: str
) -> None:
    process, fallen = handoff
    records = [Record(endpoint_id, exchange(f"/{n}"), 1000, False) for n in range(2)]
    assert [process.offer(record) for record in records] == [None, None]
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    wait_for(lambda: len(fallen) == 2)
    assert fallen == records
    assert process.offer(records[0]) == "stopped"
    assert process.stop() is None  # killed: it never reported its counters


def test_auto_writes_in_a_process_for_postgresql_only(
    store_database: Database, endpoint_id: str
) -> None:
    recorder = Recorder()

    async def scenario() -> None:
        async with harness(recorder) as context:
            context.configure(
                recorder, apidisco_db=url_of(store_database), apidisco_endpoint=endpoint_id
            )
            assert recorder.writer == "auto"
            recorder.running()
            started = recorder.handoff is not None
            recorder.done()
            assert started == (store_database.backend == "postgresql")

    run(scenario())


def test_the_writer_process_builds_the_rows_the_hook_would_have_built(
    store_database: Database, endpoint_id: str, settings: Settings, tmp_path: Path
) -> None:
    flows = [FLOWS[name]() for name in ("gzip-json", "failed", "streamed", "websocket")]
    for number, flow in enumerate(flows):
        flow.request.path = f"/state/{number}"
    process = WriterProcess.start(
        settings, journal=tmp_path / "child.journal", secret_key=None, fallback=lambda _: None
    )
    for flow in flows:
        assert process.offer(Record(endpoint_id, convert.state(flow), 8, False)) is None
    stats = process.stop()
    assert stats is not None
    assert stats.written_rows == len(flows)
    assert process.unwritten == 0
    stored = {row.url: row.model_dump(exclude={"id"}) for row in calls(store_database, endpoint_id)}
    for flow in flows:
        (expected,) = RowBuilder(endpoint_id, max_body=8).exchange(convert.exchange(flow)).rows
        row = stored[expected["url"]]
        assert {name: row[name] for name in expected} == expected


def test_a_record_that_cannot_be_built_spoils_none_of_the_others(
    handoff: tuple[WriterProcess, list[Record]], endpoint_id: str, store_database: Database
) -> None:
    process, fallen = handoff
    broken: dict[str, Any] = {"id": "x", "request": {"content": b""}, "response": None}
    records = [
        Record(endpoint_id, exchange("/a"), 1000, False),
        Record(endpoint_id, broken, 1000, False),
    ]
    assert [process.offer(record) for record in records] == [None, None]
    wait_for(lambda: process.pending() == 0)  # acknowledged: stored, or counted as unwritten
    assert process.offer(Record(endpoint_id, exchange("/b"), 1000, False)) is None
    stats = process.stop()
    assert stats is not None
    assert stats.written_rows == 2
    assert process.unwritten == 1
    assert fallen == []
    assert recorded_paths(store_database, endpoint_id) == ["/a", "/b"]


def test_merged_batches_keep_every_row_in_order_and_every_secret() -> None:
    first = CaptureBatch("e1", ({"url": "/1"}, {"url": "/2"}), {"aa": "one"})
    second = CaptureBatch("e1", ({"url": "/3"},), {"bb": "two"})
    assert merge([first]) is first
    assert merge([first, second]) == CaptureBatch(
        "e1", ({"url": "/1"}, {"url": "/2"}, {"url": "/3"}), {"aa": "one", "bb": "two"}
    )


def _exit_at_once() -> None:
    pass


def _wait(child: _Child, seen: list[bool]) -> None:
    seen.append(child.exited(10))


def test_a_child_waited_for_from_two_threads_is_seen_to_exit_by_both() -> None:
    # Plain Process.join from two threads reported ~1 in 7 exited children alive.
    context = multiprocessing.get_context("fork")
    for _ in range(60):
        process = context.Process(target=_exit_at_once)
        process.start()
        child = _Child(process)
        seen: list[bool] = []
        other = threading.Thread(target=_wait, args=(child, seen))
        other.start()
        _wait(child, seen)
        other.join(10)
        assert seen == [True, True]
        assert child.exitcode() == 0


def _scheduling(pid: int) -> tuple[int, int]:
    """The policy and niceness of process ``pid``'s main thread."""
    return os.sched_getscheduler(pid), os.getpriority(os.PRIO_PROCESS, pid)


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
@pytest.mark.parametrize(("priority", "policy"), [("idle", "SCHED_IDLE"), ("low", "SCHED_OTHER")])
def test_the_writer_process_runs_below_the_proxy(
    settings: Settings,
    tmp_path: Path,
    endpoint_id: str,
    store_database: Database,
    priority: str,
    policy: str,
) -> None:
    process = WriterProcess.start(
        settings,
        journal=tmp_path / "child.journal",
        secret_key=None,
        fallback=lambda _: None,
        priority=priority,
    )
    try:
        assert process.offer(Record(endpoint_id, exchange("/0"), 1000, False)) is None
        wait_for(lambda: process.pending() == 0)  # running: it wrote a row
        assert process.pid is not None
        expected = (getattr(os, policy), min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10))
        assert _scheduling(process.pid) == expected
        # Its writer thread too: every thread of the process.
        threads = [int(tid) for tid in os.listdir(f"/proc/{process.pid}/task")]
        assert len(threads) > 1
        assert {_scheduling(tid) for tid in threads} == {expected}
    finally:
        process.stop()
    assert recorded_paths(store_database, endpoint_id) == ["/0"]


def test_an_unknown_writer_process_priority_is_refused(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="priority 'urgent'"):
        WriterProcess.start(
            settings,
            journal=tmp_path / "j",
            secret_key=None,
            fallback=lambda _: None,
            priority="urgent",
        )


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
@pytest.mark.parametrize(("priority", "policy"), [(None, "SCHED_IDLE"), ("low", "SCHED_OTHER")])
def test_the_recorder_starts_its_writer_process_at_the_chosen_priority(
    store_database: Database, endpoint_id: str, environment: Path, priority: str | None, policy: str
) -> None:
    recorder = Recorder()
    chosen = {} if priority is None else {"apidisco_writer_priority": priority}

    async def scenario() -> None:
        async with harness(recorder) as context:
            record_through_a_process(context, recorder, store_database, endpoint_id, **chosen)
            try:
                assert recorder.handoff is not None
                pid = recorder.handoff.pid
                assert pid is not None
                # Its threads start once its priority is set.
                wait_for(lambda: len(os.listdir(f"/proc/{pid}/task")) > 1)
                assert os.sched_getscheduler(pid) == getattr(os, policy)
            finally:
                recorder.done()

    run(scenario())
