"""Running the site under uvicorn: ``apidisco serve``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import uvicorn

from apidisco.config import Settings
from apidisco.services.database import Database
from apidisco.web.app import create_app

__all__ = ["server_config", "serve"]


def server_config(
    database: Database,
    settings: Settings,
    *,
    host: str,
    port: int,
    forwarded_allow_ips: str | None = None,
    access_log: bool = True,
    configure_logging: bool = True,
) -> uvicorn.Config:
    """uvicorn's configuration for the site. Behind a reverse proxy, uvicorn takes
    the client's scheme and address from ``X-Forwarded-Proto``/``X-Forwarded-For``
    sent by ``forwarded_allow_ips`` (default: ``$FORWARDED_ALLOW_IPS``, else 127.0.0.1).
    Without ``configure_logging`` uvicorn leaves the logging setup alone (for tests)."""
    return uvicorn.Config(
        create_app(database, settings),
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        access_log=access_log,
        log_config=uvicorn.config.LOGGING_CONFIG if configure_logging else None,
        log_level="info" if configure_logging else None,
        lifespan="off",
    )


def serve(
    database: Database,
    settings: Settings,
    *,
    host: str,
    port: int,
    forwarded_allow_ips: str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the site until interrupted: returns after Ctrl-C, once uvicorn has
    shut down (SIGTERM ends the process as the signal would)."""
    config = server_config(
        database, settings, host=host, port=port, forwarded_allow_ips=forwarded_allow_ips
    )
    server = uvicorn.Server(config)
    if on_ready is not None:
        shown = f"[{host}]" if ":" in host else host
        on_ready(f"http://{shown}:{port}/")
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn raises the Ctrl-C it stopped on again
        server.run()
