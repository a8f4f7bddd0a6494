"""Sending requests out of the process, safely: replayed sequences and webhook notifications.

The only package besides :mod:`apidisco.describe` that uses httpx. Every
request, and every redirect it answers with, is checked against the SSRF rules
of :mod:`apidisco.destinations` on the resolved addresses first; redirects are
never followed automatically.
"""
