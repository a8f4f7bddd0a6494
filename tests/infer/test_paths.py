"""Path templating: shape, cardinality and structure; names, pins, forbids, bounds, order."""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest

from apidisco.errors import ValidationError
from apidisco.infer.paths import (
    Evidence,
    PathMatcher,
    PathModel,
    PathParameter,
    PathTemplate,
    PathTemplater,
    split_path,
)

TAGS = ["amber", "black", "blue", "cyan", "gold", "green", "pink", "red", "teal", "white"]
UUID = "123e4567-e89b-12d3-a456-426614174000"

Call = tuple[str, str, int | None, str | None]


def templater(calls: Iterable[Call | tuple[str, str]], **options: int) -> PathTemplater:
    paths = PathTemplater(**options)
    for call in calls:
        method, path, *rest = call
        status, shape = (rest + [None, None])[:2] if rest else (None, None)
        paths.observe(method, path, status=status, shape=shape)
    return paths


def infer(
    calls: Iterable[Call | tuple[str, str]],
    *,
    pins: tuple[str, ...] = (),
    forbids: tuple[str, ...] = (),
    **options: int,
) -> PathModel:
    return templater(calls, **options).finish(pins=pins, forbids=forbids)


def texts(model: PathModel) -> list[str]:
    return [template.template for template in model.templates]


def template(model: PathModel, text: str) -> PathTemplate:
    return next(t for t in model.templates if t.template == text)


def rules(item: PathTemplate | PathParameter) -> set[str]:
    return {evidence.rule for evidence in item.evidence}


# ------------------------------------------------------------------ one sample


def test_one_integer_sample_is_a_parameter_by_shape() -> None:
    model = infer([("GET", "/users/42")])
    assert texts(model) == ["/users/{userId}"]
    (parameter,) = model.templates[0].parameters
    assert parameter.name == "userId"
    assert parameter.position == 1
    assert parameter.schema() == {"type": "integer"}
    assert parameter.examples == ("42",)
    assert parameter.distinct == 1
    assert not parameter.collapsed
    assert rules(parameter) == {"shape", "merge"}


def test_one_word_sample_stays_literal() -> None:
    model = infer([("GET", "/users/alice")])
    assert texts(model) == ["/users/alice"]
    assert model.templates[0].parameters == ()


@pytest.mark.parametrize(
    ("segment", "name", "schema"),
    [
        (UUID, "userId", {"type": "string", "format": "uuid"}),
        ("507f1f77bcf86cd799439011", "userId", {"type": "string"}),
        ("01ARZ3NDEKTSV4RRFFQ69G5FAV", "userId", {"type": "string"}),
        ("cjld2cjxh0000qzrmn831i7rn", "userId", {"type": "string"}),
        ("d41d8cd98f00b204e9800998ecf8427e", "userId", {"type": "string"}),
        ("k3j4h5g6f7d8s9a0", "userId", {"type": "string"}),
        ("alice@example.com", "email", {"type": "string", "format": "email"}),
        ("2024-01-31T10:00:00Z", "timestamp", {"type": "string", "format": "date-time"}),
        ("007", "userId", {"type": "string"}),
    ],
)
def test_identifier_shapes_need_one_sample(segment: str, name: str, schema: dict[str, str]) -> None:
    model = infer([("GET", f"/users/{segment}")])
    (parameter,) = model.templates[0].parameters
    assert model.templates[0].template == f"/users/{{{name}}}"
    assert parameter.schema() == schema


# ------------------------------------------------------------------ dates, versions, words


def test_dates_in_paths_are_typed_date_parameters() -> None:
    model = infer([("GET", "/reports/2024-01-31"), ("GET", "/reports/2024-02-29/summary")])
    assert texts(model) == ["/reports/{date}", "/reports/{date}/summary"]
    parameter = model.templates[0].parameters[0]
    assert parameter.schema() == {"type": "string", "format": "date"}
    assert parameter.examples == ("2024-01-31", "2024-02-29")


def test_two_dates_get_unique_names() -> None:
    model = infer([("GET", "/range/2024-01-01/2024-01-31")])
    assert texts(model) == ["/range/{date}/{date2}"]


