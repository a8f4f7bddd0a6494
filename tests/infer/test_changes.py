"""The change classifier: schema rules both ways, and whole OpenAPI documents compared."""

from __future__ import annotations

import copy
from typing import Any, Literal

import pytest

from apidisco.enums import ApiChangeType
from apidisco.infer.changes import Change, Difference, compare_schemas, compare_specs
from apidisco.infer.observation import Body, Observation
from apidisco.infer.openapi import ApiDescription, build_openapi
from tests.infer.support import analyse, json_body

JSON = {"content-type": "application/json"}
BEARER = {"authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.‹masked:12345678›"}

Direction = Literal["request", "response"]


# -- helpers -------------------------------------------------------------------


def _found(old: Any, new: Any, direction: Direction) -> dict[tuple[str, str], bool]:
    """{(path, kind): breaking} for the differences from old to new."""
    differences = compare_schemas(old, new, direction=direction)
    found = {(d.path, d.kind): d.breaking for d in differences}
    assert len(found) == len(differences)
    return found


def _obj(required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _call(method: str, path: str, status: int, body: Any = None, **extra: Any) -> Observation:
    return Observation(
        method,
        path,
        "https",
        status=status,
        response_headers=JSON if body is not None else {},
        response_body=json_body(body) if body is not None else Body(),
        **extra,
    )


def _spec(traffic: list[Observation]) -> dict[str, Any]:
    """The OpenAPI document apidisco infers from the traffic."""
    rows = [resource.columns() for resource in analyse(traffic).resources]
    return build_openapi(ApiDescription("Books", "1.0.0", rows, ("https://books.example",)))


def _books(price: Any = 1.5, **more: Any) -> list[Observation]:
    return [
        _call("GET", f"/books/{n}", 200, {"id": n, "price": price, "title": f"t{n}", **more})
        for n in range(1, 8)
    ]


def _operation(**operation: Any) -> dict[str, Any]:
    """A one-operation document: GET /items with the given operation fields."""
    body = {"responses": {"200": {"description": "OK"}}, **operation}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"get": body}},
    }


def _only(changes: tuple[Change, ...]) -> Change:
    assert len(changes) == 1, changes
    return changes[0]


# -- schemas: one rule at a time, both directions ------------------------------


def test_identical_schemas_have_no_difference() -> None:
    schema = _obj(("a",), a={"type": "string", "format": "email"}, b={"type": "array"})
    assert compare_schemas(schema, copy.deepcopy(schema), direction="response") == ()
    assert compare_schemas({}, {}, direction="request") == ()


def test_a_removed_field_breaks_a_response_not_a_request() -> None:
    old, new = _obj(a={"type": "string"}, b={"type": "integer"}), _obj(a={"type": "string"})
    assert _found(old, new, "response") == {("$.b", "removed"): True}
    assert _found(old, new, "request") == {("$.b", "removed"): False}
    (difference,) = compare_schemas(old, new, direction="response")
    assert difference == Difference(
        "$.b", "removed", "integer", None, True, "response field $.b was removed"
    )


def test_an_added_field_breaks_only_a_request_that_requires_it() -> None:
    old = _obj(a={"type": "string"})
    optional = _obj(a={"type": "string"}, b={"type": "integer"})
    required = _obj(("b",), a={"type": "string"}, b={"type": "integer"})
    assert _found(old, optional, "response") == {("$.b", "added"): False}
    assert _found(old, required, "response") == {("$.b", "added"): False}
    assert _found(old, optional, "request") == {("$.b", "added"): False}
    assert _found(old, required, "request") == {("$.b", "added"): True}
    (difference,) = compare_schemas(old, required, direction="request")
    assert difference.reason == "request required field $.b was added"
    assert difference.new == "integer"


def test_a_type_change_breaks_both_directions() -> None:
    old, new = _obj(price={"type": "number"}), _obj(price={"type": "string"})
    assert _found(old, new, "response") == {("$.price", "type"): True}
    assert _found(old, new, "request") == {("$.price", "type"): True}
    (difference,) = compare_schemas(old, new, direction="response")
    assert difference.reason == "response field $.price changed type from number to string"
    assert (difference.old, difference.new) == ("number", "string")


