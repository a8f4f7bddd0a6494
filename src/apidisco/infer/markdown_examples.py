"""Examples in the Markdown API reference: JSON (or text) in fenced blocks.

:func:`example_blocks` writes the examples of one media type (its ``example``,
then its named ``examples``): JSON indented by two spaces, an array or object
that fits in 80 columns on one line; the text as it is for other media types
(fenced as ``html``, ``xml`` or ``text``). A block is cut after
:data:`MAX_EXAMPLE_LINES` lines (and says so) and lines after 200 characters;
its fence is longer than any run of backticks inside it.
"""

from __future__ import annotations

import json
from typing import Any

from apidisco.infer.markdown_document import Document, as_mapping
from apidisco.infer.markdown_text import code_span, longest_backticks, plain

__all__ = ["MAX_EXAMPLE_LINES", "example_blocks"]

MAX_EXAMPLE_LINES = 40
_MAX_LINE = 200
_WIDTH = 80


def _fence(text: str, language: str) -> list[str]:
    """A fenced block of ``text`` (shortened when long) and a note when it was."""
    lines = [line.rstrip() for line in text.splitlines()] or [""]
    lines = [line if len(line) <= _MAX_LINE else line[:_MAX_LINE] + "…" for line in lines]
    note = []
    if len(lines) > MAX_EXAMPLE_LINES:
        note = [f"*Shortened: the first {MAX_EXAMPLE_LINES} of {len(lines)} lines.*"]
        lines = [*lines[:MAX_EXAMPLE_LINES], "…"]
    body = "\n".join(lines)
    ticks = "`" * max(3, longest_backticks(body) + 1)
    return [f"{ticks}{language}\n{body}\n{ticks}", *note]


def _pretty(value: Any, indent: str = "", used: int = 0) -> str:
    """JSON indented by two spaces; an array or object that fits on its line stays on it."""
    flat = json.dumps(value, ensure_ascii=False, default=str)
    if not value or not isinstance(value, dict | list) or used + len(flat) <= _WIDTH:
        return flat
    inner = indent + "  "
    if isinstance(value, dict):
        keys = [json.dumps(str(key), ensure_ascii=False) + ": " for key in value]
        items = [
            inner + key + _pretty(item, inner, len(inner) + len(key))
            for key, item in zip(keys, value.values(), strict=True)
        ]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    items = [inner + _pretty(item, inner, len(inner)) for item in value]
    return "[\n" + ",\n".join(items) + f"\n{indent}]"


def _language(media: str, value: Any) -> str:
    if not isinstance(value, str) or "json" in media:
        return "json"
    return next((lang for lang in ("html", "xml") if lang in media), "text")


def example_blocks(document: Document, media: str, entry: Any) -> list[str]:
    """The blocks showing a media type's examples: a label line, then the fence."""
    entry = as_mapping(entry)
    named = {str(k): document.resolved(v) for k, v in as_mapping(entry.get("examples")).items()}
    samples = [(name, e) for name, e in named.items() if "value" in e]
    if "example" in entry:
        samples.insert(0, ("example", {"value": entry["example"]}))
    blocks = []
    for name, sample in samples:
        value = sample["value"]
        label = "Example" if len(samples) == 1 else f"Example {code_span(name)}"
        if sample.get("summary"):
            label += f" ({plain(sample['summary'])})"
        language = _language(media, value)
        text = _pretty(value) if language == "json" else str(value)
        blocks += [label + ":", *_fence(text, language)]
    return blocks