def test_versions_stay_literal() -> None:
    calls = [("GET", f"/api/v{n}/users/{n}") for n in range(1, 11)]
    model = infer(calls)
    assert texts(model)[:2] == ["/api/v1/users/{userId}", "/api/v10/users/{userId}"]
    assert len(model.templates) == 10
    assert "version" in rules(model.templates[0])


@pytest.mark.parametrize("word", ["me", "search", "latest"])
def test_reserved_words_stay_literal_beside_a_parameter(word: str) -> None:
    model = infer([("GET", "/users/1"), ("GET", "/users/2"), ("GET", f"/users/{word}")])
    assert texts(model) == [f"/users/{word}", "/users/{userId}"]
    literal = template(model, f"/users/{word}")
    assert [str(e) for e in literal.evidence if e.position == 1] == [
        f"word: {word!r} kept literal beside {{userId}}: "
        "a reserved word naming an alias or an action"
    ]


def test_reserved_words_stay_literal_inside_a_word_cohort() -> None:
    calls = [("GET", f"/tags/{tag}", 200, "name") for tag in [*TAGS, "new"]]
    model = infer(calls)
    assert texts(model) == ["/tags/new", "/tags/{tagId}"]


def test_a_lone_word_beside_a_parameter_stays_literal() -> None:
    model = infer([("GET", "/users/1"), ("GET", "/users/alice")])
    assert texts(model) == ["/users/alice", "/users/{userId}"]
    (evidence,) = [e for e in template(model, "/users/alice").evidence if e.position == 1]
    assert evidence.rule == "cardinality"
    assert "beside {userId}" in evidence.message


# ------------------------------------------------------------------ cardinality and structure


@pytest.mark.parametrize(("count", "merged"), [(7, False), (8, True)])
def test_ids_that_look_like_words_need_enough_distinct_values(count: int, merged: bool) -> None:
    model = infer([("GET", f"/tags/{tag}/items", 200, "items") for tag in TAGS[:count]])
    if merged:
        assert texts(model) == ["/tags/{tagId}/items"]
        parameter = model.templates[0].parameters[0]
        assert parameter.schema() == {"type": "string"}
        assert parameter.examples == ("amber", "black", "blue", "cyan", "gold")
        assert parameter.distinct == 8
        assert rules(parameter) == {"cardinality", "structure", "merge"}
    else:
        assert texts(model) == [f"/tags/{tag}/items" for tag in sorted(TAGS[:count])]


def test_the_cohort_threshold_is_an_option() -> None:
    model = infer([("GET", f"/tags/{tag}") for tag in TAGS[:3]], min_distinct=3)
    assert texts(model) == ["/tags/{tagId}"]


def test_a_cohort_needs_the_same_continuation() -> None:
    calls = [("GET", f"/tags/{tag}") for tag in TAGS[:5]]
    calls += [("GET", f"/tags/{tag}/items") for tag in TAGS[5:]]
    model = infer(calls)
    assert "/tags/{tagId}" not in texts(model)
    assert len(model.templates) == 10


def test_values_only_created_deleted_or_refused_still_join() -> None:
    calls: list[Call] = [("GET", f"/tags/{tag}", 200, None) for tag in TAGS]
    calls.append(("PUT", "/tags/admin", 201, None))  # created, never read
    calls.append(("DELETE", "/tags/gone", 404, None))  # a stale delete proves nothing
    calls.append(("POST", "/tags/broken", 400, None))  # a refused POST is no action either
    model = infer(calls)
    assert texts(model) == ["/tags/{tagId}"]
    assert template(model, "/tags/{tagId}").methods == ("DELETE", "GET", "POST", "PUT")


def test_actions_beside_values_that_are_read_stay_literal() -> None:
    calls: list[Call] = [("GET", f"/tags/{tag}", 200, None) for tag in TAGS]
    calls += [("POST", "/tags/merge", 200, None), ("POST", "/tags/split", 201, None)]
    assert texts(infer(calls)) == ["/tags/merge", "/tags/split", "/tags/{tagId}"]