def test_widening_breaks_a_response_and_narrowing_breaks_a_request() -> None:
    integer, number = {"type": "integer"}, {"type": "number"}
    assert _found(integer, number, "response") == {("$", "type"): True}
    assert _found(integer, number, "request") == {("$", "type"): False}
    assert _found(number, integer, "response") == {("$", "type"): False}
    assert _found(number, integer, "request") == {("$", "type"): True}
    (difference,) = compare_schemas(integer, number, direction="response")
    assert difference.reason == "response body changed type from integer to number"


def test_unknown_types_are_not_type_changes() -> None:
    assert compare_schemas({}, {"type": "string"}, direction="request") == ()
    assert (
        compare_schemas({"type": "array"}, {"type": "array", "items": {}}, direction="response")
        == ()
    )


def test_format_rules() -> None:
    date, datetime_ = (
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
    )
    plain = {"type": "string"}
    for direction in ("request", "response"):
        assert _found(date, datetime_, direction) == {("$", "format"): True}
    assert _found(plain, date, "request") == {("$", "format"): True}
    assert _found(plain, date, "response") == {("$", "format"): False}
    assert _found(date, plain, "response") == {("$", "format"): True}
    assert _found(date, plain, "request") == {("$", "format"): False}
    (changed,) = compare_schemas(_obj(at=date), _obj(at=datetime_), direction="response")
    assert changed.reason == "response field $.at changed format from date to date-time"
    assert (changed.old, changed.new) == ("date", "date-time")


def test_required_and_optional_rules() -> None:
    required, optional = _obj(("a",), a={"type": "string"}), _obj(a={"type": "string"})
    assert _found(required, optional, "response") == {("$.a", "optional"): True}
    assert _found(required, optional, "request") == {("$.a", "optional"): False}
    assert _found(optional, required, "response") == {("$.a", "required"): False}
    assert _found(optional, required, "request") == {("$.a", "required"): True}
    (difference,) = compare_schemas(optional, required, direction="request")
    assert difference.reason == "request field $.a became required"
    assert (difference.old, difference.new) == (False, True)


@pytest.mark.parametrize(
    "nullable",
    [
        {"type": ["null", "string"]},  # OpenAPI 3.1, as apidisco infers it
        {"type": "string", "nullable": True},  # OpenAPI 3.0
        {"anyOf": [{"type": "string"}, {"type": "null"}]},
        {"oneOf": [{"type": "null"}, {"type": "string"}]},
    ],
)
def test_nullable_rules_in_every_spelling(nullable: dict[str, Any]) -> None:
    plain = {"type": "string"}
    assert _found(plain, nullable, "response") == {("$", "nullable"): True}
    assert _found(plain, nullable, "request") == {("$", "nullable"): False}
    assert _found(nullable, plain, "response") == {("$", "nullable"): False}
    assert _found(nullable, plain, "request") == {("$", "nullable"): True}
    assert compare_schemas(nullable, nullable, direction="response") == ()
    (difference,) = compare_schemas(_obj(n=plain), _obj(n=nullable), direction="response")
    assert difference.reason == "response field $.n became nullable"


def test_enum_rules() -> None:
    two = {"type": "string", "enum": ["a", "b"]}
    three = {"type": "string", "enum": ["a", "b", "c"]}
    assert _found(two, three, "response") == {("$", "enum-added"): True}
    assert _found(two, three, "request") == {("$", "enum-added"): False}
    assert _found(three, two, "response") == {("$", "enum-removed"): False}
    assert _found(three, two, "request") == {("$", "enum-removed"): True}
    (added,) = compare_schemas(_obj(s=two), _obj(s=three), direction="response")
    assert added.reason == 'response field $.s gained enum value "c"'
    assert added.new == ["c"]
    # null in an enum is nullability, not a value
    nullable = {"type": ["null", "string"], "enum": ["a", "b", None]}
    assert _found(two, nullable, "response") == {("$", "nullable"): True}


