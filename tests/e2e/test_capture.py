"""End to end: real clients, a real mitmdump or `apidisco proxy`, real servers; rows in the store.

Each test runs on SQLite and on PostgreSQL. The clients are httpx (through the
proxy, or straight at the gateway) and the ``websockets`` client.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from websockets.sync.client import connect

from apidisco.enums import EndpointStatus
from apidisco.store.database import Database
from apidisco.store.models import ApiCall
from tests.addon.support import calls, endpoint, owner, set_status, url_of
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import MITMDUMP, Processes, Servers, free_port, wait_until

BATCH = [
    {"query": "query Me { me { id name } }", "operationName": "Me"},
    {
        "query": "mutation Rename($name: String!) { rename(name: $name) { id name } }",
        "operationName": "Rename",
        "variables": {"name": "Grace"},
    },
]
SINGLE = {
    "query": "query User($id: ID!) { user(id: $id) { id name } }",
    "variables": {"id": "7"},
    "operationName": "User",
}


# -- traffic ---------------------------------------------------------------------------


def drive_http(client: httpx.Client, api: str, graphql: str) -> None:
    """Six REST calls and two GraphQL requests (one a batch of two operations)."""
    response = client.get(
        f"{api}/items",
        params={"page": "2", "token": "t0p-s3cret"},
        headers={"Authorization": "Bearer abc.def.ghi"},
    )
    assert response.status_code == 200
    response = client.post(f"{api}/items", json={"name": "pen", "password": "hunter2"})
    assert response.status_code == 201
    response = client.options(
        f"{api}/items",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert response.status_code == 204
    assert client.get(f"{api}/gzip").json() == {"compressed": True}
    assert client.get(f"{api}/slow", params={"ms": "150"}).status_code == 200
    assert client.get(f"{api}/binary").content == bytes(range(256))
    answers = client.post(graphql, json=BATCH).json()
    assert answers[1] == {"data": {"rename": {"id": "1", "name": "Grace"}}}
    assert client.post(graphql, json=SINGLE).json()["data"]["user"]["name"] == "user 7"


def drive_websocket(uri: str, proxy: str | None) -> None:
    """Three messages each way: text, binary, JSON text."""
    with connect(uri, proxy=proxy, compression=None, open_timeout=10) as socket:
        socket.send("hello")
        assert socket.recv(timeout=10) == "echo: hello"
        socket.send(b"\x00\x01\x02")
        assert socket.recv(timeout=10) == b"\x02\x01\x00"
        socket.send('{"type": "ping"}')
        assert socket.recv(timeout=10) == 'echo: {"type": "ping"}'


# -- what the store must hold ------------------------------------------------------------


def by_url(rows: list[ApiCall], prefix: str) -> list[ApiCall]:
    return [row for row in rows if row.url.startswith(prefix)]


def check_http_rows(rows: list[ApiCall], api: str) -> None:
    (items,) = [r for r in by_url(rows, f"{api}/items?") if r.method == "GET"]
    assert items.protocol == "http"
    assert items.response_status == 200
    assert "t0p-s3cret" not in items.url
    assert items.query_params is not None
    assert items.query_params["page"] == "2"
    assert items.query_params["token"].startswith("‹masked:")
    assert items.request_headers["authorization"].startswith("Bearer ‹masked:")
    assert "abc.def.ghi" not in str(items.request_headers)
    assert items.response_headers["content-type"] == "application/json"
    assert items.response_body_json["items"] == [{"id": 1}]
    assert items.duration is not None
    assert items.duration >= 0
    assert items.error is None

    (created,) = [r for r in by_url(rows, f"{api}/items") if r.method == "POST"]
    assert created.response_status == 201
    assert created.request_body_json["name"] == "pen"
    assert created.request_body_json["password"].startswith("‹masked:")
    assert "hunter2" not in (created.request_body or "")
    assert created.response_body_json["id"] == 42
    assert created.response_body_json["password"] == created.request_body_json["password"]
    assert created.response_headers["location"] == "/items/42"

    (preflight,) = [r for r in by_url(rows, f"{api}/items") if r.method == "OPTIONS"]
    assert preflight.response_status == 204
    assert preflight.cors_headers == {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "Authorization, Content-Type",
        "access-control-max-age": "600",
        "origin": "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "Authorization",
        "preflight": True,
    }

    (compressed,) = by_url(rows, f"{api}/gzip")
    assert compressed.response_headers["content-encoding"] == "gzip"
    assert compressed.response_body_json == {"compressed": True}

    (slow,) = by_url(rows, f"{api}/slow")
    assert slow.duration is not None
    assert slow.duration >= 150

    (binary,) = by_url(rows, f"{api}/binary")
    assert binary.response_body_encoding == "base64"
    assert base64.b64decode(binary.response_body or "") == bytes(range(256))


def check_graphql_rows(rows: list[ApiCall], graphql: str) -> None:
    operations = by_url(rows, graphql)
    assert sorted((r.protocol, r.graphql_operation) for r in operations) == [
        ("graphql", "Me"),
        ("graphql", "Rename"),
        ("graphql", "User"),
    ]
    rename = next(r for r in operations if r.graphql_operation == "Rename")
    assert rename.request_body_json["variables"] == {"name": "Grace"}
    assert rename.response_body_json == {"data": {"rename": {"id": "1", "name": "Grace"}}}


def check_websocket_rows(rows: list[ApiCall], url: str) -> None:
    socket = by_url(rows, url)
    (handshake,) = [r for r in socket if r.message_direction is None]
    assert handshake.protocol == "ws"
    assert handshake.response_status == 101
    assert handshake.connection_id
    messages = [r for r in socket if r.message_direction is not None]
    assert {r.connection_id for r in messages} == {handshake.connection_id}
    assert {r.protocol for r in messages} == {"ws"}
    sent = [
        (r.request_body, r.request_body_encoding)
        for r in messages
        if r.message_direction == "client"
    ]
    received = [
        (r.response_body, r.response_body_encoding)
        for r in messages
        if r.message_direction == "server"
    ]
    assert sorted(sent, key=str) == sorted(
        [
            ("hello", None),
            (base64.b64encode(b"\x00\x01\x02").decode(), "base64"),
            ('{"type": "ping"}', None),  # as sent
        ],
        key=str,
    )
    assert sorted(received, key=str) == sorted(
        [
            ("echo: hello", None),
            (base64.b64encode(b"\x02\x01\x00").decode(), "base64"),
            ('echo: {"type": "ping"}', None),
        ],
        key=str,
    )


def signature(row: ApiCall) -> tuple[Any, ...]:
    """What a replay of saved flows must reproduce exactly."""
    return (
        row.method,
        row.url,
        row.protocol,
        row.response_status,
        row.timestamp,
        row.message_direction,
        row.connection_id,
        row.graphql_operation,
        row.request_body,
        row.response_body,
    )


def rows_of(database: Database, endpoint_id: str, count: int) -> list[ApiCall]:
    return wait_until(
        lambda: (rows := calls(database, endpoint_id)) and len(rows) >= count and rows,
        20,
        f"{count} rows for endpoint {endpoint_id}",
    )


# -- mitmdump ---------------------------------------------------------------------------


def test_mitmdump_records_every_request_and_message(
    store_database: Database, servers: Servers, processes: Processes, tmp_path: Path
) -> None:
    alice = owner(store_database)
    endpoint_id = endpoint(store_database, alice, servers.api)
    port = free_port()
    saved = tmp_path / "saved.flows"
    mitmdump = processes.mitmdump(
        "--set",
        f"apidisco_endpoint={endpoint_id}",
        "--set",
        f"apidisco_db={url_of(store_database)}",
        "-w",
        str(saved),
        port=port,
    )
    mitmdump.wait_for_port(port)
    proxy = f"http://127.0.0.1:{port}"
    with httpx.Client(proxy=proxy, trust_env=False, timeout=10) as client:
        drive_http(client, servers.api, servers.graphql)
    drive_websocket(servers.websocket.replace("http://", "ws://") + "/chat", proxy)
    assert mitmdump.interrupt() == 0, mitmdump.output()

    rows = calls(store_database, endpoint_id)
    assert len(rows) == 6 + 3 + 7, [(r.method, r.url) for r in rows]
    check_http_rows(rows, servers.api)
    check_graphql_rows(rows, servers.graphql)
    check_websocket_rows(rows, servers.websocket.replace("http://", "ws://"))
    assert all(r.timestamp.tzinfo is not None for r in rows)

    # The same traffic from the saved flow file, into another endpoint: identical rows.
    replayed_id = endpoint(store_database, alice, servers.api)
    reader = processes.mitmdump(
        "-n",
        "-r",
        str(saved),
        "--set",
        f"apidisco_endpoint={replayed_id}",
        "--set",
        f"apidisco_db={url_of(store_database)}",
    )
    assert reader.wait() == 0, reader.output()
    replayed = calls(store_database, replayed_id)
    assert sorted(map(signature, replayed), key=str) == sorted(map(signature, rows), key=str)


def test_mitmdump_records_in_reverse_and_upstream_modes(
    store_database: Database, servers: Servers, processes: Processes
) -> None:
    api_id = endpoint(store_database, owner(store_database), servers.api)
    database = f"apidisco_db={url_of(store_database)}"
    reverse_port, upstream_port, plain_port = free_port(), free_port(), free_port()
    reverse = processes.mitmdump(
        "--mode", f"reverse:{servers.api}", "--set", database, port=reverse_port
    )
    upstream = processes.mitmdump(
        "--mode", f"upstream:http://127.0.0.1:{plain_port}", "--set", database, port=upstream_port
    )
    plain = processes.start(  # the next proxy in the chain, without the addon
        "plain",
        [MITMDUMP, "--listen-host", "127.0.0.1", "-p", str(plain_port)]
        + ["--set", processes.confdir()],
    )
    for process, port in ((reverse, reverse_port), (upstream, upstream_port), (plain, plain_port)):
        process.wait_for_port(port)
    with httpx.Client(trust_env=False, timeout=10) as client:
        assert client.get(f"http://127.0.0.1:{reverse_port}/items?via=reverse").status_code == 200
        # Not the gateway: in reverse mode /proxy/... is just a path of the destination.
        assert client.get(f"http://127.0.0.1:{reverse_port}/proxy/x").json()["path"] == "/proxy/x"
    with httpx.Client(proxy=f"http://127.0.0.1:{upstream_port}", trust_env=False) as client:
        assert client.get(f"{servers.api}/items?via=upstream").status_code == 200
    for process in (reverse, upstream, plain):
        assert process.interrupt() == 0, process.output()
    assert sorted(r.url for r in calls(store_database, api_id)) == [
        f"{servers.api}/items?via=reverse",
        f"{servers.api}/items?via=upstream",
        f"{servers.api}/proxy/x",
    ]


def test_mitmdump_refuses_bad_options(store_database: Database, processes: Processes) -> None:
    database = f"apidisco_db={url_of(store_database)}"
    bad_filter = processes.mitmdump("-n", "--set", database, "--set", "apidisco_filter=~x (((")
    unknown = processes.mitmdump("-n", "--set", database, "--set", "apidisco_endpoint=nope")
    assert bad_filter.wait() != 0
    assert "apidisco_filter: Invalid filter expression" in bad_filter.output()
    assert unknown.wait() != 0
    assert "there is no endpoint 'nope'" in unknown.output()


# -- apidisco proxy ---------------------------------------------------------------------


def stopped_counts(output: str) -> dict[str, int]:
    """The writer's counters from the line ``apidisco proxy`` prints when it stops."""
    line = next(line for line in output.splitlines() if line.startswith("Stopped."))
    names = ["submitted", "written", "replayed", "journaled", "waiting", "rejected", "lost"]
    names.append("failures")
    return dict(zip(names, map(int, re.findall(r"\d+", line)), strict=True))