def test_a_value_without_the_usual_method_stays_literal() -> None:
    calls = [("GET", f"/tags/{tag}") for tag in TAGS] + [("POST", "/tags/merge")]
    calls.append(("PUT", "/tags/red"))  # an extra method does not split a value off
    model = infer(calls)
    assert texts(model) == ["/tags/merge", "/tags/{tagId}"]
    (evidence,) = [e for e in template(model, "/tags/merge").evidence if e.position == 1]
    assert evidence.message == (
        "'merge' kept literal beside {tagId}: "
        "its methods differ from the 10 values sharing its continuation"
    )
    assert template(model, "/tags/{tagId}").methods == ("GET", "PUT")


def test_a_value_with_another_response_shape_stays_literal() -> None:
    calls: list[Call] = [("GET", f"/tags/{tag}", 200, "id,name") for tag in TAGS]
    calls.append(("GET", "/tags/overview", 200, "items,total"))
    model = infer(calls)
    assert texts(model) == ["/tags/overview", "/tags/{tagId}"]
    (evidence,) = [e for e in template(model, "/tags/overview").evidence if e.position == 1]
    assert evidence.rule == "structure"
    structure = [e for e in model.templates[1].evidence if e.rule == "structure"]
    assert structure == [
        Evidence(
            1,
            "structure",
            "the same methods in 11 of 11 values; "
            "the same response shape in 10 of 11 values reporting one",
        )
    ]


def test_disagreeing_response_shapes_prevent_a_merge() -> None:
    calls: list[Call] = [("GET", f"/tags/{tag}", 200, f"shape-{tag}") for tag in TAGS]
    assert "/tags/{tagId}" not in texts(infer(calls))


def test_error_responses_are_not_structural_evidence() -> None:
    calls: list[Call] = [("GET", f"/tags/{tag}", 200, "id,name") for tag in TAGS[:8]]
    calls.append(("GET", "/tags/gold", 404, "error"))
    calls.append(("GET", "/tags/blue", None, "id,name"))
    assert texts(infer(calls)) == ["/tags/{tagId}"]


def test_without_response_shapes_methods_and_continuation_decide() -> None:
    model = infer([("GET", f"/tags/{tag}") for tag in TAGS])
    (structure,) = [e for e in model.templates[0].evidence if e.rule == "structure"]
    assert structure.message == "the same methods in 10 of 10 values; no response shape reported"


def test_collection_names_are_not_merged() -> None:
    collections = ["accounts", "books", "carts", "events", "files", "orders", "teams", "users"]
    calls = [("GET", f"/api/{name}/{n}", 200, "data") for name in collections for n in (1, 2)]
    model = infer(calls)
    assert texts(model) == [f"/api/{name}/{{{name[:-1]}Id}}" for name in collections]
    assert "collection" in rules(model.templates[0])


# ------------------------------------------------------------------ names and types


def test_nested_resources_are_named_per_parent() -> None:
    calls = [
        ("GET", f"/buckets/b{b}/collections/c{c}/records/{1000 * b + c}")
        for b in range(1, 10)
        for c in range(1, 10)
    ]
    calls.append(("PUT", "/buckets/b1/collections/c1/records/1001"))
    model = infer(calls)
    assert texts(model) == ["/buckets/{bucketId}/collections/{collectionId}/records/{recordId}"]
    (nested,) = model.templates
    assert [p.name for p in nested.parameters] == ["bucketId", "collectionId", "recordId"]
    assert [p.position for p in nested.parameters] == [1, 3, 5]
    assert [p.schema()["type"] for p in nested.parameters] == ["string", "string", "integer"]
    assert nested.methods == ("GET", "PUT")
    assert nested.calls == 82
    assert nested.parameters[2].examples == ("1001", "1002", "1003", "1004", "1005")


def test_nested_integer_resources() -> None:
    model = infer([("GET", "/users/42/orders/7"), ("GET", "/categories/3/people/9")])
    assert texts(model) == [
        "/categories/{categoryId}/people/{personId}",
        "/users/{userId}/orders/{orderId}",
    ]


