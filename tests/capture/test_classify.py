"""Recognising GraphQL, gRPC and SOAP from the wire."""

from __future__ import annotations

import pytest

from apidisco.capture.classify import is_graphql_payload, is_grpc, is_soap, media_type


def test_media_type_drops_parameters_and_case() -> None:
    assert media_type("Application/JSON; charset=utf-8") == "application/json"
    assert media_type(None) == ""


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/grpc", True),
        ("application/grpc+proto", True),
        ("application/grpc-web+proto", True),
        ("application/json", False),
        (None, False),
    ],
)
def test_grpc(content_type: str | None, expected: bool) -> None:
    assert is_grpc(content_type) is expected


@pytest.mark.parametrize(
    ("content_type", "action", "body", "expected"),
    [
        ("application/soap+xml; charset=utf-8", None, None, True),
        ("text/xml", '"urn:GetQuote"', b"<x/>", True),
        (
            "text/xml",
            None,
            b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">',
            True,
        ),
        ("application/xml", None, b"<feed><entry/></feed>", False),
        ("application/json", None, b"{}", False),
    ],
)
def test_soap(content_type: str, action: str | None, body: bytes | None, expected: bool) -> None:
    assert is_soap(content_type, action, body) is expected


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"query": "{ me { id } }"}, True),
        ({"query": "  mutation M { x }", "variables": {}}, True),
        ([{"query": "query A { a }"}, {"query": "query B { b }"}], True),
        ({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab"}}}, True),
        ({"query": "red shoes"}, False),
        ([], False),
        ([{"query": "query A { a }"}, {"name": "x"}], False),
        ("query { a }", False),
    ],
)
def test_graphql_payloads(document: object, expected: bool) -> None:
    assert is_graphql_payload(document) is expected
