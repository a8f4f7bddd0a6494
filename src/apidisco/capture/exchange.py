"""What was observed, before it becomes rows: neutral, immutable records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["CaptureBatch", "Exchange", "Headers", "WebSocketMessage"]

# Header fields in the order they were sent; names as sent (compared lowercased).
Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response (or the error that replaced it)."""

    method: str
    url: str
    request_headers: Headers
    request_body: bytes | None
    started: datetime
    status: int | None = None
    response_headers: Headers = ()
    response_body: bytes | None = None
    duration_ms: int | None = None
    error: str | None = None
    http_version: str | None = None
    # Set for a WebSocket handshake: the id its messages will carry.
    websocket_connection: str | None = None


@dataclass(frozen=True)
class WebSocketMessage:
    """One WebSocket frame's message, in either direction."""

    connection_id: str
    url: str
    from_client: bool
    content: bytes
    is_text: bool
    timestamp: datetime


@dataclass(frozen=True)
class CaptureBatch:
    """Rows for one endpoint, ready for the store, with the secrets they masked.

    ``rows`` are ``api_calls`` values keyed by the model's attribute names
    (``endpoint_id``, ``request_headers`` ...), JSON-ready except ``timestamp``
    (an aware datetime). ``secrets`` maps a masked value's fingerprint to the
    original value; it is empty unless originals are to be kept for replay.
    """

    endpoint_id: str
    rows: tuple[dict[str, Any], ...]
    secrets: dict[str, str] = field(default_factory=dict)