def test_an_enum_appearing_or_lifted() -> None:
    free, closed = {"type": "string"}, {"type": "string", "enum": ["x", "y"]}
    assert _found(free, closed, "request") == {("$", "enum-removed"): True}
    assert _found(free, closed, "response") == {("$", "enum-removed"): False}
    assert _found(closed, free, "response") == {("$", "enum-added"): True}
    assert _found(closed, free, "request") == {("$", "enum-added"): False}
    (lifted,) = compare_schemas(closed, free, direction="response")
    assert lifted.reason == 'response body is no longer restricted to "x", "y"'


def test_unions_compare_as_sets_of_branch_types() -> None:
    one = {"anyOf": [{"type": "string"}, _obj(a={"type": "integer"})]}
    same_reordered = {"oneOf": [_obj(a={"type": "integer"}), {"type": "string"}]}
    wider = {"anyOf": [{"type": "string"}, {"type": "integer"}, _obj(a={"type": "integer"})]}
    assert compare_schemas(one, same_reordered, direction="response") == ()
    assert _found(one, wider, "response") == {("$", "type"): True}
    assert _found(one, wider, "request") == {("$", "type"): False}
    (difference,) = compare_schemas(one, wider, direction="response")
    assert difference.old == ["object", "string"]
    assert difference.new == ["integer", "object", "string"]
    assert difference.reason == (
        "response body changed type from object | string to integer | object | string"
    )
    # the object branch is still compared field by field
    changed = {"anyOf": [{"type": "string"}, _obj(a={"type": "string"})]}
    assert _found(one, changed, "response") == {("$.a", "type"): True}


def test_nested_objects_and_arrays_have_json_paths() -> None:
    old = _obj(items={"type": "array", "items": _obj(("price",), price={"type": "number"})})
    new = _obj(items={"type": "array", "items": _obj(price={"type": "string"})})
    assert _found(old, new, "response") == {
        ("$.items[].price", "optional"): True,
        ("$.items[].price", "type"): True,
    }
    top_old = {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}
    top_new = {"type": "array", "items": {"type": "array", "items": {"type": "boolean"}}}
    assert _found(top_old, top_new, "response") == {("$[][]", "type"): True}


def test_maps_compare_their_values() -> None:
    old = {"type": "object", "additionalProperties": {"type": "integer"}}
    new = {"type": "object", "additionalProperties": {"type": "string"}}
    assert _found(old, new, "response") == {("$.*", "type"): True}


def test_all_of_is_merged_before_comparing() -> None:
    old = {"allOf": [_obj(("a",), a={"type": "string"}), _obj(b={"type": "integer"})]}
    new = {"allOf": [_obj(a={"type": "string"}), _obj(b={"type": "integer"})]}
    assert _found(old, new, "response") == {("$.a", "optional"): True}


def test_unresolved_references_are_compared_by_name() -> None:
    user, book = {"$ref": "#/components/schemas/User"}, {"$ref": "#/components/schemas/Book"}
    assert compare_schemas(user, dict(user), direction="response") == ()
    assert _found(_obj(x=user), _obj(x=book), "response") == {("$.x", "type"): True}


def test_a_root_other_than_dollar_names_a_parameter() -> None:
    (difference,) = compare_schemas(
        {"type": "integer"}, {"type": "string"}, direction="request", root="query.limit"
    )
    assert difference.path == "query.limit"
    assert difference.reason == "query parameter limit changed type from integer to string"


def test_differences_are_json() -> None:
    (difference,) = compare_schemas(_obj(a={"type": "string"}), _obj(), direction="response")
    assert difference.as_json() == {
        "path": "$.a",
        "kind": "removed",
        "old": "string",
        "new": None,
        "breaking": True,
        "reason": "response field $.a was removed",
    }


# -- documents inferred from traffic -------------------------------------------


def test_the_same_traffic_gives_no_change() -> None:
    assert compare_specs(_spec(_books()), _spec(_books())) == ()
    assert compare_specs(_spec(_books()), _spec(list(reversed(_books())))) == ()