def test_a_parameter_after_a_parameter_or_at_the_root_is_numbered() -> None:
    model = infer([("GET", "/42/7"), ("GET", "/v1/42")])
    assert texts(model) == ["/v1/{param1}", "/{param1}/{param2}"]


def test_names_are_unique_within_a_template() -> None:
    model = infer([("GET", "/files/1/files/2")])
    assert texts(model) == ["/files/{fileId}/files/{fileId2}"]


def test_mixed_shapes_make_a_plain_string() -> None:
    model = infer([("GET", "/items/42"), ("GET", f"/items/{UUID}")])
    (parameter,) = model.templates[0].parameters
    assert parameter.schema() == {"type": "string"}
    assert parameter.kinds == ("integer", "uuid")
    assert parameter.examples == ("42", UUID)


def test_methods_and_calls_are_counted() -> None:
    model = infer([("get", "/users/1"), ("GET", "/users/2"), ("DELETE", "/users/1")])
    (only,) = model.templates
    assert only.methods == ("DELETE", "GET")
    assert only.calls == 3


def test_root_trailing_slash_query_and_full_urls() -> None:
    model = infer(
        [
            ("GET", "/"),
            ("GET", "/users/"),
            ("GET", "/users/5?expand=1#top"),
            ("GET", "https://api.example.com/users/6"),
            ("GET", "users/7"),
        ]
    )
    assert texts(model) == ["/", "/users/", "/users/{userId}"]
    assert template(model, "/users/{userId}").calls == 3


def test_split_path() -> None:
    assert split_path("/") == ()
    assert split_path("") == ()
    assert split_path("/a/b/?q=1") == ("a", "b", "")
    assert split_path("http://host") == ()
    assert split_path("http://host/a") == ("a",)


def test_braces_in_a_literal_segment_are_escaped() -> None:
    model = infer([("GET", "/docs/{id}")])
    assert texts(model) == ["/docs/%7Bid%7D"]
    assert model.template_for("/docs/{id}") == "/docs/%7Bid%7D"


# ------------------------------------------------------------------ pins and forbids


def test_a_pin_claims_stored_traffic_with_its_own_names() -> None:
    paths = templater([("GET", "/users/1/avatar"), ("PUT", "/users/2/avatar"), ("GET", "/users/1")])
    model = paths.finish(pins=["/users/{id}/avatar"])
    assert texts(model) == ["/users/{id}/avatar", "/users/{userId}"]
    pinned = model.templates[0]
    assert pinned.pinned
    assert pinned.methods == ("GET", "PUT")
    assert pinned.calls == 2
    (parameter,) = pinned.parameters
    assert (parameter.name, parameter.examples, parameter.type) == ("id", ("1", "2"), "integer")
    assert rules(pinned) == {"pin"}
    # finishing leaves the templater as it was: the next run can pin differently
    assert texts(paths.finish()) == ["/users/{userId}", "/users/{userId}/avatar"]


def test_a_pin_merges_words_that_lack_evidence() -> None:
    model = infer([("GET", "/tags/red"), ("GET", "/tags/blue")], pins=("tags/{tag}",))
    assert texts(model) == ["/tags/{tag}"]
    assert model.templates[0].parameters[0].examples == ("blue", "red")


def test_the_most_specific_pin_wins() -> None:
    model = infer([("GET", "/users/me"), ("GET", "/users/1")], pins=("/users/{id}", "/users/me"))
    assert texts(model) == ["/users/me", "/users/{id}"]
    assert all(t.pinned for t in model.templates)
    assert model.template_for("/users/me") == "/users/me"
    assert model.template_for("/users/99") == "/users/{id}"


def test_a_pin_that_matches_nothing_is_reported() -> None:
    model = infer([("GET", "/users/1")], pins=("/teams/{team}", "/users/{id}/x", "/users/me"))
    assert texts(model) == ["/users/{userId}"]
    assert model.unused_pins == ("/teams/{team}", "/users/me", "/users/{id}/x")


