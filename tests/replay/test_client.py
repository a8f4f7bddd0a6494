"""The safe client: manual redirects under the SSRF rules, a budget, timeouts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from apidisco.replay.client import (
    MAX_REDIRECTS,
    Budget,
    BudgetExhaustedError,
    RefusedError,
    SafeClient,
    TransportError,
)
from tests.localserver import LocalServer, running


class Hops(LocalServer):
    """A server on 127.0.0.1 that answers by path: /to?url, /loop, /slow, /echo."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                owner.seen.append((self.command, self.path, headers, body))
                path, _, query = self.path.partition("?")
                if path == "/slow":
                    time.sleep(1.0)
                if path in {"/to", "/see-other"}:
                    self.send_response(303 if path == "/see-other" else 307)
                    self.send_header("Location", query)
                elif path == "/loop":
                    self.send_response(302)
                    self.send_header("Location", "/loop")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = _handle  # noqa: N815

        super().__init__(Handler)
        self.url = self.origin


@pytest.fixture
def hops() -> Iterator[Hops]:
    with running(Hops()) as server:
        yield server


@pytest.fixture
def other() -> Iterator[Hops]:
    """A second server, on another port."""
    with running(Hops()) as server:
        yield server


def test_loopback_is_refused_unless_allowed(hops: Hops) -> None:
    with SafeClient() as client, pytest.raises(RefusedError, match="loopback"):
        client.request("GET", f"{hops.url}/echo")
    assert hops.seen == []
    with SafeClient(allow_private=True) as client:
        assert client.request("GET", f"{hops.url}/echo").status == 200


def test_redirects_are_followed_by_hand_and_each_hop_is_checked(hops: Hops) -> None:
    with SafeClient(allow_private=True) as client:
        response = client.request("GET", f"{hops.url}/to?/echo")
        assert response.status == 200
        assert response.redirects == (f"{hops.url}/echo",)
        with pytest.raises(RefusedError, match="cloud metadata"):
            client.request("GET", f"{hops.url}/to?http://169.254.169.254/latest/")
        with pytest.raises(RefusedError, match="cloud metadata"):
            client.request("GET", f"{hops.url}/to?http://[::ffff:169.254.169.254]/")
    assert [path for _, path, _, _ in hops.seen] == [
        "/to?/echo",
        "/echo",
        "/to?http://169.254.169.254/latest/",
        "/to?http://[::ffff:169.254.169.254]/",
    ]


def test_a_redirect_can_be_the_answer(hops: Hops) -> None:
    with SafeClient(allow_private=True) as client:
        response = client.request("POST", f"{hops.url}/to?/echo", follow_redirects=False)
    assert response.status == 307
    assert len(hops.seen) == 1


def test_credentials_do_not_follow_a_redirect_to_another_origin(hops: Hops, other: Hops) -> None:
    secret = [("authorization", "Bearer t"), ("cookie", "s=1"), ("x-keep", "1")]
    with SafeClient(allow_private=True) as client:
        client.request("GET", f"{hops.url}/to?/echo", headers=secret)
        client.request("GET", f"{hops.url}/to?{other.url}/echo", headers=secret)
    assert hops.seen[1][2]["authorization"] == "Bearer t"
    (_, _, crossed, _) = other.seen[0]
    assert "authorization" not in crossed
    assert "cookie" not in crossed
    assert crossed["x-keep"] == "1"


def test_see_other_turns_a_post_into_a_get(hops: Hops) -> None:
    with SafeClient(allow_private=True) as client:
        client.request(
            "POST",
            f"{hops.url}/see-other?/echo",
            headers=[("content-type", "application/json")],
            content=b'{"a":1}',
        )
    (first, second) = hops.seen
    assert (first[0], first[3]) == ("POST", b'{"a":1}')
    assert (second[0], second[3]) == ("GET", b"")
    assert "content-type" not in second[2]


def test_redirect_loops_end(hops: Hops) -> None:
    with SafeClient(allow_private=True) as client, pytest.raises(TransportError, match="redirects"):
        client.request("GET", f"{hops.url}/loop")
    assert len(hops.seen) == MAX_REDIRECTS + 1


def test_the_budget_counts_every_hop(hops: Hops) -> None:
    budget = Budget(2)
    with SafeClient(allow_private=True, budget=budget) as client:
        client.request("GET", f"{hops.url}/to?/echo")
        with pytest.raises(BudgetExhaustedError):
            client.request("GET", f"{hops.url}/echo")
    assert budget.sent == 2
    assert len(hops.seen) == 2


def test_timeouts_are_transport_errors(hops: Hops) -> None:
    with (
        SafeClient(allow_private=True, timeout=0.2) as client,
        pytest.raises(TransportError, match="timed out"),
    ):
        client.request("GET", f"{hops.url}/slow")


def test_a_closed_port_is_a_transport_error() -> None:
    with SafeClient(allow_private=True, timeout=2) as client, pytest.raises(TransportError):
        client.request("GET", "http://127.0.0.1:9/")


def test_resolved_addresses_are_what_is_checked() -> None:
    def rebinding(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    with SafeClient(resolver=rebinding) as client, pytest.raises(RefusedError, match="loopback"):
        client.request("GET", "https://api.example.com/x")


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(hops: Hops) -> None:
    port = hops.port

    def local(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "shop.test" else []

    with SafeClient(allow_private=True, resolver=local) as client:
        response = client.request("GET", f"http://shop.test:{port}/to?/echo")
    assert response.status == 200
    assert response.url == f"http://shop.test:{port}/echo"
    assert [seen[2]["host"] for seen in hops.seen] == [f"shop.test:{port}"] * 2
