"""What recording costs a proxy: mitmdump with and without the apidisco addon.

Usage: python benchmarks/capture.py [--rounds 5] [--clients 8] [--requests 500] [--database URL]
       [--client lean|httpx]
       [--paced-share 0.5] [--paced-requests 250] [--writer process|thread] [--proxy-cpus LIST]
       [--writer-cpus LIST] [--baseline SRC] [--order alternate|fixed] [--record FILE]
       [--set NAME=VALUE ...]

Everything runs on 127.0.0.1 in one go: a small asyncio HTTP/1.1 JSON server
(its own process, keep-alive, a fixed ~300-byte body) is the upstream; two
mitmdump processes in regular mode, with the same options, proxy to it: one
plain, one loading the addon (``-s <apidisco addon path>``) that records into a
fresh scratch PostgreSQL database (the server is $APIDISCO_TEST_DATABASE_URL or
the local one; the database is created and dropped). The load generator is the
same for both: --clients concurrent clients, each on one keep-alive
connection through the proxy, sending --requests GETs one after another (each
round is also capped at --max-seconds). The clients are lean ones (``--client
lean``, :class:`LeanClient`: a minimal HTTP/1.1 client on asyncio's transport,
~0.1 ms of CPU per request), so that the proxies, not their load generator, use
the machine's cores; ``--client httpx`` drives them with httpx clients (~1.2 ms),
as the figures recorded before 2026-11-27 were. After a warm-up of both proxies, the
proxies take turns so the machine's noise hits both alike, and which one goes
first alternates from round to round (plain then addon in odd rounds, addon
then plain in even ones; ``--order fixed``: plain first always), so whatever
favours one slot (such as starting after the addon's catch-up pause) is
shared by both proxies. After each addon round the
benchmark waits until the writer has stored the round's rows, so no writing
spills into the next round.

Prints, per proxy, the medians over the rounds of requests/s, p50 and p99 latency
(each round's percentiles over its own requests, as the client measured them)
and the CPU time per request of mitmdump, of its main thread alone (mitmproxy's
event loop, where the hooks run: what bounds a proxy's throughput), of its
child processes (the addon's writer process, ``--writer process``, the
default), of the local PostgreSQL
processes (but the backends of this script's own row counts) and of the load
generator (from /proc; Linux); then the addon's throughput as a share of plain
mitmdump's, the p50 and p99 differences, how much more CPU per request the addon's
mitmdump and its event loop used, a pooled tail count for the paced phase (requests
taking at least 6 ms and as long as plain mitmdump's p99 over all its paced
rounds), the median and quartiles
of the rounds' own ratios (each addon round against the plain round of the
same number, run next to it: on a shared machine these spread widely, and the
quartiles say how far one run can be trusted), and the rows stored
against the 2xx responses the clients saw through the addon's proxy (warm-up
included), counted after mitmdump was stopped with Ctrl-C (SIGINT: the addon
writes what is queued before exiting).

``--record FILE`` appends the run's rounds (each round's rate, percentiles and
CPU per request, per slot and phase) to FILE as one JSON line;
``benchmarks/capture_pool.py FILE`` pools the rounds of every run recorded
there, since one run's figure is not worth much on a shared machine.

``--baseline SRC`` compares two versions of the addon instead: the first slot
runs the addon of another apidisco source tree (``SRC`` is its ``src`` folder,
e.g. of a ``git worktree`` of an earlier commit, first on that mitmdump's
``PYTHONPATH``), recording under an endpoint of its own, with the same
options; the rows line counts the second slot's. It loads the script that
tree's ``apidisco addon path`` prints (``apidisco/addon/script.py``, or the
package's ``__init__.py`` in trees older than that script), as the second slot
does this tree's: the way a script is loaded is part of what a proxy pays per
event. Each slot's round ends once its own writer has stored its rows, so
neither writer's catch-up lands in the other's round.

Each round has two phases per proxy. The *saturated* phase is closed-loop: each
client sends its next request when the previous one is answered, so the proxy
runs flat out; it gives the throughput, and its latencies are mostly queueing
(p50 is about clients divided by throughput, so a proxy 10% slower shows 10%
more latency whatever it does per request). The *paced* phase is open-loop and
gives the latency at the same offered load for both proxies: the clients send
--paced-requests requests each on a fixed schedule, together --paced-share of
plain mitmdump's throughput in the first round's saturated phase, and each
latency is counted from the moment the request was due (when the client was
still waiting for its previous answer then) or sent, so stalls are counted in
full rather than hidden by the client waiting them out. ``--paced-share 0`` skips it.
Keep --clients modest on a small machine: the load generator, the upstream, both
mitmdumps and PostgreSQL share its cores (8 clients on 2 cores saturate a proxy).
On such a machine the load generator's bursts also reach the proxies' latency.
``--proxy-cpus`` gives the proxies CPUs of their own (Linux): both mitmdumps, and
the writer process the addon starts, run only there, and the load generator and
the upstream only on the other CPUs (PostgreSQL stays where the system puts it);
``--writer-cpus`` then moves the writer process elsewhere after the warm-up, as a
machine with a spare core would have it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa

from apidisco.cli.addon import script_path
from apidisco.services import accounts, endpoints
from apidisco.services.actor import Actor
from apidisco.store import migrate
from apidisco.store.database import Database
from apidisco.store.engine import create_engine, parse_database_url
from apidisco.store.models import ApiCall

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
MITMDUMP = str(Path(sys.executable).with_name("mitmdump"))
QUIET = ["--set", "termlog_verbosity=error", "--set", "flow_detail=0"]
PLAIN, ADDON = "plain mitmdump", "mitmdump + addon"


# -- the upstream -----------------------------------------------------------------------


def _response() -> bytes:
    body = orjson.dumps(
        {
            "id": 4711,
            "name": "item 4711",
            "description": "a fixed JSON body, about 300 bytes, the same for every request",
            "price": 12.5,
            "currency": "EUR",
            "tags": ["benchmark", "capture", "json"],
            "owner": {"id": 97, "name": "Ada", "active": True},
            "created": "2026-11-26T10:00:00Z",
        }
    )
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


class _Upstream(asyncio.Protocol):
    """Answers every request on a keep-alive connection with the same JSON response."""

    response = _response()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(self.response)


def serve_upstream(port: int) -> None:
    """The upstream's process: serves until terminated (Ctrl-C is the parent's to handle)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Upstream, "127.0.0.1", port, backlog=512)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


