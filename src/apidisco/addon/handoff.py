"""The writer process: row conversion and database writes on a core of their own.

::

    hook ──offer()──► in-flight buffer ──sender thread──► pipe ──► writer process:
      │  (bounded; never blocks)   ▲                               RowBuilder, masking,
      │                            └── acks ◄── pipe ◄──────────── SecretBox, CaptureWriter
      │                                                             (COPY, journal, lastUsedAt)
      └── buffer full, or the process is gone: the in-process path
          (RowBuilder in the hook, this proxy's own CaptureWriter thread)

Why a process: mitmproxy's event loop and anything the addon runs in a thread
share one interpreter lock, so converting flows to rows and COPYing them in the
proxy's process slows every flow down. The hook now only builds a compact,
picklable :class:`Record` (an HTTP flow's raw fields as :func:`convert.state
<apidisco.addon.convert.state>` copies them, or a
:class:`~apidisco.capture.exchange.WebSocketMessage`, with the endpoint id and
the conversion options), pickles it and appends the pickle to a bounded
in-flight buffer; a sender thread writes what accumulated every
:data:`SEND_INTERVAL` to a pipe, as one message;
the child process (started with the ``spawn`` method: mitmproxy's process runs
threads, which must not be forked) decodes the bodies and builds the
:class:`~apidisco.capture.exchange.Exchange`, the masked rows of each message's
records (one batch per endpoint, so its writer thread is woken once per
message, not per record), encrypts the secret originals and hands them to an
ordinary
:class:`~apidisco.store.writer.CaptureWriter` with a journal of its own, so
batching, COPY, ``lastUsedAt``, ``authTokens``, the journal fallback and its
replay behave exactly as in-process. The child runs at a lower CPU priority
than the proxy: with the ``idle`` priority (the default, Linux) under
``SCHED_IDLE``, so it only takes a core nothing else wants and never a slice of
the proxy's; with ``low`` (and where there is no ``SCHED_IDLE``) at
:data:`WRITER_NICENESS`. Either way, when the machine's cores are busy, flows go
first and the rows follow when a core is free.

Nothing is dropped silently. A record stays in the in-flight buffer until the
child acknowledges it, which it does once the writer has stored or journaled
it. When the child exits unexpectedly, every record it had not acknowledged is
converted and written in-process (the *fallback*, a callable the caller
provides); a child killed between committing a group and acknowledging it can
therefore store that group's rows twice, never zero times. While the buffer is
full (``limit`` records or ``max_bytes`` of bodies: the database is slow) or
the child is gone, :meth:`WriterProcess.offer` refuses and the caller takes the
in-process path for that flow. :meth:`WriterProcess.stop` sends what is
buffered, lets the child drain its writer (to the database, or the journal) and
waits for it to exit.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for_sentinel
from pathlib import Path
from typing import Any

from apidisco.addon.convert import exchange_from_state, url_from_state
from apidisco.capture.exchange import CaptureBatch, Exchange, WebSocketMessage
from apidisco.capture.rows import RowBuilder
from apidisco.config import Settings
from apidisco.errors import ApidiscoError
from apidisco.secretbox import SecretBox
from apidisco.store.writer import CaptureWriter, WriterStats

__all__ = ["PRIORITIES", "Record", "WriterProcess", "build", "merge"]

logger = logging.getLogger("apidisco.addon")

#: Seconds the sender thread lets records accumulate before sending them. Every
#: turn of a thread in the proxy's process makes mitmproxy's event loop hand it the
#: interpreter lock and take it back, which costs the proxy far more than pickling
#: the records does: on the capture benchmark, 10 ms turns cost the proxy about
#: 0.7 ms of CPU per request and 0.2 s turns about 0.1 ms.
SEND_INTERVAL = 0.2
#: Seconds the child waits for records before acknowledging progress (each
#: acknowledgement wakes a thread in the proxy's process, too).
ACK_INTERVAL = 0.2
#: Seconds the writer process's store writer collects rows for one transaction (up to
#: its 500 rows): about one hand-off message's worth. The writer process yields its
#: core to the proxy, but the database server it writes to does not: committing a
#: transaction of N rows keeps a PostgreSQL backend busy ~40 µs per row at the
#: server's normal priority, and when that lands on the proxy's core, flows wait for
#: it. One-second groups made that a ~15 ms burst once a second at 350 requests/s;
#: 0.2 s groups make it ~3 ms five times a second; in paced rounds through the proxy
#: the addon's share of requests taking 6 ms or more fell from 4.1% to 2.0% (plain
#: mitmdump's: 1.5%; ``benchmarks/RESULTS.md``). The price is the writer process's
#: own ~0.8 ms of CPU per transaction (~11 µs per row at 350 requests/s, against
#: ~2 µs), spent at its low priority. Rows become visible within about half a second.
GROUP_INTERVAL = 0.2
#: The writer process's niceness, below the proxy's: on a busy machine flows go first,
#: and the writer catches up when a core is free (the buffer absorbs the lag).
WRITER_NICENESS = 10
#: The writer process's CPU priorities (``apidisco_writer_priority``). ``idle`` adds
#: ``SCHED_IDLE`` (Linux) to the niceness: the process runs only on a core that would
#: otherwise be idle, so it never preempts the proxy's event loop. At ``low`` (niceness
#: alone) it still took short slices of the proxy's core now and then: in probe runs
#: of the capture benchmark at the same paced load, two to three and a half times as
#: many of the addon's requests as plain mitmdump's took 6 ms or more (four runs of
#: five); at ``idle``, fewer than plain mitmdump's (two of two; ``benchmarks/RESULTS.md``).
#: The cost: on a machine whose cores are all busy for long, it writes nothing until
#: one is free, the buffer fills, and flows are then written in the proxy's process.
PRIORITIES = ("idle", "low")


@dataclass(frozen=True, slots=True)
class Record:
    """What the hook hands over: one observed item, for one endpoint."""

    endpoint_id: str
    # An HTTP flow's state (convert.state: bodies not decoded yet), or a built record.
    item: Mapping[str, Any] | Exchange | WebSocketMessage
    max_body: int
    keep_secrets: bool

    @property
    def size(self) -> int:
        """Bytes of body it carries (what bounds the in-flight buffer's memory)."""
        item = self.item
        if isinstance(item, Exchange):
            return len(item.request_body or b"") + len(item.response_body or b"") + 512
        if isinstance(item, WebSocketMessage):
            return len(item.content) + 256
        response = item["response"]
        body = len(response["content"] or b"") if response is not None else 0
        return len(item["request"]["content"] or b"") + body + 512

    @property
    def url(self) -> str:
        """The URL it records (for messages about it)."""
        item = self.item
        if isinstance(item, Exchange | WebSocketMessage):
            return item.url
        try:
            return url_from_state(item)
        except (KeyError, TypeError, ValueError, AttributeError):
            return "(a flow whose URL cannot be read)"


def _pickled(record: Record) -> bytes:
    """``record`` pickled as the tuple of its fields: pickling the dataclass itself
    costs four times as long (~3.6 µs against ~0.9 µs for a small record), most of it
    in naming and checking its class, or, for a slotted dataclass, a dozen Python
    calls in :mod:`dataclasses`."""
    fields = (record.endpoint_id, record.item, record.max_body, record.keep_secrets)
    return pickle.dumps(fields, pickle.HIGHEST_PROTOCOL)


def _unpickled(blob: bytes) -> Record:
    return Record(*pickle.loads(blob))


def build(record: Record, box: SecretBox | None) -> CaptureBatch:
    """The masked rows of ``record``, the kept originals encrypted with ``box``."""
    builder = RowBuilder(
        record.endpoint_id, max_body=record.max_body, keep_secrets=record.keep_secrets
    )
    item = record.item
    if isinstance(item, WebSocketMessage):
        batch = builder.message(item)
    else:
        batch = builder.exchange(item if isinstance(item, Exchange) else exchange_from_state(item))
    if box is None or not batch.secrets:
        return CaptureBatch(batch.endpoint_id, batch.rows)
    secrets = {key: box.encrypt(value) for key, value in batch.secrets.items()}
    return CaptureBatch(batch.endpoint_id, batch.rows, secrets)


def merge(batches: Sequence[CaptureBatch]) -> CaptureBatch:
    """One batch holding the rows (in order) and the secrets of ``batches``, which all
    belong to one endpoint."""
    if len(batches) == 1:
        return batches[0]
    secrets = {key: value for batch in batches for key, value in batch.secrets.items()}
    rows = tuple(row for batch in batches for row in batch.rows)
    return CaptureBatch(batches[0].endpoint_id, rows, secrets)


# -- the proxy's side -------------------------------------------------------------------


class WriterProcess:
    """The proxy's handle on the writer process (see the module docstring).

    ``fallback`` writes records in-process; it is called from this object's
    receiver thread (records the child did not acknowledge before it exited)
    and must not raise.
    """

    def __init__(
        self,
        process: multiprocessing.process.BaseProcess,
        records: Connection,
        reports: Connection,
        fallback: Callable[[Sequence[Record]], None],
        *,
        limit: int = 10_000,
        max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self._child = _Child(process)
        self._records = records
        self._reports = reports
        self._fallback = fallback
        self._limit = limit
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        # Offered and not acknowledged, each record pickled when it is offered: not sent
        # yet (seq, pickle, size), then sent, a message at a time (see _Sent).
        self._unsent: list[tuple[int, bytes, int]] = []
        self._sent: collections.deque[_Sent] = collections.deque()
        self._count = 0  # records in both
        self._bytes = 0  # their Record.size, together
        self._seq = 0  # the last record offered
        self._alive = True
        self._closing = False
        self.stats: WriterStats | None = None  # the child's writer, once it stopped
        self.unwritten = 0  # records the child could not convert or submit (it logged why)
        self.rerouted = 0  # records written in-process because the child exited
        self._sender = threading.Thread(target=self._send, name="apidisco-handoff", daemon=True)
        self._receiver = threading.Thread(
            target=self._receive, name="apidisco-handoff-acks", daemon=True
        )
        self._sender.start()
        self._receiver.start()

    @classmethod
    def start(
        cls,
        settings: Settings,
        *,
        journal: Path | None,
        secret_key: str | None,
        fallback: Callable[[Sequence[Record]], None],
        limit: int = 10_000,
        max_bytes: int = 64 * 1024 * 1024,
        method: str = "spawn",
        priority: str = PRIORITIES[0],
    ) -> WriterProcess:
        """Start the child (it opens the database itself, at ``priority``, one of
        :data:`PRIORITIES`) and the two threads that feed it. Raises OSError (or
        ValueError for an unknown ``method`` or ``priority``) if it cannot start."""
        if priority not in PRIORITIES:
            raise ValueError(f"unknown writer process priority {priority!r}")
        context = multiprocessing.get_context(method)
        records_out, records_in = context.Pipe(duplex=False)  # (receiving end, sending end)
        reports_out, reports_in = context.Pipe(duplex=False)
        process = context.Process(  # type: ignore[attr-defined]
            target=serve,
            args=(settings, journal, secret_key, records_out, reports_in, priority),
            name="apidisco-writer",
            daemon=True,
        )
        try:
            process.start()
        finally:
            # Only the child keeps these ends: its exit is then an EOF on ``reports_out``.
            records_out.close()
            reports_in.close()
        return cls(process, records_in, reports_out, fallback, limit=limit, max_bytes=max_bytes)

    @property
    def pid(self) -> int | None:
        return self._child.process.pid

    @property
    def alive(self) -> bool:
        return self._alive

    def pending(self) -> int:
        """Records offered and not yet acknowledged by the child."""
        with self._lock:
            return self._count

    def offer(self, record: Record) -> str | None:
        """Hand ``record`` over without waiting; None if taken, else why not
        (``"full"``, ``"stopped"``): the caller then writes it itself.

        The record is pickled here, a few microseconds for each flow, rather
        than a turn's records at once in the sender thread: that held the
        interpreter lock, and so every flow in the proxy, for a millisecond or
        more every turn. Kept as one bytes object, it is also nothing the
        garbage collector scans while it waits for its acknowledgement.
        """
        size = record.size
        blob = _pickled(record)
        with self._lock:
            if not self._alive or self._closing:
                return "stopped"
            if self._count >= self._limit or self._bytes + size > self._max_bytes:
                return "full"
            self._seq += 1
            self._unsent.append((self._seq, blob, size))
            self._count += 1
            self._bytes += size
            if len(self._unsent) == 1:  # the sender sleeps until there is something
                self._wakeup.notify()
        return None

    def stop(self, timeout: float = 60.0) -> WriterStats | None:
        """Send what is buffered, let the child write (or journal) everything and exit;
        the records it did not acknowledge are written in-process. Returns the child
        writer's counters (None if it never reported them). Idempotent."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._closing = True
            self._wakeup.notify()
        self._sender.join(max(0.0, deadline - time.monotonic()))
        child = self._child
        if not child.exited(max(0.0, deadline - time.monotonic())):
            logger.error(
                "apidisco: the writer process did not finish within %.0fs; stopping it and "
                "writing what it did not acknowledge in-process",
                timeout,
            )
            child.terminate()
            if not child.exited(5):
                child.kill()
                child.exited(5)
        self._receiver.join(10)
        with contextlib.suppress(OSError):
            self._records.close()
        with contextlib.suppress(OSError):
            self._reports.close()
        return self.stats

    # -- threads -----------------------------------------------------------------------

    def _send(self) -> None:
        """Pickle and pipe the records offered since the last turn; the end marker last.

        While traffic flows, the thread only sleeps between turns; it waits to be
        notified (by :meth:`offer`) only after a turn found nothing, so a busy proxy
        wakes it (and hands it the interpreter lock) once per turn, not twice."""
        idle = True
        while True:
            with self._wakeup:
                if idle:
                    self._wakeup.wait_for(
                        lambda: self._closing or not self._alive or bool(self._unsent)
                    )
                closing = self._closing
            if not closing:
                time.sleep(SEND_INTERVAL)  # one pickle and one write for what comes meanwhile
            with self._wakeup:
                if not self._alive:
                    return
                unsent, self._unsent = self._unsent, []
                idle = not unsent
                sent = _Sent(unsent)
                if unsent:
                    self._sent.append(sent)
                closing = self._closing
            try:
                if unsent:
                    self._records.send_bytes(sent.message())
                elif closing:
                    self._records.send_bytes(pickle.dumps(None))
                    return
            except (OSError, ValueError):
                return  # the child is gone: the receiver sees its EOF and takes over

    def _receive(self) -> None:
        """Acknowledgements and the final counters from the child, until it exits."""
        while True:
            try:
                kind, value = self._reports.recv()
            except (EOFError, OSError):
                break
            if kind == "ack":
                self._acknowledge(int(value))
            elif kind == "stats":
                self.stats, self.unwritten = value
            elif kind == "error":
                logger.error("apidisco: writer process: %s", value)
        self._child.exited(5)
        self._gone()

    def _acknowledge(self, seq: int) -> None:
        with self._lock:
            sent = self._sent
            while sent and sent[0].last <= seq:
                done = sent.popleft()
                self._count -= done.count
                self._bytes -= done.size

    def _gone(self) -> None:
        """The child exited: write what it did not acknowledge in-process."""
        with self._lock:
            self._alive = False
            leftover = [record for sent in self._sent for record in sent.records()]
            leftover += [_unpickled(blob) for _, blob, _ in self._unsent]
            self._sent.clear()
            self._unsent.clear()
            self._count = self._bytes = 0
            expected = self._closing
            self._wakeup.notify_all()
        if not leftover and expected:
            return
        logger.error(
            "apidisco: the writer process exited (code %s)%s; %d record(s) it had not "
            "acknowledged are written in-process, and so is new traffic",
            self._child.exitcode(),
            "" if expected else " unexpectedly",
            len(leftover),
        )
        if leftover:
            self.rerouted += len(leftover)
            self._fallback(leftover)


class _Child:
    """A child process that two threads wait for (``stop`` and the receiver thread).

    Collecting its exit status is serialised: a ``multiprocessing`` process waited
    on from two threads at once can report a child that has exited as alive (the
    thread that loses the race gets no status back from ``waitpid``), which made
    ``stop`` log that a writer process that had finished did not, now and then.
    """

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self.process = process
        self._reaping = threading.Lock()

    def exited(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the process to exit; whether it has."""
        if not wait_for_sentinel([self.process.sentinel], timeout):
            return False
        with self._reaping:
            # Its end of the sentinel pipe is closed: it is exiting, and its exit
            # status is there at once (not always yet for a non-blocking waitpid).
            self.process.join()
            return True

    def exitcode(self) -> int | None:
        with self._reaping:
            return self.process.exitcode

    def terminate(self) -> None:
        with self._reaping:
            self.process.terminate()

    def kill(self) -> None:
        with self._reaping:
            self.process.kill()


class _Sent:
    """One message's records (each pickled when it was offered), sent and not
    acknowledged yet. They are unpickled here only if the child exits first."""

    __slots__ = ("_items", "count", "last", "size")

    def __init__(self, unsent: Sequence[tuple[int, bytes, int]]) -> None:
        self.last = unsent[-1][0] if unsent else 0
        self.count = len(unsent)
        self.size = sum(size for _, _, size in unsent)
        self._items = [(seq, blob) for seq, blob, _ in unsent]

    def message(self) -> bytes:
        """What goes down the pipe: the (seq, pickled record) pairs, pickled (copying
        bytes objects is all that takes)."""
        return pickle.dumps(self._items, pickle.HIGHEST_PROTOCOL)

    def records(self) -> list[Record]:
        return [_unpickled(blob) for _, blob in self._items]


# -- the child's side ---------------------------------------------------------------------


def _lower_priority(priority: str) -> None:
    """Lower this process's CPU priority to ``priority`` (one of :data:`PRIORITIES`) where
    the platform can; the calling thread's, and so every thread it starts afterwards."""
    with contextlib.suppress(AttributeError, OSError):  # os.nice: POSIX only
        os.nice(WRITER_NICENESS)
    if priority == "idle":
        with contextlib.suppress(AttributeError, OSError):  # SCHED_IDLE: Linux only
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def serve(
    settings: Settings,
    journal: Path | None,
    secret_key: str | None,
    records: Connection,
    reports: Connection,
    priority: str = PRIORITIES[0],
) -> None:
    """The writer process: records in, rows to the store, acknowledgements out.

    Ends at the parent's end marker or when the parent is gone (EOF), after its
    writer stored or journaled everything. Ctrl-C is the parent's to handle (the
    terminal sends it to the whole process group): ignored here.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(format="apidisco writer process: %(levelname)s %(message)s")
    _lower_priority(priority)  # before any thread starts: they all inherit it
    from apidisco.addon.store import open_writer  # the store's modules load in the child only
    from apidisco.store.database import open_database

    box = SecretBox(secret_key) if secret_key else None
    try:
        database = open_database(settings)
        try:
            writer = open_writer(database, settings, journal, flush_interval=GROUP_INTERVAL)
        except BaseException:
            database.dispose()
            raise
    except ApidiscoError as error:
        reports.send(("error", error.message))
        raise SystemExit(1) from None
    waiting: collections.deque[tuple[int, int]] = collections.deque()  # (writer batch, seq)
    last = acked = reported = unwritten = 0
    try:
        while True:
            ready = records.poll(ACK_INTERVAL)
            if ready:
                try:
                    items: list[tuple[int, bytes]] | None = pickle.loads(records.recv_bytes())
                except EOFError:
                    break  # the parent is gone
                if items is None:
                    break
                last = items[-1][0]
                unwritten += _submit(writer, [_unpickled(blob) for _, blob in items], box)
                waiting.append((writer.progress()[0], last))
            done = writer.progress()[1]
            while waiting and waiting[0][0] <= done:
                acked = waiting.popleft()[1]
            if acked > reported:
                reports.send(("ack", acked))
                reported = acked
    finally:
        writer.close()  # write or journal whatever is queued
        with contextlib.suppress(OSError):  # unless the parent is gone
            reports.send(("ack", last))
            reports.send(("stats", (writer.stats(), unwritten)))
        database.dispose()


def _submit(writer: CaptureWriter, records: Sequence[Record], box: SecretBox | None) -> int:
    """Build the rows of ``records`` and submit them, one batch per endpoint; returns how
    many records could not be built or submitted (each logged)."""
    failed = 0
    by_endpoint: dict[str, list[CaptureBatch]] = {}
    for record in records:
        try:
            batch = build(record, box)
        except Exception:
            failed += 1
            logger.exception("cannot write a flow of %s (%s)", record.endpoint_id, record.url)
        else:
            by_endpoint.setdefault(batch.endpoint_id, []).append(batch)
    for batches in by_endpoint.values():
        try:
            writer.submit(merge(batches))
        except Exception:
            if len(batches) == 1:
                failed += 1
                logger.exception("cannot write a flow of %s", batches[0].endpoint_id)
                continue
            failed += _submit_each(writer, batches)  # keep the rows that can be written
    return failed


def _submit_each(writer: CaptureWriter, batches: Sequence[CaptureBatch]) -> int:
    failed = 0
    for batch in batches:
        try:
            writer.submit(batch)
        except Exception:
            failed += 1
            logger.exception("cannot write a flow of %s", batch.endpoint_id)
    return failed
