"""The mitmproxy addon that records traffic into the store.

``mitmdump -s <path>`` loads :mod:`apidisco.addon.script` (``apidisco addon
path`` prints its path): the ``/proxy/{endpoint-id}/`` gateway, which routes
requests before they leave, and the recorder. It never blocks mitmproxy's event
loop on the database and never lets a storage failure stop the proxy.
``apidisco proxy`` runs the same two addons.

This package's own file loads too (``mitmdump -s .../apidisco/addon/__init__.py``,
the path earlier versions printed): its ``addons`` list holds the same two.
They are made when first asked for (PEP 562), so importing a module of this
package (:mod:`apidisco.addon.flowfile` to read flow files, say) does not load
mitmproxy's proxy machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apidisco.addon.gateway import Gateway
    from apidisco.addon.recorder import Recorder

    recorder: Recorder
    addons: list[Gateway | Recorder]

__all__ = ["Gateway", "Recorder", "addons"]


def __getattr__(name: str) -> Any:
    if name == "Gateway":
        from apidisco.addon.gateway import Gateway

        return Gateway
    if name == "Recorder":
        from apidisco.addon.recorder import Recorder

        return Recorder
    if name in ("recorder", "addons"):
        from apidisco.addon.gateway import Gateway
        from apidisco.addon.recorder import Recorder

        made = Recorder()
        globals().update(recorder=made, addons=[Gateway(made), made])
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
