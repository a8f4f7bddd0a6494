"""``Gateway``: ``/proxy/{endpoint-id}/rest?query`` → the endpoint's ``destinationUrl/rest?query``.

A client that cannot be pointed at a proxy can call the gateway instead:
``GET http://127.0.0.1:8080/proxy/<id>/users?page=2`` is forwarded to
``<destinationUrl>/users?page=2`` and recorded under endpoint ``<id>``; a
WebSocket upgrade to ``ws://127.0.0.1:8080/proxy/<id>/socket`` the same way.

How it fits mitmproxy: the gateway listens in *regular* mode. A request sent
straight to the proxy arrives in origin-form (``GET /proxy/<id>/users``) and
mitmproxy takes its destination from the Host header, i.e. the proxy itself;
in ``requestheaders``, before any upstream connection exists, the gateway
rewrites the request's URL (scheme, host, port, path, Host header) to the
destination and mitmproxy connects there. So:

- on the port named by ``apidisco_gateway_port`` (``apidisco proxy`` sets it)
  every request is a gateway request, and anything else, CONNECT included, is
  refused: that port is not an open proxy;
- on any other regular-mode listener (``mitmdump -s ...``), a ``/proxy/...``
  request addressed to the proxy itself (its port, and a loopback name or the
  address it was reached at, mitmproxy's own rule for "this is me") is a
  gateway request, and everything else is proxied as usual.

What each endpoint status gets:

============  ====================================================
ACTIVE        forwarded and recorded
MONITORING    forwarded and recorded
REVIEW        forwarded, not recorded (capture is paused)
PROCESSING    forwarded, not recorded: documentation is being generated from what
              was captured; the application keeps working meanwhile
COMPLETE      refused, 410: the documentation is done and the proxy was removed
INACTIVE      refused, 403: the owner deactivated the endpoint
ARCHIVED      refused, 410
unknown id    refused, 404
============  ====================================================

Refusals are JSON: ``{"error": {"code": ..., "message": ..., "endpoint": ...}}``.
The destination is checked against the SSRF rules (:mod:`apidisco.destinations`)
on its *resolved* addresses, cached for a couple of seconds; a refused one
gets a 403 naming the reason. The connection is then made to the address that
was checked (not to a fresh DNS answer), so a rebinding name cannot slip past.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import urllib.parse
from collections.abc import Awaitable
from typing import Any

import orjson
from mitmproxy import ctx, http
from mitmproxy.connection import Client
from mitmproxy.proxy.mode_specs import RegularMode
from mitmproxy.proxy.server_hooks import ServerConnectionHookData

from apidisco.addon.directory import TTLCache
from apidisco.addon.recorder import ENDPOINT_KEY, REFUSED_KEY, Recorder, options_error
from apidisco.destinations import Destination, check_destination
from apidisco.enums import EndpointStatus
from apidisco.errors import StoreError, ValidationError

__all__ = ["PREFIX", "REFUSED_STATUSES", "Gateway", "parse_route", "target_url"]

logger = logging.getLogger("apidisco.addon")

PREFIX = "/proxy/"
_ID = re.compile(r"[a-z0-9]{1,64}")  # cuid2 ids, with room to spare
_SELF_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

S = EndpointStatus
REFUSED_STATUSES: dict[EndpointStatus, tuple[int, str]] = {
    S.COMPLETE: (410, "is COMPLETE: its documentation is done and its proxy was removed"),
    S.INACTIVE: (
        403,
        "is INACTIVE: its owner deactivated it (`apidisco endpoint resume` makes it active)",
    ),
    S.ARCHIVED: (410, "is ARCHIVED: it no longer proxies or records anything"),
}


def parse_route(path: str) -> tuple[str, str, str] | None:
    """``/proxy/<id>/rest?query`` → ``(id, "/rest", "query")``; None for other paths."""
    route, _, query = path.partition("?")
    if not route.startswith(PREFIX):
        return None
    endpoint_id, slash, rest = route[len(PREFIX) :].partition("/")
    return urllib.parse.unquote(endpoint_id), slash + rest, query


def target_url(destination: str, rest: str, query: str) -> str:
    """The destination URL extended by the rest of the gateway path and its query."""
    parts = urllib.parse.urlsplit(destination)
    path = parts.path.rstrip("/") + rest or "/"
    joined = "&".join(part for part in (parts.query, query) if part)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, joined, ""))


def _refuse(flow: http.HTTPFlow, http_status: int, code: str, message: str, **extra: Any) -> None:
    body = orjson.dumps({"error": {"code": code, "message": message, **extra}})
    flow.response = http.Response.make(http_status, body, {"Content-Type": "application/json"})
    flow.metadata[REFUSED_KEY] = code


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Gateway:
    """Routes ``/proxy/{endpoint-id}/...`` requests (see the module docstring)."""

    def __init__(self, recorder: Recorder, *, ttl: float = 2.0) -> None:
        self.recorder = recorder
        self.port: int | None = None
        self._checks: TTLCache[tuple[str, bool], Destination | str] = TTLCache(
            "destination", ttl=ttl
        )
        # client connection id → (host, port) → the checked address to connect to
        self._pins: dict[str, dict[tuple[str, int], str]] = {}

    def load(self, loader: Any) -> None:
        loader.add_option(
            "apidisco_gateway_port",
            int | None,
            None,
            "A listening port that serves only the /proxy/{endpoint-id}/ gateway: any other "
            "request on it is refused. Unset: the gateway answers /proxy/ requests addressed "
            "to the proxy itself on any regular-mode listener.",
        )

    def configure(self, updated: set[str]) -> None:
        if "apidisco_gateway_port" in updated:
            port = ctx.options.apidisco_gateway_port
            if port is not None and not 0 < port < 65536:
                raise options_error(
                    f"apidisco_gateway_port must be a port number (1-65535), got {port}"
                )
            self.port = port

    # -- which requests are the gateway's ------------------------------------------

    def _dedicated(self, client: Client) -> bool:
        sockname = client.sockname
        return self.port is not None and bool(sockname) and sockname[1] == self.port

    @staticmethod
    def _addressed_to_proxy(flow: http.HTTPFlow) -> bool:
        client = flow.client_conn
        if not isinstance(client.proxy_mode, RegularMode) or not client.sockname:
            return False
        host, port = client.sockname[0], client.sockname[1]
        return flow.request.port == port and flow.request.host in _SELF_NAMES | {host}

    # -- hooks ---------------------------------------------------------------------

    def http_connect(self, flow: http.HTTPFlow) -> None:
        if self._dedicated(flow.client_conn):
            _refuse(
                flow,
                405,
                "not_a_proxy",
                "this port is the apidisco gateway, not a proxy: "
                "send requests to /proxy/{endpoint-id}/...",
            )

    def requestheaders(self, flow: http.HTTPFlow) -> Awaitable[None] | None:
        """Route a gateway request: returns the coroutine that does it (mitmproxy awaits
        it), or None for every other request, which so costs no coroutine."""
        if not flow.live or flow.response is not None:
            return None  # a flow loaded from a file, or answered already
        dedicated = self._dedicated(flow.client_conn)
        if not (dedicated or self._addressed_to_proxy(flow)):
            return None
        route = parse_route(flow.request.path)
        if route is None:
            if dedicated:
                _refuse(
                    flow,
                    404,
                    "not_found",
                    f"this is the apidisco gateway: send requests to {PREFIX}{{endpoint-id}}/...",
                )
            return None
        return self._route(flow, *route)

    async def _route(self, flow: http.HTTPFlow, endpoint_id: str, rest: str, query: str) -> None:
        if not endpoint_id:
            _refuse(flow, 404, "not_found", f"no endpoint id: use {PREFIX}{{endpoint-id}}/...")
            return
        if not _ID.fullmatch(endpoint_id):  # not an id apidisco makes: no need to ask
            _refuse(
                flow, 404, "unknown_endpoint", f"no endpoint {endpoint_id!r}", endpoint=endpoint_id
            )
            return
        store = await self.recorder.ready()
        if store is None:
            _refuse(flow, 503, "store_unavailable", "the apidisco store cannot be reached")
            return
        try:
            info = await store.directory.endpoint(endpoint_id)
        except StoreError as error:
            _refuse(flow, 503, "store_unavailable", error.message, endpoint=endpoint_id)
            return
        if info is None:
            _refuse(
                flow, 404, "unknown_endpoint", f"no endpoint {endpoint_id!r}", endpoint=endpoint_id
            )
            return
        refused = REFUSED_STATUSES.get(info.status)
        if refused is not None:
            status, why = refused
            _refuse(
                flow,
                status,
                f"endpoint_{info.status.value.lower()}",
                f"endpoint {info.id} {why}",
                endpoint=info.id,
                status=info.status.value,
            )
            return
        allow_private = store.settings.allow_private_destinations
        try:
            checked = await self._checks.get(
                (info.destination_url, allow_private),
                lambda: _check(info.destination_url, allow_private),
            )
        except StoreError as error:  # the check itself broke: refuse rather than guess
            _refuse(flow, 503, "destination_unchecked", error.message, endpoint=info.id)
            return
        if isinstance(checked, str):
            logger.warning("apidisco: endpoint %s: %s", info.id, checked)
            _refuse(
                flow,
                403,
                "destination_refused",
                f"endpoint {info.id}: {checked}",
                endpoint=info.id,
            )
            return
        flow.request.url = target_url(info.destination_url, rest, query)
        flow.metadata[ENDPOINT_KEY] = info.id
        host = flow.request.host
        if not _is_ip(host):
            pins = self._pins.setdefault(flow.client_conn.id, {})
            pins[(host, flow.request.port)] = checked.addresses[0].split("%", 1)[0]

    def server_connect(self, data: ServerConnectionHookData) -> None:
        """Connect to the address the SSRF check approved, not to a fresh DNS answer."""
        server = data.server
        if server.address is None or server.via is not None:
            return
        pinned = self._pins.get(data.client.id, {}).get((server.address[0], server.address[1]))
        if pinned is not None:
            server.address = (pinned, server.address[1])

    def client_disconnected(self, client: Client) -> None:
        self._pins.pop(client.id, None)


def _check(url: str, allow_private: bool) -> Destination | str:
    try:
        return check_destination(url, allow_private=allow_private)
    except ValidationError as error:
        return error.message
