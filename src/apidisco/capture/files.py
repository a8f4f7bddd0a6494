"""Capture files: which reader reads each one, and how far reading has come.

Shared by ``apidisco capture import`` (into the store) and ``apidisco
discover`` (no store at all), so both accept and refuse the same files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from apidisco.capture.exchange import Exchange, WebSocketMessage
from apidisco.capture.formats import FORMATS, detect_format
from apidisco.capture.har import read_har
from apidisco.errors import CaptureImportError, ValidationError

__all__ = ["READERS", "Reader", "Record", "plan_files", "reporting"]

Record = Exchange | WebSocketMessage
Reader = Callable[[IO[bytes], str], Iterator[Record]]
#: The readers apidisco has without mitmproxy; the CLI adds mitmproxy's flow reader.
READERS: dict[str, Reader] = {"har": read_har}


def plan_files(
    paths: Sequence[Path], format: str | None, readers: Mapping[str, Reader] | None
) -> list[tuple[Path, Reader]]:
    """Each file with the reader for its format (given, or recognised by content);
    :class:`ValidationError` or :class:`CaptureImportError` before anything is read."""
    available = {**READERS, **(readers or {})}
    if format is not None and format not in FORMATS:
        raise ValidationError(f"format must be one of {', '.join(FORMATS)}")
    plan = [(path, format or detect_format(path)) for path in paths]
    for path, kind in plan:
        if kind not in available:
            raise CaptureImportError(f"{path}: reading {kind} files needs mitmproxy's addon")
    return [(path, available[kind]) for path, kind in plan]


def reporting(
    records: Iterable[Record], stream: IO[bytes], progress: Callable[[int], None] | None
) -> Iterator[Record]:
    """``records`` as they come, calling ``progress`` with the bytes read since the last call."""
    last = 0
    for record in records:
        yield record
        if progress is not None:
            position = stream.tell()
            if position != last:
                progress(position - last)
                last = position
