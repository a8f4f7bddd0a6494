"""Masking secrets before anything is stored.

Sensitive header values, cookie and set-cookie values, sensitive query
parameters and sensitive JSON or form fields are replaced by a mask that keeps
what auth detection and change detection need (the auth scheme and a short
fingerprint of the value) and nothing else::

    Authorization: Basic dXNlcjpwYXNz       →   Basic ‹masked:3f9a1c2e›
    Authorization: Bearer eyJhbGciOi...    →   Bearer eyJhbGciOiJIUzI1NiJ9.‹masked:7d0b4e21›
    Cookie: session=abc; theme=dark       →   session=‹masked:ba7816bf›; theme=‹masked:...›

A JSON Web Token keeps its header segment (``{"alg": ..., "typ": ...}``, which
holds no secret) in front of the mask, so inference can say the bearer token is
a JWT; the fingerprint is of the whole token.

The fingerprint is the first 8 hex digits of the value's SHA-256: equal
values mask equally, different values (almost always) differently. The
originals are returned beside the masked data so the caller can keep them,
encrypted, for replay; the names masked by default are listed in
``docs/capture.md`` and are configurable.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from apidisco.sensitive import (
    DEFAULT_SENSITIVE_FIELDS,
    DEFAULT_SENSITIVE_HEADERS,
    DEFAULT_SENSITIVE_QUERY,
)

__all__ = [
    "DEFAULT_SENSITIVE_FIELDS",
    "DEFAULT_SENSITIVE_HEADERS",
    "DEFAULT_SENSITIVE_QUERY",
    "Masker",
    "fingerprint",
]

_SCHEMES = ("bearer", "basic", "digest", "token", "apikey", "negotiate", "hmac", "aws4-hmac-sha256")
_MASK = re.compile(r"‹masked:[0-9a-f]{8}›")
# What Masker.json descends into (a tuple: ``isinstance`` with ``dict | list`` written
# inline builds the union on every call, twice as slow on a path run for every JSON value).
_CONTAINERS = (dict, list)
_JWT = re.compile(r"(eyJ[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", re.ASCII)


def _jwt_header(token: str) -> str | None:
    """The header segment of a JSON Web Token, if ``token`` is one."""
    match = _JWT.fullmatch(token)
    if match is None:
        return None
    segment = match.group(1)
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError):
        return None
    return segment if isinstance(header, dict) and "alg" in header else None


def fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]


@functools.lru_cache(maxsize=4096)
def _normalise(name: str) -> str:
    """How names are compared; cached, since the same JSON keys come again and again."""
    return name.strip().lower().replace("-", "_")


@functools.lru_cache(maxsize=16)
def _name_sets(
    query: frozenset[str], fields: frozenset[str], headers: frozenset[str]
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The normalised name sets, made once per configuration (a masker is made per exchange):
    parameters (query and form fields), JSON fields, headers."""
    normalised_fields = frozenset(_normalise(name) for name in fields)
    return (
        frozenset(_normalise(name) for name in query) | normalised_fields,
        normalised_fields,
        frozenset(name.lower() for name in headers),
    )


@dataclass
class Masker:
    """Masks one exchange's secrets; collects the originals by fingerprint."""

    headers: frozenset[str] = DEFAULT_SENSITIVE_HEADERS
    query: frozenset[str] = DEFAULT_SENSITIVE_QUERY
    fields: frozenset[str] = DEFAULT_SENSITIVE_FIELDS
    originals: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._parameters, self._fields, self._headers = _name_sets(
            self.query, self.fields, self.headers
        )

    def mask(self, value: str) -> str:
        """The mask for one secret value (remembered for the caller)."""
        if not value or _MASK.fullmatch(value):
            return value
        digest = fingerprint(value)
        self.originals[digest] = value
        return f"‹masked:{digest}›"

    # -- headers ---------------------------------------------------------------------

    @property
    def sensitive_headers(self) -> frozenset[str]:
        """The lowercase names of the headers whose values :meth:`header` masks (a row
        builder hands :meth:`header` only these)."""
        return self._headers

    def header(self, name: str, value: str) -> str:
        lowered = name.lower()
        if lowered not in self._headers:
            return value
        if lowered == "cookie":
            return "; ".join(self._cookie_pair(pair) for pair in value.split(";") if pair.strip())
        if lowered == "set-cookie":
            first, _, attributes = value.partition(";")
            masked = self._cookie_pair(first)
            return f"{masked};{attributes}" if attributes else masked
        scheme, _, credentials = value.strip().partition(" ")
        if credentials and scheme.lower() in _SCHEMES:
            token = credentials.strip()
            header = _jwt_header(token) if scheme.lower() == "bearer" else None
            if header is not None:
                return f"{scheme} {header}.{self.mask(token)}"
            return f"{scheme} {self.mask(token)}"
        return self.mask(value.strip())

    def _cookie_pair(self, pair: str) -> str:
        name, separator, value = pair.strip().partition("=")
        return f"{name}={self.mask(value)}" if separator else self.mask(name)

    def is_sensitive_header(self, name: str) -> bool:
        return name.lower() in self._headers

    # -- query parameters and form fields ---------------------------------------------

    def parameter(self, name: str, value: str) -> str:
        return self.mask(value) if _normalise(name) in self._parameters else value

    def parameters(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name, self.parameter(name, value)) for name, value in pairs]

    # -- JSON documents ---------------------------------------------------------------

    def json(self, document: Any) -> Any:
        """``document`` with sensitive fields' values masked, at any depth.

        Copy on write: the parts holding nothing to mask are returned as they are,
        so ``masker.json(document) is document`` says that nothing was masked."""
        if isinstance(document, dict):
            fields = self._fields
            copy: dict[Any, Any] | None = None
            for key, value in document.items():
                if isinstance(value, _CONTAINERS):
                    masked = self.json(value)
                elif value is not None and isinstance(key, str) and _normalise(key) in fields:
                    masked = self.mask(str(value))
                else:
                    continue
                if masked is not value:
                    if copy is None:
                        copy = dict(document)
                    copy[key] = masked
            return document if copy is None else copy
        if isinstance(document, list):
            items: list[Any] | None = None
            for index, item in enumerate(document):
                if isinstance(item, _CONTAINERS):
                    masked = self.json(item)
                    if masked is not item:
                        if items is None:
                            items = list(document)
                        items[index] = masked
            return document if items is None else items
        return document
