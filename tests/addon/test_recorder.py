"""The Recorder addon: options, what it records, for which endpoint, and when."""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.fernet import Fernet
from mitmproxy import exceptions, hooks, http
from mitmproxy.addons.script import Script
from mitmproxy.test import tflow

import apidisco.addon
from apidisco.addon.recorder import REFUSED_KEY, Recorder
from apidisco.addon.store import CaptureStore
from apidisco.cli.addon import script_path
from apidisco.enums import EndpointStatus
from apidisco.lifecycle import CAPTURING
from apidisco.store.database import Database
from tests.addon.harness import harness, hook, run
from tests.addon.support import (
    auth_tokens,
    calls,
    endpoint,
    owner,
    set_status,
    stored_endpoint,
    url_of,
)

DESTINATION = "http://127.0.0.1:9"


def _fields(pairs: Iterable[tuple[str, str]]) -> http.Headers:
    return http.Headers([(name.encode(), value.encode()) for name, value in pairs])


def http_flow(
    url: str,
    *,
    method: str = "GET",
    status: int = 200,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    response_headers: Iterable[tuple[str, str]] = (("Content-Type", "application/json"),),
    response_body: bytes = b"{}",
) -> http.HTTPFlow:
    request = http.Request.make(method, url, body, _fields(headers))
    response = http.Response.make(status, response_body, _fields(response_headers))
    request.timestamp_start = 1_700_000_000.0
    request.timestamp_end = 1_700_000_000.01
    response.timestamp_start = 1_700_000_000.1
    response.timestamp_end = 1_700_000_000.125
    return tflow.tflow(req=request, resp=response)


def record(
    recorder: Recorder, *flows: http.HTTPFlow, event: str = "response", **options: Any
) -> None:
    """Configure ``recorder`` and run its hook for ``event`` on each flow, as mitmproxy would."""

    async def scenario() -> None:
        async with harness(recorder) as context:
            context.configure(recorder, **options)
            for flow in flows:
                await hook(getattr(recorder, event), flow)

    run(scenario())


@contextlib.contextmanager
def caplog_errors() -> Iterator[list[str]]:
    """The error records logged meanwhile (mitmproxy logs a failing script, not raises)."""
    errors: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record.getMessage())

    handler = Collect(logging.ERROR)
    logging.getLogger().addHandler(handler)
    try:
        yield errors
    finally:
        logging.getLogger().removeHandler(handler)


@pytest.fixture
def endpoint_id(store_database: Database) -> str:
    return endpoint(store_database, owner(store_database), DESTINATION)


def stored(store: CaptureStore, endpoint_id: str) -> list[Any]:
    assert store.writer.flush(10)
    return calls(store.database, endpoint_id)


# -- options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"apidisco_filter": "~q ~x ((("}, "apidisco_filter: Invalid filter expression"),
        ({"apidisco_max_body": -1}, "apidisco_max_body must be 0 or more bytes, got -1"),
        ({"apidisco_db": "mysql://db/x"}, "database 'mysql' is not supported"),
        ({"apidisco_db": "sqlite:///:memory:"}, "an in-memory SQLite database keeps nothing"),
    ],
)
def test_bad_options_are_refused_with_a_readable_message(
    options: dict[str, Any], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "absent.toml"))
    recorder = Recorder()

    async def scenario() -> None:
        async with harness(recorder) as context:
            with pytest.raises(exceptions.OptionsError, match=message):
                context.configure(recorder, **options)

    run(scenario())


def test_a_secret_key_that_is_no_fernet_key_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("APIDISCO_SECRET_KEY", "not-a-key")
    recorder = Recorder()

    async def scenario() -> None:
        async with harness(recorder) as context:
            with pytest.raises(exceptions.OptionsError, match="is not a Fernet key"):
                context.configure(recorder)

    run(scenario())


def test_an_unknown_endpoint_is_refused(capture_store: CaptureStore) -> None:
    recorder = Recorder(capture_store)

    async def scenario() -> None:
        async with harness(recorder) as context:
            with pytest.raises(exceptions.OptionsError, match="there is no endpoint 'nope'"):
                context.configure(recorder, apidisco_endpoint="nope")

    run(scenario())


# -- what is recorded ----------------------------------------------------------------


