"""Real servers, real proxies, real clients: everything on 127.0.0.1, everything stopped.

- ``servers``: an HTTP JSON API (``http.server``), a GraphQL API (graphql-core
  behind ``http.server``) and a WebSocket echo server (``websockets``), each in
  a thread, on ports chosen free at runtime; shut down at the end of the session.
- ``processes``: starts ``mitmdump`` and ``apidisco proxy`` subprocesses, waits
  for their port, and kills whatever is still running when the test ends
  (passed or failed).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from graphql import build_schema, graphql_sync
from websockets.asyncio.server import ServerConnection, serve

from apidisco.cli.addon import script_path
from apidisco.store import migrate
from apidisco.store.database import Database

MITMDUMP = str(Path(sys.executable).with_name("mitmdump"))
CLI = [sys.executable, "-m", "apidisco"]
ADDON = script_path()  # what `apidisco addon path` prints


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


# -- the servers ------------------------------------------------------------------------


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, document: Any, **headers: str) -> None:
        self._send(status, json.dumps(document).encode(), "application/json", **headers)


class ApiHandler(_Quiet):
    """A small JSON API: items, a CORS preflight, gzip, a slow call, binary."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if parts.path == "/gzip":
            body = gzip.compress(json.dumps({"compressed": True}).encode())
            self._send(200, body, "application/json", Content_Encoding="gzip")
        elif parts.path == "/slow":
            time.sleep(int(query.get("ms", "0")) / 1000)
            self._json(200, {"slow": True})
        elif parts.path == "/binary":
            self._send(200, bytes(range(256)), "application/octet-stream")
        else:
            self._json(200, {"path": parts.path, "query": query, "items": [{"id": 1}]})

    def do_POST(self) -> None:
        document = json.loads(self._body() or b"{}")
        self._json(201, {"id": 42, **document}, Location="/items/42")

    def do_OPTIONS(self) -> None:
        self._send(
            204,
            b"",
            "text/plain",
            Access_Control_Allow_Origin="https://app.example.com",
            Access_Control_Allow_Methods="GET, POST",
            Access_Control_Allow_Headers="Authorization, Content-Type",
            Access_Control_Max_Age="600",
        )


SCHEMA = build_schema(
    """
    type User { id: ID!, name: String! }
    type Query { me: User, user(id: ID!): User }
    type Mutation { rename(name: String!): User }
    """
)


class _Root:
    def me(self, _info: Any) -> dict[str, str]:
        return {"id": "1", "name": "Ada"}

    def user(self, _info: Any, id: str) -> dict[str, str]:  # noqa: A002 - the schema's name
        return {"id": id, "name": f"user {id}"}

    def rename(self, _info: Any, name: str) -> dict[str, str]:
        return {"id": "1", "name": name}


class GraphQLHandler(_Quiet):
    """graphql-core executing SCHEMA; a JSON list is a batch and gets a list back."""

    def _execute(self, operation: dict[str, Any]) -> dict[str, Any]:
        result = graphql_sync(
            SCHEMA,
            operation["query"],
            root_value=_Root(),
            variable_values=operation.get("variables"),
            operation_name=operation.get("operationName"),
        )
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        return answer

    def do_POST(self) -> None:
        document = json.loads(self._body())
        if isinstance(document, list):
            self._json(200, [self._execute(item) for item in document])
        else:
            self._json(200, self._execute(document))


async def _echo(connection: ServerConnection) -> None:
    async for message in connection:
        if isinstance(message, str):
            await connection.send(f"echo: {message}")
        else:
            await connection.send(bytes(reversed(message)))


class WebSocketServer:
    """``websockets`` server (the echo by default) on its own event loop in a thread."""

    def __init__(self, handler: Callable[[ServerConnection], Awaitable[None]] = _echo) -> None:
        self.handler = handler
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Future[None] | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ws-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = self._loop.create_future()
        async with serve(self.handler, "127.0.0.1", self.port, compression=None):
            self._started.set()
            await self._stop

    def start(self) -> None:
        self._thread.start()
        assert self._started.wait(10), "the WebSocket server did not start"

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(10)


@dataclass
class Servers:
    api: str  # base URLs, destinations of endpoints
    graphql: str
    websocket: str


def _http_server(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=handler.__name__, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    api = _http_server(ApiHandler)
    graphql = _http_server(GraphQLHandler)
    websocket = WebSocketServer()
    try:
        websocket.start()
        yield Servers(
            api=f"http://127.0.0.1:{api.server_port}",
            graphql=f"http://127.0.0.1:{graphql.server_port}/graphql",
            websocket=f"http://127.0.0.1:{websocket.port}",
        )
    finally:
        for server in (api, graphql):
            server.shutdown()
            server.server_close()
        websocket.stop()


# -- the proxies ------------------------------------------------------------------------


@dataclass
class Process:
    """A subprocess with its output in files (never a pipe that could fill up)."""

    name: str
    popen: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def wait_for_port(self, port: int, timeout: float = 20) -> None:
        def listening() -> bool:
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            except OSError:
                return False
            return True

        wait_until(listening, timeout, f"{self.name} to listen on {port}")

    def interrupt(self, timeout: float = 30) -> int:
        """Ctrl-C, and wait for a clean exit."""
        self.popen.send_signal(signal.SIGINT)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} did not stop:\n{self.output()}") from None

    def wait(self, timeout: float = 30) -> int:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} did not finish:\n{self.output()}") from None


@dataclass
class Processes:
    directory: Path
    environ: dict[str, str]
    started: list[Process] = field(default_factory=list)

    def start(self, name: str, args: list[str]) -> Process:
        stdout = self.directory / f"{name}-{len(self.started)}.out"
        stderr = self.directory / f"{name}-{len(self.started)}.err"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            popen = subprocess.Popen(args, stdout=out, stderr=err, env=self.environ)
        process = Process(name, popen, stdout, stderr)
        self.started.append(process)
        return process

    def mitmdump(self, *args: str, port: int | None = None) -> Process:
        listen = ["--listen-host", "127.0.0.1", "-p", str(port)] if port is not None else []
        return self.start(
            "mitmdump", [MITMDUMP, "-s", ADDON, "--set", self.confdir(), *listen, *args]
        )

    def confdir(self) -> str:
        """A mitmproxy configuration folder of its own: mitmproxy processes started
        together would otherwise race to create one CA and read it half-written."""
        return f"confdir={self.directory / f'mitmproxy-{len(self.started)}'}"

    def apidisco(self, *args: str) -> Process:
        return self.start("apidisco", [*CLI, *args])

    def stop_all(self) -> None:
        for process in self.started:
            if process.popen.poll() is None:
                process.popen.kill()
                process.popen.wait(10)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """Subprocesses for one test, in an environment that reads nothing of this machine's."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.lower().endswith("_proxy")
        and name not in {"APIDISCO_DATABASE_URL", "DATABASE_URL", "APIDISCO_SECRET_KEY"}
    }
    environ.update(
        APIDISCO_CONFIG=str(tmp_path / "absent.toml"),
        APIDISCO_DATA_DIR=str(tmp_path / "data"),
        APIDISCO_ALLOW_PRIVATE_DESTINATIONS="1",
        PYTHONUNBUFFERED="1",
    )
    running = Processes(tmp_path, environ)
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture
def store_database(empty_database: Database) -> Database:
    """A new database at the newest schema, on the backend under test."""
    migrate.upgrade(empty_database)
    return empty_database