def test_a_response_field_changing_type_is_found_through_refs() -> None:
    old, new = _spec(_books(price=1.5)), _spec(_books(price="1.50"))
    assert old["paths"]["/books/{bookId}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/Book"}
    change = _only(compare_specs(old, new))
    assert change.type is ApiChangeType.SCHEMA_CHANGED
    assert (change.pattern, change.method, change.breaking) == ("/books/{bookId}", "GET", True)
    assert change.description == (
        "GET /books/{bookId}: 200 response field $.price changed type from number to string"
    )
    assert change.diff_json() == {
        "breaking": True,
        "pattern": "/books/{bookId}",
        "method": "GET",
        "differences": [
            {
                "path": "$.price",
                "kind": "type",
                "old": "number",
                "new": "string",
                "breaking": True,
                "reason": "200 response field $.price changed type from number to string",
            }
        ],
    }


def test_a_response_field_removed_or_added_in_traffic() -> None:
    with_isbn = _spec(_books(isbn="978-3"))
    without = _spec(_books())
    removed = _only(compare_specs(with_isbn, without))
    assert removed.breaking
    assert removed.differences[0].path == "$.isbn"
    assert removed.differences[0].kind == "removed"
    added = _only(compare_specs(without, with_isbn))
    assert not added.breaking
    assert added.description == "GET /books/{bookId}: 200 response field $.isbn was added"


def test_a_field_becoming_nullable_in_traffic_breaks_clients() -> None:
    traffic = _books()
    nulls = traffic + [_call("GET", "/books/9", 200, {"id": 9, "price": None, "title": "n"})]
    change = _only(compare_specs(_spec(traffic), _spec(nulls)))
    assert [(d.path, d.kind, d.breaking) for d in change.differences] == [
        ("$.price", "nullable", True)
    ]


def test_endpoints_and_methods_added_and_removed() -> None:
    old = _spec(_books() + [_call("DELETE", "/books/1", 204)])
    new = _spec(_books() + [_call("GET", "/authors", 200, [{"id": 1}])])
    changes = compare_specs(old, new)
    assert [(c.type, c.pattern, c.method, c.breaking) for c in changes] == [
        (ApiChangeType.NEW_ENDPOINT, "/authors", None, False),
        (ApiChangeType.METHOD_REMOVED, "/books/{bookId}", "DELETE", True),
    ]
    assert changes[0].description == "New endpoint /authors (GET)"
    assert changes[1].description == "DELETE /books/{bookId} was removed"
    back = compare_specs(new, old)
    assert [(c.type, c.breaking, c.description) for c in back] == [
        (ApiChangeType.REMOVED_ENDPOINT, True, "Endpoint /authors was removed (GET)"),
        (ApiChangeType.METHOD_ADDED, False, "DELETE /books/{bookId} was added"),
    ]


def test_auth_added_in_traffic_is_breaking_and_dropped_is_not() -> None:
    anonymous = _books()
    authenticated = [
        _call("GET", f"/books/{n}", 200, {"id": n, "price": 1.5, "title": f"t{n}"},
              request_headers=BEARER)
        for n in range(1, 8)
    ] + [_call("GET", "/books/8", 401, {"error": "no"})]  # fmt: skip
    added = [c for c in compare_specs(_spec(anonymous), _spec(authenticated))
             if c.type is ApiChangeType.AUTH_CHANGED]  # fmt: skip
    change = _only(tuple(added))
    assert change.breaking
    assert change.description == (
        "GET /books/{bookId}: authentication became required (http bearer)"
    )
    dropped = [c for c in compare_specs(_spec(authenticated), _spec(anonymous))
               if c.type is ApiChangeType.AUTH_CHANGED]  # fmt: skip
    assert not _only(tuple(dropped)).breaking


# -- parameters ------------------------------------------------------------------


def _query(name: str, required: bool = False, kind: str = "integer") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}}


def test_parameter_added_required_breaks_optional_does_not() -> None:
    old = _operation(parameters=[_query("page")])
    optional = _operation(parameters=[_query("page"), _query("limit")])
    required = _operation(parameters=[_query("page"), _query("limit", True)])
    change = _only(compare_specs(old, optional))
    assert change.type is ApiChangeType.SCHEMA_CHANGED
    assert not change.breaking
    assert change.differences[0].path == "query.limit"
    assert change.description == "GET /items: optional query parameter limit was added"
    change = _only(compare_specs(old, required))
    assert change.breaking
    assert change.description == "GET /items: required query parameter limit was added"


