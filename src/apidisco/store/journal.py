"""The capture journal: where rows wait while the database cannot take them.

An append-only JSON Lines file, one batch per line, fsynced after every append.
Every row carries its ``id`` before it is first journaled, so replaying it into
the database is idempotent. A line cut off by a crash is reported as unreadable
(``JournalEntry.batch is None``) and never breaks the lines after it. One
journal belongs to one writer at a time: it is locked with ``flock`` while in
use. :class:`~apidisco.store.writer.CaptureWriter` is its only user.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson

from apidisco.errors import StoreError
from apidisco.store.repositories.capture import TIMESTAMP_ATTRIBUTES, complete_call_row

__all__ = ["Journal", "JournalBatch", "JournalEntry", "decode", "encode"]


@dataclass
class JournalBatch:
    """A batch as the writer keeps it: complete rows, each with its id."""

    endpoint_id: str
    rows: list[dict[str, Any]]
    secrets: dict[str, str] = field(default_factory=dict)


def encode(batch: JournalBatch, error: str | None = None) -> bytes:
    line: dict[str, Any] = {
        "endpoint_id": batch.endpoint_id,
        "rows": batch.rows,
        "secrets": batch.secrets,
    }
    if error is not None:
        line["error"] = error
    return orjson.dumps(line, option=orjson.OPT_NON_STR_KEYS) + b"\n"


def decode(line: bytes) -> JournalBatch | None:
    """A journal line as a batch, or None if it is not one (cut off by a crash)."""
    try:
        data = orjson.loads(line)
        endpoint_id = data["endpoint_id"]
        rows = []
        for row in data["rows"]:
            for name in TIMESTAMP_ATTRIBUTES & row.keys():
                if row[name] is not None:
                    row[name] = datetime.fromisoformat(row[name])
            rows.append(complete_call_row(row, endpoint_id))
        return JournalBatch(str(endpoint_id), rows, dict(data.get("secrets") or {}))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


@dataclass
class JournalEntry:
    batch: JournalBatch | None  # None: a line that could not be read
    end: int  # offset just past the line


class Journal:
    """An append-only JSON Lines file of batches, shared by the writer's thread and
    submit() (queue full). Only one writer may use a journal: it is locked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lockfile = _lock_journal(path)
        self.pending_rows = 0  # rows in readable lines
        self.size = 0
        self._separate = False  # the file ends inside a line: start the next append on a new one
        if path.exists():
            content = path.read_bytes()
            self.size = len(content)
            self._separate = bool(content) and not content.endswith(b"\n")
            for line in content.splitlines():
                batch = decode(line)
                self.pending_rows += len(batch.rows) if batch is not None else 0

    @property
    def dirty(self) -> bool:
        """Whether the journal holds anything (rows, or unreadable lines to skip)."""
        return self.size > 0

    def close(self) -> None:
        self._lockfile.close()

    def append(self, batches: Sequence[JournalBatch]) -> None:
        """Append ``batches``, one line each, and fsync: all of them or (on error) none."""
        data = b"".join(encode(batch) for batch in batches)
        with self._lock:
            created = not self.path.exists()
            with self.path.open("ab") as file:
                start = file.tell()
                try:
                    file.write((b"\n" if self._separate else b"") + data)
                    file.flush()
                    os.fsync(file.fileno())
                except BaseException:
                    with contextlib.suppress(OSError):
                        file.truncate(start)
                    raise
                self.size = file.tell()
            self._separate = False
            self.pending_rows += sum(len(batch.rows) for batch in batches)
        if created:
            _fsync_directory(self.path.parent)

    def read(self, offset: int, max_rows: int) -> list[JournalEntry]:
        """The lines from ``offset`` on, up to about ``max_rows`` rows' worth."""
        entries: list[JournalEntry] = []
        rows = 0
        with self._lock, contextlib.suppress(FileNotFoundError), self.path.open("rb") as file:
            file.seek(offset)
            while rows < max_rows:
                line = file.readline()
                if not line:
                    break
                batch = decode(line)
                entries.append(JournalEntry(batch, file.tell()))
                rows += len(batch.rows) if batch is not None else 0
        return entries

    def truncate_at(self, offset: int) -> bool:
        """Empty the journal if ``offset`` is its end (nothing was appended since)."""
        with self._lock:
            return self._truncate_at(offset)

    def consumed(self, rows: int, offset: int) -> bool:
        """Count ``rows`` as stored, everything up to ``offset`` as done; in the same
        step, empty the journal if ``offset`` is its end (nothing was appended
        since), so that it never reads as replayed while it still holds the lines.
        True when it was emptied."""
        with self._lock:
            self.pending_rows -= rows
            return self._truncate_at(offset)

    def _truncate_at(self, offset: int) -> bool:
        if self.path.exists() and self.path.stat().st_size != offset:
            return False
        with self.path.open("wb") as file:
            file.flush()
            os.fsync(file.fileno())
        self.size = 0
        self.pending_rows = 0
        return True


def _lock_journal(path: Path) -> IO[bytes]:
    """Hold an exclusive lock on ``path``'s lock file while the writer runs: two writers
    on one journal would replay and truncate each other's rows."""
    lockfile = path.with_name(path.name + ".lock").open("ab")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no flock
        return lockfile
    try:
        fcntl.flock(lockfile.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lockfile.close()
        raise StoreError(f"the capture journal {path} is in use by another writer") from None
    return lockfile


def _fsync_directory(directory: Path) -> None:
    """Make a new file's directory entry durable (POSIX; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
