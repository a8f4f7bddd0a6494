"""Correlation: response values reused by later requests become references."""

from __future__ import annotations

from typing import Any

import pytest

from apidisco.infer.correlation import HOP_BY_HOP, RecordedCall, build_steps, candidates
from apidisco.infer.sequence import StepResponse, resolve_step

MASKED = "‹masked:0badf00d›"


def call(method: str, path: str, **fields: Any) -> RecordedCall:
    return RecordedCall(method=method, path=path, **fields)


def no_secrets(fingerprint: str) -> str:
    raise KeyError(fingerprint)


def test_an_id_returned_then_used_in_a_path_becomes_a_reference() -> None:
    steps = build_steps(
        [
            call("POST", "/books", status=201, response_json={"id": 42, "title": "Dune"}),
            call("GET", "/books/42", offset_ms=250),
        ]
    )
    assert steps[1]["path"] == {"join": ["/books/", {"ref": "steps[0].response.$.id"}]}
    assert steps[1]["delayMs"] == 250
    assert steps[0]["delayMs"] == 0
    request = resolve_step(steps[1], [StepResponse(201, {}, {"id": 77})], no_secrets)
    assert request.path == "/books/77"


def test_the_most_recent_response_wins() -> None:
    steps = build_steps(
        [
            call("GET", "/a", response_json={"next": "cursor-0001"}),
            call("GET", "/b", response_json={"items": [{"cursor": "cursor-0001"}]}),
            call("GET", "/c", query=(("cursor", "cursor-0001"),)),
        ]
    )
    assert steps[2]["query"] == [["cursor", {"ref": "steps[1].response.$.items[0].cursor"}]]


def test_a_token_from_a_login_response_fills_the_authorization_header() -> None:
    steps = build_steps(
        [
            call("POST", "/login", body_json={"user": "ann"}, response_json={"token": MASKED}),
            call("GET", "/me", headers={"authorization": f"Bearer {MASKED}"}),
        ]
    )
    assert steps[1]["headers"]["authorization"] == {
        "join": ["Bearer ", {"ref": "steps[0].response.$.token"}]
    }
    fresh = StepResponse(200, {}, {"token": "eyJ.fresh"})
    request = resolve_step(steps[1], [fresh], no_secrets)
    assert dict(request.headers)["authorization"] == "Bearer eyJ.fresh"


def test_json_body_leaves_keep_their_type() -> None:
    steps = build_steps(
        [
            call("POST", "/orders", response_json={"orderId": 9001, "total": 12.5}),
            call("POST", "/payments", body_json={"orderId": 9001, "amount": 12.5, "n": [9001]}),
        ]
    )
    body = steps[1]["body"]["json"]
    assert body["orderId"] == {"ref": "steps[0].response.$.orderId"}
    assert body["amount"] == 12.5  # not an identifier: stays literal
    request = resolve_step(steps[1], [StepResponse(201, {}, {"orderId": 9002})], no_secrets)
    assert request.json == {"orderId": 9002, "amount": 12.5, "n": [9001]}
    assert request.has_json


def test_a_location_header_segment_is_a_source() -> None:
    steps = build_steps(
        [
            call("POST", "/books", status=201, response_headers={"location": "/api/books/b-1"}),
            call("DELETE", "/books/b-1"),
        ]
    )
    assert steps[1]["path"] == {"join": ["/books/", {"ref": "steps[0].response.location[-1]"}]}
    created = StepResponse(201, {"Location": "https://x.test/api/books/b%202"})
    assert resolve_step(steps[1], [created], no_secrets).path == "/books/b 2"
    assert resolve_step(steps[1], [created], no_secrets).target() == "/books/b%202"


def test_a_body_value_wins_over_an_equal_location_segment() -> None:
    steps = build_steps(
        [
            call("POST", "/b", response_headers={"location": "/b/x1"}, response_json={"id": "x1"}),
            call("GET", "/b/x1"),
        ]
    )
    assert steps[1]["path"] == {"join": ["/b/", {"ref": "steps[0].response.$.id"}]}


@pytest.mark.parametrize(
    ("response", "query", "reused"),
    [
        ({"page": 2}, (("page", "2"),), False),  # a small number under a plain name
        ({"status": "active"}, (("status", "active"),), False),  # vocabulary, not an id
        ({"flag": True}, (("flag", "true"),), False),
        ({"description": "a long free text"}, (("q", "a long free text"),), False),
        ({"nextPageToken": "abc"}, (("pageToken", "abc"),), True),
        ({"sessionKey": "k-0123456789"}, (("whatever", "k-0123456789"),), True),
    ],
)
def test_only_identifier_like_values_are_correlated(
    response: dict[str, Any], query: tuple[tuple[str, str], ...], reused: bool
) -> None:
    steps = build_steps([call("GET", "/a", response_json=response), call("GET", "/b", query=query)])
    assert isinstance(steps[1]["query"][0][1], dict) is reused


def test_hop_by_hop_headers_are_dropped_and_names_lowercased() -> None:
    headers = {"Host": "x", "Connection": "keep-alive", "Content-Length": "3", "Accept": "a/b"}
    (step,) = build_steps([call("GET", "/", headers=headers)])
    assert step["headers"] == {"accept": "a/b"}
    assert {"host", "connection", "content-length", "transfer-encoding"} <= HOP_BY_HOP


def test_a_literal_object_that_looks_like_a_reference_is_escaped() -> None:
    (step,) = build_steps([call("POST", "/x", body_json={"spec": {"ref": "#/a"}})])
    assert step["body"]["json"] == {"spec": {"literal": {"ref": "#/a"}}}
    assert resolve_step(step, [], no_secrets).json == {"spec": {"ref": "#/a"}}


def test_text_bodies_and_operations_are_kept() -> None:
    (step,) = build_steps([call("PUT", "/f", body_text="a=1", operation="PUT /f", status=204)])
    assert step["body"] == {"text": "a=1"}
    assert step["operation"] == "PUT /f"
    assert step["status"] == 204
    assert resolve_step(step, [], no_secrets).text == "a=1"


def test_candidates_skip_nulls_booleans_and_empty_strings() -> None:
    found = dict(
        (str(where), value)
        for value, where in candidates(
            call("GET", "/", response_json={"id": None, "ok": True, "key": "", "userId": 5})
        )
    )
    assert found == {"('userId',)": 5}


def test_delays_never_go_negative() -> None:
    steps = build_steps([call("GET", "/a", offset_ms=100), call("GET", "/b", offset_ms=40)])
    assert [step["delayMs"] for step in steps] == [0, 0]


def test_cookies_and_short_headers_stay_literal() -> None:
    steps = build_steps(
        [
            call("POST", "/login", response_json={"sessionId": "sid-0123456789", "id": 1}),
            call(
                "GET",
                "/me",
                headers={"cookie": "sid=sid-0123456789", "x-n": "1", "x-multi": ["a", "b"]},
            ),
        ]
    )
    assert steps[1]["headers"] == {"cookie": "sid=sid-0123456789", "x-multi": "a, b", "x-n": "1"}


def test_a_body_value_of_another_type_is_not_a_reference() -> None:
    steps = build_steps(
        [call("POST", "/a", response_json={"id": 15}), call("POST", "/b", body_json={"id": "15"})]
    )
    assert steps[1]["body"]["json"] == {"id": "15"}
