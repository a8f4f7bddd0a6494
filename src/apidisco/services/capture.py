"""Importing captured traffic from files: ``apidisco capture import``.

HAR 1.2 files (Chrome, Firefox, mitmproxy) and mitmproxy flow files go through
the same conversion as live capture (:mod:`apidisco.capture.rows`), are
streamed entry by entry, and are written in one transaction: a malformed entry
anywhere leaves the store exactly as it was, and the error names the entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from apidisco.capture.exchange import Exchange
from apidisco.capture.files import READERS, Reader, plan_files, reporting
from apidisco.capture.rows import DEFAULT_MAX_BODY, RowBuilder
from apidisco.services import audit
from apidisco.services.actor import Actor
from apidisco.services.endpoints import find_endpoint
from apidisco.store.database import Database
from apidisco.store.repositories.capture import CaptureRepository, complete_call_row

__all__ = ["READERS", "ImportReport", "Reader", "import_files", "plan_files", "reporting"]

CHUNK_ROWS = 1_000


@dataclass(frozen=True)
class ImportReport:
    endpoint_id: str
    files: tuple[str, ...]
    exchanges: int
    messages: int
    rows: int


def import_files(
    database: Database,
    actor: Actor,
    endpoint: str,
    paths: Sequence[Path],
    *,
    format: str | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    readers: Mapping[str, Reader] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every file into ``endpoint``'s captured calls, all or nothing.

    ``progress`` is called with the number of bytes read so far of each file as
    the import advances (for a progress bar over the files' total size).
    """
    plan = plan_files(paths, format, readers)
    exchanges = messages = rows = 0
    with database.transaction() as session:
        target = find_endpoint(session, actor, endpoint)
        builder = RowBuilder(target.id, max_body=max_body)
        calls = CaptureRepository(session)
        pending: list[dict[str, object]] = []
        for path, reader in plan:
            with path.open("rb") as stream:
                for record in reporting(reader(stream, str(path)), stream, progress):
                    if isinstance(record, Exchange):
                        exchanges += 1
                        batch = builder.exchange(record)
                    else:
                        messages += 1
                        batch = builder.message(record)
                    pending.extend(complete_call_row(row, target.id) for row in batch.rows)
                    if len(pending) >= CHUNK_ROWS:
                        calls.add_calls(pending)
                        rows += len(pending)
                        pending.clear()
        calls.add_calls(pending)
        rows += len(pending)
        audit.record(
            session,
            actor,
            "CAPTURE_IMPORTED",
            resource_type="ENDPOINT",
            resource_id=target.id,
            details={"files": [str(path) for path in paths], "rows": rows},
        )
    return ImportReport(
        endpoint_id=target.id,
        files=tuple(str(path) for path in paths),
        exchanges=exchanges,
        messages=messages,
        rows=rows,
    )
