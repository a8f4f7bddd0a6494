"""Test servers on 127.0.0.1: a request handler served from a thread, and a fixture body.

::

    http = LocalServer(Handler)          # bound to an ephemeral port at once
    http.start(); http.origin            # http://127.0.0.1:<port>
    http.stop()                          # shut down, closed, its thread joined

    with running(ShopServer()) as shop:  # anything with start() and stop()
        ...
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol, TypeVar


class LocalServer:
    """``handler`` served on 127.0.0.1 (an ephemeral port) from a daemon thread.

    With ``join_handlers`` :meth:`stop` also waits for every handler thread, so no
    test leaves one running.
    """

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        *,
        join_handlers: bool = False,
        poll_interval: float = 0.5,
    ) -> None:
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.http.daemon_threads = not join_handlers
        self._thread = threading.Thread(
            target=self.http.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.http.server_address[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop serving, close the socket and join the thread (``None``: however long)."""
        self.http.shutdown()
        self.http.server_close()
        self._thread.join(timeout=timeout)


class _Startable(Protocol):
    def start(self) -> object: ...

    def stop(self) -> None: ...


_S = TypeVar("_S", bound=_Startable)


@contextmanager
def running(server: _S) -> Iterator[_S]:
    """``server`` started, and stopped again however the block ends."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
