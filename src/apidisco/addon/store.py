"""The addon's connection to the store: database, batched writer, endpoint directory.

Opened once per proxy (blocking: at start-up, or from a worker thread) and
closed at shutdown, when :meth:`CaptureStore.close` writes what is queued.

While the database is unreachable the writer appends rows to a local journal
and replays it when the database answers again. Unless a journal file is
given, each writer claims the first free one of
``<data_dir>/journal/capture-<database>-<n>.journal`` (a journal is locked
while its writer runs), so a proxy restarted after a crash picks up, and
replays, what the previous one left behind.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from apidisco.addon.directory import EndpointDirectory, StoreLookup
from apidisco.config import Settings
from apidisco.errors import StoreError
from apidisco.store.database import Database, open_database
from apidisco.store.writer import CaptureWriter, WriterStats

__all__ = ["CaptureStore", "JOURNAL_SLOTS", "open_writer"]

JOURNAL_SLOTS = 64


@dataclass
class CaptureStore:
    database: Database
    writer: CaptureWriter
    directory: EndpointDirectory
    settings: Settings

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        journal: Path | None = None,
        ttl: float = 2.0,
        retry_interval: float = 2.0,
    ) -> CaptureStore:
        """Open the configured store (its schema must be at head) and start a writer.

        Raises :class:`~apidisco.errors.ApidiscoError` subclasses with readable messages.
        """
        database = open_database(settings)
        try:
            writer = open_writer(database, settings, journal, retry_interval=retry_interval)
        except BaseException:
            database.dispose()
            raise
        directory = EndpointDirectory(StoreLookup(database), ttl=ttl)
        return cls(database=database, writer=writer, directory=directory, settings=settings)

    def close(self, timeout: float = 30.0) -> WriterStats:
        """Write (or journal) what is queued, stop the writer, close the database."""
        try:
            self.writer.close(timeout)
            return self.writer.stats()
        finally:
            self.database.dispose()


def journal_directory(settings: Settings) -> Path:
    return settings.data_dir / "journal"


def open_writer(
    database: Database,
    settings: Settings,
    journal: Path | None,
    *,
    retry_interval: float = 2.0,
    flush_interval: float = 0.2,
) -> CaptureWriter:
    """A writer on ``journal``, or on the first free journal slot of the data directory."""
    writer = functools.partial(
        CaptureWriter, database, retry_interval=retry_interval, flush_interval=flush_interval
    )
    if journal is not None:
        try:
            return writer(journal)
        except OSError as error:
            raise StoreError(f"cannot use the capture journal {journal}: {error}") from None
    digest = hashlib.sha256(database.describe().encode()).hexdigest()[:12]
    directory = journal_directory(settings)
    for slot in range(JOURNAL_SLOTS):
        path = directory / f"capture-{digest}-{slot}.journal"
        try:
            return writer(path)
        except StoreError:  # in use by another proxy recording into the same database
            continue
        except OSError as error:
            raise StoreError(f"cannot use the capture journal {path}: {error}") from None
    raise StoreError(
        f"all {JOURNAL_SLOTS} capture journals in {directory} are in use; "
        "stop a proxy or give this one its own journal file"
    )