def test_a_pin_matches_values_collapsed_past_the_limit() -> None:
    calls = [("GET", f"/users/{n}") for n in range(10)]
    model = infer(calls, pins=("/users/{id}",), max_children=3)
    (parameter,) = model.templates[0].parameters
    assert parameter.collapsed
    assert parameter.examples == ("0", "1", "2", "3", "4")


def test_a_forbidden_template_keeps_its_position_literal() -> None:
    calls = [("GET", "/users/1"), ("GET", "/users/2"), ("GET", "/users/2/orders/5")]
    model = infer(calls, forbids=("/users/{userId}",))
    assert texts(model) == ["/users/1", "/users/2", "/users/2/orders/{orderId}"]
    (evidence,) = [e for e in model.templates[0].evidence if e.position == 1]
    assert evidence.rule == "forbid"
    assert "/users/{userId} forbids a parameter here" in evidence.message


def test_a_forbidden_literal_path_stays_literal() -> None:
    calls = [("GET", "/users/1"), ("GET", "/users/2"), ("GET", "/users/42")]
    model = infer(calls, forbids=("/users/42",))
    assert texts(model) == ["/users/42", "/users/{userId}"]
    assert template(model, "/users/{userId}").parameters[0].examples == ("1", "2")
    assert "forbidden by /users/42" in template(model, "/users/42").evidence[0].message


def test_a_forbid_prefix_parameter_matches_any_segment() -> None:
    calls = [("GET", f"/users/{n}/orders/{n * 10}") for n in (1, 2)]
    model = infer(calls, forbids=("/{x}/{y}/orders/{}",))
    assert texts(model) == ["/users/{userId}/orders/10", "/users/{userId}/orders/20"]


def test_a_forbid_cannot_unmerge_values_collapsed_past_the_limit() -> None:
    calls = [("GET", f"/users/{n}") for n in range(6)]
    model = infer(calls, forbids=("/users/{}",), max_children=4)
    assert texts(model) == ["/users/0", "/users/1", "/users/2", "/users/3", "/users/{userId}"]
    parameter = template(model, "/users/{userId}").parameters[0]
    assert parameter.collapsed
    assert {"forbid", "cardinality", "merge"} <= rules(parameter)


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ("/users/{id", "a parameter must fill a whole segment"),
        ("/users/x{id}", "a parameter must fill a whole segment"),
        ("/users/{}", "name every parameter"),
        ("/a/{id}/b/{id}", "appears twice"),
        ("/users?x=1", "without query or fragment"),
    ],
)
def test_malformed_pins_are_refused(pin: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("?", r"\?")):
        infer([("GET", "/users/1")], pins=(pin,))


def test_malformed_forbids_are_refused() -> None:
    with pytest.raises(ValidationError, match="forbid"):
        infer([("GET", "/users/1")], forbids=("/users/{1}",))


# ------------------------------------------------------------------ bounded memory


def test_memory_is_bounded_by_operations_not_ids() -> None:
    paths = PathTemplater()
    for n in range(100_000):
        paths.observe("GET", f"/users/{n}/orders")
    paths.observe("GET", "/users/me")
    assert paths.size <= 2 * 64 + 4  # root, users, 64 ids + overflow, each with orders
    model = paths.finish()
    assert texts(model) == ["/users/me", "/users/{userId}/orders"]
    (parameter,) = template(model, "/users/{userId}/orders").parameters
    assert parameter.collapsed
    assert parameter.distinct >= 64
    assert parameter.examples == ("0", "1", "2", "3", "4")
    assert template(model, "/users/{userId}/orders").calls == 100_000


def test_words_survive_beside_many_identifiers_in_any_order() -> None:
    calls = [("GET", f"/users/{n}") for n in range(50)] + [("GET", "/users/me")]
    forward = infer(calls, max_children=4)
    backward = infer(reversed(calls), max_children=4)
    assert forward == backward
    assert texts(forward) == ["/users/me", "/users/{userId}"]


