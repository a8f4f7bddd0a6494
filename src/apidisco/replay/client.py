"""An HTTP client that only goes where the SSRF rules allow, redirects included.

:class:`SafeClient` sends one request at a time with httpx, never following a
redirect by itself: each ``Location`` is checked like the first URL
(:func:`apidisco.destinations.check_destination` on the resolved addresses:
loopback and private only when the operator allowed them, cloud metadata
never) before it is requested, at most :data:`MAX_REDIRECTS` times, and
credentials are not carried to another origin. Every request, redirects
included, takes one unit of a shared :class:`Budget`.

The connection goes to the address the check approved, not to a second DNS
answer (which could differ: DNS rebinding): the URL is rewritten to that
address, the ``Host`` header keeps the name, and TLS is told the name for SNI
and certificate verification.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from apidisco.destinations import Destination, Resolver, check_destination
from apidisco.errors import ValidationError

__all__ = [
    "MAX_REDIRECTS",
    "REDIRECTS",
    "Budget",
    "BudgetExhaustedError",
    "RefusedError",
    "RequestTimeoutError",
    "Response",
    "ResponseTooLargeError",
    "SafeClient",
    "TransportError",
]

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


class RefusedError(Exception):
    """A URL (the first or a redirect's) that the SSRF rules refuse."""


class BudgetExhaustedError(Exception):
    """No request left in the budget."""


class TransportError(Exception):
    """The request could not be completed: connection refused, timeout, bad answer."""


class RequestTimeoutError(TransportError):
    """No connection or no answer within the timeout."""


class ResponseTooLargeError(TransportError):
    """The answer's body was longer than the caller accepts."""


@dataclass
class Budget:
    """How many requests may still be sent (``None``: no limit)."""

    remaining: int | None = None
    sent: int = 0

    def take(self) -> None:
        if self.remaining is not None:
            if self.remaining <= 0:
                raise BudgetExhaustedError("the request budget is used up")
            self.remaining -= 1
        self.sent += 1


@dataclass(frozen=True)
class Response:
    """What came back, after any redirects."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    elapsed_ms: int
    redirects: tuple[str, ...] = field(default=())

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        import orjson

        if not self.content:
            return None
        try:
            return orjson.loads(self.content)
        except orjson.JSONDecodeError:
            return None


def _headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def _pinned(url: str, destination: Destination) -> tuple[str, str, dict[str, Any]]:
    """``url`` aimed at the checked address, the ``Host`` header, and the TLS name."""
    parts = urllib.parse.urlsplit(url)
    address = destination.addresses[0].split("%", 1)[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host = parts.netloc.rpartition("@")[2]
    extensions = {"sni_hostname": destination.host} if parts.scheme == "https" else {}
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), host, extensions


def _read(answer: httpx.Response, max_bytes: int | None, what: str) -> bytes:
    if max_bytes is None:
        return answer.read()
    body = bytearray()
    for chunk in answer.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise ResponseTooLargeError(f"{what}: the answer is longer than {max_bytes} bytes")
    return bytes(body)


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc.lower()


class SafeClient:
    """Sends requests with the SSRF check on every hop (see the module docstring)."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = 30.0,
        budget: Budget | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allow_private = allow_private
        self.budget = budget or Budget()
        self._resolver = resolver
        self._clock = clock
        self._timeout = timeout
        # One pool per host name: connections are keyed by address, and a TLS
        # connection made for one name must not carry another name's requests.
        self._clients: dict[tuple[str, str], httpx.Client] = {}

    def _client_for(self, url: str) -> httpx.Client:
        parts = urllib.parse.urlsplit(url)
        key = (parts.scheme, (parts.hostname or "").lower())
        client = self._clients.get(key)
        if client is None:
            client = httpx.Client(follow_redirects=False, timeout=self._timeout, trust_env=False)
            self._clients[key] = client
        return client

    def check(self, url: str) -> Destination:
        """The checked destination of ``url``; :class:`RefusedError` unless it may be
        requested."""
        try:
            if self._resolver is None:
                return check_destination(url, allow_private=self.allow_private)
            return check_destination(url, allow_private=self.allow_private, resolver=self._resolver)
        except ValidationError as error:
            raise RefusedError(error.message) from None

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        content: bytes | None = None,
        follow_redirects: bool = True,
        max_bytes: int | None = None,
    ) -> Response:
        """Send one request, following redirects by hand (unless told not to: the
        redirect itself is then the answer), reading at most ``max_bytes`` of the
        answer; raises the errors above."""
        sent_headers = list(headers)
        redirects: list[str] = []
        started = self._clock()
        while True:
            pinned, host, extensions = _pinned(url, self.check(url))
            self.budget.take()
            headers_out = [(n, v) for n, v in sent_headers if n.lower() != "host"]
            headers_out.append(("host", host))
            try:
                with self._client_for(url).stream(
                    method, pinned, headers=headers_out, content=content, extensions=extensions
                ) as answer:
                    body = _read(answer, max_bytes, f"{method} {url}")
            except httpx.TimeoutException:
                raise RequestTimeoutError(f"{method} {url} timed out") from None
            except httpx.HTTPError as error:
                raise TransportError(f"{method} {url} failed: {error}") from None
            location = answer.headers.get("location")
            if answer.status_code not in REDIRECTS or not location or not follow_redirects:
                return Response(
                    url=url,
                    status=answer.status_code,
                    headers=_headers(answer.headers.multi_items()),
                    content=body,
                    elapsed_ms=round((self._clock() - started) * 1000),
                    redirects=tuple(redirects),
                )
            if len(redirects) >= MAX_REDIRECTS:
                raise TransportError(f"{method} {url}: more than {MAX_REDIRECTS} redirects")
            target = urllib.parse.urljoin(url, location)
            if _origin(target) != _origin(url):
                sent_headers = [
                    (name, value)
                    for name, value in sent_headers
                    if name.lower() not in _CREDENTIAL_HEADERS
                ]
            if answer.status_code == 303 or (
                answer.status_code in {301, 302} and method.upper() == "POST"
            ):
                method, content = "GET", None
                sent_headers = [
                    (n, v) for n, v in sent_headers if n.lower() not in {"content-type"}
                ]
            redirects.append(target)
            url = target

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> SafeClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