def test_an_exchange_is_recorded_with_secrets_masked(
    capture_store: CaptureStore, endpoint_id: str
) -> None:
    flow = http_flow(
        f"{DESTINATION}/v1/items?page=2&api_key=k-123",
        method="POST",
        status=201,
        headers=[
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer tok-456"),
            ("Origin", "https://app.example.com"),
        ],
        body=b'{"name": "pen", "password": "hunter2"}',
        response_headers=[
            ("Content-Type", "application/json"),
            ("Access-Control-Allow-Origin", "https://app.example.com"),
        ],
        response_body=b'{"id": 7}',
    )
    record(Recorder(capture_store), flow, apidisco_endpoint=endpoint_id)

    (row,) = stored(capture_store, endpoint_id)
    assert row.method == "POST"
    assert row.url.startswith(f"{DESTINATION}/v1/items?page=2&api_key=")
    assert "k-123" not in row.url
    assert row.protocol == "http"
    assert row.response_status == 201
    assert row.request_headers["authorization"].startswith("Bearer ‹masked:")
    assert row.query_params["page"] == "2"
    assert row.query_params["api_key"].startswith("‹masked:")
    assert row.request_body_json["name"] == "pen"
    assert row.request_body_json["password"].startswith("‹masked:")
    assert "hunter2" not in (row.request_body or "")
    assert row.response_body_json == {"id": 7}
    assert row.cors_headers == {
        "access-control-allow-origin": "https://app.example.com",
        "origin": "https://app.example.com",
    }
    assert row.duration == 125
    assert row.timestamp == datetime.fromtimestamp(1_700_000_000, UTC)
    assert row.error is None
    assert stored_endpoint(capture_store.database, endpoint_id).last_used_at == row.timestamp


def test_a_failed_exchange_is_recorded_with_its_error(
    capture_store: CaptureStore, endpoint_id: str
) -> None:
    flow = http_flow(f"{DESTINATION}/down")
    flow.response = None
    flow.error = tflow.terr("Connection refused")
    record(Recorder(capture_store), flow, event="error", apidisco_endpoint=endpoint_id)
    (row,) = stored(capture_store, endpoint_id)
    assert row.response_status is None
    assert row.error == "Connection refused"
    assert row.response_headers == {}


def test_a_flow_is_recorded_once_even_if_it_fails_after_its_response(
    capture_store: CaptureStore, endpoint_id: str
) -> None:
    flow = http_flow(f"{DESTINATION}/once")
    recorder = Recorder(capture_store)

    async def scenario() -> None:
        async with harness(recorder) as context:
            context.configure(recorder, apidisco_endpoint=endpoint_id)
            await hook(recorder.response, flow)
            flow.error = tflow.terr("client disconnected")
            await hook(recorder.error, flow)

    run(scenario())
    assert len(stored(capture_store, endpoint_id)) == 1


def test_a_websocket_gives_a_handshake_row_and_one_row_per_message(
    capture_store: CaptureStore, endpoint_id: str
) -> None:
    flow = tflow.twebsocketflow()
    assert flow.websocket is not None
    messages = list(flow.websocket.messages)
    recorder = Recorder(capture_store)

    async def scenario() -> None:
        async with harness(recorder) as context:
            context.configure(recorder, apidisco_endpoint=endpoint_id)
            assert flow.websocket is not None
            flow.websocket.messages = []
            await hook(recorder.response, flow)
            await hook(recorder.websocket_start, flow)
            for message in messages:  # mitmproxy appends, then calls the hook
                flow.websocket.messages.append(message)
                await hook(recorder.websocket_message, flow)

    run(scenario())
    rows = stored(capture_store, endpoint_id)
    assert [(r.protocol, r.message_direction) for r in rows] == [
        ("ws", None),
        ("ws", "client"),
        ("ws", "client"),
        ("ws", "server"),
    ]
    assert {r.connection_id for r in rows} == {flow.id}
    handshake, binary, text, reply = rows
    assert handshake.response_status == 101
    assert handshake.url == "ws://example.com/ws"
    assert binary.request_body_encoding == "base64"
    assert text.request_body == "hello text"
    assert reply.response_body == "it's me"


