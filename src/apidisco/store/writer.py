"""The batched capture writer: the proxy hands over rows and never waits on the database.

::

    addon hooks ──submit()──► bounded queue ──► writer thread ──► database (one transaction
        │                                            │             per group of batches)
        └── queue full: append to the journal        └── database down: append to the journal
                                                          and replay it when it answers again

:meth:`CaptureWriter.submit` puts a :class:`~apidisco.capture.exchange.CaptureBatch`
on a bounded queue and returns; the only I/O it ever does is appending to the
journal when the queue is full. One daemon thread drains the queue into
*groups* of up to ``batch_rows`` rows (or whatever arrived within
``flush_interval`` seconds) and writes each group in one transaction: the
``api_calls`` rows (COPY on PostgreSQL, executemany on SQLite), each
endpoint's ``lastUsedAt`` moved to its newest row, and the batches' secrets
merged into the endpoint's ``action_sequences.authTokens``.

The journal keeps the capture contract ("capture never loses a flow
silently"). It is a local append-only JSON Lines file, one batch per line,
fsynced after every append. Every row gets its ``id`` before it is first
written anywhere, so replaying is idempotent (``ON CONFLICT (id) DO NOTHING``)
and a crash in the middle of a replay only means replaying again. When a write
fails because the database cannot be used (connection refused, server gone,
``OperationalError``), the group is journaled and the writer turns *unhealthy*
until a retry (every ``retry_interval`` seconds) gets through. While it is
unhealthy, or while the journal holds anything (also after the queue
overflowed), new groups are appended to the journal, so the journal keeps
submission order. The journal is replayed in chunks of ``batch_rows`` rows, one
transaction each, front to back, interleaved with draining the queue, and
truncated once all of it is stored. A writer that finds a non-empty journal
when it starts (a crash left it) replays it first. A line cut off by a crash is
skipped and counted. Each journal belongs to one writer: it is locked (``flock``)
while the writer runs, and a second writer on it gets a :class:`StoreError`.

A write the database *refuses* (a constraint or data error: the endpoint was
deleted, a value breaks a CHECK) is not retried forever: the group is retried
batch by batch, then row by row, and the rows that are still refused go to
the *rejected* file beside the journal (same format, plus the error), logged.

Counting: ``written_rows`` counts every row stored by this writer, directly or
by replay; ``replayed_rows`` is the part of it that came from the journal. Once
nothing is queued (after :meth:`CaptureWriter.flush` or :meth:`CaptureWriter.close`)::

    submitted_rows + recovered_rows == written_rows + rejected_rows + lost_rows + journal_rows

where ``recovered_rows`` were found in the journal at start and ``lost_rows``
(logged as errors) could be written neither to the database nor to the journal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType

from sqlalchemy import exc

from apidisco.capture.exchange import CaptureBatch
from apidisco.errors import StoreError
from apidisco.store.database import Database
from apidisco.store.journal import Journal, JournalBatch, JournalEntry, encode
from apidisco.store.repositories.capture import (
    CaptureRepository,
    check_call_row,
    complete_call_row,
)

__all__ = ["CaptureWriter", "WriterStats"]

logger = logging.getLogger("apidisco.capture")

_WAKE = object()  # put on the queue to wake the thread up for closing
_COLLECT_SLICE = 0.02  # seconds between looks at the queue while a group fills up


@dataclass(frozen=True)
class WriterStats:
    """A snapshot of a :class:`CaptureWriter`'s counters (see the module docstring)."""

    submitted_rows: int
    written_rows: int  # stored in the database, directly or by replay
    journaled_rows: int  # ever appended to the journal (overflow_rows included)
    replayed_rows: int  # stored in the database from the journal (part of written_rows)
    overflow_rows: int  # journaled by submit() because the queue was full
    rejected_rows: int  # refused by the database, set aside in the rejected file
    lost_rows: int  # stored neither in the database nor in the journal (logged)
    recovered_rows: int  # found in the journal when the writer started
    journal_rows: int  # in the journal now, waiting to be replayed
    skipped_journal_lines: int  # journal lines that could not be read (cut off by a crash)
    failures: int  # database attempts that failed, retries included
    transactions: int  # transactions committed
    queue_depth: int
    healthy: bool

    def __add__(self, other: WriterStats) -> WriterStats:
        """The counters of two writers together (a proxy and its writer process)."""
        values = {
            name: getattr(self, name) + getattr(other, name)
            for name in self.__dataclass_fields__
            if name != "healthy"
        }
        return WriterStats(**values, healthy=self.healthy and other.healthy)


@dataclass
class _Outcome:
    written: int = 0
    rejected: list[tuple[JournalBatch, str]] = field(default_factory=list)


