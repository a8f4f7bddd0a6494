"""Baseline snapshots: what an operation's responses looked like when it was recorded.

For each operation (``GET /books/{id}``) of an action sequence,
:func:`learn_baselines` keeps, from every captured call of that operation:

- ``statuses``: the response status codes seen;
- ``schemas``: the response body schema per status (:mod:`apidisco.infer.schema`);
- ``values``: for JSON leaves whose value was the same in every call (at least
  :data:`MIN_STABLE_SAMPLES` of them), that value — a replay that returns a
  different one reports a changed response;
- ``noise``: the leaves whose value varied (timestamps, request ids, created
  ids), echoed the request (an id the path named) or hold a date or a moment (a
  creation time repeats while one resource is read): never reported as a change;
- ``credentials``: whether the calls carried credentials (an ``Authorization``
  header, a cookie, an API key: anything capture masks).

Leaves are named by their path with ``[]`` for any array item
(``$.items[].price``), as :mod:`apidisco.infer.changes` names them.
:func:`conform` widens a schema inferred from a few replayed responses by what
the baseline already allowed, so one sample is not mistaken for a narrowing
(a field that was optional and happens to be present, a nullable field that is
not null this time, an integer where ``number`` was seen). Pure: no IO.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apidisco.infer.correlation import RecordedCall
from apidisco.infer.schema import SchemaBuilder
from apidisco.infer.sequence import MASK

__all__ = [
    "MIN_STABLE_SAMPLES",
    "Sample",
    "conform",
    "leaves",
    "learn_baselines",
    "sample_of",
    "strip",
    "value_changes",
]

MIN_STABLE_SAMPLES = 2
_MISSING = object()
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?")


@dataclass(frozen=True, slots=True)
class Sample:
    """One response of an operation (recorded or replayed)."""

    status: int | None
    json: Any = None
    request_values: frozenset[str] = frozenset()
    credentials: bool = False


def sample_of(call: RecordedCall) -> Sample:
    """The sample of a recorded call: its response, and the values its request named."""
    values = {segment for segment in call.path.split("/") if segment}
    values.update(value for _, value in call.query)
    values.update(_text(value) for _, value in leaves(call.body_json))
    credentials = any(MASK.search(str(value)) for value in call.headers.values())
    return Sample(call.status, call.response_json, frozenset(values), credentials)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def leaves(document: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every scalar in ``document`` with its path (``[]`` for any array item)."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield from leaves(value, f"{path}.{key}")
    elif isinstance(document, list):
        for item in document:
            yield from leaves(item, f"{path}[]")
    elif document is not None or path == "$":
        yield path, document


def _values(samples: Sequence[Sample]) -> tuple[dict[str, Any], list[str]]:
    seen: dict[str, list[Any]] = {}
    echoed: set[str] = set()
    for sample in samples:
        per_sample: dict[str, list[Any]] = {}
        for path, value in leaves(sample.json):
            per_sample.setdefault(path, []).append(value)
            if value is not None and _text(value) in sample.request_values:
                echoed.add(path)
            if isinstance(value, str) and _TIMESTAMP.fullmatch(value):
                echoed.add(path)  # a moment is data of the moment, even when it repeats
        for path, values in per_sample.items():
            seen.setdefault(path, []).extend(values)
    stable: dict[str, Any] = {}
    noise: list[str] = []
    for path in sorted(seen):
        values = seen[path]
        distinct = {repr(value) for value in values}
        if path in echoed or len(distinct) > 1:
            noise.append(path)
        elif len(samples) >= MIN_STABLE_SAMPLES and len(values) >= MIN_STABLE_SAMPLES:
            stable[path] = values[0]
    return stable, noise


def learn_baselines(samples: Mapping[str, Sequence[Sample]]) -> dict[str, dict[str, Any]]:
    """The baseline of each operation from its recorded samples (see the module docstring)."""
    baselines: dict[str, dict[str, Any]] = {}
    for operation in sorted(samples):
        group = samples[operation]
        builders: dict[str, SchemaBuilder] = {}
        for sample in group:
            if sample.json is not None:
                builders.setdefault(str(sample.status), SchemaBuilder()).add(sample.json)
        successes = [s for s in group if s.status is not None and 200 <= s.status < 300]
        values, noise = _values(successes)
        baselines[operation] = {
            "statuses": sorted({s.status for s in group if s.status is not None}),
            "schemas": {status: strip(b.build()) for status, b in sorted(builders.items())},
            "values": values,
            "noise": noise,
            "credentials": any(sample.credentials for sample in group),
            "samples": len(group),
        }
    return baselines


def strip(schema: Any) -> Any:
    """``schema`` without what one sample cannot speak for: examples and enums."""
    if isinstance(schema, dict):
        return {
            key: strip(value) for key, value in schema.items() if key not in {"examples", "enum"}
        }
    if isinstance(schema, list):
        return [strip(item) for item in schema]
    return schema


def _types(schema: Mapping[str, Any]) -> frozenset[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return frozenset({kind})
    if isinstance(kind, list):
        return frozenset(str(k) for k in kind)
    return frozenset()


def _compatible(old: frozenset[str], new: frozenset[str]) -> bool:
    """Whether values of types ``new`` were all allowed by ``old`` (both known)."""
    widened = set(old)
    if "number" in widened:
        widened.add("integer")
    if new <= widened:
        return True
    return old <= {"null"}  # a field only ever seen as null says nothing about its type


def conform(old: Any, new: Any) -> Any:
    """``new`` with what ``old`` already allowed put back (see the module docstring)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    result = dict(new)
    old_types, new_types = _types(old), _types(new)
    if old_types and new_types and _compatible(old_types, new_types):
        if "type" in old:
            result["type"] = old["type"]
        if "format" in old and "format" not in new and new_types <= {"null"}:
            result["format"] = old["format"]
        if "format" in new and "format" not in old:
            del result["format"]
        if "object" not in new_types:
            for key in ("properties", "required", "additionalProperties"):
                if key in old:
                    result[key] = old[key]
                else:
                    result.pop(key, None)
        if "array" not in new_types and "items" in old:
            result["items"] = old["items"]
    old_properties = old.get("properties")
    new_properties = new.get("properties")
    if isinstance(old_properties, dict) and isinstance(new_properties, dict):
        result["properties"] = {
            name: conform(old_properties.get(name), schema)
            for name, schema in new_properties.items()
        }
        old_required = set(old.get("required") or ())
        present = set(new_properties)
        added = set(new.get("required") or ()) - set(old_properties)
        required = sorted((old_required & present) | added)
        if required:
            result["required"] = required
        else:
            result.pop("required", None)
    if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
        result["items"] = conform(old["items"], new["items"])
    elif "items" in old and "items" not in new and "array" in new_types:
        result["items"] = old["items"]  # only empty arrays this time
    if "additionalProperties" in old and isinstance(new.get("additionalProperties"), dict):
        result["additionalProperties"] = conform(
            old["additionalProperties"], new["additionalProperties"]
        )
    return result


def value_changes(
    baseline: Mapping[str, Any], samples: Iterable[Sample]
) -> list[tuple[str, Any, Any]]:
    """Stable values of ``baseline`` that a replayed response contradicts: (path, old, new)."""
    stable: Mapping[str, Any] = baseline.get("values") or {}
    changed: dict[str, tuple[Any, Any]] = {}
    for sample in samples:
        found: dict[str, Any] = {}
        for path, value in leaves(sample.json):
            found.setdefault(path, value)
        for path, old in stable.items():
            new = found.get(path, _MISSING)
            if new is not _MISSING and new != old and path not in changed:
                changed[path] = (old, new)
    return [(path, old, new) for path, (old, new) in sorted(changed.items())]