def test_a_graphql_batch_gives_one_row_per_operation(
    capture_store: CaptureStore, endpoint_id: str
) -> None:
    operations = [
        {"query": "query Me { me { id } }", "operationName": "Me"},
        {
            "query": "mutation Rename($n: String!) { rename(name: $n) { id } }",
            "variables": {"n": "x"},
        },
    ]
    answers = [{"data": {"me": {"id": "1"}}}, {"data": {"rename": {"id": "1"}}}]
    flow = http_flow(
        f"{DESTINATION}/graphql",
        method="POST",
        headers=[("Content-Type", "application/json")],
        body=orjson.dumps(operations),
        response_body=orjson.dumps(answers),
    )
    record(Recorder(capture_store), flow, apidisco_endpoint=endpoint_id)
    rows = stored(capture_store, endpoint_id)
    rows.sort(key=lambda r: str(r.graphql_operation))  # one timestamp: no stored order
    assert [(r.protocol, r.graphql_operation) for r in rows] == [
        ("graphql", "Me"),
        ("graphql", "Rename"),
    ]
    assert [r.response_body_json for r in rows] == answers


# -- when and for which endpoint -------------------------------------------------------


def test_only_capturing_statuses_are_recorded(
    capture_store: CaptureStore, endpoint_id: str
) -> None:
    recorder = Recorder(capture_store)
    for status in EndpointStatus:
        set_status(capture_store.database, endpoint_id, status)
        record(recorder, http_flow(f"{DESTINATION}/{status.value}"), apidisco_endpoint=endpoint_id)
    paths = {row.url.rsplit("/", 1)[1] for row in stored(capture_store, endpoint_id)}
    assert paths == {status.value for status in CAPTURING}


def test_flows_go_to_the_endpoint_of_their_destination(
    capture_store: CaptureStore, store_database: Database
) -> None:
    alice = owner(store_database)
    root = endpoint(store_database, alice, "http://127.0.0.1:9")
    v2 = endpoint(store_database, alice, "http://127.0.0.1:9/v2")
    elsewhere = endpoint(store_database, alice, "http://127.0.0.1:10")
    flows = [
        http_flow("http://127.0.0.1:9/v1/a"),
        http_flow("http://127.0.0.1:9/v2/b"),
        http_flow("http://127.0.0.1:11/nobody"),
        http_flow("http://localhost:9/other-host"),
    ]
    recorder = Recorder(capture_store)
    record(recorder, *flows)
    assert [r.url for r in stored(capture_store, root)] == ["http://127.0.0.1:9/v1/a"]
    assert [r.url for r in stored(capture_store, v2)] == ["http://127.0.0.1:9/v2/b"]
    assert stored(capture_store, elsewhere) == []
    assert len(calls(store_database)) == 2
    assert recorder.counts["unmatched"] == 2