def test_many_words_collapse_into_a_parameter() -> None:
    calls = [("GET", f"/tags/{tag}/items") for tag in TAGS]
    model = infer(calls, max_children=4)
    kept = ["blue", "cyan", "gold", "red"]  # the shortest words, then alphabetically
    assert texts(model) == [f"/tags/{tag}/items" for tag in kept] + ["/tags/{tagId}/items"]
    parameter = model.templates[-1].parameters[0]
    assert parameter.kinds == ("word",)
    assert parameter.examples == ("amber", "black", "green", "pink", "teal")


def test_collapsing_bounds_every_level() -> None:
    paths = PathTemplater(max_children=2)
    for a in range(20):
        for b in range(20):
            paths.observe("GET", f"/x{a}/y{b}")
    assert paths.size <= 1 + 3 + 3 * 3


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PathTemplater(max_children=0)
    with pytest.raises(ValueError, match="min_distinct"):
        PathTemplater(min_distinct=1)


# ------------------------------------------------------------------ determinism


def corpus() -> list[Call]:
    calls: list[Call] = []
    for n in range(40):
        calls.append(("GET", f"/users/{n}", 200, "id,name"))
        calls.append(("GET", f"/users/{n}/orders/{n * 3}", 200, "id,total"))
    calls += [("GET", f"/tags/{tag}", 200, "name") for tag in TAGS]
    calls += [("GET", "/tags/overview", 200, "items"), ("GET", "/users/me", 200, "id,name")]
    calls += [("POST", "/users", 201, None), ("GET", f"/files/{UUID}", None, None)]
    calls += [("GET", f"/reports/2024-01-{d:02d}", 200, "rows") for d in range(1, 4)]
    calls += [("GET", f"/b/bk{b}/c/co{c}", 200, "r") for b in range(9) for c in range(9)]
    return calls


@pytest.mark.parametrize("max_children", [64, 5])
def test_the_same_calls_in_any_order_give_the_same_model(max_children: int) -> None:
    calls = corpus()
    expected = infer(calls, max_children=max_children)
    shuffler = random.Random(0)
    for _ in range(3):
        shuffled = list(calls)
        shuffler.shuffle(shuffled)
        model = infer(shuffled, max_children=max_children)
        assert model == expected
        assert model.explain() == expected.explain()


def test_the_corpus_model() -> None:
    model = infer(corpus())
    assert texts(model) == [
        "/b/{bId}/c/{cId}",
        "/files/{fileId}",
        "/reports/{date}",
        "/tags/overview",
        "/tags/{tagId}",
        "/users",
        "/users/me",
        "/users/{userId}",
        "/users/{userId}/orders/{orderId}",
    ]


# ------------------------------------------------------------------ matching and explaining


def test_template_for_maps_concrete_paths() -> None:
    model = infer(
        [
            ("GET", "/users/1"),
            ("GET", "/users/me"),
            ("GET", "/users/1/orders"),
            ("GET", "/users/2/orders"),
            ("GET", "/users/"),
        ]
    )
    assert model.template_for("/users/1") == "/users/{userId}"
    assert model.template_for("/users/123456?x=1") == "/users/{userId}"
    assert model.template_for("/users/me") == "/users/me"
    assert model.template_for("/users/me/orders") == "/users/{userId}/orders"  # backtracks
    assert model.template_for("/users/") == "/users/"
    assert model.template_for("/users//orders") is None  # a parameter is never empty
    assert model.template_for("/teams/1") is None
    assert model.matcher is model.matcher  # built once


def test_a_matcher_over_templates() -> None:
    matcher = PathMatcher(
        [
            PathTemplate("/a/{x}", ("GET",), 1, (), ()),
            PathTemplate("/a/{y}", ("GET",), 1, (), (), pinned=True),
        ]
    )
    assert matcher.match("/a/1") == "/a/{y}"
    assert matcher.match("/") is None


