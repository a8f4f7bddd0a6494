"""``fetch_schema`` against small real HTTP servers on 127.0.0.1: what is sent, what is refused."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from graphql import build_schema, introspection_from_schema

from apidisco.destinations import Destination, check_destination
from apidisco.errors import IntrospectionError
from apidisco.introspect.client import fetch_schema, pinned_url

SCHEMA = introspection_from_schema(build_schema("type Query { hello: String }"))


@dataclass
class Seen:
    """What the server was sent, and what it answers."""

    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
    body: bytes = json.dumps({"data": SCHEMA}).encode()


@pytest.fixture
def server() -> Iterator[tuple[int, Seen]]:
    seen = Seen()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers.get("Content-Length", "0"))
            seen.requests.append((self.path, dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(seen.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(seen.body)))
            self.end_headers()
            self.wfile.write(seen.body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_the_request_goes_to_the_checked_address_under_the_name(
    server: tuple[int, Seen],
) -> None:
    port, seen = server
    destination = check_destination(f"http://localhost:{port}/graphql", allow_private=True)
    pinned = Destination(destination.url, destination.host, destination.port, ("127.0.0.1",))
    data = fetch_schema(pinned, timeout=5, headers={"Authorization": "Bearer t"})
    assert data["__schema"]["queryType"] == {"name": "Query", "kind": "OBJECT"}
    ((path, headers, body),) = seen.requests
    assert path == "/graphql"
    assert headers["Host"] == f"localhost:{port}"  # the name, though the address was dialled
    assert headers["Authorization"] == "Bearer t"
    assert headers["Content-Type"] == "application/json"
    assert "__schema" in json.loads(body)["query"]


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, b"<html>hello</html>", "answered 200 with something that is not JSON"),
        (200, b'{"data": {"hello": "x"}}', "answered 200 without a schema"),
        (
            400,
            b'{"errors": [{"message": "Introspection\\n is off"}]}',
            r"\(400: Introspection is off\)",
        ),
    ],
)
def test_answers_without_a_schema(
    server: tuple[int, Seen], status: int, body: bytes, message: str
) -> None:
    port, seen = server
    seen.status, seen.body = status, body
    destination = check_destination(f"http://127.0.0.1:{port}/graphql", allow_private=True)
    with pytest.raises(IntrospectionError, match=message) as raised:
        fetch_schema(destination, timeout=5)
    assert f"http://127.0.0.1:{port}/graphql" in raised.value.message


def test_only_the_checked_address_and_port_are_dialled(server: tuple[int, Seen]) -> None:
    """The URL names a listening server, but the checked destination says port 1."""
    port, seen = server
    destination = Destination(f"http://127.0.0.1:{port}/graphql", "127.0.0.1", 1, ("127.0.0.1",))
    with pytest.raises(IntrospectionError, match="cannot reach the GraphQL server"):
        fetch_schema(destination, timeout=5)
    assert seen.requests == []


@pytest.mark.parametrize(
    ("destination", "expected"),
    [
        (
            Destination("https://api.example/graphql", "api.example", 443, ("93.184.216.34",)),
            "https://93.184.216.34:443/graphql",
        ),
        (
            Destination("http://api.example:8080", "api.example", 8080, ("2001:db8::1", "1.2.3.4")),
            "http://[2001:db8::1]:8080/",
        ),
        (Destination("http://h/q?x=1", "h", 80, ("fe80::1%eth0",)), "http://[fe80::1]:80/q?x=1"),
    ],
)
def test_pinned_url(destination: Destination, expected: str) -> None:
    assert pinned_url(destination) == expected
