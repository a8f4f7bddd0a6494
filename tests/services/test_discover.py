"""``discover_files``: capture files to an API description, with no store."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from mitmproxy import io as mitmio
from mitmproxy.test import tflow

from apidisco.addon.flowfile import read_flows
from apidisco.capture.files import Record
from apidisco.capture.har import read_har
from apidisco.errors import CaptureImportError, ValidationError
from apidisco.services.discover import discover_files
from apidisco.services.exports import render
from tests.capture.hars import entry, har


def _capture(tmp_path: Path) -> Path:
    entries = [
        entry(url=f"https://shop.example/api/items/{n}", body=f'{{"id": {n}, "name": "i{n}"}}')
        for n in range(10)
    ]
    entries += [
        entry(url="https://shop.example/api/items?page=2", body='[{"id": 1, "name": "a"}]'),
        entry(
            method="POST",
            url="https://shop.example/api/items",
            status=201,
            request_body='{"name": "n"}',
            body='{"id": 5}',
        ),
        entry(url="https://cdn.example/app.js", body=None),
        entry(url="https://shop.example/health", body='{"ok": true}'),
    ]
    path = tmp_path / "shop.har"
    path.write_bytes(har(*entries))
    return path


def test_the_busiest_origin_is_the_api(tmp_path: Path) -> None:
    read: list[int] = []
    found = discover_files([_capture(tmp_path)], progress=read.append)
    assert found.origin == "https://shop.example"
    assert (found.calls, found.ignored) == (13, 1)
    assert [r["pattern"] for r in found.api.resources] == [
        "/api/items",
        "/api/items/{itemId}",
        "/health",
    ]
    assert found.api.servers == ("https://shop.example",)
    path = tmp_path / "shop.har"
    assert sum(read) == 2 * path.stat().st_size  # both passes report progress


def test_a_base_url_scopes_the_calls_and_the_paths(tmp_path: Path) -> None:
    found = discover_files([_capture(tmp_path)], base_url="https://shop.example/api/", title="Shop")
    assert [r["pattern"] for r in found.api.resources] == ["/items", "/items/{itemId}"]
    assert found.api.servers == ("https://shop.example/api",)
    assert found.api.title == "Shop"
    assert (found.calls, found.ignored) == (12, 2)
    document = render("openapi", found.api)
    assert "operationId: createItem" in document


def test_the_same_files_give_the_same_documents(tmp_path: Path) -> None:
    capture = _capture(tmp_path)
    first = render("openapi", discover_files([capture]).api)
    assert render("openapi", discover_files([capture]).api) == first


def test_bad_input(tmp_path: Path) -> None:
    capture = _capture(tmp_path)
    with pytest.raises(ValidationError, match="absolute http"):
        discover_files([capture], base_url="shop.example")
    with pytest.raises(CaptureImportError, match="no HTTP calls under"):
        discover_files([capture], base_url="https://other.example")
    with pytest.raises(ValidationError, match="format must be"):
        discover_files([capture], format="pcap")


def test_the_collector_is_paused_while_the_files_are_read(tmp_path: Path) -> None:
    seen: list[bool] = []

    def watched(stream: IO[bytes], name: str) -> Iterator[Record]:
        for record in read_har(stream, name):
            seen.append(gc.isenabled())
            yield record

    assert gc.isenabled()
    discover_files([_capture(tmp_path)], readers={"har": watched})
    assert seen
    assert not any(seen)
    assert gc.isenabled()
    with pytest.raises(CaptureImportError):
        discover_files([_capture(tmp_path)], base_url="https://other.example")
    assert gc.isenabled()  # back on after a failure too


@pytest.mark.parametrize("kind", ["har", "flows"])
def test_reading_leaves_nothing_for_the_collector(tmp_path: Path, kind: str) -> None:
    capture = _capture(tmp_path) if kind == "har" else _flow_file(tmp_path)
    readers = {"flows": read_flows}
    discover_files([capture], readers=readers)  # modules and caches warm
    gc.collect()
    gc.disable()
    try:
        found = discover_files([capture], readers=readers)
        assert found.calls > 0
        assert gc.collect() == 0  # no cycles: everything read was freed as it went
    finally:
        gc.enable()


def _flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.flows"
    with path.open("wb") as stream:
        writer = mitmio.FlowWriter(stream)
        for n in range(10):
            flow = tflow.tflow(resp=True)
            flow.request.path = f"/api/items/{n}"
            flow.request.headers["authorization"] = "Bearer secret-token"
            flow.response.headers["content-type"] = "application/json"
            flow.response.content = b'{"id": %d, "tags": ["a", {"b": null}]}' % n
            writer.add(flow)
    return path