# -- processes --------------------------------------------------------------------------


def _cpu_of(stat: Path) -> float:
    """User + system CPU seconds of a process, from /proc/<pid>/stat (Linux; 0 elsewhere)."""
    try:
        fields = stat.read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The backends serving this script's own queries (counting stored rows after each
# round): their CPU is the benchmark's, not the addon's.
_OWN_BACKENDS: set[int] = set()


def _postgres_cpu() -> dict[int, float]:
    """CPU seconds of every local PostgreSQL process (server and backends) but this
    script's own backends, by pid."""
    found: dict[int, float] = {}
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) not in _OWN_BACKENDS:
                with contextlib.suppress(OSError):
                    if (entry / "comm").read_text().strip() == "postgres":
                        found[int(entry.name)] = _cpu_of(entry / "stat")
    return found


@dataclass
class Cpu:
    """CPU seconds used while a round ran: the proxy, PostgreSQL and the load generator."""

    proxy: float = 0.0
    loop: float = 0.0  # the proxy's main thread: mitmproxy's event loop, where hooks run
    children: float = 0.0  # the proxy's child processes (the addon's writer process)
    database: float = 0.0
    client: float = 0.0

    @classmethod
    def measure(cls, proxy_pid: int, run: Callable[[], None]) -> Cpu:
        main_thread = Path(f"/proc/{proxy_pid}/task/{proxy_pid}/stat")
        proxy = _cpu_of(Path(f"/proc/{proxy_pid}/stat"))
        loop = _cpu_of(main_thread)
        children = _children_cpu(proxy_pid)
        database = _postgres_cpu()
        client = time.process_time()
        run()
        client = time.process_time() - client
        proxy = _cpu_of(Path(f"/proc/{proxy_pid}/stat")) - proxy
        loop = _cpu_of(main_thread) - loop
        after_children = _children_cpu(proxy_pid)
        after = _postgres_cpu()
        used = sum(seconds - database.get(pid, 0.0) for pid, seconds in after.items())
        spent = sum(seconds - children.get(pid, 0.0) for pid, seconds in after_children.items())
        return cls(proxy=proxy, loop=loop, children=spent, database=used, client=client)


def _children_cpu(parent: int) -> dict[int, float]:
    """CPU seconds of the running child processes of ``parent``, by pid (Linux)."""
    found: dict[int, float] = {}
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    fields = (entry / "stat").read_text().rpartition(")")[2].split()
                    if int(fields[1]) == parent:
                        found[int(entry.name)] = _cpu_of(entry / "stat")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, alive: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not alive():
            raise RuntimeError(f"{what} exited before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not listen on {port} within {timeout}s") from None
            time.sleep(0.05)


