"""Cached endpoint lookups and matching flows to endpoints by destination."""

from __future__ import annotations

import asyncio
import threading

import pytest

from apidisco.addon.directory import (
    Choice,
    EndpointDirectory,
    EndpointInfo,
    Origin,
    TTLCache,
    choose,
    origin_of,
)
from apidisco.enums import EndpointStatus
from apidisco.errors import StoreError
from tests.addon.harness import run

S = EndpointStatus


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeLookup:
    """Endpoints in memory; counts the queries; can be made to fail or stall."""

    def __init__(self, *infos: EndpointInfo) -> None:
        self.infos = {info.id: info for info in infos}
        self.queries = 0
        self.failing = False
        self.gate: threading.Event | None = None

    def _query(self) -> None:
        self.queries += 1
        if self.gate is not None:
            self.gate.wait(5)
        if self.failing:
            raise RuntimeError("connection refused")

    def endpoint(self, endpoint_id: str) -> EndpointInfo | None:
        self._query()
        return self.infos.get(endpoint_id)

    def endpoints_at(self, origin: Origin) -> tuple[EndpointInfo, ...]:
        self._query()
        return tuple(i for i in self.infos.values() if origin_of(i.destination_url) == origin)


def info(id_: str, url: str, status: EndpointStatus = S.ACTIVE) -> EndpointInfo:
    return EndpointInfo(id_, url, status)


def test_answers_are_cached_for_the_ttl() -> None:
    clock, lookup = Clock(), FakeLookup(info("a", "https://api.example.com"))
    directory = EndpointDirectory(lookup, ttl=2.0, clock=clock)

    async def scenario() -> None:
        for _ in range(5):
            assert (await directory.endpoint("a")) == lookup.infos["a"]
        assert lookup.queries == 1
        lookup.infos["a"] = info("a", "https://api.example.com", S.REVIEW)
        clock.now += 2.5
        # The flow that finds the answer stale gets it, and starts the refresh ...
        assert (await directory.endpoint("a")).status is S.ACTIVE  # type: ignore[union-attr]
        await directory.settled()
        assert lookup.queries == 2
        # ... which the flows after it see.
        assert (await directory.endpoint("a")).status is S.REVIEW  # type: ignore[union-attr]
        assert lookup.queries == 2

    run(scenario())


def test_unknown_ids_are_cached_too() -> None:
    lookup = FakeLookup()
    directory = EndpointDirectory(lookup, clock=Clock())

    async def scenario() -> None:
        assert await directory.endpoint("nope") is None
        assert await directory.endpoint("nope") is None

    run(scenario())
    assert lookup.queries == 1


def test_a_stale_answer_is_served_while_the_database_is_down() -> None:
    clock, lookup = Clock(), FakeLookup(info("a", "https://api.example.com"))
    directory = EndpointDirectory(lookup, ttl=2.0, clock=clock)

    async def scenario() -> None:
        assert await directory.endpoint("a") is not None
        lookup.failing = True
        clock.now += 3
        assert await directory.endpoint("a") == lookup.infos["a"]
        await directory.settled()
        assert lookup.queries == 2
        # The failure counts as a check: no query per flow while it is down.
        assert await directory.endpoint("a") == lookup.infos["a"]
        assert lookup.queries == 2

    run(scenario())


def test_without_an_earlier_answer_a_failure_is_a_store_error() -> None:
    lookup = FakeLookup()
    lookup.failing = True
    directory = EndpointDirectory(lookup, clock=Clock())
    with pytest.raises(StoreError, match="cannot look up endpoint a: connection refused"):
        run(directory.endpoint("a"))


def test_no_flow_waits_for_a_refresh() -> None:
    clock, lookup = Clock(), FakeLookup(info("a", "https://api.example.com"))
    directory = EndpointDirectory(lookup, ttl=2.0, clock=clock)

    async def scenario() -> None:
        await directory.endpoint("a")
        lookup.gate = threading.Event()  # the refresh's query hangs until the gate opens
        lookup.infos["a"] = info("a", "https://api.example.com", S.COMPLETE)
        clock.now += 3
        started = asyncio.get_running_loop().time()
        for _ in range(3):  # the stale answer, at once, and one query for all
            assert (await directory.endpoint("a")).status is S.ACTIVE  # type: ignore[union-attr]
        assert asyncio.get_running_loop().time() - started < 0.5
        lookup.gate.set()
        await directory.settled()
        assert (await directory.endpoint("a")).status is S.COMPLETE  # type: ignore[union-attr]
        assert lookup.queries == 2

    run(scenario())