def _prepare(batch: CaptureBatch) -> JournalBatch:
    rows = [complete_call_row(row, batch.endpoint_id) for row in batch.rows]
    return JournalBatch(batch.endpoint_id, rows, dict(batch.secrets))


def _unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be used now (rather than refusing the rows)."""
    if isinstance(error, StoreError | exc.TimeoutError | exc.DisconnectionError):
        return True  # TimeoutError: no pooled connection came free in time
    if isinstance(error, exc.IntegrityError | exc.DataError):
        return False
    if isinstance(error, exc.DBAPIError):
        return True
    if type(error).__module__.startswith("psycopg"):  # raised by COPY, unwrapped
        import psycopg

        return isinstance(error, psycopg.Error) and not isinstance(
            error, psycopg.IntegrityError | psycopg.DataError
        )
    return False


def _reason(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__


# -- the writer -------------------------------------------------------------------------


class CaptureWriter:
    """Writes :class:`CaptureBatch` es to the store from one background thread.

    ``journal_path`` is this writer's own journal (locked while it runs); refused
    rows go to ``rejected_path`` (default: the journal's name plus ``.rejected``).
    """

    def __init__(
        self,
        database: Database,
        journal_path: Path,
        *,
        queue_size: int = 10_000,
        batch_rows: int = 500,
        flush_interval: float = 0.2,
        retry_interval: float = 2.0,
        rejected_path: Path | None = None,
    ) -> None:
        if queue_size < 1 or batch_rows < 1:
            raise ValueError("queue_size and batch_rows must be at least 1")
        self._database = database
        self._journal = Journal(Path(journal_path))
        self._rejected_path = rejected_path or self._journal.path.with_name(
            self._journal.path.name + ".rejected"
        )
        self._queue: queue.Queue[CaptureBatch | object] = queue.Queue(maxsize=queue_size)
        self._batch_rows = batch_rows
        self._flush_interval = flush_interval
        self._retry_interval = retry_interval
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closed = False
        self._stopping = threading.Event()
        self._deadline = float("inf")  # when close() stops waiting for a replay
        self._healthy = True
        self._next_retry = 0.0
        self._replay_offset = 0
        self._accepted = 0  # batches accepted by submit()
        self._done = 0  # of which stored, journaled, rejected or lost
        self._counts = dict.fromkeys(
            (
                "submitted_rows written_rows journaled_rows replayed_rows overflow_rows "
                "rejected_rows lost_rows skipped_journal_lines failures transactions"
            ).split(),
            0,
        )
        self._recovered_rows = self._journal.pending_rows
        self._thread = threading.Thread(target=self._run, name="apidisco-capture", daemon=True)
        self._thread.start()

    # -- the caller's side -------------------------------------------------------

    def submit(self, batch: CaptureBatch) -> None:
        """Hand ``batch`` over for writing; returns at once.

        Raises :class:`ValueError` for rows that can never be stored (unknown
        attributes, missing required ones, naive timestamps) and
        :class:`RuntimeError` once the writer is closed.
        """
        for row in batch.rows:
            check_call_row(row, batch.endpoint_id)
        rows = len(batch.rows)
        with self._lock:
            if self._closed:
                raise RuntimeError("the capture writer is closed")
            self._counts["submitted_rows"] += rows
            try:
                self._queue.put_nowait(batch)
            except queue.Full:
                self._counts["overflow_rows"] += rows
            else:
                self._accepted += 1
                return
        # The queue is full: the rows go to the journal, on the caller's thread.
        self._journal_batches([_prepare(batch)])

    def progress(self) -> tuple[int, int]:
        """Batches queued by :meth:`submit` so far, and how many of those are done
        (stored, journaled, rejected or lost); done in the order they were queued.
        A batch :meth:`submit` journaled itself (queue full) is done when it returns."""
        with self._lock:
            return self._accepted, self._done

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far is in the database or the journal.

        Returns False if ``timeout`` seconds passed first.
        """
        with self._changed:
            target = self._accepted
            return self._changed.wait_for(lambda: self._done >= target, timeout)

    def close(self, timeout: float = 30.0) -> bool:
        """Stop accepting, write what is queued (to the journal if the database is
        down), and stop the thread. Idempotent; returns whether the thread finished."""
        with self._lock:
            already = self._closed
            self._closed = True
        if not already:
            self._deadline = time.monotonic() + timeout
            self._stopping.set()
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(_WAKE)
        self._thread.join(timeout)
        if self._thread.is_alive():
            logger.error(
                "capture writer still busy after %.1fs; %d batch(es) queued",
                timeout,
                self._queue.qsize(),
            )
            return False
        self._journal.close()
        return True

    def __enter__(self) -> CaptureWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def stats(self) -> WriterStats:
        with self._lock:
            counts = dict(self._counts)
        return WriterStats(
            **counts,
            recovered_rows=self._recovered_rows,
            journal_rows=self._journal.pending_rows,
            queue_depth=self._queue.qsize(),
            healthy=self._healthy,
        )

    # -- the thread's side -------------------------------------------------------

    def _count(self, **increments: int) -> None:
        with self._lock:
            for name, value in increments.items():
                self._counts[name] += value

    def _mark_done(self, batches: int) -> None:
        with self._changed:
            self._done += batches
            self._changed.notify_all()

    def _run(self) -> None:
        while True:
            try:
                if self._step():
                    return
            except Exception:  # the thread must outlive any error
                logger.exception("capture writer: unexpected error; carrying on")
                time.sleep(min(self._retry_interval, 1.0))

    def _step(self) -> bool:
        """One turn of the thread's loop; True when it is time to stop."""
        stopping = self._stopping.is_set()
        journal = self._journal
        group = self._collect(wait=not stopping and not (self._healthy and journal.dirty))
        if group:
            self._handle(group)
        if journal.dirty and (self._healthy or (not stopping and self._retry_due())):
            self._replay()
        elif not journal.dirty:
            self._healthy = True  # nothing to replay: the next group is the test
        if not stopping or group or not self._queue.empty():
            return False
        # Closing: finish replaying if the database answers and there is time left.
        return not (self._healthy and journal.dirty and time.monotonic() < self._deadline)

    def _retry_due(self) -> bool:
        return time.monotonic() >= self._next_retry

    def _collect(self, *, wait: bool) -> list[CaptureBatch]:
        """Batches up to ``batch_rows`` rows, or what came within ``flush_interval``.

        Without ``wait``, only what is queued already.
        """
        group: list[CaptureBatch] = []
        timeout = self._idle_wait() if wait else 0.0
        try:
            item = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return group
        deadline = time.monotonic() + self._flush_interval
        rows = 0
        while True:
            if isinstance(item, CaptureBatch):
                group.append(item)
                rows += len(item.rows)
            if rows >= self._batch_rows:
                return group
            while True:
                try:
                    item = self._queue.get_nowait()
                    break
                except queue.Empty:
                    wait = wait and not self._stopping.is_set()
                    remaining = deadline - time.monotonic()
                    if not wait or remaining <= 0:
                        return group
                    # Sleep, rather than wait on the queue, which would wake this thread
                    # (and make it take the interpreter lock) at every submit.
                    self._stopping.wait(min(remaining, _COLLECT_SLICE))

    def _idle_wait(self) -> float:
        """How long to wait for a first batch: until the next retry when unhealthy."""
        wait = max(self._flush_interval, 0.05)
        if not self._healthy:
            wait = min(wait, self._next_retry - time.monotonic())
        return max(wait, 0.001)

    def _handle(self, group: list[CaptureBatch]) -> None:
        """Store a group, or journal it (the part the database could not take)."""
        try:
            batches: list[JournalBatch] = []
            for batch in group:
                try:
                    batches.append(_prepare(batch))
                except Exception:
                    logger.exception("capture writer: cannot prepare a batch; its rows are lost")
                    self._count(lost_rows=len(batch.rows))
            if self._healthy and not self._journal.dirty:
                outcomes = self._store(batches, replay=False)
                self._settle(batches[: len(outcomes)], outcomes, replayed=False)
                batches = batches[len(outcomes) :]
            if batches:
                self._journal_batches(batches)
        finally:
            self._mark_done(len(group))

    def _journal_batches(self, batches: list[JournalBatch]) -> None:
        rows = sum(len(batch.rows) for batch in batches)
        try:
            self._journal.append(batches)
        except Exception:
            logger.exception(
                "capture writer: cannot append %d row(s) to the journal %s; they are lost",
                rows,
                self._journal.path,
            )
            self._count(lost_rows=rows)
        else:
            self._count(journaled_rows=rows)

    def _store(self, batches: list[JournalBatch], *, replay: bool) -> list[_Outcome]:
        """Write ``batches`` in one transaction; an outcome per leading batch dealt with.

        Fewer outcomes than batches: the database became unavailable (the writer
        is then unhealthy). A refused write is retried in parts (:meth:`_isolate`).
        """
        if not batches:
            return []
        try:
            with self._database.transaction() as session:
                _write(CaptureRepository(session), batches, replay=replay)
        except Exception as error:
            self._count(failures=1)
            if _unavailable(error):
                self._unhealthy(error)
                return []
            return self._isolate(batches, error, replay=replay)
        self._count(transactions=1)
        self._healthy = True
        return [_Outcome(written=len(batch.rows)) for batch in batches]

    def _isolate(
        self, batches: list[JournalBatch], error: Exception, *, replay: bool
    ) -> list[_Outcome]:
        """Retry a refused group batch by batch, and a refused batch row by row."""
        reason = _reason(error)
        if len(batches) == 1 and len(batches[0].rows) <= 1:
            logger.error("capture writer: the database refused a row: %s", reason)
            return [_Outcome(rejected=[(batches[0], reason)])]
        logger.warning(
            "capture writer: the database refused a write (%s); retrying in parts", reason
        )
        if len(batches) > 1:
            outcomes: list[_Outcome] = []
            for batch in batches:
                done = self._store([batch], replay=replay)
                if not done:
                    break
                outcomes += done
            return outcomes
        batch = batches[0]
        combined = _Outcome()
        for row in batch.rows:
            done = self._store(
                [JournalBatch(batch.endpoint_id, [row], batch.secrets)], replay=replay
            )
            if not done:
                return []  # the rows written so far are written again, harmlessly, later
            combined.written += done[0].written
            combined.rejected += done[0].rejected
        return [combined]

    def _unhealthy(self, error: BaseException) -> None:
        if self._healthy:
            logger.warning(
                "capture writer: cannot use the database (%s); journaling to %s",
                _reason(error),
                self._journal.path,
            )
        self._healthy = False
        self._next_retry = time.monotonic() + self._retry_interval

    def _settle(
        self, batches: Sequence[JournalBatch], outcomes: Sequence[_Outcome], *, replayed: bool
    ) -> None:
        """Count what became of ``batches``; set the refused rows aside."""
        written = sum(outcome.written for outcome in outcomes)
        rejected = [item for outcome in outcomes for item in outcome.rejected]
        self._count(
            written_rows=written,
            replayed_rows=written if replayed else 0,
            rejected_rows=sum(len(batch.rows) for batch, _ in rejected),
        )
        if rejected:
            self._set_aside(rejected)

    def _set_aside(self, rejected: list[tuple[JournalBatch, str]]) -> None:
        try:
            with self._rejected_path.open("ab") as file:
                file.write(b"".join(encode(batch, error) for batch, error in rejected))
                file.flush()
                os.fsync(file.fileno())
        except Exception:
            logger.exception("capture writer: cannot write %s", self._rejected_path)

    def _replay(self) -> None:
        """Replay the journal front to back, a chunk per transaction, for a while;
        empty it once everything in it is stored."""
        started = time.monotonic()
        budget = max(self._flush_interval, 0.05)
        first = True
        while True:
            entries = self._journal.read(self._replay_offset, self._batch_rows)
            if not entries:  # only unreadable lines were left, or nothing
                if self._journal.truncate_at(self._replay_offset):
                    self._journal_replayed()
                return
            now = time.monotonic()
            if not first and (
                now > self._deadline or (now - started > budget and not self._stopping.is_set())
            ):
                return  # more next turn: new captures are not held up behind the journal
            first = False
            batches = [entry.batch for entry in entries if entry.batch is not None]
            outcomes = self._store(batches, replay=True)
            self._consume(entries, outcomes)
            if len(outcomes) < len(batches):
                return  # unavailable again

    def _consume(self, entries: list[JournalEntry], outcomes: list[_Outcome]) -> None:
        """Move past the journal lines ``outcomes`` account for, and the unreadable ones."""
        pending = iter(outcomes)
        consumed: list[tuple[JournalBatch, _Outcome]] = []
        skipped = 0
        for entry in entries:
            if entry.batch is None:
                skipped += 1
                logger.warning(
                    "capture writer: skipped an unreadable line of %s", self._journal.path
                )
            else:
                outcome = next(pending, None)
                if outcome is None:
                    break
                consumed.append((entry.batch, outcome))
            self._replay_offset = entry.end
        self._settle([batch for batch, _ in consumed], [o for _, o in consumed], replayed=True)
        self._count(skipped_journal_lines=skipped)
        if self._journal.consumed(
            sum(len(batch.rows) for batch, _ in consumed), self._replay_offset
        ):
            self._journal_replayed()

    def _journal_replayed(self) -> None:
        self._replay_offset = 0
        logger.info("capture writer: journal %s replayed", self._journal.path)


def _write(repository: CaptureRepository, batches: list[JournalBatch], *, replay: bool) -> None:
    """The statements of one group: rows, lastUsedAt, secrets."""
    repository.add_calls([row for batch in batches for row in batch.rows], skip_existing=replay)
    newest: dict[str, datetime] = {}
    secrets: dict[str, dict[str, str]] = {}
    for batch in batches:
        for row in batch.rows:
            moment = row["timestamp"]
            if batch.endpoint_id not in newest or moment > newest[batch.endpoint_id]:
                newest[batch.endpoint_id] = moment
        if batch.secrets:
            secrets.setdefault(batch.endpoint_id, {}).update(batch.secrets)
    repository.touch_endpoints(newest)
    for endpoint_id in sorted(secrets):
        repository.merge_auth_tokens(endpoint_id, secrets[endpoint_id])