def test_parameter_removed_is_not_breaking() -> None:
    change = _only(compare_specs(_operation(parameters=[_query("page")]), _operation()))
    assert not change.breaking
    assert change.description == "GET /items: query parameter page was removed"


def test_parameter_becoming_required_or_changing_type() -> None:
    old = _operation(parameters=[_query("page")])
    assert _only(compare_specs(old, _operation(parameters=[_query("page", True)]))).breaking
    assert not _only(compare_specs(_operation(parameters=[_query("page", True)]), old)).breaking
    typed = _only(compare_specs(old, _operation(parameters=[_query("page", kind="string")])))
    assert typed.breaking
    assert (
        typed.description == "GET /items: query parameter page changed type from integer to string"
    )


def test_parameters_are_identified_by_location_and_name() -> None:
    header = {"name": "X-Key", "in": "header", "schema": {"type": "string"}}
    lower = {**header, "name": "x-key"}
    assert compare_specs(_operation(parameters=[header]), _operation(parameters=[lower])) == ()
    cookie = {**header, "in": "cookie"}
    change = _only(compare_specs(_operation(parameters=[header]), _operation(parameters=[cookie])))
    assert {(d.path, d.kind) for d in change.differences} == {
        ("header.X-Key", "removed"),
        ("cookie.X-Key", "added"),
    }


def test_a_renamed_path_parameter_is_the_same_endpoint() -> None:
    old, new = _spec(_books()), _spec(_books())
    item = new["paths"].pop("/books/{bookId}")
    item["get"]["parameters"][0]["name"] = "id"
    new["paths"]["/books/{id}"] = item
    assert compare_specs(old, new) == ()


def test_path_level_and_referenced_parameters() -> None:
    old = _operation()
    old["paths"]["/items"]["parameters"] = [{"$ref": "#/components/parameters/Page"}]
    old["components"] = {"parameters": {"Page": _query("page")}}
    new = copy.deepcopy(old)
    new["components"]["parameters"]["Page"]["schema"] = {"type": "string"}
    assert compare_specs(old, copy.deepcopy(old)) == ()
    assert _only(compare_specs(old, new)).differences[0].path == "query.page"


# -- request bodies ------------------------------------------------------------------


def _body(schema: dict[str, Any], required: bool = True, media: str = "application/json") -> Any:
    return {"required": required, "content": {media: {"schema": schema}}}


def test_request_body_rules() -> None:
    schema = _obj(("name",), name={"type": "string"})
    none, optional, required = (
        _operation(),
        _operation(requestBody=_body(schema, False)),
        _operation(requestBody=_body(schema)),
    )
    assert _only(compare_specs(none, required)).breaking
    assert not _only(compare_specs(none, optional)).breaking
    assert _only(compare_specs(optional, required)).breaking
    assert not _only(compare_specs(required, optional)).breaking
    assert not _only(compare_specs(required, none)).breaking
    grown = _operation(
        requestBody=_body(_obj(("name", "age"), name={"type": "string"}, age={"type": "integer"}))
    )
    change = _only(compare_specs(required, grown))
    assert change.breaking
    assert change.description == "GET /items: request required field $.age was added"


def test_request_media_types() -> None:
    json_only = _operation(requestBody=_body({"type": "object"}))
    both = copy.deepcopy(json_only)
    both["paths"]["/items"]["get"]["requestBody"]["content"]["text/plain"] = {
        "schema": {"type": "string"}
    }
    assert not _only(compare_specs(json_only, both)).breaking
    removed = _only(compare_specs(both, json_only))
    assert removed.breaking
    assert removed.description == "GET /items: request body no longer accepts text/plain"


# -- responses ------------------------------------------------------------------------


def _responses(**statuses: Any) -> dict[str, Any]:
    return _operation(responses={code.lstrip("s"): value for code, value in statuses.items()})


def test_response_status_rules() -> None:
    ok = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    missing = {"description": "Not Found"}
    both = _responses(s200=ok, s404=missing)
    success_removed = _only(compare_specs(both, _responses(s404=missing)))
    assert success_removed.type is ApiChangeType.RESPONSE_CHANGED
    assert success_removed.breaking
    assert success_removed.description == "GET /items: success response 200 was removed"
    failure_removed = _only(compare_specs(both, _responses(s200=ok)))
    assert not failure_removed.breaking
    added = _only(compare_specs(_responses(s200=ok), both))
    assert not added.breaking
    assert added.description == "GET /items: response 404 was added"


