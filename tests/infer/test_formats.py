"""String formats: each claimed format is the one JSON Schema means, conservatively."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from apidisco.infer.formats import FORMATS, matching_formats, pick_format

MATCHES = [
    ("2024-02-29T13:45:00Z", "date-time"),
    ("2024-02-29t13:45:00.123456789+05:30", "date-time"),
    ("1990-12-31T23:59:59-00:00", "date-time"),
    ("2024-02-29", "date"),
    ("13:45:00Z", "time"),
    ("13:45:00.5+01:00", "time"),
    ("123e4567-e89b-12d3-a456-426614174000", "uuid"),
    ("123E4567-E89B-12D3-A456-426614174000", "uuid"),
    ("ada@example.com", "email"),
    ("first.last+tag@mail.example.co.uk", "email"),
    ("192.168.0.1", "ipv4"),
    ("::1", "ipv6"),
    ("2001:db8::8a2e:370:7334", "ipv6"),
    ("https://example.com/a/b?c=d#e", "uri"),
    ("http://localhost:8080", "uri"),
    ("mailto:ada@example.com", "uri"),
    ("urn:isbn:0451450523", "uri"),
]

MISSES = [
    ("", None),
    ("hello", None),
    ("2024-02-30T13:45:00Z", "date-time"),  # no such day
    ("2024-02-29T24:00:00Z", "date-time"),
    ("1990-12-31T23:59:60Z", "date-time"),  # leap seconds: datetime and validators refuse
    ("2024-02-29T13:45:00", "date-time"),  # RFC 3339 requires an offset
    ("2024-02-29 13:45:00Z", "date-time"),  # space separator
    ("2024-02-29T13:45Z", "date-time"),  # seconds required
    ("2024-02-29T13:45:00+25:00", "date-time"),
    ("2024-13-01", "date"),
    ("20240229", "date"),
    ("13:45:00", "time"),  # JSON Schema's time carries an offset
    ("13:60:00Z", "time"),
    ("123e4567e89b12d3a456426614174000", "uuid"),
    ("{123e4567-e89b-12d3-a456-426614174000}", "uuid"),
    ("123e4567-e89b-12d3-a456-42661417400g", "uuid"),
    ("ada@localhost", "email"),
    ("ada@@example.com", "email"),
    ("ada.@example.com", "email"),
    ("ada@example.com ", "email"),
    ("a@" + "b" * 250 + ".com", "email"),
    ("256.1.1.1", "ipv4"),
    ("192.168.000.001", "ipv4"),
    ("١٩٢.168.0.1", "ipv4"),
    ("fe80::1%eth0", "ipv6"),
    ("12:34", "ipv6"),
    ("localhost:8080", "uri"),
    ("note:something", "uri"),
    ("/relative/path", "uri"),
    ("http://", "uri"),
    ("https://example.com/a b", "uri"),
    ("https://exämple.com/", "uri"),
    ("http://example.com:99999/", "uri"),
    ("http://[::1/", "uri"),
    ("1http://example.com", "uri"),
]


@pytest.mark.parametrize(("value", "expected"), MATCHES)
def test_each_format_is_recognised(value: str, expected: str) -> None:
    assert matching_formats(value) == {expected}


@pytest.mark.parametrize(("value", "near"), MISSES)
def test_near_misses_match_no_format(value: str, near: str | None) -> None:
    assert matching_formats(value) == frozenset(), near


@pytest.mark.parametrize(("value", "expected"), MATCHES)
def test_jsonschema_agrees_with_every_format_claimed(value: str, expected: str) -> None:
    assert Draft202012Validator.FORMAT_CHECKER.conforms(value, expected)


def test_only_the_candidates_are_checked() -> None:
    assert matching_formats("2024-02-29", ["uuid", "email"]) == frozenset()
    assert matching_formats("2024-02-29", ["date", "uri"]) == {"date"}
    assert matching_formats("anything", []) == frozenset()


def test_pick_format_prefers_the_documented_order() -> None:
    assert pick_format(["uri", "ipv6", "date-time"]) == "date-time"
    assert pick_format(reversed(FORMATS)) == FORMATS[0]
    assert pick_format(set()) is None
