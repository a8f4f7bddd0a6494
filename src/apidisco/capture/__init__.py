"""Capture: from one observed exchange to the ``api_calls`` rows that record it.

Both ways traffic gets in, the mitmproxy addon and ``apidisco capture import``,
turn what they saw into the neutral records of :mod:`apidisco.capture.exchange`
and convert them here, so a HAR file and a live proxy produce identical rows.
Secrets are masked on the way (:mod:`apidisco.capture.secrets`). Standard
library (and orjson) only: no database, no proxy.
"""