def test_response_media_type_removed_is_breaking() -> None:
    two = {
        "description": "OK",
        "content": {"application/json": {"schema": {}}, "application/xml": {"schema": {}}},
    }
    one = {"description": "OK", "content": {"application/json": {"schema": {}}}}
    removed = _only(compare_specs(_responses(s200=two), _responses(s200=one)))
    assert removed.type is ApiChangeType.RESPONSE_CHANGED
    assert removed.breaking
    assert not _only(compare_specs(_responses(s200=one), _responses(s200=two))).breaking


def test_status_codes_written_as_numbers_are_statuses_too() -> None:
    spec = _responses(s200={"description": "OK"})
    numeric = copy.deepcopy(spec)
    numeric["paths"]["/items"]["get"]["responses"] = {200: {"description": "OK"}}
    assert compare_specs(spec, numeric) == ()


# -- security ----------------------------------------------------------------------------


def _secured(security: Any, *, top: Any = None) -> dict[str, Any]:
    spec = _operation() if security is None else _operation(security=security)
    spec["components"] = {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"},
            "keyAuth": {"type": "apiKey", "in": "header", "name": "X-Key"},
        }
    }
    if top is not None:
        spec["security"] = top
    return spec


def _auth(old: dict[str, Any], new: dict[str, Any]) -> Change:
    change = _only(compare_specs(old, new))
    assert change.type is ApiChangeType.AUTH_CHANGED
    return change


def test_security_added_is_breaking_removed_is_not() -> None:
    none, bearer = _secured(None), _secured([{"bearerAuth": []}])
    added = _auth(none, bearer)
    assert added.breaking
    assert added.differences[0].kind == "required"
    assert not _auth(bearer, none).breaking
    assert _auth(_secured([{}, {"bearerAuth": []}]), bearer).breaking  # optional → required
    assert not _auth(bearer, _secured([{}, {"bearerAuth": []}])).breaking


def test_global_security_applies_unless_the_operation_overrides_it() -> None:
    global_bearer = _secured(None, top=[{"bearerAuth": []}])
    assert compare_specs(global_bearer, _secured([{"bearerAuth": []}])) == ()
    assert _auth(_secured(None), global_bearer).breaking
    assert not _auth(global_bearer, _secured([], top=[{"bearerAuth": []}])).breaking


def test_security_scheme_changes() -> None:
    bearer, key = _secured([{"bearerAuth": []}]), _secured([{"keyAuth": []}])
    swapped = _auth(bearer, key)
    assert swapped.breaking
    assert swapped.description == (
        "GET /items: authentication changed from http bearer to apiKey header X-Key"
    )
    either = _secured([{"bearerAuth": []}, {"keyAuth": []}])
    assert not _auth(bearer, either).breaking  # another way in
    assert _auth(either, key).breaking  # bearer clients are locked out
    renamed = _secured([{"bearerAuth": []}])
    renamed["components"]["securitySchemes"]["bearerAuth"]["scheme"] = "basic"
    assert _auth(bearer, renamed).breaking


# -- references, cycles, order ------------------------------------------------------------


def test_recursive_schemas_terminate_and_still_compare() -> None:
    def tree(kind: str) -> dict[str, Any]:
        spec = _responses(
            s200={
                "description": "OK",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}},
            }
        )
        spec["components"] = {
            "schemas": {
                "Node": _obj(
                    name={"type": kind},
                    children={"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                )
            }
        }
        return spec

    assert compare_specs(tree("string"), tree("string")) == ()
    change = _only(compare_specs(tree("string"), tree("integer")))
    assert [d.path for d in change.differences] == ["$.name"]


def test_a_reference_cycle_between_components_is_left_alone() -> None:
    spec = _responses(
        s200={
            "description": "OK",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}},
        }
    )
    spec["components"] = {
        "schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
        }
    }
    assert compare_specs(spec, copy.deepcopy(spec)) == ()


