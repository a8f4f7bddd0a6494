"""CORS: the cross-origin policy an API's responses and preflights declare.

Capture keeps, per call, the ``Access-Control-*`` response headers, the
request's ``Origin`` and, for a preflight (``OPTIONS`` with
``Access-Control-Request-Method``), what it asked for. :class:`CorsEvidence`
folds them into one configuration per path (``discovered_endpoints.corsConfig``):
allowed origins, methods and headers, exposed headers, credentials, max age,
whether preflights were seen, and the origins that asked. Lists are sorted and
bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CorsEvidence"]

_MAX_VALUES = 32
_LISTS = {
    "access-control-allow-origin": "allowOrigins",
    "access-control-allow-methods": "allowMethods",
    "access-control-allow-headers": "allowHeaders",
    "access-control-expose-headers": "exposeHeaders",
    "origin": "requestOrigins",
}

# Methods compare upper-case and header names lower-case; origins as they are.
_NORMALISE = {"allowMethods": str.upper, "allowHeaders": str.lower, "exposeHeaders": str.lower}


def _items(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [part.strip() for item in values for part in str(item).split(",") if part.strip()]


class CorsEvidence:
    def __init__(self) -> None:
        self.responses = 0
        self.preflights = 0
        self.values: dict[str, set[str]] = {key: set() for key in _LISTS.values()}
        self.credentials = False
        self.max_age: int | None = None

    def add(self, cors: Mapping[str, Any] | None) -> None:
        if not cors:
            return
        if any(name.startswith("access-control-allow-") for name in cors):
            self.responses += 1
        if cors.get("preflight"):
            self.preflights += 1
        for header, key in _LISTS.items():
            if header in cors:
                bucket = self.values[key]
                normalise = _NORMALISE.get(key, str)
                for item in _items(cors[header]):
                    if len(bucket) < _MAX_VALUES:
                        bucket.add(normalise(item))
        if str(cors.get("access-control-allow-credentials", "")).lower() == "true":
            self.credentials = True
        age = str(cors.get("access-control-max-age", "")).strip()
        if age.isdigit():
            self.max_age = max(self.max_age or 0, int(age))

    def merge(self, other: CorsEvidence) -> None:
        self.responses += other.responses
        self.preflights += other.preflights
        for key, values in other.values.items():
            for item in sorted(values):
                if len(self.values[key]) < _MAX_VALUES:
                    self.values[key].add(item)
        self.credentials = self.credentials or other.credentials
        if other.max_age is not None:
            self.max_age = max(self.max_age or 0, other.max_age)

    def config(self) -> dict[str, Any] | None:
        """The ``corsConfig`` column: ``None`` when no response declared CORS."""
        if not self.responses and not self.preflights:
            return None
        config: dict[str, Any] = {
            key: sorted(values) for key, values in self.values.items() if values
        }
        config["allowCredentials"] = self.credentials
        if self.max_age is not None:
            config["maxAge"] = self.max_age
        config["preflight"] = self.preflights > 0
        return config
