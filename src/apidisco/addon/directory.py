"""Which endpoint a flow belongs to, and whether it may be recorded: cached lookups.

The hooks never query the database per flow. An :class:`EndpointDirectory`
answers from a cache whose entries are fresh for ``ttl`` seconds (2 by
default, so a status change reaches the proxy within about that long). A
stale entry is refreshed in a worker thread (``asyncio.to_thread``), never on
mitmproxy's event loop, and no flow waits for that: the flow that finds the
entry stale starts the refresh and is served the stale answer, as are the
flows that come while the refresh runs; the flows after it get the new
answer, so no query adds to any flow's latency. When the database cannot be
reached the stale answer is kept, and retried every ``ttl``. Only a key never
seen before waits for its first answer.

Flows are matched to endpoints by the destination origin (scheme, host, port)
and the longest path prefix of an endpoint's ``destinationUrl``; see
:func:`choose`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from apidisco.enums import EndpointStatus
from apidisco.errors import StoreError
from apidisco.lifecycle import CAPTURING
from apidisco.store.database import Database
from apidisco.store.engine import error_reason
from apidisco.store.models import Endpoint
from apidisco.store.repositories.endpoints import EndpointRepository

__all__ = [
    "Choice",
    "EndpointDirectory",
    "EndpointInfo",
    "Lookup",
    "MISSING",
    "Missing",
    "Origin",
    "StoreLookup",
    "TTLCache",
    "choose",
    "origin_of",
]

logger = logging.getLogger("apidisco.addon")

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Origin = tuple[str, str, int]


class Missing:
    """The type of :data:`MISSING`."""

    def __repr__(self) -> str:
        return "MISSING"


#: What the ``*_now`` methods answer when there is nothing to answer without waiting.
MISSING = Missing()


@dataclass(frozen=True)
class EndpointInfo:
    """What the proxy needs to know about an endpoint."""

    id: str
    destination_url: str
    status: EndpointStatus

    @property
    def capturing(self) -> bool:
        return self.status in CAPTURING

    @classmethod
    def of(cls, endpoint: Endpoint) -> EndpointInfo:
        return cls(endpoint.id, endpoint.destination_url, EndpointStatus(endpoint.status))


class Lookup(Protocol):
    """Blocking lookups; the directory calls them from worker threads."""

    def endpoint(self, endpoint_id: str) -> EndpointInfo | None: ...

    def endpoints_at(self, origin: Origin) -> tuple[EndpointInfo, ...]: ...


class StoreLookup:
    """:class:`Lookup` on the store."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def endpoint(self, endpoint_id: str) -> EndpointInfo | None:
        with self.database.session() as session:
            found = EndpointRepository(session).get(endpoint_id)
            return None if found is None else EndpointInfo.of(found)

    def endpoints_at(self, origin: Origin) -> tuple[EndpointInfo, ...]:
        scheme, host, _ = origin
        prefix = f"{scheme}://[{host}]" if ":" in host else f"{scheme}://{host}"
        with self.database.session() as session:
            found = EndpointRepository(session).with_destination_prefix(prefix)
            infos = (EndpointInfo.of(endpoint) for endpoint in found)
            # The prefix also matches api.example.com.evil and other ports.
            return tuple(info for info in infos if origin_of(info.destination_url) == origin)


# -- matching ---------------------------------------------------------------------------


