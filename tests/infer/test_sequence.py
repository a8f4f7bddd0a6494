"""The sequence format: JSON paths, references, templates and resolving them."""

from __future__ import annotations

import pytest

from apidisco.infer.sequence import (
    ReferenceNotFoundError,
    StepResponse,
    format_path,
    join,
    lookup,
    masks_in,
    parse_path,
    parse_reference,
    ref,
    render_value,
    resolve_step,
    resolve_value,
    step_reference,
)

SECRETS = {"3f9a1c2e": "tok-123"}


def secret(fingerprint: str) -> str:
    return SECRETS[fingerprint]


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("$", ()),
        ("$.id", ("id",)),
        ("$.items[0].id", ("items", 0, "id")),
        ("$['a b'].c", ("a b", "c")),
        ("$['it\\'s']", ("it's",)),
        ("$[-1]", (-1,)),
    ],
)
def test_paths_round_trip(text: str, path: tuple[str | int, ...]) -> None:
    assert parse_path(text) == path
    assert parse_path(format_path(path)) == path


@pytest.mark.parametrize("text", ["id", "$.", "$[x]", "$['open", "$..a", "$ a"])
def test_malformed_paths_are_refused(text: str) -> None:
    with pytest.raises(ReferenceNotFoundError):
        parse_path(text)


def test_references_name_a_step_and_a_place() -> None:
    assert parse_reference("steps[2].response.$.data[0].id") == (2, ("data", 0, "id"))
    assert parse_reference("steps[0].response.location[-1]") == (0, -1)
    assert step_reference(3, ("a",)) == "steps[3].response.$.a"
    assert step_reference(1, -1) == "steps[1].response.location[-1]"
    with pytest.raises(ReferenceNotFoundError):
        parse_reference("step[0].$.id")


def test_lookup_follows_keys_and_indexes() -> None:
    document = {"a": [{"b": 1}, {"b": 2}]}
    assert lookup(document, ("a", -1, "b")) == 2
    for missing in [("a", 5), ("x",), ("a", 0, "b", "c")]:
        with pytest.raises(KeyError):
            lookup(document, missing)


def test_join_merges_literals_and_collapses() -> None:
    assert join(["/a", "/b"]) == "/a/b"
    assert join(["", ref("steps[0].response.$.id")]) == ref("steps[0].response.$.id")
    assert join(["/x/", ref("r"), "", "/y"]) == {"join": ["/x/", ref("r"), "/y"]}


def test_resolving_fills_refs_with_the_type_they_had_and_masks_from_secrets() -> None:
    responses = [StepResponse(200, {}, {"id": 7, "ok": True, "tags": ["a"]})]
    assert resolve_value(ref("steps[0].response.$.id"), responses, secret) == 7
    assert resolve_value(ref("steps[0].response.$.ok"), responses, secret, text=True) == "true"
    assert resolve_value(ref("steps[0].response.$.tags"), responses, secret) == ["a"]
    assert resolve_value("Bearer ‹masked:3f9a1c2e›", responses, secret) == "Bearer tok-123"
    assert resolve_value(None, responses, secret, text=True) == ""


def test_a_reference_to_nothing_is_an_error() -> None:
    with pytest.raises(ReferenceNotFoundError, match="has no response"):
        resolve_value(ref("steps[0].response.$.id"), [None], secret)
    with pytest.raises(ReferenceNotFoundError, match="no such value"):
        resolve_value(ref("steps[0].response.$.id"), [StepResponse(200, {}, {})], secret)
    with pytest.raises(ReferenceNotFoundError, match="no Location"):
        resolve_value(ref("steps[0].response.location[-1]"), [StepResponse(201)], secret)
    with pytest.raises(ReferenceNotFoundError, match="has no response"):
        resolve_value(ref("steps[4].response.$.id"), [], secret)


def test_a_step_resolves_to_a_request() -> None:
    step = {
        "method": "PATCH",
        "path": {"join": ["/users/", ref("steps[0].response.$.id")]},
        "query": [["v", "1"], ["who", ref("steps[0].response.$.name")]],
        "headers": {"x-b": "2", "authorization": "Bearer ‹masked:3f9a1c2e›"},
        "body": {"json": {"id": ref("steps[0].response.$.id")}},
    }
    request = resolve_step(step, [StepResponse(201, {}, {"id": 5, "name": "a b"})], secret)
    assert request.method == "PATCH"
    assert request.target() == "/users/5?v=1&who=a+b"
    assert request.headers == (("authorization", "Bearer tok-123"), ("x-b", "2"))
    assert request.json == {"id": 5}


def test_masks_and_rendering_for_display() -> None:
    step = {"headers": {"a": "Bearer ‹masked:3f9a1c2e›"}, "path": {"join": ["/u/", ref("r")]}}
    assert masks_in(step) == {"3f9a1c2e"}
    assert masks_in(["‹masked:00000000›", 3]) == {"00000000"}
    assert render_value(step["path"]) == "/u/{r}"
    assert render_value({"literal": {"ref": "x"}}) == {"ref": "x"}
    assert render_value([ref("r")]) == ["{r}"]


def test_a_location_segment_out_of_range_is_an_error() -> None:
    created = [StepResponse(201, {"location": "/a"})]
    assert resolve_value(ref("steps[0].response.location[-1]"), created, secret) == "a"
    with pytest.raises(ReferenceNotFoundError, match="no segment"):
        resolve_value(ref("steps[0].response.location[-2]"), created, secret)


def test_joins_render_and_resolve_as_text() -> None:
    value = {"join": ["v", ref("steps[0].response.$.n"), {"literal": "x"}]}
    assert render_value(value) == "v{steps[0].response.$.n}x"
    assert resolve_value(value, [StepResponse(200, {}, {"n": 2})], secret) == "v2x"
