"""``Recorder``: the mitmproxy addon that records traffic into the store.

Every HTTP exchange, failed request, WebSocket handshake and WebSocket message
that passes through mitmproxy becomes ``api_calls`` rows of one endpoint (via
:mod:`apidisco.addon.convert` and :class:`~apidisco.capture.rows.RowBuilder`),
handed to the batched :class:`~apidisco.store.writer.CaptureWriter`. Works in
regular, reverse, upstream and transparent modes, and on saved flows::

    mitmdump -s "$(apidisco addon path)" --set apidisco_endpoint=<id>
    mitmdump -n -r saved.flows -s "$(apidisco addon path)" --set apidisco_endpoint=<id>

Which endpoint a flow belongs to: the one the gateway routed it to
(``/proxy/{id}/...``), else ``apidisco_endpoint``, else the endpoint whose
``destinationUrl`` has the flow's origin and the longest matching path
prefix (for flows read from a file, ``apidisco_endpoint`` comes first). It is
recorded only while that endpoint's status is ACTIVE or MONITORING. Lookups
are cached (:mod:`apidisco.addon.directory`), so the hooks do not query the
database per flow, and what they do query runs in a worker thread, as does
opening the store. Flows that cannot be recorded are counted (``counts``)
and logged, never dropped silently.

Where the rows are built and written (``apidisco_writer``): for a PostgreSQL
store (``auto``, the default) or with ``process``, in a writer process the
recorder starts with the store and stops when mitmproxy stops
(:mod:`apidisco.addon.handoff`), so conversion, masking and COPY run on
another core than mitmproxy's event loop; the hook only hands over the
flow's raw fields (:func:`convert.state <apidisco.addon.convert.state>`), and
the writer process decodes the bodies and builds the exchange. When that
process is gone or cannot keep up, for SQLite (which takes one writer at a
time) or with ``apidisco_writer=thread``, the hook builds the rows and the
store's writer thread writes them, in this process.

Secrets are masked in every row. With ``APIDISCO_SECRET_KEY`` (a Fernet key)
set, the original values are kept for replay, each encrypted with that key,
in the endpoint's ``action_sequences.authTokens``; without it they are
dropped. A storage failure never stops the proxy: the writer journals rows
while the database is unreachable.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mitmproxy import ctx, exceptions, flowfilter, http

from apidisco.addon import convert
from apidisco.addon.directory import MISSING, Choice, EndpointInfo, Missing
from apidisco.addon.handoff import PRIORITIES, Record, WriterProcess, build
from apidisco.addon.store import CaptureStore
from apidisco.capture.exchange import Exchange, WebSocketMessage
from apidisco.capture.rows import DEFAULT_MAX_BODY
from apidisco.config import Settings, resolve_settings
from apidisco.errors import ApidiscoError, ConfigError, StoreError
from apidisco.secretbox import SECRET_KEY_ENV, SecretBox, open_box
from apidisco.store.engine import parse_database_url
from apidisco.store.writer import WriterStats

__all__ = [
    "ENDPOINT_KEY",
    "REFUSED_KEY",
    "WRITERS",
    "Recorder",
    "options_error",
]

logger = logging.getLogger("apidisco.addon")

# flow.metadata keys the gateway sets: the endpoint a flow was routed to, and why it
# was refused (refused flows are answered by the gateway and never recorded).
ENDPOINT_KEY = "apidisco_endpoint"
REFUSED_KEY = "apidisco_refused"
# After the store failed to open, hooks try again this often (seconds).
REOPEN_INTERVAL = 5.0
# apidisco_writer: where rows are built and written.
WRITERS = ("auto", "process", "thread")

# What a flow records, made when it is handed over; and a directory lookup's answer.
Observe = Callable[[], Mapping[str, Any] | Exchange | WebSocketMessage]
Answer = EndpointInfo | Choice | None


def _freeze_heap() -> None:
    """Keep what is alive once the proxy runs out of the garbage collector's passes.

    mitmproxy's modules, the addon's and the store's (SQLAlchemy's above all)
    live as long as the process; loading the store roughly doubles the objects
    each full collection walks, and full collections stall every flow in
    flight. ``gc.freeze`` moves them to the permanent generation, so
    collections walk the traffic's objects, as in a proxy without the addon.
    :meth:`Recorder.done` unfreezes them.
    """
    gc.collect()
    gc.freeze()


def options_error(message: str) -> Exception:
    """mitmproxy's error for a bad option value: it shows ``message`` and refuses the value."""
    return exceptions.OptionsError(message)  # type: ignore[no-untyped-call]


