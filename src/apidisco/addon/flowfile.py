"""Reading mitmproxy flow files (``mitmdump -w``) for ``capture import`` and ``discover``.

Each HTTP flow becomes an :class:`~apidisco.capture.exchange.Exchange` (a
WebSocket flow its handshake, followed by one
:class:`~apidisco.capture.exchange.WebSocketMessage` per message), equal to
what :mod:`apidisco.addon.convert` makes of the live flow (the same functions
build both, from the flow's state). TCP, UDP and DNS
flows carry no HTTP API and are skipped.

The records are built straight from each flow's serialized state — the
tnetstring dictionary that ``mitmdump -w`` wrote, brought to the current
format by mitmproxy's own ``migrate_flow`` — rather than through
``FlowReader``, which builds a full ``HTTPFlow`` first (connections, headers
objects, option checks): that costs more than parsing the file itself, for
objects apidisco reads a dozen fields of and drops. The records are parsed by
:mod:`apidisco.addon.tnetstring`, faster than mitmproxy's own parser. Importing
mitmproxy's flow model also costs about 25 MB, so the format migrations
(``mitmproxy.io.compat``, which imports nothing of the flow model) are loaded
without the package that would import it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import IO

from apidisco.addon.convert import exchange_from_state, messages_from_state
from apidisco.addon.tnetstring import read_record
from apidisco.capture.exchange import Exchange, WebSocketMessage
from apidisco.errors import CaptureImportError

__all__ = ["read_flows"]


def _mitmproxy_module(name: str) -> ModuleType:
    """``mitmproxy.<name>``, loaded on its own when its package is not imported yet.

    ``mitmproxy/io/__init__.py`` imports the whole flow model; the format
    migrations (``io.compat``) need none of it.
    """
    qualified = f"mitmproxy.{name}"
    if qualified in sys.modules or "mitmproxy.io" in sys.modules:
        return importlib.import_module(qualified)
    standalone = f"apidisco.addon._mitmproxy_{name.replace('.', '_')}"
    if standalone in sys.modules:
        return sys.modules[standalone]
    package = importlib.util.find_spec("mitmproxy")
    if package is None or not package.submodule_search_locations:  # pragma: no cover
        return importlib.import_module(qualified)
    location = f"{next(iter(package.submodule_search_locations))}/{name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(standalone, location)
    if spec is None or spec.loader is None:  # pragma: no cover - layout changed
        return importlib.import_module(qualified)
    module = importlib.util.module_from_spec(spec)
    sys.modules[standalone] = module
    spec.loader.exec_module(module)
    return module


def read_flows(stream: IO[bytes], name: str) -> Iterator[Exchange | WebSocketMessage]:
    """The records of every HTTP flow in ``stream``, in file order."""
    compat = _mitmproxy_module("io.compat")
    migrate_flow = compat.migrate_flow
    current = compat.version.FLOW_FORMAT_VERSION
    count = 0
    while True:
        try:
            loaded = read_record(stream, current_version=current)
        except (ValueError, TypeError) as error:
            raise _unreadable(name, count, "invalid data format") from error
        if loaded is None:
            return
        count += 1
        if not isinstance(loaded, dict):
            raise _unreadable(name, count - 1, "not a flow")
        try:
            state = migrate_flow(loaded)
            if state.get("type") != "http":
                continue
            yield exchange_from_state(state)
            yield from messages_from_state(state)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
            raise _unreadable(name, count - 1, str(error) or type(error).__name__) from None


def _unreadable(name: str, count: int, why: str) -> CaptureImportError:
    return CaptureImportError(f"{name}: flow {count + 1} cannot be read as a mitmproxy flow: {why}")