def origin_of(url: str) -> Origin | None:
    """``(scheme, host, port)`` of an http(s) URL, the port made explicit."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


def _prefix(url: str) -> str:
    return urllib.parse.urlsplit(url).path.rstrip("/")


def _under(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix + "/")


@dataclass(frozen=True)
class Choice:
    """The endpoint a URL belongs to; or several equally good ones, or none."""

    endpoint: EndpointInfo | None = None
    ambiguous: tuple[EndpointInfo, ...] = ()


def choose(url: str, candidates: Sequence[EndpointInfo]) -> Choice:
    """The endpoint whose destination is the longest path prefix of ``url``.

    ``candidates`` share ``url``'s origin. Among endpoints with the same
    destination, the one that is capturing wins; when several are, the
    traffic cannot be attributed (two accounts capturing the same API through
    one proxy) and the choice is :attr:`Choice.ambiguous`.
    """
    path = urllib.parse.urlsplit(url).path
    matching = [info for info in candidates if _under(path, _prefix(info.destination_url))]
    if not matching:
        return Choice()
    longest = max(len(_prefix(info.destination_url)) for info in matching)
    best = [info for info in matching if len(_prefix(info.destination_url)) == longest]
    capturing = [info for info in best if info.capturing]
    if len(capturing) > 1:
        return Choice(ambiguous=tuple(capturing))
    return Choice(endpoint=capturing[0] if capturing else best[0])


# -- the cache --------------------------------------------------------------------------


@dataclass
class _Entry(Generic[V]):
    value: V
    checked: float


class TTLCache(Generic[K, V]):
    """Answers computed in a worker thread and kept ``ttl`` seconds; a stale one is served
    while it is refreshed, and kept while refreshing it fails."""

    def __init__(
        self,
        name: str,
        *,
        ttl: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10_000,
    ) -> None:
        self.name = name
        self.ttl = ttl
        self.clock = clock
        self.max_entries = max_entries
        self._entries: dict[K, _Entry[V]] = {}
        self._loading: dict[K, asyncio.Task[V]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key: K, value: V) -> None:
        """Remember ``value``; past ``max_entries`` the least recently stored entry goes."""
        self._entries.pop(key, None)
        self._entries[key] = _Entry(value, self.clock())
        while len(self._entries) > self.max_entries:
            del self._entries[next(iter(self._entries))]

    def peek(self, key: K) -> V | None:
        """The cached answer, fresh or stale, without loading anything."""
        entry = self._entries.get(key)
        return None if entry is None else entry.value

    def clear(self) -> None:
        self._entries.clear()

    def now(self, key: K, load: Callable[[], V]) -> V | Missing:
        """The answer for ``key`` if there is one to give without waiting, else
        :data:`MISSING` (then :meth:`get` waits for it).

        A fresh answer, or a stale one while ``load`` refreshes it in a worker
        thread. Called from the event loop's thread: it is what lets a hook that
        finds everything cached finish without becoming a coroutine.
        """
        entry = self._entries.get(key)
        if entry is None:
            return MISSING
        if self.clock() - entry.checked < self.ttl:
            return entry.value
        if self.ttl <= 0:
            return MISSING
        self._refresh(key, load)
        return entry.value

    async def get(self, key: K, load: Callable[[], V]) -> V:
        """The answer for ``key``: cached, or loaded by ``load`` in a worker thread.

        A stale answer is returned at once, and refreshed in the background. With a
        ``ttl`` of 0 nothing is cached: every call waits for ``load`` (but falls back
        on the last answer when it fails). Raises :class:`StoreError` only when there
        is no earlier answer to fall back on.
        """
        answer = self.now(key, load)
        if answer is not MISSING:
            return answer  # type: ignore[return-value]
        entry = self._entries.get(key)
        try:
            return await asyncio.shield(self._refresh(key, load))
        except StoreError:
            if entry is None:
                raise
            return entry.value

    def _refresh(self, key: K, load: Callable[[], V]) -> asyncio.Task[V]:
        """The load under way for ``key``, started now if there is none."""
        task = self._loading.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._load(key, load))
            self._loading[key] = task
            task.add_done_callback(_retrieve)  # a failure nobody awaits was logged in _load
        return task

    async def settled(self) -> None:
        """Wait for the refreshes under way."""
        while self._loading:
            await asyncio.gather(*self._loading.values(), return_exceptions=True)

    async def _load(self, key: K, load: Callable[[], V]) -> V:
        try:
            value = await asyncio.to_thread(load)
        except Exception as error:
            entry = self._entries.get(key)
            reason = error_reason(error)
            if entry is not None:
                entry.checked = self.clock()  # keep serving it; try again after ttl
                logger.warning("apidisco: cannot refresh %s %s: %s", self.name, key, reason)
            raise StoreError(f"cannot look up {self.name} {key}: {reason}") from error
        else:
            self.put(key, value)
            return value
        finally:
            self._loading.pop(key, None)


def _retrieve(task: asyncio.Task[object]) -> None:
    """Mark a background refresh's failure as seen (it was logged where it happened)."""
    if not task.cancelled():
        task.exception()


class EndpointDirectory:
    """Endpoints by id and by destination, through two :class:`TTLCache` s."""

    def __init__(
        self,
        lookup: Lookup,
        *,
        ttl: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lookup = lookup
        self._by_id: TTLCache[str, EndpointInfo | None] = TTLCache("endpoint", ttl=ttl, clock=clock)
        self._by_origin: TTLCache[Origin, tuple[EndpointInfo, ...]] = TTLCache(
            "endpoints at", ttl=ttl, clock=clock
        )

    def load(self, endpoint_id: str) -> EndpointInfo | None:
        """Look an endpoint up now, blocking (for start-up), and remember the answer."""
        info = self.lookup.endpoint(endpoint_id)
        self._by_id.put(endpoint_id, info)
        return info

    async def endpoint(self, endpoint_id: str) -> EndpointInfo | None:
        """The endpoint with this id, or None if there is none."""
        return await self._by_id.get(endpoint_id, lambda: self.lookup.endpoint(endpoint_id))

    def endpoint_now(self, endpoint_id: str) -> EndpointInfo | None | Missing:
        """:meth:`endpoint` if it can answer without waiting, else :data:`MISSING`."""
        return self._by_id.now(endpoint_id, lambda: self.lookup.endpoint(endpoint_id))

    async def settled(self) -> None:
        """Wait for the refreshes under way."""
        await self._by_id.settled()
        await self._by_origin.settled()

    async def for_url(self, url: str) -> Choice:
        """The endpoint traffic to ``url`` belongs to (see :func:`choose`)."""
        origin = origin_of(url)
        if origin is None:
            return Choice()
        candidates = await self._by_origin.get(origin, lambda: self.lookup.endpoints_at(origin))
        return choose(url, candidates)

    def for_url_now(self, url: str) -> Choice | Missing:
        """:meth:`for_url` if it can answer without waiting, else :data:`MISSING`."""
        origin = origin_of(url)
        if origin is None:
            return Choice()
        candidates = self._by_origin.now(origin, lambda: self.lookup.endpoints_at(origin))
        return candidates if candidates is MISSING else choose(url, candidates)  # type: ignore[arg-type]
