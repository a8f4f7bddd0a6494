"""One introspection request to a live GraphQL server.

::

    POST {destination.url}
    Content-Type: application/json
    {"query": <graphql-core's get_introspection_query()>}

The request goes to the address the caller checked
(:class:`~apidisco.destinations.Destination`, the first of its resolved
addresses) and to no other: the connection is made to that address, with the
URL's host in the ``Host`` header and, for https, in TLS (SNI and the
certificate check), so a DNS answer that changed after the check is never
used. Redirects are not followed, proxies from the environment are not used,
one ``timeout`` (seconds) bounds connecting and each read, and the answer is
read up to :data:`MAX_ANSWER_BYTES`.

Whatever goes wrong is an :class:`~apidisco.errors.IntrospectionError` naming
the URL and the cause: no connection, no answer in time, a redirect, an answer
that is not JSON, and a server that answers without a schema (introspection
disabled: its first error message is quoted).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx
import orjson
from graphql import get_introspection_query

from apidisco import __version__
from apidisco.destinations import Destination
from apidisco.errors import IntrospectionError

__all__ = ["MAX_ANSWER_BYTES", "fetch_schema", "pinned_url"]

#: An introspection answer larger than this is refused (a large schema is a few MB).
MAX_ANSWER_BYTES = 32 * 1024 * 1024
_MAX_MESSAGE = 200


def pinned_url(destination: Destination) -> str:
    """``destination.url`` with its host replaced by the first checked address."""
    parts = urllib.parse.urlsplit(destination.url)
    address = destination.addresses[0].split("%", 1)[0]
    host = f"[{address}]" if ":" in address else address
    return urllib.parse.urlunsplit(
        (parts.scheme, f"{host}:{destination.port}", parts.path or "/", parts.query, "")
    )


def _message(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _read(response: httpx.Response, url: str) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise IntrospectionError(
                f"the GraphQL server at {url} answered with more than "
                f"{MAX_ANSWER_BYTES // (1024 * 1024)} MB; nothing was compared"
            )
    return bytes(body)


def _schema(status: int, body: bytes, url: str) -> dict[str, Any]:
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise IntrospectionError(
            f"the GraphQL server at {url} answered {status} with something that is not JSON"
        ) from None
    data = answer.get("data") if isinstance(answer, dict) else None
    if isinstance(data, dict) and isinstance(data.get("__schema"), dict):
        return data
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if isinstance(errors, list) and errors:
        first = errors[0]
        message = first.get("message") if isinstance(first, dict) else first
        raise IntrospectionError(
            f"the GraphQL server at {url} refused introspection ({status}: "
            f"{_message(str(message))}); it may have disabled it"
        )
    raise IntrospectionError(f"the GraphQL server at {url} answered {status} without a schema")


def fetch_schema(
    destination: Destination,
    *,
    timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ``data`` of the server's answer to the standard introspection query
    (with ``__schema``), asked at ``destination`` (checked by the caller)."""
    url = destination.url
    parts = urllib.parse.urlsplit(url)
    sent = {"User-Agent": f"apidisco/{__version__}", "Accept": "application/json"}
    sent.update(headers or {})
    sent["Host"] = parts.netloc  # the name, not the address the connection goes to
    extensions = {"sni_hostname": destination.host} if parts.scheme == "https" else {}
    body = orjson.dumps({"query": get_introspection_query()})
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST",
                pinned_url(destination),
                content=body,
                headers={**sent, "Content-Type": "application/json"},
                extensions=extensions,
            ) as response,
        ):
            if response.is_redirect:
                where = response.headers.get("location", "elsewhere")
                raise IntrospectionError(
                    f"the GraphQL server at {url} answered {response.status_code}, a redirect "
                    f"to {_message(where)}; redirects are not followed"
                )
            return _schema(response.status_code, _read(response, url), url)
    except httpx.TimeoutException:
        raise IntrospectionError(
            f"the GraphQL server at {url} did not answer within {timeout:g} s"
        ) from None
    except httpx.HTTPError as error:
        reason = _message(str(error)) or type(error).__name__
        raise IntrospectionError(f"cannot reach the GraphQL server at {url}: {reason}") from None