def test_output_is_sorted_and_the_same_whatever_the_input_order() -> None:
    old = _spec(_books() + [_call("GET", "/authors", 200, [{"id": 1}])])
    new = _spec(
        _books(price="x")
        + [_call("DELETE", "/books/1", 204), _call("GET", "/zebras", 200, {"id": 1})]
    )
    changes = compare_specs(old, new)
    assert [(c.pattern, c.method or "") for c in changes] == sorted(
        (c.pattern, c.method or "") for c in changes
    )
    reordered = copy.deepcopy(new)
    reordered["paths"] = dict(reversed(list(new["paths"].items())))
    assert compare_specs(old, reordered) == changes
    assert [c.type for c in changes] == [
        ApiChangeType.REMOVED_ENDPOINT,
        ApiChangeType.METHOD_ADDED,
        ApiChangeType.SCHEMA_CHANGED,
        ApiChangeType.NEW_ENDPOINT,
    ]


def test_a_change_with_many_differences_leads_with_a_breaking_one() -> None:
    old = _spec(_books())
    new = _spec(_books(price="x", isbn="978"))
    change = _only(compare_specs(old, new))
    assert change.description == (
        "GET /books/{bookId}: 200 response field $.price changed type from number to string"
        " (and 1 more difference)"
    )


def test_types_implied_by_other_keywords() -> None:
    assert _found({"properties": {"a": {"type": "string"}}}, {"type": "array"}, "response") == {
        ("$", "type"): True
    }
    assert _found({"items": {"type": "string"}}, {"type": "string"}, "response") == {
        ("$", "type"): True
    }
    assert _found({"enum": [1, 2]}, {"enum": ["a", "b"]}, "response") == {
        ("$", "type"): True,
        ("$", "enum-added"): True,
        ("$", "enum-removed"): False,
    }
    assert _found({"const": True}, {"const": 1.5}, "request") == {
        ("$", "type"): True,
        ("$", "enum-added"): False,
        ("$", "enum-removed"): True,
    }
    assert _found({"enum": ["a", None]}, {"enum": ["a"]}, "request") == {("$", "nullable"): True}
    assert _found({"enum": [[1], {"k": 2}]}, {"enum": [[1]]}, "request") == {
        ("$", "type"): True,
        ("$", "enum-removed"): True,
    }


def test_a_union_branch_that_refers_elsewhere_keeps_its_name() -> None:
    old = {"anyOf": [{"$ref": "other.yaml#/User"}, {"type": "null"}]}
    new = {"anyOf": [{"$ref": "other.yaml#/Book"}, {"type": "null"}]}
    (difference,) = compare_schemas(old, new, direction="response")
    assert (difference.old, difference.new) == ("User", "Book")


def test_very_deep_schemas_stop_at_a_guard() -> None:
    old: dict[str, Any] = {"type": "string"}
    new: dict[str, Any] = {"type": "integer"}
    for _ in range(100):
        old, new = _obj(a=old), _obj(a=new)
    assert compare_schemas(old, new, direction="response") == ()  # past the guard: not followed
    assert _found(_obj(a=_obj(a={"type": "string"})), _obj(a=_obj(a={})), "response") == {}


def test_references_that_lead_nowhere_are_compared_as_written() -> None:
    def spec(ref: str) -> dict[str, Any]:
        document = _responses(
            s200={"description": "OK", "content": {"application/json": {"schema": {"$ref": ref}}}}
        )
        document["components"] = {"schemas": {"Loop": {"$ref": "#/components/schemas/Loop"}}}
        return document

    for ref in (
        "#/components/schemas/Missing",
        "#/components/schemas/Loop",
        "x.yaml#/A",
        "#/info/title",
    ):
        assert compare_specs(spec(ref), spec(ref)) == ()
    change = _only(compare_specs(spec("#/components/schemas/Missing"), spec("x.yaml#/A")))
    assert change.differences[0].reason == "200 response body changed type from Missing to A"


def test_other_security_schemes_are_named_by_type() -> None:
    old, new = _secured([{"bearerAuth": []}]), _secured([{"oauth": ["read"]}, {"unknown": []}])
    new["components"]["securitySchemes"]["oauth"] = {"type": "oauth2", "flows": {}}
    swapped = _auth(old, new)
    assert swapped.differences[0].new == ["oauth2", "unknown"]