def start_proxy(processes: Processes, database: Database, *extra: str) -> tuple[Any, int]:
    gateway = free_port()
    proxy = processes.apidisco(
        "--db",
        url_of(database),
        "proxy",
        "--port",
        str(gateway),
        "--confdir",
        str(processes.directory / "mitmproxy"),
        *extra,
    )
    proxy.wait_for_port(gateway)
    return proxy, gateway


def test_apidisco_proxy_routes_the_gateway_and_proxies(
    store_database: Database, servers: Servers, processes: Processes
) -> None:
    alice = owner(store_database)
    api_id = endpoint(store_database, alice, servers.api)
    graphql_id = endpoint(store_database, alice, servers.graphql)
    websocket_id = endpoint(store_database, alice, servers.websocket)
    paused_id = endpoint(store_database, alice, f"{servers.api}/paused")
    set_status(store_database, paused_id, EndpointStatus.REVIEW)
    down_id = endpoint(store_database, alice, f"http://127.0.0.1:{free_port()}")  # nobody there
    proxy_port = free_port()
    proxy, gateway = start_proxy(processes, store_database, "--proxy-port", str(proxy_port))
    proxy.wait_for_port(proxy_port)
    base = f"http://127.0.0.1:{gateway}/proxy"

    with httpx.Client(trust_env=False, timeout=10) as client:
        drive_http(client, f"{base}/{api_id}", f"{base}/{graphql_id}")
        unknown = client.get(f"{base}/nosuchendpoint/items")
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "unknown_endpoint"
        paused = client.get(f"{base}/{paused_id}/items")
        assert paused.json()["path"] == "/paused/items"  # forwarded, not recorded
        assert client.get(f"http://127.0.0.1:{gateway}/elsewhere").status_code == 404
        assert client.get(f"{base}/{down_id}/status").status_code == 502
    drive_websocket(f"ws://127.0.0.1:{gateway}/proxy/{websocket_id}/chat", None)
    with httpx.Client(
        proxy=f"http://127.0.0.1:{proxy_port}", trust_env=False, timeout=10
    ) as client:
        assert client.get(f"{servers.api}/items", params={"page": "9"}).status_code == 200
        assert client.get(f"{servers.api}/paused/x").status_code == 200
    assert proxy.interrupt() == 0, proxy.output()

    output = proxy.output()
    assert "mitmproxy-ca-cert.pem" in output
    rows = calls(store_database, api_id)
    check_http_rows([r for r in rows if "page=9" not in r.url], servers.api)
    assert [r.url for r in rows if "page=9" in r.url] == [f"{servers.api}/items?page=9"]
    check_graphql_rows(calls(store_database, graphql_id), servers.graphql)
    check_websocket_rows(
        calls(store_database, websocket_id), servers.websocket.replace("http://", "ws://")
    )
    assert calls(store_database, paused_id) == []
    (failed,) = calls(store_database, down_id)
    assert failed.url.endswith("/status")
    assert failed.response_status is None
    assert failed.error
    total = len(calls(store_database))
    assert total == 7 + 3 + 7 + 1
    counts = stopped_counts(output)
    assert counts["submitted"] == counts["written"] == total


