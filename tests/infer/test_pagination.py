"""Offset, page and cursor pagination, from queries, bodies and Link headers."""

from __future__ import annotations

from typing import Any

import pytest

from apidisco.infer.observation import Body, Observation
from apidisco.infer.pagination import PaginationEvidence, style_of_parameters


@pytest.mark.parametrize(
    ("names", "style"),
    [
        (["offset", "limit"], "offset"),
        (["skip", "count"], "offset"),
        (["offset"], None),  # an offset alone is not enough
        (["page", "per_page"], "page"),
        (["page"], "page"),
        (["cursor"], "cursor"),
        (["starting_after", "limit"], "cursor"),
        (["pageToken"], "cursor"),
        (["q", "sort"], None),
    ],
)
def test_query_parameters(names: list[str], style: str | None) -> None:
    assert style_of_parameters(names) == style


def _response(document: Any = None, headers: dict[str, str] | None = None) -> Observation:
    return Observation(
        "GET",
        "/items",
        status=200,
        response_headers=headers or {},
        response_body=Body(text="x", document=document),
    )


@pytest.mark.parametrize(
    ("observation", "style"),
    [
        (_response({"data": [], "next_cursor": "abc"}), "cursor"),
        (_response({"items": [], "nextPageToken": "tok"}), "cursor"),
        (_response({"results": [], "links": {"next": "https://x/items?page=3"}}), "page"),
        (_response({"results": [], "next": "/items?offset=40&limit=20"}), "offset"),
        (_response({"data": [], "has_more": True}), "cursor"),
        (
            _response([], {"link": '<https://x/items?page=2>; rel="next", <...>; rel="last"'}),
            "page",
        ),
        (_response([], {"link": "<https://x/items?after=Zm9v>; rel=next"}), "cursor"),
        (_response({"data": [], "next": None}), None),  # the last page says nothing
        (_response({"data": [1]}), None),
    ],
)
def test_response_hints(observation: Observation, style: str | None) -> None:
    evidence = PaginationEvidence()
    evidence.add(observation)
    assert evidence.style == style


def test_query_parameters_outvote_response_hints_and_errors_are_ignored() -> None:
    evidence = PaginationEvidence()
    evidence.add(Observation("GET", "/items", query=(("page", "2"),), status=200))
    evidence.add(_response({"next_cursor": "abc"}))
    evidence.add(_response({"next_cursor": "abc"}))
    assert evidence.style == "page"
    failing = PaginationEvidence()
    failing.add(Observation("GET", "/items", status=500, response_body=Body("x", {"next": "t"})))
    assert failing.style is None
    merged = PaginationEvidence()
    merged.merge(evidence)
    assert merged.style == "page"
    assert any("page-style" in line for line in merged.evidence())
