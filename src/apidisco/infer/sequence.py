"""The action sequence format: request templates whose values may refer to earlier responses.

An action sequence (``action_sequences.sequence``) is a list of steps, one per
recorded call, each a JSON object::

    {"method": "GET", "path": {"join": ["/books/", {"ref": "steps[0].response.$.id"}]},
     "query": [["expand", "author"]], "headers": {"accept": "application/json"},
     "body": null, "delayMs": 120, "operation": "GET /books/{id}", "status": 200}

A value in ``path``, a query value, a header value or a leaf of a JSON body is
one of:

- a literal (a string; any JSON value in a body);
- ``{"ref": R}``: the value an earlier step's response held at ``R``;
- ``{"join": [part, ...]}``: a string made of literal strings and refs, in order.

A reference ``R`` names a step and a place in its response:
``steps[2].response.$.id`` (a JSON path into the response body: ``$``, ``.key``,
``['odd key']``, ``[0]``), or ``steps[0].response.location[-1]`` (a path
segment of the ``Location`` header; negative indexes count from the end). A
literal JSON object that happens to have the single key ``ref``, ``join`` or
``literal`` is stored as ``{"literal": {...}}``.

Secrets stay masked in a step (``Bearer ‹masked:3f9a1c2e›``, capture's
fingerprint); :func:`resolve_step` puts the originals back from a mapping of
fingerprint → value that the caller decrypted. Pure: no IO.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MASK",
    "Path",
    "ReferenceNotFoundError",
    "ResolvedRequest",
    "StepResponse",
    "format_path",
    "is_template",
    "join",
    "lookup",
    "masks_in",
    "parse_path",
    "parse_reference",
    "ref",
    "render_value",
    "resolve_step",
    "resolve_value",
    "step_reference",
]

MASK = re.compile(r"‹masked:([0-9a-f]{8})›")
_STEP = re.compile(r"steps\[(\d+)\]\.response\.(.+)")
_LOCATION = re.compile(r"location\[(-?\d+)\]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TEMPLATE_KEYS = frozenset({"ref", "join", "literal"})

#: One step of a JSON path: a property name or an array index.
Path = tuple[str | int, ...]


class ReferenceNotFoundError(ValueError):
    """A reference that is malformed, or names a value the responses do not have."""


def parse_path(text: str) -> Path:
    """``$.items[0]["a b"]`` → ``("items", 0, "a b")``; raise on a malformed path."""
    if not text.startswith("$"):
        raise ReferenceNotFoundError(f"a JSON path starts with $: {text!r}")
    parts: list[str | int] = []
    position = 1
    while position < len(text):
        if text[position] == ".":
            match = _NAME.match(text, position + 1)
            if match is None:
                raise ReferenceNotFoundError(f"bad name after '.' in {text!r}")
            parts.append(match.group())
            position = match.end()
        elif text.startswith("['", position):
            end = text.find("']", position + 2)
            if end < 0:
                raise ReferenceNotFoundError(f"unclosed [' in {text!r}")
            parts.append(text[position + 2 : end].replace("\\'", "'"))
            position = end + 2
        elif text[position] == "[":
            end = text.find("]", position)
            index = text[position + 1 : end] if end > 0 else ""
            if not re.fullmatch(r"-?\d+", index):
                raise ReferenceNotFoundError(f"bad index in {text!r}")
            parts.append(int(index))
            position = end + 1
        else:
            raise ReferenceNotFoundError(f"unexpected {text[position]!r} in {text!r}")
    return tuple(parts)


def format_path(path: Path) -> str:
    """The inverse of :func:`parse_path`."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _NAME.fullmatch(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


def lookup(document: Any, path: Path) -> Any:
    """The value at ``path`` in ``document``; :class:`KeyError` when there is none."""
    current = document
    for part in path:
        if isinstance(part, int):
            if not isinstance(current, list) or not -len(current) <= part < len(current):
                raise KeyError(part)
            current = current[part]
        else:
            if not isinstance(current, dict) or part not in current:
                raise KeyError(part)
            current = current[part]
    return current


def step_reference(step: int, where: Path | int) -> str:
    """The reference to an earlier response: a JSON path, or an int for a Location segment."""
    if isinstance(where, int):
        return f"steps[{step}].response.location[{where}]"
    return f"steps[{step}].response.{format_path(where)}"


def parse_reference(reference: str) -> tuple[int, Path | int]:
    """``steps[2].response.$.id`` → ``(2, ("id",))``; a Location segment gives an int."""
    match = _STEP.fullmatch(reference)
    if match is None:
        raise ReferenceNotFoundError(f"not a reference: {reference!r}")
    step, rest = int(match.group(1)), match.group(2)
    location = _LOCATION.fullmatch(rest)
    if location is not None:
        return step, int(location.group(1))
    return step, parse_path(rest)


def ref(reference: str) -> dict[str, Any]:
    return {"ref": reference}


