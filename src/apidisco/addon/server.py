"""Running mitmproxy from Python with the gateway and the recorder: ``apidisco proxy``.

One mitmproxy (``DumpMaster``) with up to two listeners, both in regular mode:

- the *gateway* at ``host:port``: ``/proxy/{endpoint-id}/...`` requests, routed
  by :class:`~apidisco.addon.gateway.Gateway` (``apidisco_gateway_port`` makes it
  refuse everything else, so it is not an open proxy);
- optionally a *proxy* at ``host:proxy_port``: an ordinary HTTP(S) proxy whose
  flows are matched to endpoints by destination (HTTPS clients must trust
  mitmproxy's CA certificate, :func:`ca_certificate`).

Both record through one :class:`~apidisco.addon.recorder.Recorder` into the
store the caller opened (rows are built and written by the recorder's writer
process, :mod:`apidisco.addon.handoff`, unless it falls back). SIGINT and
SIGTERM stop mitmproxy; :func:`run_proxy` then closes the store, writing (or
journaling) every queued row, and returns the writers' counters.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mitmproxy import options
from mitmproxy.tools.dump import DumpMaster

from apidisco.addon.gateway import PREFIX, Gateway
from apidisco.addon.recorder import Recorder
from apidisco.addon.store import CaptureStore
from apidisco.config import Settings
from apidisco.errors import ConfigError
from apidisco.store.writer import WriterStats

__all__ = ["DEFAULT_CONFDIR", "Listeners", "ProxyRun", "ca_certificate", "run_proxy"]

DEFAULT_CONFDIR = Path("~/.mitmproxy")


def ca_certificate(confdir: Path) -> Path:
    """Where mitmproxy keeps the CA certificate HTTPS clients of the proxy must trust."""
    return confdir.expanduser() / "mitmproxy-ca-cert.pem"


@dataclass(frozen=True)
class Listeners:
    """Where ``apidisco proxy`` listens."""

    host: str = "127.0.0.1"
    port: int = 8080
    proxy_port: int | None = None
    confdir: Path = DEFAULT_CONFDIR
    endpoint_id: str | None = None  # record proxy flows under this endpoint

    def modes(self) -> list[str]:
        modes = [f"regular@{self.host}:{self.port}"]
        if self.proxy_port is not None:
            modes.append(f"regular@{self.host}:{self.proxy_port}")
        return modes

    @property
    def gateway_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{PREFIX}"

    @property
    def proxy_url(self) -> str | None:
        if self.proxy_port is None:
            return None
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.proxy_port}"


@dataclass
class ProxyRun:
    """What a finished run did."""

    database: str
    stats: WriterStats
    counts: dict[str, int] = field(default_factory=dict)


class _Ready:
    """Tells the caller when mitmproxy is up (after its listeners are bound)."""

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback

    def running(self) -> None:
        self.callback()


def run_proxy(
    settings: Settings,
    listeners: Listeners,
    *,
    on_ready: Callable[[str], None] | None = None,
    journal: Path | None = None,
) -> ProxyRun:
    """Open the store, run mitmproxy until SIGINT/SIGTERM, close the store.

    ``on_ready`` is called (with the store's description) once mitmproxy
    listens. Raises :class:`~apidisco.errors.ApidiscoError` subclasses when the
    store cannot be opened or mitmproxy cannot start (a port in use ...).
    """
    if listeners.proxy_port is not None and listeners.proxy_port == listeners.port:
        raise ConfigError("the gateway port and the proxy port must differ")
    store = CaptureStore.open(settings, journal=journal)
    recorder = Recorder(store)
    try:
        if listeners.endpoint_id is not None:
            if store.directory.load(listeners.endpoint_id) is None:
                raise ConfigError(
                    f"there is no endpoint {listeners.endpoint_id!r} in {store.database.describe()}"
                )
        ready = (lambda: on_ready(store.database.describe())) if on_ready else (lambda: None)
        try:
            asyncio.run(_serve(recorder, listeners, ready))
        except SystemExit as stop:  # mitmproxy's start-up error check exits
            if stop.code not in (None, 0):
                raise ConfigError(
                    "mitmproxy could not start (its messages above say why)"
                ) from None
    finally:
        stats = store.close()
        if recorder.process_stats is not None:  # the writer process's rows, counted apart
            stats = stats + recorder.process_stats
    return ProxyRun(database=store.database.describe(), stats=stats, counts=dict(recorder.counts))


async def _serve(recorder: Recorder, listeners: Listeners, ready: Callable[[], None]) -> None:
    logging.getLogger().setLevel(logging.INFO)
    # passlib (imported by mitmproxy) complains about bcrypt's version on every start.
    logging.getLogger("passlib").setLevel(logging.ERROR)
    opts = options.Options(mode=listeners.modes(), confdir=str(listeners.confdir))
    master = DumpMaster(opts, with_termlog=True, with_dumper=False)
    # Warnings and errors only: the command prints where it listens itself.
    opts.update(termlog_verbosity="warn")  # type: ignore[no-untyped-call]
    master.addons.add(Gateway(recorder), recorder, _Ready(ready))  # type: ignore[no-untyped-call]
    gateway_options: dict[str, Any] = {"apidisco_gateway_port": listeners.port}
    if listeners.endpoint_id is not None:
        gateway_options["apidisco_endpoint"] = listeners.endpoint_id
    opts.update(**gateway_options)  # type: ignore[no-untyped-call]

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, master.shutdown)
    try:
        await master.run()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
