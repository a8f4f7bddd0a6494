"""The /proxy/{endpoint-id}/ gateway: routing, refusals, the SSRF check, address pinning."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import orjson
import pytest
from mitmproxy import connection, http
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.proxy.server_hooks import ServerConnectionHookData
from mitmproxy.test import tflow

from apidisco.addon.gateway import Gateway, parse_route, target_url
from apidisco.addon.recorder import ENDPOINT_KEY, REFUSED_KEY, Recorder
from apidisco.addon.store import CaptureStore
from apidisco.enums import EndpointStatus
from apidisco.store.database import Database
from tests.addon.harness import harness, hook, run
from tests.addon.support import calls, endpoint, owner, set_status

S = EndpointStatus
GATEWAY_PORT = 8080


def gateway_flow(
    path: str,
    *,
    method: str = "GET",
    port: int = GATEWAY_PORT,
    host: str = "127.0.0.1",
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> http.HTTPFlow:
    """A request sent straight to the proxy listening on 127.0.0.1:``port``."""
    request = http.Request.make(
        method,
        f"http://{host}:{port}{path}",
        b"",
        http.Headers([(b"Host", f"{host}:{port}".encode()), *headers]),
    )
    flow = tflow.tflow(req=request)
    flow.client_conn.sockname = ("127.0.0.1", port)
    return flow


def route(gateway: Gateway, *flows: http.HTTPFlow, **options: Any) -> None:
    async def scenario() -> None:
        async with harness(gateway, gateway.recorder) as context:
            context.configure(gateway, **options)
            for flow in flows:
                await hook(gateway.requestheaders, flow)

    run(scenario())


def error_of(flow: http.HTTPFlow) -> tuple[int, dict[str, Any]]:
    assert flow.response is not None
    assert flow.response.headers["content-type"] == "application/json"
    return flow.response.status_code, orjson.loads(flow.response.content or b"")["error"]


@pytest.fixture
def alice(store_database: Database) -> Any:
    return owner(store_database)


# -- pure parts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/proxy/abc/users/7?x=1", ("abc", "/users/7", "x=1")),
        ("/proxy/abc", ("abc", "", "")),
        ("/proxy/abc/", ("abc", "/", "")),
        ("/proxy/", ("", "", "")),
        ("/proxies/abc", None),
        ("/users", None),
    ],
)
def test_gateway_paths_name_the_endpoint(path: str, expected: tuple[str, str, str] | None) -> None:
    assert parse_route(path) == expected


@pytest.mark.parametrize(
    ("destination", "rest", "query", "expected"),
    [
        ("https://api.example.com", "/users", "page=2", "https://api.example.com/users?page=2"),
        ("https://api.example.com/v1", "/users", "", "https://api.example.com/v1/users"),
        ("https://api.example.com/v1", "", "", "https://api.example.com/v1"),
        ("https://api.example.com", "", "", "https://api.example.com/"),
        ("https://api.example.com/v1?key=k", "/u", "a=1", "https://api.example.com/v1/u?key=k&a=1"),
    ],
)
def test_the_target_is_the_destination_plus_the_rest(
    destination: str, rest: str, query: str, expected: str
) -> None:
    assert target_url(destination, rest, query) == expected


def test_the_dedicated_port_refuses_everything_but_the_gateway() -> None:
    gateway = Gateway(Recorder())
    other = gateway_flow("/users")
    connect = gateway_flow("/")
    connect.request.method = "CONNECT"

    async def scenario() -> None:
        async with harness(gateway) as context:
            context.configure(gateway, apidisco_gateway_port=GATEWAY_PORT)
            await hook(gateway.requestheaders, other)
            gateway.http_connect(connect)

    run(scenario())
    assert error_of(other)[0] == 404
    assert error_of(connect)[0] == 405
    assert other.metadata[REFUSED_KEY] == "not_found"


def test_the_gateway_port_must_be_a_port() -> None:
    gateway = Gateway(Recorder())

    async def scenario() -> None:
        async with harness(gateway) as context:
            with pytest.raises(Exception, match="must be a port number"):
                context.configure(gateway, apidisco_gateway_port=70000)

    run(scenario())


def test_ordinary_proxy_traffic_is_left_alone() -> None:
    elsewhere = gateway_flow("/proxy/abc/x", host="api.example.com", port=80)
    elsewhere.client_conn.sockname = ("127.0.0.1", GATEWAY_PORT)
    reverse = gateway_flow("/proxy/abc/x")
    reverse.client_conn.proxy_mode = ProxyMode.parse("reverse:http://127.0.0.1:9")
    loaded = gateway_flow("/proxy/abc/x")
    loaded.live = False
    route(Gateway(Recorder()), elsewhere, reverse, loaded)
    for flow in (elsewhere, reverse, loaded):
        assert flow.response is None
        assert not flow.metadata
    assert elsewhere.request.url == "http://api.example.com/proxy/abc/x"


def test_without_a_store_the_gateway_answers_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "absent.toml"))
    recorder = Recorder()
    gateway = Gateway(recorder)
    flow = gateway_flow("/proxy/abc/x")
    route(gateway, flow, apidisco_db="postgresql://nobody@127.0.0.1:1/none")
    status, error = error_of(flow)
    assert (status, error["code"]) == (503, "store_unavailable")


# -- routing -------------------------------------------------------------------------


def test_a_gateway_request_goes_to_the_destination_and_is_recorded(
    capture_store: CaptureStore, store_database: Database, alice: Any
) -> None:
    endpoint_id = endpoint(store_database, alice, "http://127.0.0.1:9/api")
    recorder = Recorder(capture_store)
    gateway = Gateway(recorder)
    flow = gateway_flow(f"/proxy/{endpoint_id}/users/7?expand=1")

    async def scenario() -> None:
        async with harness(gateway, recorder):
            await hook(gateway.requestheaders, flow)
            assert flow.response is None
            flow.response = http.Response.make(
                200, b'{"id": 7}', {"Content-Type": "application/json"}
            )
            await hook(recorder.response, flow)

    run(scenario())
    assert flow.request.url == "http://127.0.0.1:9/api/users/7?expand=1"
    assert flow.request.host_header == "127.0.0.1:9"
    assert flow.metadata[ENDPOINT_KEY] == endpoint_id
    assert capture_store.writer.flush(10)
    (row,) = calls(store_database, endpoint_id)
    assert row.url == "http://127.0.0.1:9/api/users/7?expand=1"
    assert row.query_params == {"expand": "1"}
    assert row.response_body_json == {"id": 7}


def test_a_websocket_upgrade_is_routed_the_same_way(
    capture_store: CaptureStore, store_database: Database, alice: Any
) -> None:
    endpoint_id = endpoint(store_database, alice, "https://127.0.0.1:9")
    flow = gateway_flow(
        f"/proxy/{endpoint_id}/socket",
        headers=((b"Upgrade", b"websocket"), (b"Connection", b"Upgrade")),
    )
    route(Gateway(Recorder(capture_store)), flow)
    assert flow.request.url == "https://127.0.0.1:9/socket"
    assert flow.request.headers["upgrade"] == "websocket"


@pytest.mark.parametrize("endpoint_id", ["z0000000000000000000000z", "not-an-id"])
def test_an_unknown_endpoint_gets_a_json_404(capture_store: CaptureStore, endpoint_id: str) -> None:
    flow = gateway_flow(f"/proxy/{endpoint_id}/x")
    route(Gateway(Recorder(capture_store)), flow)
    status, error = error_of(flow)
    assert status == 404
    assert error == {
        "code": "unknown_endpoint",
        "message": f"no endpoint {endpoint_id!r}",
        "endpoint": endpoint_id,
    }
    assert flow.metadata[REFUSED_KEY] == "unknown_endpoint"


def test_each_status_is_forwarded_or_refused(
    capture_store: CaptureStore, store_database: Database, alice: Any
) -> None:
    endpoint_id = endpoint(store_database, alice, "http://127.0.0.1:9")
    recorder = Recorder(capture_store)
    gateway = Gateway(recorder)
    outcomes: dict[EndpointStatus, Any] = {}
    for status in EndpointStatus:
        set_status(store_database, endpoint_id, status)
        flow = gateway_flow(f"/proxy/{endpoint_id}/{status.value}")

        async def scenario(flow: http.HTTPFlow = flow) -> None:
            async with harness(gateway, recorder):
                await hook(gateway.requestheaders, flow)
                if flow.response is None:  # forwarded: the destination answers
                    flow.response = http.Response.make(204)
                await hook(recorder.response, flow)

        run(scenario())
        assert flow.response is not None
        forwarded = REFUSED_KEY not in flow.metadata
        outcomes[status] = "forwarded" if forwarded else error_of(flow)[0]
    assert outcomes == {
        S.ACTIVE: "forwarded",
        S.REVIEW: "forwarded",
        S.PROCESSING: "forwarded",
        S.MONITORING: "forwarded",
        S.COMPLETE: 410,
        S.INACTIVE: 403,
        S.ARCHIVED: 410,
    }
    assert capture_store.writer.flush(10)
    recorded = {row.url.rsplit("/", 1)[1] for row in calls(store_database, endpoint_id)}
    assert recorded == {"ACTIVE", "MONITORING"}


def test_a_refusal_says_why(
    capture_store: CaptureStore, store_database: Database, alice: Any
) -> None:
    endpoint_id = endpoint(store_database, alice, "http://127.0.0.1:9")
    set_status(store_database, endpoint_id, S.INACTIVE)
    flow = gateway_flow(f"/proxy/{endpoint_id}/x")
    route(Gateway(Recorder(capture_store)), flow)
    status, error = error_of(flow)
    assert status == 403
    assert error["code"] == "endpoint_inactive"
    assert error["status"] == "INACTIVE"
    assert "deactivated" in error["message"]


def test_a_private_destination_is_refused_unless_allowed(
    capture_store: CaptureStore, store_database: Database, alice: Any
) -> None:
    endpoint_id = endpoint(store_database, alice, "http://127.0.0.1:9")
    strict = dataclasses.replace(
        capture_store,
        settings=dataclasses.replace(capture_store.settings, allow_private_destinations=False),
    )
    flow = gateway_flow(f"/proxy/{endpoint_id}/x")
    route(Gateway(Recorder(strict)), flow)
    status, error = error_of(flow)
    assert status == 403
    assert error["code"] == "destination_refused"
    assert "127.0.0.1, which is a loopback address" in error["message"]
    assert flow.request.host == "127.0.0.1"
    assert flow.request.port == GATEWAY_PORT


def test_the_connection_goes_to_the_checked_address(
    capture_store: CaptureStore, store_database: Database, alice: Any
) -> None:
    endpoint_id = endpoint(store_database, alice, "http://localhost:9")
    gateway = Gateway(Recorder(capture_store))
    flow = gateway_flow(f"/proxy/{endpoint_id}/x")
    route(gateway, flow)
    assert flow.request.host == "localhost"
    server = connection.Server(address=("localhost", 9))
    gateway.server_connect(ServerConnectionHookData(server=server, client=flow.client_conn))
    assert server.address in {("127.0.0.1", 9), ("::1", 9)}
    other = connection.Server(address=("localhost", 9))
    stranger = tflow.tclient_conn()
    gateway.server_connect(ServerConnectionHookData(server=other, client=stranger))
    assert other.address == ("localhost", 9)  # not a gateway connection: untouched
    gateway.client_disconnected(flow.client_conn)
    assert not gateway._pins
