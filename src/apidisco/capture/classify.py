"""Recognising what kind of API an exchange belongs to, from the wire alone."""

from __future__ import annotations

from typing import Any

__all__ = ["is_graphql_payload", "is_grpc", "is_soap", "media_type"]

_GRAPHQL_KEYWORDS = ("query", "mutation", "subscription", "fragment", "{")


def media_type(content_type: str | None) -> str:
    """``application/json; charset=utf-8`` → ``application/json``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_grpc(content_type: str | None) -> bool:
    """gRPC and gRPC-Web: ``application/grpc``, ``application/grpc+proto``, ``-web`` ..."""
    return media_type(content_type).startswith("application/grpc")


def is_soap(content_type: str | None, soap_action: str | None, body: bytes | None) -> bool:
    """SOAP 1.2 by media type; SOAP 1.1 by the SOAPAction header or an Envelope body."""
    kind = media_type(content_type)
    if kind == "application/soap+xml" or soap_action is not None:
        return True
    if kind in {"text/xml", "application/xml"} and body:
        head = body[:512].lower()
        return b"envelope" in head and b"soap" in head
    return False


def _is_operation(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    query = item.get("query")
    if isinstance(query, str):
        return query.lstrip().startswith(_GRAPHQL_KEYWORDS)
    extensions = item.get("extensions")
    # Automatic persisted queries send only a hash.
    return query is None and isinstance(extensions, dict) and "persistedQuery" in extensions


def is_graphql_payload(document: Any) -> bool:
    """A GraphQL request body: one operation object or a batch (a list) of them."""
    if isinstance(document, list):
        return bool(document) and all(_is_operation(item) for item in document)
    return _is_operation(document)
