"""Telling capture file formats apart by their content."""

from __future__ import annotations

from pathlib import Path

from apidisco.errors import CaptureImportError

__all__ = ["FORMATS", "detect_format"]

FORMATS = ("har", "flows")


def detect_format(path: Path) -> str:
    """``har`` (a JSON document) or ``flows`` (mitmproxy's tnetstring dump)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64).lstrip()
    except OSError as error:
        raise CaptureImportError(f"cannot read {path}: {error.strerror}") from None
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith(b"{"):
        return "har"
    # tnetstring: decimal length, a colon, the payload.
    length, colon, _ = head.partition(b":")
    if colon and length.isdigit():
        return "flows"
    raise CaptureImportError(
        f"{path} is neither a HAR file nor a mitmproxy flow file; name the format with --format"
    )
