"""The mitmproxy addon that records traffic into the store.

Loaded with ``mitmdump -s <path>`` (``apidisco addon path`` prints it): this
module's ``addons`` list is what mitmproxy loads, the ``/proxy/{endpoint-id}/``
gateway first (it routes requests before they leave), then the recorder. It
never blocks mitmproxy's event loop on the database and never lets a storage
failure stop the proxy. ``apidisco proxy`` runs the same two addons.
"""

from apidisco.addon.gateway import Gateway
from apidisco.addon.recorder import Recorder

__all__ = ["Gateway", "Recorder", "addons"]

recorder = Recorder()
addons = [Gateway(recorder), recorder]
