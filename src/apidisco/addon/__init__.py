"""The mitmproxy addon that records traffic into the store.

Loaded with ``mitmdump -s <path>`` (``apidisco addon path`` prints it). It
never blocks mitmproxy's event loop on the database and never lets a storage
failure stop the proxy.
"""
