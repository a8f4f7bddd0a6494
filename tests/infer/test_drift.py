"""Drift: replayed responses against baselines and the model, classified."""

from __future__ import annotations

from typing import Any

from apidisco.enums import ApiChangeType
from apidisco.infer.baseline import Sample, learn_baselines
from apidisco.infer.drift import Drift, detect_changes, split_operation

T = ApiChangeType
BOOK = "GET /books/{id}"
AUTHOR = "GET /authors/{id}"
MODEL = {"/books/{id}": ["GET", "PUT"], "/authors/{id}": ["GET"]}


def book(n: int, **changes: Any) -> dict[str, Any]:
    return {"id": n, "title": "Dune", "price": 9.5, "currency": "EUR", "at": f"t{n}", **changes}


def baselines(credentials: bool = False) -> dict[str, dict[str, Any]]:
    return learn_baselines(
        {
            BOOK: [Sample(200, book(n), frozenset({str(n)}), credentials) for n in (1, 2)],
            AUTHOR: [Sample(200, {"id": 3, "name": "Ann"}, frozenset({"3"})) for _ in range(2)],
        }
    )


def detect(
    replayed: dict[str, list[Sample]], allowed: dict[str, list[str]] | None = None
) -> list[Drift]:
    return list(detect_changes(baselines(), replayed, MODEL, allowed))


def summary(drifts: list[Drift]) -> set[tuple[str, str, str | None, bool]]:
    return {
        (d.change.type.value, d.change.pattern, d.change.method, d.change.breaking) for d in drifts
    }


def test_new_ids_and_timestamps_are_no_change() -> None:
    replayed = {BOOK: [Sample(200, book(99))], AUTHOR: [Sample(200, {"id": 8, "name": "Ann"})]}
    assert detect(replayed) == []


def test_a_removed_field_is_a_breaking_schema_change() -> None:
    changed = book(5)
    del changed["title"]
    (drift,) = detect({BOOK: [Sample(200, changed)]})
    assert drift.change.type is T.SCHEMA_CHANGED
    assert drift.change.breaking
    assert [(d.path, d.kind) for d in drift.change.differences] == [("$.title", "removed")]
    assert drift.before["schema"]["properties"]["title"] == {"type": "string"}
    assert "title" not in drift.after["schema"]["properties"]
    assert drift.diff_json()["breaking"] is True


def test_an_added_field_is_not_breaking() -> None:
    (drift,) = detect({BOOK: [Sample(200, book(5, isbn="978"))]})
    assert summary([drift]) == {("SCHEMA_CHANGED", "/books/{id}", "GET", False)}


def test_a_type_change_is_reported_once_not_also_as_a_value_change() -> None:
    drifts = detect({BOOK: [Sample(200, book(5, currency=1))]})
    assert summary(drifts) == {("SCHEMA_CHANGED", "/books/{id}", "GET", True)}


def test_a_changed_stable_value_is_a_response_change() -> None:
    (drift,) = detect({BOOK: [Sample(200, book(5, currency="USD"))]})
    assert summary([drift]) == {("RESPONSE_CHANGED", "/books/{id}", "GET", False)}
    assert drift.values == (("$.currency", "EUR", "USD"),)
    assert drift.diff_json()["values"] == [{"path": "$.currency", "old": "EUR", "new": "USD"}]


def test_404_on_every_replayed_method_removes_the_path() -> None:
    drifts = detect({AUTHOR: [Sample(404, {"error": "gone"})]})
    assert summary(drifts) == {("REMOVED_ENDPOINT", "/authors/{id}", None, True)}


def test_405_removes_the_method() -> None:
    drifts = detect({BOOK: [Sample(405)]})
    assert summary(drifts) == {("METHOD_REMOVED", "/books/{id}", "GET", True)}


def test_404_on_one_of_several_replayed_methods_removes_that_method() -> None:
    replayed = {BOOK: [Sample(404)], "PUT /books/{id}": [Sample(200, {"ok": True})]}
    assert summary(detect(replayed)) == {("METHOD_REMOVED", "/books/{id}", "GET", True)}


def test_an_allowed_method_the_model_lacks_is_added() -> None:
    replayed = {BOOK: [Sample(200, book(9))]}
    drifts = detect(replayed, {"/books/{id}": ["GET", "PUT", "DELETE", "OPTIONS", "HEAD"]})
    assert summary(drifts) == {("METHOD_ADDED", "/books/{id}", "DELETE", False)}
    assert drifts[0].after == {"methods": ["DELETE", "GET", "PUT"]}


def test_401_without_credentials_before_is_an_auth_change() -> None:
    (drift,) = detect({AUTHOR: [Sample(401, {"error": "sign in"})]})
    assert summary([drift]) == {("AUTH_CHANGED", "/authors/{id}", "GET", True)}


def test_401_with_credentials_before_is_a_credential_problem_not_a_change() -> None:
    drifts = detect_changes(baselines(credentials=True), {BOOK: [Sample(401)]}, MODEL)
    assert drifts == ()


def test_a_new_status_is_a_response_change_breaking_when_success_is_lost() -> None:
    assert summary(detect({BOOK: [Sample(500, {"error": "x"})]})) == {
        ("RESPONSE_CHANGED", "/books/{id}", "GET", True)
    }
    assert summary(detect({BOOK: [Sample(200, book(3)), Sample(202, None)]})) == {
        ("RESPONSE_CHANGED", "/books/{id}", "GET", False)
    }


def test_operations_without_a_baseline_are_ignored_and_order_is_stable() -> None:
    replayed = {"GET /new": [Sample(500)], AUTHOR: [Sample(404)], BOOK: [Sample(405)]}
    drifts = detect(replayed)
    assert [d.change.pattern for d in drifts] == ["/authors/{id}", "/books/{id}"]
    assert split_operation("get /x") == ("GET", "/x")
    assert split_operation("GET") == ("GET", "/")


def test_a_status_without_a_recorded_body_schema_is_compared_by_status_only() -> None:
    empty = learn_baselines({"DELETE /books/{id}": [Sample(204), Sample(204)]})
    replayed = {"DELETE /books/{id}": [Sample(204, {"deleted": True})]}
    assert detect_changes(empty, replayed, {"/books/{id}": ["DELETE"]}) == ()
