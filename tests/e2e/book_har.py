"""The book catalogue's workload, recorded as a HAR file, as a browser would save it.

:func:`recorded_har` sends :func:`tests.e2e.books.drive`'s workload straight to a
running :class:`~tests.e2e.books.BookServer` with httpx and writes every request
and response it exchanged into one HAR document (batches stay one entry each;
the import splits them). Tests import it with ``apidisco capture import`` (or
:func:`apidisco.services.capture.import_files`) to get real GraphQL traffic
without a proxy.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.capture.hars import entry, har
from tests.e2e.books import drive

__all__ = ["recorded_har"]


def recorded_har(base_url: str) -> bytes:
    """The HAR of the workload sent to ``base_url`` (the server's root; GraphQL at /graphql)."""
    entries: list[dict[str, Any]] = []

    def record(response: httpx.Response) -> None:
        response.read()
        request = response.request
        entries.append(
            entry(
                method=request.method,
                url=str(request.url),
                status=response.status_code,
                body=response.text,
                request_body=request.content.decode() or None,
                headers=[("content-type", "application/json")],
            )
        )

    with httpx.Client(trust_env=False, timeout=10, event_hooks={"response": [record]}) as client:
        drive(client, f"{base_url}/graphql")
    return har(*entries)
