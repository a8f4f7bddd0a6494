"""``fetch_schema`` against small real HTTP servers on 127.0.0.1: what is sent, what is refused."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from graphql import build_schema, introspection_from_schema

from apidisco.errors import IntrospectionError, ValidationError
from apidisco.introspect.client import fetch_schema

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


def _local(host: str, port: int) -> list[str]:
    """A resolver that puts ``graphql.test`` on 127.0.0.1."""
    return ["127.0.0.1"] if host == "graphql.test" else []


def test_the_request_goes_to_the_checked_address_under_the_name(
    server: tuple[int, Seen],
) -> None:
    port, seen = server
    data = fetch_schema(
        f"http://graphql.test:{port}/graphql",
        allow_private=True,
        timeout=5,
        headers={"Authorization": "Bearer t"},
        resolver=_local,
    )
    assert data["__schema"]["queryType"] == {"name": "Query", "kind": "OBJECT"}
    ((path, sent, body),) = seen.requests
    headers = {name.lower(): value for name, value in sent.items()}
    assert path == "/graphql"
    assert headers["host"] == f"graphql.test:{port}"  # the name, though the address was dialled
    assert headers["authorization"] == "Bearer t"
    assert headers["content-type"] == "application/json"
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
    url = f"http://127.0.0.1:{port}/graphql"
    with pytest.raises(IntrospectionError, match=message) as raised:
        fetch_schema(url, allow_private=True, timeout=5)
    assert url in raised.value.message


def test_an_answer_over_the_cap_is_refused(server: tuple[int, Seen]) -> None:
    port, _ = server
    url = f"http://127.0.0.1:{port}/graphql"
    with pytest.raises(IntrospectionError, match="more than 100 bytes; nothing was compared"):
        fetch_schema(url, allow_private=True, timeout=5, max_bytes=100)
    assert fetch_schema(url, allow_private=True, timeout=5)["__schema"]


def test_a_refused_address_is_a_validation_error_and_nothing_is_sent(
    server: tuple[int, Seen],
) -> None:
    port, seen = server
    with pytest.raises(ValidationError, match="loopback"):
        fetch_schema(f"http://graphql.test:{port}/graphql", timeout=5, resolver=_local)
    assert seen.requests == []


def test_a_closed_port_is_a_clear_error() -> None:
    with pytest.raises(IntrospectionError, match="cannot reach the GraphQL server"):
        fetch_schema("http://127.0.0.1:9/graphql", allow_private=True, timeout=5)