def test_concurrent_lookups_share_one_query() -> None:
    lookup = FakeLookup(info("a", "https://api.example.com"))
    directory = EndpointDirectory(lookup, clock=Clock())

    async def scenario() -> None:
        answers = await asyncio.gather(*(directory.endpoint("a") for _ in range(10)))
        assert set(answers) == {lookup.infos["a"]}

    run(scenario())
    assert lookup.queries == 1


def test_flows_are_matched_by_origin() -> None:
    lookup = FakeLookup(
        info("root", "https://api.example.com"),
        info("other", "http://api.example.com:8080/v1"),
    )
    directory = EndpointDirectory(lookup, clock=Clock())

    async def scenario() -> None:
        found = await directory.for_url("https://api.example.com:443/v2/users")
        assert found.endpoint is not None
        assert found.endpoint.id == "root"
        found = await directory.for_url("http://api.example.com:8080/v1/users")
        assert found.endpoint is not None
        assert found.endpoint.id == "other"
        assert (await directory.for_url("http://api.example.com/v1")) == Choice()
        assert (await directory.for_url("ftp://api.example.com/")) == Choice()

    run(scenario())


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://API.example.com/x", ("https", "api.example.com", 443)),
        ("http://api.example.com", ("http", "api.example.com", 80)),
        ("http://[::1]:9000/x", ("http", "::1", 9000)),
        ("ws://api.example.com", None),
        ("http://api.example.com:99999", None),
    ],
)
def test_origins_make_the_port_explicit(url: str, origin: Origin | None) -> None:
    assert origin_of(url) == origin


def test_the_longest_path_prefix_wins_on_segment_boundaries() -> None:
    root = info("root", "https://api.example.com")
    v1 = info("v1", "https://api.example.com/v1")
    candidates = [root, v1]
    assert choose("https://api.example.com/v1/users", candidates).endpoint == v1
    assert choose("https://api.example.com/v1", candidates).endpoint == v1
    assert choose("https://api.example.com/v10/users", candidates).endpoint == root
    assert choose("https://api.example.com/", [v1]) == Choice()


def test_a_paused_specific_endpoint_still_owns_its_traffic() -> None:
    root = info("root", "https://api.example.com")
    v1 = info("v1", "https://api.example.com/v1", S.REVIEW)
    assert choose("https://api.example.com/v1/users", [root, v1]).endpoint == v1


def test_among_equal_destinations_the_capturing_one_wins() -> None:
    paused = info("paused", "https://api.example.com", S.REVIEW)
    active = info("active", "https://api.example.com", S.ACTIVE)
    assert choose("https://api.example.com/x", [paused, active]).endpoint == active


def test_two_capturing_endpoints_with_one_destination_are_ambiguous() -> None:
    first = info("first", "https://api.example.com", S.ACTIVE)
    second = info("second", "https://api.example.com", S.MONITORING)
    choice = choose("https://api.example.com/x", [first, second])
    assert choice.endpoint is None
    assert choice.ambiguous == (first, second)


def test_the_cache_keeps_a_bounded_number_of_answers() -> None:
    cache = TTLCache[str, int]("test", clock=Clock(), max_entries=3)
    for number in range(5):
        cache.put(str(number), number)
    assert len(cache) == 3
    assert [cache.peek(key) for key in "01234"] == [None, None, 2, 3, 4]


def test_a_ttl_of_zero_caches_nothing_but_the_fallback() -> None:
    lookup = FakeLookup(info("a", "https://api.example.com"))
    directory = EndpointDirectory(lookup, ttl=0.0, clock=Clock())

    async def scenario() -> None:
        assert (await directory.endpoint("a")).status is S.ACTIVE  # type: ignore[union-attr]
        lookup.infos["a"] = info("a", "https://api.example.com", S.INACTIVE)
        assert (await directory.endpoint("a")).status is S.INACTIVE  # type: ignore[union-attr]
        lookup.failing = True
        assert (await directory.endpoint("a")).status is S.INACTIVE  # type: ignore[union-attr]
        assert lookup.queries == 3

    run(scenario())