def test_explain_shows_the_evidence_for_every_parameter_and_merge() -> None:
    calls: list[Call] = [("GET", f"/users/{n}", 200, "id") for n in range(3)]
    calls += [("GET", "/users/me", 200, "id")]
    calls += [("GET", f"/tags/{tag}", 200, "name") for tag in TAGS[:8]]
    lines = infer(calls).explain()
    assert lines == (
        "/tags/{tagId} [tags] collection: 'tags' kept literal: "
        "a parameter follows it, so it names a collection",
        "/tags/{tagId} [{tagId}] cardinality: 8 distinct values under /tags with the same "
        "continuation: GET (here)",
        "/tags/{tagId} [{tagId}] merge: merged 8 values: amber, black, blue, cyan, gold, ...",
        "/tags/{tagId} [{tagId}] structure: the same methods in 8 of 8 values; "
        "the same response shape in 8 of 8 values reporting one",
        "/users/me [users] collection: 'users' kept literal: "
        "a parameter follows it, so it names a collection",
        "/users/me [me] word: 'me' kept literal beside {userId}: "
        "a reserved word naming an alias or an action",
        "/users/{userId} [users] collection: 'users' kept literal: "
        "a parameter follows it, so it names a collection",
        "/users/{userId} [{userId}] merge: merged 3 values: 0, 1, 2",
        "/users/{userId} [{userId}] shape: integer in 3 of 4 distinct values under /users",
    )


def test_explain_for_pins_and_overflow() -> None:
    calls = [("GET", f"/users/{n}") for n in range(5)] + [("GET", "/teams/t1")]
    lines = infer(calls, pins=("/teams/{team}",), max_children=2).explain()
    assert "/teams/{team} [*] pin: pinned by /teams/{team}: 1 call(s) matched" in lines
    assert "/teams/{team} [{team}] pin: pinned by /teams/{team}" in lines
    assert (
        "/users/{userId} [{userId}] cardinality: more than 2 distinct values under /users; "
        "those past the first 2 were collapsed into this parameter (integer)"
    ) in lines
    assert "/users/{userId} [{userId}] merge: merged more than 2 values: 0, 1, 2, 3, 4, ..." in (
        lines
    )


def test_results_are_frozen() -> None:
    model = infer([("GET", "/users/1")])
    with pytest.raises(AttributeError):
        model.templates = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        model.templates[0].parameters[0].name = "x"  # type: ignore[misc]


def test_collapsed_values_merge_across_a_parameter() -> None:
    calls = [("GET", f"/users/{u}/orders/{10 * u + o}") for u in range(4) for o in range(5)]
    model = infer(calls, max_children=2)
    assert texts(model) == ["/users/{userId}/orders/{orderId}"]
    user, order = model.templates[0].parameters
    assert user.collapsed
    assert order.collapsed
    assert order.examples == ("0", "1", "2", "3", "4")
    assert model.templates[0].calls == 20


def test_a_word_a_response_named_as_an_id_is_a_parameter() -> None:
    templater = PathTemplater()
    for name in ("plots.ipynb", "notes.md"):
        templater.observe("POST", f"/files/{name}/checkpoints", status=201, ids=["checkpoint"])
        templater.observe("DELETE", f"/files/{name}/checkpoints/checkpoint", status=204)
    templater.observe("GET", "/files/notes.md/checkpoints/latest", status=200)
    templater.observe("GET", "/files/x/checkpoints", status=404, ids=["ignored"])  # not a success
    model = templater.finish(pins=("/files/{name}/checkpoints/{checkpointId}",))
    assert "/files/{name}/checkpoints/{checkpointId}" in texts(model)
    plain = PathTemplater()
    plain.observe("POST", "/files/a/checkpoints", status=201, ids=["checkpoint"])
    plain.observe("DELETE", "/files/a/checkpoints/checkpoint", status=204)
    plain.observe("GET", "/files/a/checkpoints/latest", status=200)
    found = plain.finish()
    assert texts(found) == [
        "/files/a/checkpoints",
        "/files/a/checkpoints/latest",
        "/files/a/checkpoints/{checkpointId}",
    ]
    identity = [
        e
        for e in template(found, "/files/a/checkpoints/{checkpointId}").evidence
        if e.rule == "identity"
    ]
    assert (
        identity[0].message == "'checkpoint' named as an id by a response of /files/a/checkpoints"
    )
