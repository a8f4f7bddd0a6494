"""Better descriptions of operations, asked of a language model, with nothing secret in the asking.

:func:`describe_operations` sends the briefs, made shareable
(:meth:`OperationBrief.shareable`), in batches: a system message saying what to
write and a user message holding the batch as JSON. It asks for one JSON object
keyed by the operation keys and keeps, for each key it asked about, a cleaned
answer: one line, whitespace collapsed, at most :data:`MAX_DESCRIPTION_LENGTH`
characters. Keys it did not ask about are ignored; an operation the answer
leaves out, or answers with something that is not text, gets no description and
the caller keeps its deterministic summary. An answer that is not a JSON object
at all describes nothing. Transport failures are the client's
:class:`~apidisco.errors.DescriptionError` and end the whole call, so a caller
never holds half a set of descriptions without knowing it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from apidisco.describe.briefs import OperationBrief

if TYPE_CHECKING:
    from apidisco.describe.chat import ChatClient, ChatMessage

__all__ = ["MAX_DESCRIPTION_LENGTH", "SYSTEM_PROMPT", "describe_operations"]

MAX_DESCRIPTION_LENGTH = 300

SYSTEM_PROMPT = (
    "You write the reference documentation of an HTTP API that was discovered from its "
    "traffic. For each operation you are given its key, its method, its path template, a "
    "draft summary, and the names of its parameters, request body fields, response fields "
    "and response status codes. Write a description of one or two plain sentences saying "
    "what the operation does, for a developer reading the API reference. Rely on the names "
    "only; do not invent values, limits or behaviour the names do not suggest. Answer with "
    "one JSON object and nothing else: each key is an operation's key exactly as given, "
    "each value is that operation's description as a string."
)

_FENCE = re.compile(r"^```[A-Za-z0-9_-]*\s*(.*?)\s*```$", re.DOTALL)


def describe_operations(
    client: ChatClient, briefs: Iterable[OperationBrief], *, batch: int = 20
) -> dict[str, str]:
    """Map each brief's key to a description of one or two sentences, where the model gave one.

    At most ``batch`` operations go into one request. Briefs with a key already
    seen are asked about once; briefs whose key carries a mask not at all.
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    shareable: dict[str, OperationBrief] = {}
    for brief in briefs:
        safe = brief.shareable()
        if safe is not None:
            shareable.setdefault(safe.key, safe)
    ordered = list(shareable.values())
    descriptions: dict[str, str] = {}
    for start in range(0, len(ordered), batch):
        chunk = ordered[start : start + batch]
        answer = client.complete(_messages(chunk))
        descriptions.update(_read_answer(answer, [brief.key for brief in chunk]))
    return descriptions


def _messages(briefs: Sequence[OperationBrief]) -> list[ChatMessage]:
    operations = [_operation(brief) for brief in briefs]
    request = json.dumps({"operations": operations}, ensure_ascii=False, indent=1)
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Describe these operations:\n{request}"},
    ]


def _operation(brief: OperationBrief) -> dict[str, Any]:
    """The brief as the prompt shows it; empty entries are left out."""
    entries: dict[str, Any] = {
        "key": brief.key,
        "method": brief.method,
        "path": brief.pattern,
        "summary": brief.summary,
        "parameters": list(brief.parameters),
        "request_fields": list(brief.request_fields),
        "response_fields": list(brief.response_fields),
        "statuses": list(brief.statuses),
    }
    return {name: value for name, value in entries.items() if value or name == "key"}


def _read_answer(content: str, keys: Sequence[str]) -> dict[str, str]:
    document = _json_object(content)
    if document is None:
        return {}
    descriptions: dict[str, str] = {}
    for key in keys:
        value = document.get(key)
        if isinstance(value, dict):
            value = value.get("description")
        if isinstance(value, str) and (text := _clean(value)):
            descriptions[key] = text
    return descriptions


def _json_object(content: str) -> dict[str, Any] | None:
    """The JSON object in an answer: bare, in a Markdown code fence, or amid prose."""
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    candidates = [text]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first : last + 1])
    for candidate in candidates:
        try:
            document = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(document, dict):
            return document
    return None


def _clean(text: str) -> str:
    """One printable line of at most MAX_DESCRIPTION_LENGTH characters, cut at a word."""
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if len(line) <= MAX_DESCRIPTION_LENGTH:
        return line
    cut = line[: MAX_DESCRIPTION_LENGTH - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" .,;:-") + "…"
