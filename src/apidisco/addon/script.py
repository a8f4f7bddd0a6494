"""The script ``mitmdump -s`` loads (``apidisco addon path`` prints its path).

It makes one :class:`~apidisco.addon.recorder.Recorder` and the
:class:`~apidisco.addon.gateway.Gateway` in front of it, and *is* the addon
mitmproxy sees: its module-level names are their hooks, the gateway's first
where both have one.

Why flat, and why every other hook name is here as None: for every event of
every flow, mitmproxy asks each addon, and each addon's ``addons``
recursively, for that event's hook. A script module is always one of them,
and on Python 3.11 each name a module lacks costs a formatted
``AttributeError``, about 2 µs, against 0.2 µs for an object. A script
exporting an ``addons`` list paid two of those for most of a flow's ~16
events, and that was most of what loading the addon cost a proxy that
records nothing. Here every lookup finds something: a hook, None (which
mitmproxy skips) or the empty ``addons``.

Every hook of the two addons must be bound here; a test checks that none is
missing.
"""

from __future__ import annotations

from typing import Any

from mitmproxy import hooks

from apidisco.addon.gateway import Gateway
from apidisco.addon.recorder import Recorder

recorder = Recorder()
gateway = Gateway(recorder)
addons: tuple[()] = ()  # mitmproxy looks for sub-addons here: there are none


def load(loader: Any) -> None:
    gateway.load(loader)
    recorder.load(loader)


def configure(updated: set[str]) -> None:
    gateway.configure(updated)
    recorder.configure(updated)


running = recorder.running
done = recorder.done

# The gateway's: it routes requests before they leave.
http_connect = gateway.http_connect
requestheaders = gateway.requestheaders
server_connect = gateway.server_connect
client_disconnected = gateway.client_disconnected

# The recorder's.
response = recorder.response
error = recorder.error
websocket_start = recorder.websocket_start
websocket_message = recorder.websocket_message

# Every other hook: None, so mitmproxy finds the name and skips it. Not add_log,
# which mitmproxy warns about when an addon has it (it is deprecated).
for _name in hooks.all_hooks.keys() - globals().keys() - {"add_log"}:
    globals()[_name] = None
del _name
