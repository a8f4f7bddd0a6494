"""Importing capture files: the same rows as live capture, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from apidisco.errors import CaptureImportError, NotFoundError
from apidisco.services import calls, capture, endpoints
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from apidisco.store.models import ApiCall
from tests.capture.hars import binary_entry, entry, har, websocket_entry
from tests.services.support import PRICING, count


@pytest.fixture
def endpoint(database: Database, user: Actor) -> str:
    return endpoints.create(database, user, "https://93.184.216.34", pricing=PRICING).id


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_har_file_is_imported(
    database: Database, user: Actor, endpoint: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, "a.har", har(entry(), binary_entry(), websocket_entry()))
    seen: list[int] = []
    report = capture.import_files(database, user, endpoint, [path], progress=seen.append)
    assert (report.exchanges, report.messages, report.rows) == (3, 3, 6)
    assert sum(seen) == path.stat().st_size
    stored = calls.list_calls(database, user, endpoint)
    assert len(stored) == 6
    assert {c.protocol for c in stored} == {"https", "wss"}
    [first] = calls.list_calls(database, user, endpoint, path="/api/items/1")
    assert first.response_body_json == {"id": 1}
    assert calls.show_call(database, user, first.id) == first
    messages = calls.list_calls(database, user, endpoint, protocol="wss")
    assert [m.message_direction for m in messages] == [None, "client", "server", "server"]


def test_a_malformed_entry_leaves_the_store_as_it_was(
    database: Database, user: Actor, endpoint: str, tmp_path: Path
) -> None:
    good = _write(tmp_path, "good.har", har(entry(), entry()))
    bad = _write(tmp_path, "bad.har", har(entry(), {"request": {}}))
    with pytest.raises(CaptureImportError, match=r"bad\.har: entry 2 is malformed"):
        capture.import_files(database, user, endpoint, [good, bad])
    assert count(database, ApiCall) == 0


def test_the_format_is_recognised_or_refused(
    database: Database, user: Actor, endpoint: str, tmp_path: Path
) -> None:
    text = _write(tmp_path, "notes.txt", b"hello")
    with pytest.raises(CaptureImportError, match="neither a HAR file nor a mitmproxy flow file"):
        capture.import_files(database, user, endpoint, [text])


def test_someone_elses_endpoint_cannot_be_imported_into(
    database: Database, user: Actor, admin: Actor, tmp_path: Path
) -> None:
    theirs = endpoints.create(database, admin, "https://93.184.216.34", pricing=PRICING).id
    path = _write(tmp_path, "a.har", har(entry()))
    with pytest.raises(NotFoundError, match="no endpoint"):
        capture.import_files(database, user, theirs, [path])
    capture.import_files(database, admin, theirs, [path])
    [call] = calls.list_calls(database, admin, theirs)
    with pytest.raises(NotFoundError, match="no call"):
        calls.show_call(database, user, call.id)
