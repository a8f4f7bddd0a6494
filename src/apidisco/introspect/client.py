"""One introspection request to a live GraphQL server.

::

    POST {url}
    Content-Type: application/json
    {"query": <graphql-core's get_introspection_query()>}

The request is sent by :class:`apidisco.replay.client.SafeClient`, the one
client apidisco has for addresses a user named: the URL is checked against
the SSRF rules on its resolved addresses (loopback and private only with
``allow_private``, cloud metadata never) and the connection goes to the
checked address only, with the URL's host in the ``Host`` header and, for
https, in TLS, so a DNS answer that changed after the check is never used.
Redirects are not followed, proxies from the environment are not used, one
``timeout`` (seconds) bounds connecting and each read, and the answer is read
up to :data:`MAX_ANSWER_BYTES`.

A refused URL is a :class:`~apidisco.errors.ValidationError` (nothing was
sent); whatever else goes wrong is an
:class:`~apidisco.errors.IntrospectionError` naming the URL and the cause: no
connection, no answer in time, a redirect, an answer that is not JSON, and a
server that answers without a schema (introspection disabled: its first error
message is quoted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from graphql import get_introspection_query

from apidisco import __version__
from apidisco.destinations import Resolver
from apidisco.errors import IntrospectionError, ValidationError
from apidisco.replay.client import (
    REDIRECTS,
    RefusedError,
    RequestTimeoutError,
    ResponseTooLargeError,
    SafeClient,
    TransportError,
)

__all__ = ["MAX_ANSWER_BYTES", "fetch_schema"]

#: An introspection answer larger than this is refused (a large schema is a few MB).
MAX_ANSWER_BYTES = 32 * 1024 * 1024
_MAX_MESSAGE = 200


def _message(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


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
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
    resolver: Resolver | None = None,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> dict[str, Any]:
    """The ``data`` of the server's answer to the standard introspection query
    (with ``__schema``), asked at ``url`` (see the module docstring)."""
    sent = {"User-Agent": f"apidisco/{__version__}", "Accept": "application/json"}
    sent.update(headers or {})
    sent["Content-Type"] = "application/json"
    body = orjson.dumps({"query": get_introspection_query()})
    try:
        with SafeClient(allow_private=allow_private, timeout=timeout, resolver=resolver) as client:
            response = client.request(
                "POST",
                url,
                headers=sent.items(),
                content=body,
                follow_redirects=False,
                max_bytes=max_bytes,
            )
    except RefusedError as error:
        raise ValidationError(str(error)) from None
    except RequestTimeoutError:
        raise IntrospectionError(
            f"the GraphQL server at {url} did not answer within {timeout:g} s"
        ) from None
    except ResponseTooLargeError:
        raise IntrospectionError(
            f"the GraphQL server at {url} answered with more than "
            f"{max_bytes:,} bytes; nothing was compared"
        ) from None
    except TransportError as error:
        raise IntrospectionError(
            f"cannot reach the GraphQL server at {url}: {_message(str(error))}"
        ) from None
    if response.status in REDIRECTS:
        where = response.headers.get("location", "elsewhere")
        raise IntrospectionError(
            f"the GraphQL server at {url} answered {response.status}, a redirect "
            f"to {_message(where)}; redirects are not followed"
        )
    return _schema(response.status, response.content, url)