def test_ambiguous_destinations_are_not_recorded_and_say_so(
    capture_store: CaptureStore, store_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint(store_database, owner(store_database, "alice"), DESTINATION)
    endpoint(store_database, owner(store_database, "bob"), DESTINATION)
    with caplog.at_level(logging.WARNING, logger="apidisco.addon"):
        record(Recorder(capture_store), http_flow(f"{DESTINATION}/x"))
    assert calls(store_database) == []
    assert "matches several capturing endpoints" in caplog.text


def test_the_filter_chooses_the_flows(capture_store: CaptureStore, endpoint_id: str) -> None:
    flows = [http_flow(f"{DESTINATION}/api/a"), http_flow(f"{DESTINATION}/static/b.css")]
    record(
        Recorder(capture_store), *flows, apidisco_endpoint=endpoint_id, apidisco_filter="~u /api/"
    )
    assert [r.url for r in stored(capture_store, endpoint_id)] == [f"{DESTINATION}/api/a"]


def test_flows_the_gateway_refused_are_not_recorded(
    capture_store: CaptureStore, endpoint_id: str
) -> None:
    flow = http_flow(f"{DESTINATION}/x")
    flow.metadata[REFUSED_KEY] = "unknown_endpoint"
    record(Recorder(capture_store), flow, apidisco_endpoint=endpoint_id)
    assert stored(capture_store, endpoint_id) == []


def test_the_body_cap_cuts_bodies(capture_store: CaptureStore, endpoint_id: str) -> None:
    flow = http_flow(
        f"{DESTINATION}/big",
        response_headers=[("Content-Type", "text/plain")],
        response_body=b"x" * 100,
    )
    record(Recorder(capture_store), flow, apidisco_endpoint=endpoint_id, apidisco_max_body=10)
    (row,) = stored(capture_store, endpoint_id)
    assert row.response_body == "x" * 10
    assert row.response_body_truncated


# -- secrets -------------------------------------------------------------------------


def test_with_a_secret_key_the_originals_are_kept_encrypted(
    capture_store: CaptureStore, endpoint_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Fernet.generate_key()
    monkeypatch.setenv("APIDISCO_SECRET_KEY", key.decode())
    flow = http_flow(f"{DESTINATION}/me", headers=[("Authorization", "Bearer tok-789")])
    record(Recorder(capture_store), flow, apidisco_endpoint=endpoint_id)
    (row,) = stored(capture_store, endpoint_id)
    fingerprint = row.request_headers["authorization"].removeprefix("Bearer ‹masked:")[:8]
    tokens = auth_tokens(capture_store.database, endpoint_id)
    assert "tok-789" not in orjson.dumps(tokens).decode()
    assert Fernet(key).decrypt(tokens[fingerprint].encode()) == b"tok-789"


def test_without_a_secret_key_the_originals_are_dropped(
    capture_store: CaptureStore, endpoint_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APIDISCO_SECRET_KEY", raising=False)
    flow = http_flow(f"{DESTINATION}/me", headers=[("Authorization", "Bearer tok-789")])
    record(Recorder(capture_store), flow, apidisco_endpoint=endpoint_id)
    assert len(stored(capture_store, endpoint_id)) == 1
    assert not auth_tokens(capture_store.database, endpoint_id)


# -- the store's lifecycle -------------------------------------------------------------


def test_the_recorder_opens_its_store_when_running_and_closes_it_when_done(
    store_database: Database,
    endpoint_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("APIDISCO_DATA_DIR", str(tmp_path / "data"))
    recorder = Recorder()

    async def scenario() -> None:
        async with harness(recorder) as context:
            context.configure(
                recorder, apidisco_db=url_of(store_database), apidisco_endpoint=endpoint_id
            )
            recorder.running()
            assert recorder.store is not None
            assert gc.get_freeze_count() > 0  # the loaded modules are out of the collector's way
            await hook(recorder.response, http_flow(f"{DESTINATION}/a"))
            recorder.done()
            assert recorder.store is None
            assert gc.get_freeze_count() == 0

    run(scenario())
    assert [r.url for r in calls(store_database, endpoint_id)] == [f"{DESTINATION}/a"]
    assert list((tmp_path / "data" / "journal").glob("capture-*-0.journal.lock"))


def test_an_unknown_endpoint_at_start_up_is_logged_as_an_error(
    store_database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("APIDISCO_DATA_DIR", str(tmp_path / "data"))
    recorder = Recorder()

    async def scenario() -> None:
        async with harness(recorder) as context:
            context.configure(
                recorder, apidisco_db=url_of(store_database), apidisco_endpoint="nope"
            )
            with caplog.at_level(logging.ERROR, logger="apidisco.addon"):
                recorder.running()
            assert recorder.store is None
            recorder.done()

    run(scenario())
    assert "there is no endpoint 'nope'" in caplog.text


@pytest.mark.parametrize(
    "path",
    [script_path(), str(Path(apidisco.addon.__file__))],
    ids=["script", "package file"],
)
def test_the_script_survives_a_reload_while_running(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mitmproxy reloads a changed script synchronously: done, load, configure, running.

    Both files load: the script ``apidisco addon path`` prints, and the package's
    own file, the path earlier versions printed."""
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("APIDISCO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "path", list(sys.path))  # loading a script prepends its folder

    async def scenario() -> None:
        async with harness() as context:
            with caplog_errors() as errors:
                script = Script(path, False)
                first = script.ns
                assert first is not None
                script.running()
                context.master.addons.invoke_addon_sync(first, hooks.RunningHook())
                assert first.recorder.store is not None  # the embedded store, in data_dir
                script.loadscript()  # what the file watcher does when the file changes
                second = script.ns
                assert second is not None
                assert second is not first
                assert first.recorder.store is None  # closed by done
                assert second.recorder.store is not None  # opened by running
                context.master.addons.remove(second)
                assert second.recorder.store is None
            assert errors == []

    run(scenario())