@dataclass
class Proxy:
    label: str
    port: int
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 60) -> int:
        """Ctrl-C and wait; killed if it does not exit in time."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)
                print(f"{self.label} did not stop within {timeout}s: killed")
        return self.popen.returncode


def start_mitmdump(
    label: str,
    folder: Path,
    extra: list[str],
    environ: dict[str, str],
    cpus: set[int] | None = None,
) -> Proxy:
    """mitmdump listening on a free port; on ``cpus`` only (it and what it starts), if given."""
    port = free_port()
    log = folder / f"{label.replace(' ', '_').replace('+', '')}.log"
    args = [MITMDUMP, "--listen-host", "127.0.0.1", "-p", str(port)]
    args += ["--set", f"confdir={folder / 'mitmproxy'}", *QUIET, *extra]
    pinned = None if cpus is None else lambda: os.sched_setaffinity(0, cpus)
    with log.open("wb") as out:
        popen = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=environ, preexec_fn=pinned
        )
    proxy = Proxy(label, port, popen, log)
    try:
        wait_for_port(port, lambda: popen.poll() is None, label)
    except RuntimeError:
        proxy.stop(10)
        raise RuntimeError(f"{label} did not start:\n{proxy.output()}") from None
    return proxy


def child_environment(folder: Path) -> dict[str, str]:
    """mitmdump's environment: nothing of this machine's apidisco settings or proxies."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.lower().endswith("_proxy")
        and name not in {"APIDISCO_DATABASE_URL", "DATABASE_URL", "APIDISCO_SECRET_KEY"}
    }
    environ.update(
        APIDISCO_CONFIG=str(folder / "absent.toml"),
        APIDISCO_DATA_DIR=str(folder / "data"),
        PYTHONUNBUFFERED="1",
    )
    return environ


# -- load -------------------------------------------------------------------------------