def join(parts: Sequence[str | dict[str, Any]]) -> str | dict[str, Any]:
    """A string template from literal parts and refs (a plain string when there is no ref)."""
    merged: list[str | dict[str, Any]] = []
    for part in parts:
        if part == "":
            continue
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    if all(isinstance(part, str) for part in merged):
        return "".join(str(part) for part in merged)
    if len(merged) == 1:
        return merged[0]
    return {"join": merged}


def is_template(value: Any) -> bool:
    """Whether ``value`` is a ref, join or escaped literal rather than plain data."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _TEMPLATE_KEYS


@dataclass(frozen=True, slots=True)
class StepResponse:
    """What a replayed step's response offers to later steps."""

    status: int | None
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None


def _location_segment(response: StepResponse, index: int) -> str:
    location = next((v for k, v in response.headers.items() if k.lower() == "location"), None)
    if not location:
        raise ReferenceNotFoundError("the response has no Location header")
    segments = [s for s in urllib.parse.urlsplit(location).path.split("/") if s]
    if not -len(segments) <= index < len(segments):
        raise ReferenceNotFoundError(f"the Location header has no segment {index}")
    return urllib.parse.unquote(segments[index])


def _dereference(reference: str, responses: Sequence[StepResponse | None]) -> Any:
    step, where = parse_reference(reference)
    response = responses[step] if step < len(responses) else None
    if response is None:
        raise ReferenceNotFoundError(f"{reference}: step {step} has no response")
    if isinstance(where, int):
        return _location_segment(response, where)
    try:
        return lookup(response.json, where)
    except KeyError:
        raise ReferenceNotFoundError(f"{reference}: the response has no such value") from None


Secrets = Callable[[str], str]


def _unmask(text: str, secrets: Secrets) -> str:
    return MASK.sub(lambda match: secrets(match.group(1)), text)


def resolve_value(
    value: Any,
    responses: Sequence[StepResponse | None],
    secrets: Secrets,
    *,
    text: bool = False,
) -> Any:
    """``value`` with its refs filled from ``responses`` and masks from ``secrets``.

    ``text`` turns every result into a string (paths, queries, headers).
    """
    if is_template(value):
        kind, inner = next(iter(value.items()))
        if kind == "literal":
            return inner
        if kind == "ref":
            found = _dereference(inner, responses)
            if isinstance(found, str):
                found = _unmask(found, secrets)
            return _text(found) if text else found
        return "".join(_text(resolve_value(part, responses, secrets, text=True)) for part in inner)
    if isinstance(value, dict):
        return {k: resolve_value(v, responses, secrets, text=text) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_value(item, responses, secrets, text=text) for item in value]
    if isinstance(value, str):
        return _unmask(value, secrets)
    return _text(value) if text else value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


@dataclass(frozen=True, slots=True)
class ResolvedRequest:
    """One step, ready to send: every ref and mask filled in."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    json: Any = None
    text: str | None = None
    has_json: bool = False

    def target(self) -> str:
        """Path and query string, relative to the destination."""
        path = urllib.parse.quote(self.path, safe="/%:@!$&'()*+,;=~")
        query = urllib.parse.urlencode(self.query)
        return f"{path}?{query}" if query else path


def resolve_step(
    step: Mapping[str, Any],
    responses: Sequence[StepResponse | None],
    secrets: Secrets,
) -> ResolvedRequest:
    """The request of ``step`` given the earlier steps' responses.

    ``secrets(fingerprint)`` returns the original of a masked value (or raises
    :class:`KeyError`, which the caller turns into a readable error).
    Raises :class:`ReferenceNotFoundError` when a reference cannot be filled.
    """
    path = resolve_value(step.get("path", "/"), responses, secrets, text=True)
    query = tuple(
        (str(name), resolve_value(value, responses, secrets, text=True))
        for name, value in step.get("query") or ()
    )
    headers = tuple(
        (str(name), resolve_value(value, responses, secrets, text=True))
        for name, value in sorted((step.get("headers") or {}).items())
    )
    body = step.get("body")
    if isinstance(body, dict) and "json" in body:
        document = resolve_value(body["json"], responses, secrets)
        return ResolvedRequest(step["method"], path, query, headers, json=document, has_json=True)
    if isinstance(body, dict) and "text" in body:
        content = resolve_value(body["text"], responses, secrets, text=True)
        return ResolvedRequest(step["method"], path, query, headers, text=content)
    return ResolvedRequest(step["method"], path, query, headers)


def render_value(value: Any) -> Any:
    """``value`` for showing: references as ``{steps[0].response.$.id}``, masks kept."""
    if is_template(value):
        kind, inner = next(iter(value.items()))
        if kind == "literal":
            return inner
        if kind == "ref":
            return "{" + str(inner) + "}"
        return "".join(str(render_value(part)) for part in inner)
    if isinstance(value, dict):
        return {k: render_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(item) for item in value]
    return value


def masks_in(value: Any) -> set[str]:
    """The fingerprints of every masked value anywhere in ``value``."""
    if isinstance(value, str):
        return set(MASK.findall(value))
    if isinstance(value, dict):
        return {found for item in value.values() for found in masks_in(item)}
    if isinstance(value, list | tuple):
        return {found for item in value for found in masks_in(item)}
    return set()