def _secret_key(environ: Mapping[str, str]) -> str | None:
    return environ.get(SECRET_KEY_ENV, "").strip() or None


def _parse_filter(expression: str | None) -> flowfilter.TFilter | None:
    if not expression:
        return None
    try:
        return flowfilter.parse(expression)
    except ValueError as error:
        raise options_error(f"apidisco_filter: {error}") from None


class Recorder:
    """Records flows into the store (see the module docstring)."""

    def __init__(self, store: CaptureStore | None = None) -> None:
        # A store given here belongs to the caller (``apidisco proxy``), which closes it.
        self.store = store
        self._owns_store = store is None
        self.settings: Settings | None = store.settings if store is not None else None
        self.endpoint_id: str | None = None
        self.filter: flowfilter.TFilter | None = None
        self.max_body = DEFAULT_MAX_BODY
        self.box: SecretBox | None = None
        self._key_read = False
        self.writer = WRITERS[0]
        self.writer_priority = PRIORITIES[0]  # apidisco_writer_priority
        self.handoff: WriterProcess | None = None
        self.handoff_limit = 10_000  # records in flight to the writer process, at most
        self.process_stats: WriterStats | None = None  # the last writer process's counters
        self.journal: Path | None = None
        self.counts: Counter[str] = Counter()
        self._opening: asyncio.Task[CaptureStore | None] | None = None
        self._failed_at: float | None = None
        self._recorded: weakref.WeakSet[http.HTTPFlow] = weakref.WeakSet()
        self._warned: set[str] = set()

    # -- options -------------------------------------------------------------------

    def load(self, loader: Any) -> None:
        loader.add_option(
            "apidisco_endpoint",
            str | None,
            None,
            "Record every flow under this endpoint id. Unset: each flow goes to the endpoint "
            "whose destination URL has its origin and the longest matching path prefix.",
        )
        loader.add_option(
            "apidisco_db",
            str | None,
            None,
            "Database URL to record into (sqlite:///file.db or postgresql://...). Unset: "
            "the configured store ($APIDISCO_DATABASE_URL, $DATABASE_URL, the config file, "
            "or the embedded SQLite file).",
        )
        loader.add_option(
            "apidisco_max_body",
            int | None,
            None,
            "Bodies longer than this many bytes are stored cut and flagged as truncated. "
            f"Unset: the capture_max_body setting ({DEFAULT_MAX_BODY} by default).",
        )
        loader.add_option(
            "apidisco_filter",
            str | None,
            None,
            "Record only the flows matching this mitmproxy filter expression (e.g. '~d api').",
        )
        loader.add_option(
            "apidisco_journal",
            str | None,
            None,
            "File the writer appends rows to while the database is unreachable (replayed when "
            "it is back). Unset: a file under <data_dir>/journal/. The writer process uses "
            "a journal of its own beside it (<name>-process<suffix>).",
        )
        loader.add_option(
            "apidisco_writer",
            str,
            WRITERS[0],
            "Where rows are built and written: 'process' (a writer process, so the proxy's "
            "event loop only hands flows over), 'thread' (in mitmproxy's process, by a "
            "writer thread) or 'auto' (the process for PostgreSQL, the thread for SQLite, "
            "which takes one writer at a time anyway). The process falls back to the "
            "thread when it is gone or full.",
            choices=WRITERS,
        )
        loader.add_option(
            "apidisco_writer_priority",
            str,
            PRIORITIES[0],
            "The writer process's CPU priority, below the proxy's: 'idle' (on Linux it runs "
            "only on a core nothing else wants, so it never delays a flow; on a machine "
            "whose cores stay busy it falls behind and flows are then written in-process) "
            "or 'low' (niceness +10 only). Takes effect when the writer process starts.",
            choices=PRIORITIES,
        )

    def configure(self, updated: set[str]) -> None:
        options = ctx.options
        if "apidisco_filter" in updated:
            self.filter = _parse_filter(options.apidisco_filter)
        if "apidisco_max_body" in updated and (options.apidisco_max_body or 0) < 0:
            raise options_error(
                f"apidisco_max_body must be 0 or more bytes, got {options.apidisco_max_body}"
            )
        try:
            self.box = open_box(os.environ)
            self._key_read = True
            if self._owns_store and updated & {"apidisco_db", "apidisco_max_body"}:
                self.settings = _settings(options.apidisco_db)
        except ApidiscoError as error:
            raise options_error(error.message) from None
        if updated & {"apidisco_db", "apidisco_max_body"} and self.settings is not None:
            configured = getattr(self.settings, "capture_max_body", DEFAULT_MAX_BODY)
            chosen = options.apidisco_max_body
            self.max_body = configured if chosen is None else chosen
        if "apidisco_journal" in updated:
            self.journal = Path(options.apidisco_journal) if options.apidisco_journal else None
        if "apidisco_endpoint" in updated:
            self.endpoint_id = (options.apidisco_endpoint or "").strip() or None
        if "apidisco_writer_priority" in updated:
            self.writer_priority = options.apidisco_writer_priority
        if "apidisco_writer" in updated:
            self.writer = options.apidisco_writer
            if self.handoff is not None and self.writer != "process":
                self._stop_handoff()
        if (
            self._owns_store
            and self.store is not None
            and updated & {"apidisco_db", "apidisco_journal"}
        ):
            # Changed while running: record into the new store from now on.
            self._stop_handoff()
            store, self.store = self.store, None
            store.close()
        elif self.store is not None and "apidisco_endpoint" in updated:
            self._check_endpoint(self.store)

    def _check_endpoint(self, store: CaptureStore) -> None:
        if self.endpoint_id is None:
            return
        try:
            found = store.directory.load(self.endpoint_id)
        except Exception as error:
            raise options_error(f"apidisco_endpoint: {error}") from None
        if found is None:
            raise options_error(
                f"apidisco_endpoint: there is no endpoint {self.endpoint_id!r} in "
                f"{store.database.describe()}"
            )

    # -- the store -----------------------------------------------------------------

    def _open(self) -> CaptureStore:
        """Open the store and check ``apidisco_endpoint`` (blocking)."""
        if not self._key_read:  # added without configure (all options at their defaults)
            self.box = open_box(os.environ)
            self._key_read = True
        settings = self.settings or _settings(None)
        store = CaptureStore.open(settings, journal=self.journal)
        try:
            self._check_endpoint(store)
        except exceptions.OptionsError as error:
            store.close()
            raise ConfigError(str(error)) from None
        logger.info("apidisco: recording into %s", store.database.describe())
        self._start_handoff(store)
        return store

    # -- the writer process --------------------------------------------------------

    def _writer_for(self, store: CaptureStore) -> str:
        """``process`` or ``thread``: what ``apidisco_writer`` means for this store."""
        if self.writer != "auto":
            return self.writer
        url = str(store.settings.database_url or "")
        return "process" if url.startswith(("postgresql", "postgres")) else "thread"

    def _start_handoff(self, store: CaptureStore) -> None:
        """Start the writer process (``apidisco_writer=process``); on failure, say so and
        write in-process."""
        if self.handoff is not None or self._writer_for(store) != "process":
            return
        journal = self.journal
        if journal is not None:
            journal = journal.with_name(f"{journal.stem}-process{journal.suffix}")
        try:
            self.handoff = WriterProcess.start(
                store.settings,
                journal=journal,
                secret_key=_secret_key(os.environ) if self.box is not None else None,
                fallback=lambda records: self._write_in_process(store, records),
                limit=self.handoff_limit,
                priority=self.writer_priority,
            )
        except (OSError, ValueError, ImportError) as error:
            logger.warning(
                "apidisco: cannot start the writer process (%s); writing in-process", error
            )
            return
        logger.info("apidisco: rows are built and written by process %s", self.handoff.pid)

    def _stop_handoff(self) -> None:
        """Let the writer process write (or journal) everything handed over, and wait for it."""
        handoff, self.handoff = self.handoff, None
        if handoff is None:
            return
        stats = handoff.stop()
        if handoff.unwritten:
            self.counts["not-recorded:conversion-failed"] += handoff.unwritten
        if handoff.rerouted:
            self.counts["in-process:writer-process-exited"] += handoff.rerouted
        if stats is not None:
            self.process_stats = stats if self.process_stats is None else self.process_stats + stats

    def _write_in_process(self, store: CaptureStore, records: Sequence[Record]) -> None:
        """Records the writer process did not acknowledge before it exited (a thread)."""
        for record in records:
            try:
                store.writer.submit(build(record, self.box))
            except Exception as error:  # never let the receiver thread die
                self._skip("refused", f"{record.url}: {error}")

    async def ready(self) -> CaptureStore | None:
        """The store, opened in a worker thread on first use; None if it cannot be opened."""
        if self.store is not None:
            return self.store
        if self._failed_at is not None and time.monotonic() - self._failed_at < REOPEN_INTERVAL:
            return None
        if self._opening is None:
            self._opening = asyncio.get_running_loop().create_task(self._open_in_thread())
        return await asyncio.shield(self._opening)

    async def _open_in_thread(self) -> CaptureStore | None:
        try:
            await asyncio.to_thread(self._open_now)
        finally:
            self._opening = None
        return self.store

    def _open_now(self) -> None:
        try:
            self.store = self._open()
            self._failed_at = None
        except ApidiscoError as error:
            self._failed_at = time.monotonic()
            logger.error("apidisco: %s", error.message)

    # -- lifecycle hooks -----------------------------------------------------------
    # Synchronous on purpose: mitmproxy calls running and done synchronously when it
    # reloads a script (and refuses async handlers there). Both run once, at start-up
    # and at shutdown, when blocking briefly on the database harms no flow.

    def running(self) -> None:
        """Open the store now: a database or endpoint that cannot be used stops mitmdump
        at start-up (its error check exits on errors logged while starting)."""
        if self.store is None:
            self._open_now()
        elif not self._owns_store:
            self._start_handoff(self.store)
        _freeze_heap()

    def done(self) -> None:
        """Write (or journal) every queued row and close the store this addon opened.

        The writer process first: it drains what was handed over, and what it could
        not acknowledge goes to the store's own writer before that closes."""
        self._stop_handoff()
        gc.unfreeze()  # what running froze is the collector's again
        store, self.store = self.store, None
        if store is None or not self._owns_store:
            return
        stats = store.close()
        if self.process_stats is not None:
            stats = stats + self.process_stats
        logger.info(
            "apidisco: %d row(s) written, %d journaled, %d waiting in the journal",
            stats.written_rows,
            stats.journaled_rows,
            stats.journal_rows,
        )

    # -- traffic hooks -------------------------------------------------------------
    # Plain functions that return a coroutine only when there is something to wait
    # for (the store opening, an endpoint never looked up before); mitmproxy awaits
    # what a hook returns. A flow whose endpoint is cached is recorded without one:
    # no coroutine to create, schedule and finish for every flow of a busy proxy.

    def response(self, flow: http.HTTPFlow) -> Awaitable[None] | None:
        """A finished exchange, or a WebSocket handshake (its connection id is the flow id)."""
        return self._record_exchange(flow)

    def error(self, flow: http.HTTPFlow) -> Awaitable[None] | None:
        """A request that failed (upstream unreachable, connection reset ...): no status."""
        if flow.websocket is not None and flow.response is not None:
            return None  # an established WebSocket: its handshake was recorded
        return self._record_exchange(flow)

    def websocket_start(self, flow: http.HTTPFlow) -> Awaitable[None] | None:
        """The handshake, if the response hook did not record it already."""
        return self._record_exchange(flow)

    def websocket_message(self, flow: http.HTTPFlow) -> Awaitable[None] | None:
        """The newest message of a WebSocket connection."""
        if flow.websocket is None or not flow.websocket.messages:
            return None
        item = flow.websocket.messages[-1]
        if item.dropped or not self._wanted(flow):
            return None
        return self._record(flow, lambda: convert.message(flow, item))

    # -- recording -----------------------------------------------------------------

    def _wanted(self, flow: http.HTTPFlow) -> bool:
        if REFUSED_KEY in flow.metadata:
            return False
        return self.filter is None or bool(self.filter(flow))

    def _record_exchange(self, flow: http.HTTPFlow) -> Awaitable[None] | None:
        if flow in self._recorded or not self._wanted(flow):
            return None
        self._recorded.add(flow)
        return self._record(flow, lambda: convert.state(flow))

    def _record(self, flow: http.HTTPFlow, observe: Observe) -> Awaitable[None] | None:
        """Record ``flow`` now if its store and endpoint are at hand, else return the
        coroutine that waits for them and then records it."""
        store = self.store
        if store is None or self._opening is not None:
            return self._record_when_ready(flow, observe)
        answer = self._lookup_now(store, flow)
        if answer is MISSING:
            return self._record_when_ready(flow, observe)
        self._submit(store, flow, self._capturing(flow, answer), observe)  # type: ignore[arg-type]
        return None

    async def _record_when_ready(self, flow: http.HTTPFlow, observe: Observe) -> None:
        store = await self.ready()
        if store is None:
            self._skip("store-unavailable", f"{flow.request.url}: the store is not open")
            return
        try:
            answer = await self._lookup(store, flow)
        except StoreError as error:
            self._skip("lookup-failed", f"{flow.request.url}: {error.message}")
            return
        self._submit(store, flow, self._capturing(flow, answer), observe)

    def _submit(
        self,
        store: CaptureStore,
        flow: http.HTTPFlow,
        target: EndpointInfo | None,
        observe: Observe,
    ) -> None:
        """Hand the flow's record to the writer process, or build and queue its rows here."""
        if target is None:
            self.counts["unmatched"] += 1
            return
        record = Record(target.id, observe(), self.max_body, self.box is not None)
        if self.handoff is not None:
            refused = self.handoff.offer(record)
            if refused is None:
                self.counts["handed-off"] += 1
                return
            self._in_process(refused)
        batch = build(record, self.box)
        try:
            store.writer.submit(batch)
        except (ValueError, RuntimeError) as error:
            self._skip("refused", f"{flow.request.url}: {error}")
            return
        self.counts["rows"] += len(batch.rows)

    # Which endpoint a flow belongs to: the endpoint id it is recorded under, if it
    # has one, else its URL, looked up in the store's directory (cached).

    def _endpoint_id(self, flow: http.HTTPFlow) -> str | None:
        routed = flow.metadata.get(ENDPOINT_KEY)
        # Live, the gateway's routing wins; from a file, apidisco_endpoint says where to.
        endpoint_id = (routed if flow.live else None) or self.endpoint_id or routed
        return str(endpoint_id) if endpoint_id else None

    def _lookup_now(self, store: CaptureStore, flow: http.HTTPFlow) -> Answer | Missing:
        endpoint_id = self._endpoint_id(flow)
        if endpoint_id is not None:
            return store.directory.endpoint_now(endpoint_id)
        return store.directory.for_url_now(flow.request.url)

    async def _lookup(self, store: CaptureStore, flow: http.HTTPFlow) -> Answer:
        endpoint_id = self._endpoint_id(flow)
        if endpoint_id is not None:
            return await store.directory.endpoint(endpoint_id)
        return await store.directory.for_url(flow.request.url)

    def _capturing(self, flow: http.HTTPFlow, answer: Answer) -> EndpointInfo | None:
        """The capturing endpoint the lookup's ``answer`` says ``flow`` belongs to, or None."""
        if isinstance(answer, Choice):
            if answer.ambiguous:
                ids = ", ".join(info.id for info in answer.ambiguous)
                self._warn_once(
                    f"ambiguous:{ids}",
                    f"apidisco: {flow.request.url} matches several capturing endpoints ({ids}); "
                    "not recorded: set apidisco_endpoint or use the /proxy/{id}/ gateway",
                )
                return None
            answer = answer.endpoint
        if answer is None or not answer.capturing:
            return None
        return answer

    def _in_process(self, reason: str) -> None:
        """Count (and warn, once a minute) a flow the writer process could not take."""
        self.counts[f"in-process:{reason}"] += 1
        minute = int(time.monotonic() // 60)
        self._warn_once(
            f"in-process:{reason}:{minute}",
            f"apidisco: the writer process is {reason}: writing in-process "
            f"({self.counts[f'in-process:{reason}']} flow(s) so far)",
        )

    def _skip(self, reason: str, detail: str) -> None:
        """Count a flow that could not be recorded; warn (once per reason and minute)."""
        self.counts[f"not-recorded:{reason}"] += 1
        minute = int(time.monotonic() // 60)
        self._warn_once(
            f"{reason}:{minute}",
            f"apidisco: not recorded: {detail} "
            f"({self.counts[f'not-recorded:{reason}']} so far for this reason)",
        )

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            logger.warning(message)


def _settings(database_url: str | None) -> Settings:
    """The settings, with ``database_url`` (when given) overriding the configured store."""
    if database_url:
        parse_database_url(database_url)  # a readable error for a malformed URL, now
    return resolve_settings({"database_url": database_url or None}, environ=os.environ)