@dataclass
class Round:
    label: str
    ok: int = 0  # 2xx responses
    failed: int = 0  # other statuses and transport errors
    seconds: float = 0.0
    cpu: Cpu = field(default_factory=Cpu)
    latencies: list[float] = field(default_factory=list)  # ms, 2xx only
    untimed: int = 0  # 2xx responses to requests outside the measurement (opening connections)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class LeanClient(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection through a proxy in regular mode, one request
    at a time, on asyncio's transport: the default load generator.

    An httpx client spends ~1.2 ms of CPU per request here, more than mitmdump
    itself (~1.5 ms); on a 2-core machine that is CPU the proxies and the addon's
    writer would otherwise have, which a proxy's clients do not take from it in
    deployment. This one spends ~0.1 ms. It sends the headers an httpx client sends
    (so the addon records the same rows) and reads answers framed by Content-Length,
    which is how the upstream here answers.
    """

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._status: int | None = None  # of the answer being read, once its head is in
        self._length = 0
        self._waiter: asyncio.Future[int] | None = None

    @classmethod
    async def open(cls, proxy: Proxy) -> LeanClient:
        loop = asyncio.get_running_loop()
        _, client = await loop.create_connection(cls, "127.0.0.1", proxy.port)
        return client

    async def get(self, url: str) -> int:
        """GET the absolute ``url``; the answer's status."""
        if self._transport is None or self._transport.is_closing():
            raise ConnectionError("the connection is closed")
        authority = url.split("/", 3)[2]
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(
            f"GET {url} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\n"
            "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
            "User-Agent: apidisco-benchmark\r\n\r\n".encode()
        )
        try:
            async with asyncio.timeout(10):
                return await self._waiter
        except TimeoutError:
            self._transport.close()  # a late answer must not be taken for the next one's
            raise

    async def aclose(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._status is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
            try:
                self._status, self._length = _status_and_length(head)
            except ValueError as error:
                self._fail(ConnectionError(str(error)))
                return
        if len(self._buffer) >= self._length:
            status, self._status = self._status, None
            self._buffer = self._buffer[self._length :]
            if self._waiter is not None and not self._waiter.done():
                self._waiter.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(ConnectionError("the proxy closed the connection"))

    def _fail(self, error: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        if self._transport is not None:
            self._transport.close()


def _status_and_length(head: bytes) -> tuple[int, int]:
    """The status and Content-Length of a response head (ValueError if it has neither)."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return status, int(value)
    if status in {204, 304} or status < 200:
        return status, 0
    raise ValueError(f"an answer without Content-Length: {lines[0]!r}")


class HttpxClient:
    """The same, as an httpx client (``--client httpx``: the load generator of the
    figures recorded before 2026-11-27)."""

    def __init__(self, proxy: Proxy) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self._client = httpx.AsyncClient(
            proxy=proxy.url, trust_env=False, timeout=10, limits=limits
        )

    @classmethod
    async def open(cls, proxy: Proxy) -> HttpxClient:
        return cls(proxy)

    async def get(self, url: str) -> int:
        response = await self._client.get(url, headers={"Accept": "application/json"})
        return response.status_code

    async def aclose(self) -> None:
        await self._client.aclose()


Client = LeanClient | HttpxClient
CLIENTS: dict[str, type[LeanClient] | type[HttpxClient]] = {
    "lean": LeanClient,
    "httpx": HttpxClient,
}


@contextlib.asynccontextmanager
async def _proxy_client(proxy: Proxy, kind: str) -> AsyncIterator[Client]:
    """A client of ``kind`` (``lean`` or ``httpx``) on one keep-alive connection through
    ``proxy``."""
    client = await CLIENTS[kind].open(proxy)
    try:
        yield client
    finally:
        await client.aclose()


async def _fetch(client: Client, url: str, start: float, result: Round) -> None:
    """GET ``url``; a 2xx counts, with its latency from ``start`` (a perf_counter time)."""
    try:
        status = await client.get(url)
    except (httpx.HTTPError, OSError, TimeoutError):  # ConnectionError is an OSError
        result.failed += 1
        return
    elapsed = (time.perf_counter() - start) * 1000
    if 200 <= status < 300:
        result.ok += 1
        result.latencies.append(elapsed)
    else:
        result.failed += 1


def _item_url(upstream: str, index: int, requests: int, number: int) -> str:
    return f"{upstream}/api/items/{(index * requests + number) % 500}?expand=owner"


async def _client(
    proxy: Proxy,
    kind: str,
    upstream: str,
    index: int,
    requests: int,
    deadline: float,
    result: Round,
) -> None:
    async with _proxy_client(proxy, kind) as client:
        for number in range(requests):
            if time.perf_counter() > deadline:
                return
            url = _item_url(upstream, index, requests, number)
            await _fetch(client, url, time.perf_counter(), result)


async def _paced_client(
    client: Client,
    upstream: str,
    index: int,
    requests: int,
    interval: float,
    start_at: float,
    result: Round,
) -> None:
    """``requests`` requests, the n-th due at ``start_at + n * interval``."""
    for number in range(requests):
        due = start_at + number * interval
        now = time.perf_counter()
        if now < due:
            await asyncio.sleep(due - now)
            start = time.perf_counter()  # on time: the timer's lateness is not the proxy's
        else:
            start = due  # still waiting for the previous answer when this one was due
        await _fetch(client, _item_url(upstream, index, requests, number), start, result)


def _measure(
    proxy: Proxy,
    result: Round,
    run: Callable[[], Coroutine[Any, Any, None]],
    settle: Callable[[Round], None],
) -> Round:
    """Runs the coroutine ``run()`` makes, timed, then ``settle``; the proxy's CPU meanwhile."""

    def measured() -> None:
        start = time.perf_counter()
        asyncio.run(run())
        result.seconds = time.perf_counter() - start
        settle(result)

    result.cpu = Cpu.measure(proxy.popen.pid, measured)
    return result


def pace(
    proxy: Proxy,
    kind: str,
    upstream: str,
    clients: int,
    requests: int,
    rate: float,
    settle: Callable[[Round], None],
) -> Round:
    """The paced phase: ``clients`` clients sending ``requests`` each, ``rate`` per second
    together, evenly staggered."""
    result = Round(proxy.label)
    interval = clients / rate  # each client's period

    async def run() -> None:
        async with contextlib.AsyncExitStack() as stack:
            # Every client is made, and its connection opened, before the schedule starts.
            made = [
                await stack.enter_async_context(_proxy_client(proxy, kind)) for _ in range(clients)
            ]
            opened = await asyncio.gather(
                *(client.get(f"{upstream}/api/items/0") for client in made)
            )
            result.untimed = sum(200 <= status < 300 for status in opened)
            start_at = time.perf_counter() + 0.05
            await asyncio.gather(
                *(
                    _paced_client(
                        client,
                        upstream,
                        i,
                        requests,
                        interval,
                        start_at + i * interval / clients,
                        result,
                    )
                    for i, client in enumerate(made)
                )
            )

    return _measure(proxy, result, run, settle)


def drive(
    proxy: Proxy,
    kind: str,
    upstream: str,
    clients: int,
    requests: int,
    max_seconds: float,
    settle: Callable[[Round], None],
) -> Round:
    """One round: ``clients`` concurrent clients, ``requests`` each, at most ``max_seconds``.

    ``settle`` runs after the load (untimed, but its CPU counts: the writer's catch-up)."""
    result = Round(proxy.label)

    async def run() -> None:
        deadline = time.perf_counter() + max_seconds
        await asyncio.gather(
            *(_client(proxy, kind, upstream, i, requests, deadline, result) for i in range(clients))
        )

    return _measure(proxy, result, run, settle)


# -- the store --------------------------------------------------------------------------


def prepare_store(database: Database, upstream: str) -> str:
    """Schema, an account and an ACTIVE endpoint whose destination is the upstream; its id."""
    migrate.upgrade(database)
    account = accounts.signup(
        database, email=f"{uuid.uuid4().hex}@example.com", password="benchmark", rounds=4
    )
    actor = Actor(id=account.id, email=account.email, role=account.role)
    pricing = endpoints.Pricing(endpoint_price=0, included={})
    return endpoints.create(database, actor, upstream, pricing=pricing, allow_private=True).id


def stored_rows(database: Database, endpoint_id: str) -> int:
    statement = sa.select(sa.func.count(), sa.func.pg_backend_pid()).where(
        ApiCall.endpoint_id == endpoint_id
    )
    with database.session() as session:
        count, backend = session.execute(statement).one()
    _OWN_BACKENDS.add(int(backend))
    return int(count)


def wait_for_rows(
    database: Database, endpoint_id: str, expected: int, timeout: float = 60
) -> tuple[int, float]:
    """Poll until ``expected`` rows are stored, or the count stops growing for 2 s.

    Returns the count and the seconds it took."""
    start = time.monotonic()
    last, changed = -1, start
    while True:
        count = stored_rows(database, endpoint_id)
        now = time.monotonic()
        if count != last:
            last, changed = count, now
        if count >= expected or now - changed > 2 or now - start > timeout:
            return count, now - start
        time.sleep(0.05)


# -- the run ----------------------------------------------------------------------------


def addon_script() -> str:
    """The script ``apidisco addon path`` prints."""
    return script_path()


def tree_script(src: Path) -> str:
    """The script the apidisco source tree ``src`` (a ``src`` folder) has ``apidisco addon
    path`` print: its flat script, or, in trees older than that, the package's own file."""
    addon = src / "apidisco" / "addon"
    script = addon / "script.py"
    return str(script if script.is_file() else addon / "__init__.py")


@dataclass
class Scratch:
    """What a run records into: the upstream, a scratch database and folder."""

    folder: Path
    upstream: str
    database: Database
    name: str  # the scratch database's

    def recording(
        self, endpoint_id: str, options: list[str], script: str | None = None
    ) -> list[str]:
        """mitmdump's arguments loading the addon (``script``, by default this tree's)
        recording into this database under ``endpoint_id``, with more ``options``."""
        url = self.database.url.render_as_string(hide_password=False)
        script = script or addon_script()
        arguments = ["-s", script, "--set", f"apidisco_endpoint={endpoint_id}"]
        arguments += ["--set", f"apidisco_db={url}"]
        for option in options:
            arguments += ["--set", option]
        return arguments


@contextlib.contextmanager
def scratch(server_url: str) -> Iterator[Scratch]:
    """The upstream in a process of its own, a scratch database on ``server_url``'s server
    and a scratch folder; stopped, dropped and removed afterwards."""
    server = parse_database_url(server_url)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"apidisco_bench_{uuid.uuid4().hex[:8]}"
    upstream_port = free_port()
    upstream_process = multiprocessing.get_context("spawn").Process(
        target=serve_upstream, args=(upstream_port,), name="upstream", daemon=True
    )
    database: Database | None = None
    created = False
    with tempfile.TemporaryDirectory(prefix="apidisco-bench-") as folder:
        try:
            upstream_process.start()
            wait_for_port(upstream_port, upstream_process.is_alive, "the upstream server")
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            created = True
            database = Database(engine=create_engine(server.set(database=name)))
            yield Scratch(Path(folder), f"http://127.0.0.1:{upstream_port}", database, name)
        finally:
            if upstream_process.is_alive():
                upstream_process.terminate()
            upstream_process.join(10)
            if database is not None:
                database.dispose()
            if created:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()


def cpu_per_request(rounds: list[Round], part: str) -> float:
    """The median over ``rounds`` of one part of their CPU (a field of :class:`Cpu`), in
    milliseconds per request."""
    done = [r for r in rounds if r.ok]
    if not done:
        return 0.0
    return statistics.median(getattr(r.cpu, part) * 1000 / r.ok for r in done)


def row(label: str, rounds: list[Round]) -> tuple[float, float, float]:
    """Prints the medians over ``rounds``; returns requests/s, p50 and p99."""
    rate = statistics.median(r.rate for r in rounds)
    p50 = statistics.median(r.percentile(0.50) for r in rounds)
    p99 = statistics.median(r.percentile(0.99) for r in rounds)
    cpu = [
        cpu_per_request(rounds, part)
        for part in ("proxy", "loop", "children", "database", "client")
    ]
    print(
        f"{label:18} {rate:9.0f} {p50:8.2f} {p99:8.2f}   "
        + " ".join(f"{value:8.3f}" for value in cpu)
    )
    return rate, p50, p99


def _tail(plain_label: str, plain: list[Round], addon: list[Round]) -> str:
    """How many of each proxy's requests, pooled over the rounds, took at least 6 ms and
    longer than plain's pooled p99: a tail measure that single stalls move less than
    the median of the rounds' p99s."""
    pooled = sorted(latency for done in plain for latency in done.latencies)
    if not pooled:
        return "tail: no requests"
    threshold = max(6.0, pooled[min(len(pooled) - 1, int(0.99 * len(pooled)))])
    shares = []
    for rounds in (plain, addon):
        latencies = [latency for done in rounds for latency in done.latencies]
        slow = sum(latency >= threshold for latency in latencies)
        shares.append(f"{slow} of {len(latencies)} ({slow / max(1, len(latencies)):.2%})")
    return (
        f"tail: requests taking {threshold:.2f} ms or more (at least 6 ms and {plain_label}'s "
        f"pooled p99): {plain_label} {shares[0]}, {ADDON} {shares[1]}"
    )


def _figures(done: Round) -> dict[str, object]:
    return {
        "ok": done.ok,
        "failed": done.failed,
        "rate": done.rate,
        "p50": done.percentile(0.50),
        "p99": done.percentile(0.99),
        "cpu_ms": {
            part: seconds * 1000 / max(1, done.ok) for part, seconds in asdict(done.cpu).items()
        },
    }


def record_run(
    path: Path,
    command: str,
    first: str,
    results: dict[str, list[Round]],
    paced: dict[str, list[Round]],
    sent: int,
    stored: int,
) -> None:
    """Append the run's rounds to ``path`` as one JSON line: per phase, the pairs of
    rounds of the same number, the ``first`` slot's (plain mitmdump, or the baseline
    addon) and then the addon's."""

    def pairs(phase: dict[str, list[Round]]) -> list[list[dict[str, object]]]:
        return [[_figures(a), _figures(b)] for a, b in zip(phase[first], phase[ADDON], strict=True)]

    line = {
        "command": command,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "slots": [first, ADDON],
        "saturated": pairs(results),
        "paced": pairs(paced),
        "sent": sent,
        "stored": stored,
    }
    with path.open("ab") as out:
        out.write(orjson.dumps(line) + b"\n")


def _quartiles(ordered: list[float]) -> str:
    """The lower and upper quartiles of sorted ratios, as percentages."""
    if len(ordered) < 4:
        return f"{ordered[0]:.1%}..{ordered[-1]:.1%} (min..max)"
    lower, _, upper = statistics.quantiles(ordered, n=4)
    return f"{lower:.1%}..{upper:.1%}"


def _cpus(text: str) -> set[int]:
    try:
        return {int(part) for part in text.split(",")}
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of CPU numbers: {text!r}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--requests", type=int, default=500, help="requests per client per round")
    parser.add_argument(
        "--client",
        choices=sorted(CLIENTS),
        default="lean",
        help="the load generator's client: lean (default; a minimal HTTP/1.1 client on "
        "asyncio, ~0.1 ms of CPU per request) or httpx (~1.2 ms, as before 2026-11-27)",
    )
    parser.add_argument("--warmup", type=int, default=100, help="warm-up requests per client")
    parser.add_argument("--max-seconds", type=float, default=60, help="cap per round and proxy")
    parser.add_argument(
        "--paced-share",
        type=float,
        default=0.5,
        help="the paced phase's load, as a share of plain mitmdump's saturated throughput "
        "(default 0.5; 0: no paced phase)",
    )
    parser.add_argument(
        "--paced-requests", type=int, default=250, help="requests per client in the paced phase"
    )
    parser.add_argument(
        "--database", default=os.environ.get("APIDISCO_TEST_DATABASE_URL", DEFAULT_SERVER)
    )
    parser.add_argument(
        "--writer",
        choices=("process", "thread"),
        default=None,
        help="the addon's apidisco_writer (default: the addon's default, process)",
    )
    parser.add_argument(
        "--proxy-cpus",
        type=_cpus,
        default=None,
        metavar="LIST",
        help="run both mitmdumps (and the addon's writer process) on these CPUs only, and "
        "the load generator and the upstream on the others (e.g. 1; Linux)",
    )
    parser.add_argument(
        "--writer-cpus",
        type=_cpus,
        default=None,
        metavar="LIST",
        help="with --proxy-cpus: move the addon's writer process to these CPUs after the "
        "warm-up (default: it stays with its mitmdump)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="SRC",
        help="instead of plain mitmdump, run the addon of another apidisco source tree "
        "(its src folder, e.g. a git worktree of an earlier commit) in the first slot, "
        "recording under an endpoint of its own: compares two versions of the addon",
    )
    parser.add_argument(
        "--order",
        choices=("alternate", "fixed"),
        default="alternate",
        help="which proxy runs first in a round: alternate (default: plain mitmdump in odd "
        "rounds, the addon in even ones) or fixed (plain mitmdump always, as before "
        "2026-11-27 midday)",
    )
    parser.add_argument(
        "--record",
        type=Path,
        default=None,
        metavar="FILE",
        help="append this run's rounds to FILE as one JSON line, for capture_pool.py to pool "
        "with other runs'",
    )
    parser.add_argument(
        "--set",
        dest="addon_options",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another mitmproxy option for the addon's mitmdump only (repeatable)",
    )
    args = parser.parse_args()
    command = shlex.join(["python", "benchmarks/capture.py", *sys.argv[1:]])
    if args.baseline is not None:
        if not (args.baseline / "apidisco" / "addon" / "__init__.py").is_file():
            parser.error(f"--baseline: {args.baseline} is not an apidisco src folder")
    # The first slot's label: plain mitmdump, or the earlier addon.
    plain_label = PLAIN if args.baseline is None else "baseline addon"
    if args.proxy_cpus is not None:
        others = os.sched_getaffinity(0) - args.proxy_cpus
        if not others or not args.proxy_cpus <= os.sched_getaffinity(0):
            parser.error("--proxy-cpus must name some, not all, of the CPUs this may use")
        os.sched_setaffinity(0, others)  # the load generator, and the upstream it starts
    if args.writer_cpus is not None and args.proxy_cpus is None:
        parser.error("--writer-cpus needs --proxy-cpus")

    proxies: list[Proxy] = []
    with scratch(args.database) as run:
        folder, upstream, database, name = run.folder, run.upstream, run.database, run.name
        try:
            endpoint_id = prepare_store(database, upstream)
            environ = child_environment(folder)
            first: list[str] = []
            first_environ = environ
            baseline_endpoint: str | None = None
            if args.baseline is not None:  # an earlier addon, under an endpoint of its own
                baseline = args.baseline.resolve()
                first_environ = dict(environ, PYTHONPATH=str(baseline))
                baseline_endpoint = prepare_store(database, upstream)
                first = run.recording(
                    baseline_endpoint,
                    args.addon_options,
                    script=tree_script(baseline),
                )
            plain = start_mitmdump(plain_label, folder, first, first_environ, args.proxy_cpus)
            proxies.append(plain)
            writer = [] if args.writer is None else [f"apidisco_writer={args.writer}"]
            recording = run.recording(endpoint_id, writer + args.addon_options)
            addon = start_mitmdump(ADDON, folder, recording, environ, args.proxy_cpus)
            proxies.append(addon)

            print(
                f"upstream {upstream}, {args.clients} {args.client} clients x {args.requests} "
                "requests, "
                f"{args.rounds} rounds, {os.cpu_count()} CPUs, database {name}"
                + (
                    f"; mitmdumps on CPUs {sorted(args.proxy_cpus)}, load generator and "
                    f"upstream on {sorted(os.sched_getaffinity(0))}"
                    if args.proxy_cpus is not None
                    else ""
                )
            )
            store = database
            sent = 0  # 2xx responses through the addon's proxy, warm-up included
            caught_up: list[tuple[int, float]] = []  # rows stored, seconds waited
            baseline_sent = 0  # the same through the baseline addon's

            def settle(done: Round) -> None:
                nonlocal sent, baseline_sent
                if done.label == ADDON:
                    sent += done.ok + done.untimed
                    caught_up.append(wait_for_rows(store, endpoint_id, sent))
                elif baseline_endpoint is not None:
                    # Its writer's catch-up counts in its own round, not in the next one.
                    baseline_sent += done.ok + done.untimed
                    wait_for_rows(store, baseline_endpoint, baseline_sent)

            def report(label: str, done: Round, recorded: bool) -> None:
                line = (
                    f"{label} {done.rate:7.0f} req/s  "
                    f"p50 {done.percentile(0.5):6.2f} ms  p99 {done.percentile(0.99):6.2f} ms"
                )
                if done.failed:
                    line += f"  {done.failed} failed"
                if recorded:
                    count, waited = caught_up[-1]
                    line += f"  rows {count}/{sent} stored {waited:.2f}s after the round"
                print(line)

            for proxy in (plain, addon):
                warm = drive(
                    proxy,
                    args.client,
                    upstream,
                    args.clients,
                    args.warmup,
                    args.max_seconds,
                    settle,
                )
                if warm.failed or not warm.ok:
                    raise RuntimeError(
                        f"{proxy.label} warm-up: {warm.ok} ok, {warm.failed} failed\n"
                        f"{proxy.output()}"
                    )

            if args.writer_cpus is not None:
                moved = sorted(_children_cpu(addon.popen.pid))
                for pid in moved:
                    os.sched_setaffinity(pid, args.writer_cpus)
                print(
                    f"moved the addon's child processes {moved} to CPUs {sorted(args.writer_cpus)}"
                )

            results: dict[str, list[Round]] = {plain_label: [], ADDON: []}
            paced: dict[str, list[Round]] = {plain_label: [], ADDON: []}
            paced_rate = 0.0
            for number in range(1, args.rounds + 1):
                # Which slot goes first alternates (unless --order fixed), so that what
                # favours one slot (starting after the addon's catch-up pause) hits both.
                order = (plain, addon) if number % 2 or args.order == "fixed" else (addon, plain)
                for proxy in order:
                    done = drive(
                        proxy,
                        args.client,
                        upstream,
                        args.clients,
                        args.requests,
                        args.max_seconds,
                        settle,
                    )
                    results[proxy.label].append(done)
                    report(f"round {number} {proxy.label:18}", done, proxy is addon)
                if args.paced_share <= 0:
                    continue
                if not paced_rate:
                    paced_rate = args.paced_share * results[plain_label][0].rate
                for proxy in order:
                    done = pace(
                        proxy,
                        args.client,
                        upstream,
                        args.clients,
                        args.paced_requests,
                        paced_rate,
                        settle,
                    )
                    paced[proxy.label].append(done)
                    report(f"paced {number} {proxy.label:18}", done, proxy is addon)

            code = addon.stop()
            stored = stored_rows(database, endpoint_id)
            journals = [p for p in (folder / "data").rglob("*.journal*") if p.stat().st_size]

            print()
            print(f"{'':48}CPU ms per request")
            print(
                f"{'':18} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}   "
                f"{'mitmdump':>8} {'its loop':>8} {'writer':>8} {'postgres':>8} {'client':>8}"
            )
            print("saturated (closed loop): throughput")
            rate_plain, p50_plain, p99_plain = row(plain_label, results[plain_label])
            rate_addon, p50_addon, p99_addon = row(ADDON, results[ADDON])
            more_cpu = [
                cpu_per_request(results[ADDON], part)
                / max(1e-9, cpu_per_request(results[plain_label], part))
                - 1
                for part in ("proxy", "loop")
            ]
            print(
                f"{'addon vs plain':18} {rate_addon / rate_plain:9.1%} "
                f"{p50_addon - p50_plain:+8.2f} {p99_addon - p99_plain:+8.2f}   "
                + " ".join(f"{more:+8.1%}" for more in more_cpu)
            )
            pairs = sorted(
                second.rate / first.rate
                for first, second in zip(results[plain_label], results[ADDON], strict=True)
                if first.rate
            )
            if pairs:
                print(
                    f"{'each round':18} {statistics.median(pairs):9.1%}  median of the rounds' "
                    f"ratios (each addon round vs the plain round next to it); "
                    f"quartiles {_quartiles(pairs)}"
                )
            if paced_rate:
                print(
                    f"paced (open loop, {paced_rate:.0f} req/s offered to each, "
                    f"{args.paced_share:.0%} of plain's first round): latency"
                )
                _, p50_plain, p99_plain = row(plain_label, paced[plain_label])
                _, p50_addon, p99_addon = row(ADDON, paced[ADDON])
                print(
                    f"{'addon vs plain':18} {'':9} "
                    f"{p50_addon - p50_plain:+8.2f} {p99_addon - p99_plain:+8.2f}"
                )
                print(_tail(plain_label, paced[plain_label], paced[ADDON]))
            failed = sum(
                r.failed for phase in (results, paced) for rounds in phase.values() for r in rounds
            )
            print(
                f"rows: {sent} responses sent (2xx seen by the client), {stored} rows stored, "
                f"{max(0, sent - stored)} missing"
                + (f", {stored - sent} extra" if stored > sent else "")
                + (f"; {failed} requests failed" if failed else "")
            )
            if code != 0:
                print(f"mitmdump + addon exited with {code}:\n{addon.output()}")
            for journal in journals:
                print(f"non-empty journal left behind: {journal} ({journal.stat().st_size} bytes)")
            print(f"command: {command}")
            if args.record is not None:
                record_run(args.record, command, plain_label, results, paced, sent, stored)
                print(f"rounds appended to {args.record}")
        finally:
            for proxy in proxies:
                proxy.stop()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: every process stopped, the scratch database dropped")
        sys.exit(130)
