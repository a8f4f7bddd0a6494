"""Authentication: which credentials calls carried, and whether an operation needs them.

Capture masks credentials but keeps what detection needs: the scheme of an
``Authorization`` header, a JWT's header segment, the names of API-key headers,
query parameters and cookies. Per call, :func:`credentials_of` lists the
:class:`Credential` kinds it carried; an :class:`AuthEvidence` counts them per
operation and decides:

- ``required`` — when no call without credentials succeeded, and calls
  without them were refused (401 or 403) or the others carried some: an
  operation every call authenticated to needs authentication, one that
  answered an anonymous call with a 2xx does not;
- ``type`` — the credential most calls carried: ``Bearer``, ``Basic``,
  ``Digest``, ``API-Key`` (header, query or cookie) or ``Cookie`` (a session
  cookie); a ``WWW-Authenticate`` challenge names the scheme when no call
  carried any.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apidisco.infer.observation import Observation, header_values
from apidisco.sensitive import DEFAULT_SENSITIVE_HEADERS, DEFAULT_SENSITIVE_QUERY

__all__ = ["AuthEvidence", "Credential", "credentials_of"]

_MASK = "‹masked:"
_JWT_MASK = re.compile(r"eyJ[A-Za-z0-9_-]+\.‹masked:[0-9a-f]{8}›")
_NOT_CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-csrf-token", "x-xsrf-token"}
)
_KEY_HEADERS = DEFAULT_SENSITIVE_HEADERS - _NOT_CREDENTIAL_HEADERS
_KEY_HEADER_NAME = re.compile(r"(?:api[-_]?key|access[-_]?token|auth[-_]?token)", re.IGNORECASE)
_KEY_QUERY = DEFAULT_SENSITIVE_QUERY - {"password", "secret", "signature", "sig"}
_SESSION_COOKIE = re.compile(
    r"(?:sess|sid$|^sid|auth|token|jwt|remember|login|connect\.sid)", re.IGNORECASE
)
_TYPE_NAMES = {"apiKey": "API-Key", "cookie": "Cookie"}


@dataclass(frozen=True, order=True)
class Credential:
    """One way a call authenticated.

    ``kind``: ``http`` (an ``Authorization`` scheme), ``apiKey`` or ``cookie``;
    ``scheme``: ``bearer``, ``basic`` ... for ``http``; ``location`` and ``name``
    for API keys and cookies; ``format``: ``JWT`` for a JWT bearer token.
    """

    kind: str
    scheme: str = ""
    location: str = ""
    name: str = ""
    format: str = ""

    @property
    def type_name(self) -> str:
        """The ``authType`` column's word: Bearer, Basic, API-Key, Cookie ..."""
        if self.kind == "http":
            return self.scheme.capitalize()
        return _TYPE_NAMES[self.kind]

    def security_scheme(self) -> dict[str, str]:
        """The OpenAPI security scheme object for this credential."""
        if self.kind == "http":
            scheme = {"type": "http", "scheme": self.scheme}
            if self.format:
                scheme["bearerFormat"] = self.format
            return scheme
        return {"type": "apiKey", "in": self.location, "name": self.name}

    def as_dict(self) -> dict[str, str]:
        return {key: value for key, value in vars(self).items() if value}


@functools.lru_cache(maxsize=4096)
def _is_key_header(name: str) -> bool:
    lowered = name.lower()
    return lowered in _KEY_HEADERS or (
        lowered not in _NOT_CREDENTIAL_HEADERS and _KEY_HEADER_NAME.search(lowered) is not None
    )


def _authorization(value: str) -> Credential | None:
    scheme, _, rest = value.strip().partition(" ")
    if not rest:
        return None
    lowered = scheme.lower()
    jwt = "JWT" if lowered == "bearer" and _JWT_MASK.fullmatch(rest.strip()) else ""
    return Credential("http", scheme=lowered, format=jwt)


def credentials_of(
    request_headers: Mapping[str, Any], query: Iterable[tuple[str, str]]
) -> frozenset[Credential]:
    """Every credential one request carried."""
    found: set[Credential] = set()
    for value in header_values(request_headers, "authorization"):
        credential = _authorization(value)
        if credential is not None:
            found.add(credential)
    for name in request_headers:
        if _is_key_header(name):
            found.add(Credential("apiKey", location="header", name=name.lower()))
    for name, _value in query:
        if name.lower() in _KEY_QUERY:
            found.add(Credential("apiKey", location="query", name=name))
    for cookie in header_values(request_headers, "cookie"):
        for pair in cookie.split(";"):
            name = pair.strip().partition("=")[0]
            if name and _SESSION_COOKIE.search(name):
                found.add(Credential("cookie", location="cookie", name=name))
    return frozenset(found)


class AuthEvidence:
    """Counts, for one operation, who carried which credentials and what they got."""

    def __init__(self) -> None:
        self.calls = 0
        self.with_credentials = 0
        self.refused_without = 0  # 401/403 to calls that carried none
        self.allowed_without = 0  # 2xx to calls that carried none
        self.credentials: Counter[Credential] = Counter()
        self.challenges: Counter[str] = Counter()

    def add(self, observation: Observation) -> None:
        self.calls += 1
        found = credentials_of(observation.request_headers, observation.query)
        status = observation.status
        if found:
            self.with_credentials += 1
            self.credentials.update(found)
        elif status in (401, 403):
            self.refused_without += 1
        elif status is not None and 200 <= status < 300:
            self.allowed_without += 1
        if status == 401:
            for challenge in header_values(observation.response_headers, "www-authenticate"):
                scheme = challenge.strip().partition(" ")[0].lower()
                if scheme:
                    self.challenges[scheme] += 1

    def merge(self, other: AuthEvidence) -> None:
        self.calls += other.calls
        self.with_credentials += other.with_credentials
        self.refused_without += other.refused_without
        self.allowed_without += other.allowed_without
        self.credentials.update(other.credentials)
        self.challenges.update(other.challenges)

    @property
    def required(self) -> bool:
        """No call without credentials succeeded, and some carried them or were refused."""
        return self.allowed_without == 0 and bool(self.with_credentials or self.refused_without)

    @property
    def credential(self) -> Credential | None:
        """The credential most calls carried (ties: the first in sort order)."""
        if self.credentials:
            return min(self.credentials, key=lambda c: (-self.credentials[c], c))
        if self.challenges:
            scheme = min(self.challenges, key=lambda s: (-self.challenges[s], s))
            return Credential("http", scheme=scheme)
        return None

    def evidence(self) -> str:
        """One line: what the decision rests on."""
        parts = [f"{self.with_credentials} of {self.calls} calls carried credentials"]
        if self.refused_without:
            parts.append(f"{self.refused_without} without were refused (401/403)")
        if self.allowed_without:
            parts.append(f"{self.allowed_without} without succeeded")
        return "; ".join(parts)