# -- outages ------------------------------------------------------------------------------


@contextlib.contextmanager
def outage(database: Database, backend: str) -> Iterator[None]:
    """Make the store unusable for a while.

    PostgreSQL: the database stops accepting connections and its sessions are
    terminated (what a restart looks like from the proxy). SQLite: another
    process holds the write lock (a backup, a VACUUM, a long transaction), so
    the writer cannot commit until it is released.
    """
    if backend == "postgresql":
        assert POSTGRES_URL is not None
        name = database.url.database
        admin = sa.create_engine(
            database.url.set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
            database.dispose()
            yield
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            admin.dispose()
    else:
        assert database.url.database is not None
        locker = sqlite3.connect(database.url.database, isolation_level=None)
        try:
            locker.execute("BEGIN EXCLUSIVE")
            yield
        finally:
            locker.execute("ROLLBACK")
            locker.close()


def test_a_database_outage_loses_nothing(
    store_database: Database, servers: Servers, processes: Processes, backend: str
) -> None:
    alice = owner(store_database)
    api_id = endpoint(store_database, alice, servers.api)
    proxy, gateway = start_proxy(processes, store_database)
    base = f"http://127.0.0.1:{gateway}/proxy/{api_id}/items"
    journal = processes.directory / "data" / "journal"

    def journaled() -> bool:
        return any(path.stat().st_size > 0 for path in journal.glob("capture-*.journal"))

    with httpx.Client(trust_env=False, timeout=10) as client:
        for number in range(5):
            assert client.get(base, params={"n": number}).status_code == 200
        rows_of(store_database, api_id, 5)
        with outage(store_database, backend):
            for number in range(5, 25):
                response = client.get(base, params={"n": number})
                assert response.status_code == 200  # the proxy keeps proxying
                assert response.json()["query"] == {"n": str(number)}
            if backend == "postgresql":
                wait_until(journaled, 10, "the writer to journal the rows it cannot write")
            else:
                time.sleep(3)  # hold the lock a while: the writer waits, the proxy does not
        for number in range(25, 30):
            assert client.get(base, params={"n": number}).status_code == 200

    rows_of(store_database, api_id, 30)
    assert proxy.interrupt() == 0, proxy.output()
    rows = calls(store_database, api_id)
    numbers = Counter(r.query_params["n"] for r in rows if r.query_params)
    assert numbers == Counter({str(n): 1 for n in range(30)})  # every row, exactly once
    counts = stopped_counts(proxy.output())
    assert counts["written"] == counts["submitted"] == 30
    assert counts["waiting"] == counts["lost"] == counts["rejected"] == 0
    if backend == "postgresql":
        assert counts["journaled"] > 0
        assert counts["replayed"] == counts["journaled"]
        assert counts["failures"] > 0


# -- Ctrl-C ---------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    """The running child processes of ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("writer", ["process", "thread"])
def test_ctrl_c_right_after_a_burst_loses_nothing(
    store_database: Database, servers: Servers, processes: Processes, writer: str
) -> None:
    endpoint_id = endpoint(store_database, owner(store_database), servers.api)
    port = free_port()
    mitmdump = processes.mitmdump(
        "--set",
        f"apidisco_endpoint={endpoint_id}",
        "--set",
        f"apidisco_db={url_of(store_database)}",
        "--set",
        f"apidisco_writer={writer}",
        port=port,
    )
    mitmdump.wait_for_port(port)
    with httpx.Client(proxy=f"http://127.0.0.1:{port}", trust_env=False, timeout=10) as client:
        for number in range(300):
            assert client.get(f"{servers.api}/burst", params={"n": number}).status_code == 200
    # The writer process (and, with it, multiprocessing's resource tracker).
    helpers = children_of(mitmdump.popen.pid)
    assert bool(helpers) == (writer == "process")
    for pid in helpers:  # a terminal's Ctrl-C reaches the whole process group
        os.kill(pid, signal.SIGINT)
    assert mitmdump.interrupt() == 0, mitmdump.output()

    rows = calls(store_database, endpoint_id)
    numbers = Counter(r.query_params["n"] for r in rows if r.query_params)
    assert numbers == Counter({str(n): 1 for n in range(300)})  # every row, exactly once

    def exited(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_until(lambda: all(map(exited, helpers)), 10, "the helper processes to exit")
    assert "writer process exited" not in mitmdump.output()
