"""GraphQL schema inference: every rule of apidisco.infer.graphql, the hard cases, the bounds."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    validate_schema,
)

from apidisco.infer.graphql import (
    ERROR_LIMIT,
    MAX_OPERATIONS,
    MAX_TYPES,
    GraphQLModel,
    GraphQLSchemaBuilder,
)
from apidisco.infer.graphql_sdl import NON_NULL_MIN_SAMPLES
from apidisco.infer.graphql_types import MAX_FIELDS

Call = tuple[dict[str, Any], Any]


def _call(query: str, data: Any, variables: Any = None, **extra: Any) -> Call:
    request: dict[str, Any] = {"query": query, "variables": variables, **extra}
    return request, {"data": data}


def _model(*calls: Call) -> GraphQLModel:
    builder = GraphQLSchemaBuilder()
    for request, response in calls:
        builder.add(request, response)
    model = builder.build()
    _check(model)
    return model


def _check(model: GraphQLModel) -> GraphQLSchema | None:
    """Every SDL the builder produces builds, and validates when it has a Query."""
    if not model.sdl:
        return None
    schema = build_schema(model.sdl)
    if schema.query_type is not None:
        assert validate_schema(schema) == []
    return schema


def _schema(*calls: Call) -> GraphQLSchema:
    schema = _check(_model(*calls))
    assert schema is not None
    return schema


def _type(schema: GraphQLSchema, coordinate: str) -> str:
    type_name, field = coordinate.split(".")
    return str(schema.get_type(type_name).fields[field].type)  # type: ignore[union-attr]


def _description(schema: GraphQLSchema, coordinate: str) -> str | None:
    type_name, field = coordinate.split(".")
    return schema.get_type(type_name).fields[field].description  # type: ignore[union-attr]


# -- scalars ---------------------------------------------------------------------------


def test_scalar_types_by_evidence() -> None:
    query = "{ thing { flag count ratio name } }"
    schema = _schema(
        _call(query, {"thing": {"flag": True, "count": 1, "ratio": 1, "name": "a"}}),
        _call(query, {"thing": {"flag": False, "count": 2, "ratio": 2.5, "name": "b"}}),
    )
    assert _type(schema, "Thing.flag") == "Boolean!"
    assert _type(schema, "Thing.count") == "Int!"
    assert _type(schema, "Thing.ratio") == "Float!"  # any float makes it Float
    assert _type(schema, "Thing.name") == "String!"


def test_id_by_field_name_for_strings_only() -> None:
    query = "{ thing { id userId owner_id number: id2 ident } }"
    data = {"id": "1", "userId": "2", "owner_id": "3", "number": 4, "ident": "x"}
    schema = _schema(_call(query, {"thing": data}))
    assert _type(schema, "Thing.id") == "ID"
    assert _type(schema, "Thing.userId") == "ID"
    assert _type(schema, "Thing.owner_id") == "ID"
    assert _type(schema, "Thing.id2") == "Int"  # an alias: the field name is id2
    assert _type(schema, "Thing.ident") == "String"
    assert _type(_schema(_call("{ thing { id } }", {"thing": {"id": 7}})), "Thing.id") == "Int"


def test_mixed_types_and_leaf_objects_are_json() -> None:
    query = "{ thing { value meta } }"
    schema = _schema(
        _call(query, {"thing": {"value": 1, "meta": {"a": 1}}}),
        _call(query, {"thing": {"value": "one", "meta": {"b": [1]}}}),
    )
    assert _type(schema, "Thing.value") == "JSON!"
    assert _type(schema, "Thing.meta") == "JSON!"
    assert isinstance(schema.get_type("JSON"), type(schema.get_type("String")))


# -- object types ----------------------------------------------------------------------


def test_types_named_by_typename() -> None:
    schema = _schema(
        _call("{ me { __typename id } }", {"me": {"__typename": "Account", "id": "1"}}),
    )
    assert _type(schema, "Query.me") == "Account"
    assert "__typename" not in schema.get_type("Account").fields  # type: ignore[union-attr]


def test_types_named_by_path_singular_and_merged_by_name() -> None:
    schema = _schema(
        _call("{ users { id } }", {"users": [{"id": "1"}]}),
        _call(
            "{ user(id: 1) { name posts { title } } }",
            {"user": {"name": "a", "posts": [{"title": "t"}]}},
        ),
        _call("{ categories { id } }", {"categories": [{"id": "c"}]}),
        _call("{ query { id } }", {"query": {"id": "q"}}),
    )
    assert _type(schema, "Query.users") == "[User]"
    assert _type(schema, "Query.user") == "User"
    assert sorted(schema.get_type("User").fields) == ["id", "name", "posts"]  # type: ignore[union-attr]
    assert _type(schema, "User.posts") == "[Post]"
    assert _type(schema, "Query.categories") == "[Category]"
    assert _type(schema, "Query.query") == "QueryObject"  # never the root type's name
    assert "no __typename" in (schema.get_type("Post").description or "")


def test_path_named_type_folds_into_the_typename_type() -> None:
    schema = _schema(
        _call(
            "{ post { author { __typename id } } }",
            {"post": {"author": {"__typename": "Person", "id": "1"}}},
        ),
        _call("{ post { author { name } } }", {"post": {"author": {"name": "Ann"}}}),
    )
    assert _type(schema, "Post.author") == "Person!"
    assert sorted(schema.get_type("Person").fields) == ["id", "name"]  # type: ignore[union-attr]
    assert schema.get_type("Author") is None


def test_path_named_type_folds_into_the_type_its_name_ends_with() -> None:
    schema = _schema(
        _call(
            "{ user { __typename id name role } }",
            {"user": {"__typename": "User", "id": "1", "name": "a", "role": "X"}},
        ),
        _call("mutation { createUser { id name } }", {"createUser": {"id": "2", "name": "b"}}),
        _call("{ adminUsers { id extra } }", {"adminUsers": [{"id": "3", "extra": 1}]}),
        _call("{ tag { name } }", {"tag": {"name": "t"}}),
        _call("{ otherUser { name } }", {"otherUser": {"name": 5}}),
    )
    assert _type(schema, "Mutation.createUser") == "User"
    assert _type(schema, "Query.adminUsers") == "[AdminUser]"  # a field User lacks
    assert _type(schema, "Query.tag") == "Tag"  # the name does not end with User
    assert _type(schema, "Query.otherUser") == "OtherUser"  # name: Int here, String there


def test_aliases_use_the_response_key_for_data_and_the_field_name_for_the_schema() -> None:
    query = """{
      first: user(id: "1") { id displayName: name }
      second: user(id: "2") { id name }
    }"""
    data = {"first": {"id": "1", "displayName": "A"}, "second": {"id": "2", "name": "B"}}
    schema = _schema(_call(query, data))
    assert sorted(schema.query_type.fields) == ["user"]  # type: ignore[union-attr]
    assert sorted(schema.get_type("User").fields) == ["id", "name"]  # type: ignore[union-attr]
    assert _type(schema, "User.name") == "String!"  # two samples, under two keys
    assert str(schema.query_type.fields["user"].args["id"].type) == "ID"  # type: ignore[union-attr]


def test_named_and_nested_fragments_are_expanded() -> None:
    query = """
    query { viewer { ...Card friends { ...Card } } }
    fragment Card on Person { id ...Name }
    fragment Name on Person { name }
    """
    data = {"viewer": {"id": "1", "name": "a", "friends": [{"id": "2", "name": "b"}]}}
    schema = _schema(_call(query, data))
    assert _type(schema, "Query.viewer") == "Person"  # named by the fragments' condition
    assert _type(schema, "Person.friends") == "[Person]"  # one item: not enough for !
    assert sorted(schema.get_type("Person").fields) == ["friends", "id", "name"]  # type: ignore[union-attr]


def test_cyclic_and_missing_fragments_do_not_raise() -> None:
    query = """
    { thing { id ...A ...Missing } }
    fragment A on Thing { name ...B }
    fragment B on Thing { ...A }
    """
    schema = _schema(_call(query, {"thing": {"id": "1", "name": "n"}}))
    assert sorted(schema.get_type("Thing").fields) == ["id", "name"]  # type: ignore[union-attr]


def test_inline_fragments_on_a_union_with_typename() -> None:
    query = """{ search(term: "a") {
      __typename ... on User { id name } ... on Post { id title }
    } }"""
    data = {
        "search": [
            {"__typename": "User", "id": "1", "name": "n"},
            {"__typename": "Post", "id": "2", "title": "t"},
        ]
    }
    schema = _schema(_call(query, data), _call(query, data))
    union = schema.get_type("Search")
    assert isinstance(union, GraphQLUnionType)
    assert sorted(t.name for t in union.types) == ["Post", "User"]
    assert _type(schema, "Query.search") == "[Search!]!"
    assert sorted(schema.get_type("User").fields) == ["id", "name"]  # type: ignore[union-attr]
    assert sorted(schema.get_type("Post").fields) == ["id", "title"]  # type: ignore[union-attr]


def test_interface_fields_go_to_each_object_type() -> None:
    query = "{ node(id: 1) { __typename id ... on User { name } ... on Post { title } } }"
    schema = _schema(
        _call(query, {"node": {"__typename": "User", "id": "1", "name": "n"}}),
        _call(query, {"node": {"__typename": "Post", "id": "2", "title": "t"}}),
    )
    assert sorted(schema.get_type("User").fields) == ["id", "name"]  # type: ignore[union-attr]
    assert sorted(schema.get_type("Post").fields) == ["id", "title"]  # type: ignore[union-attr]
    assert isinstance(schema.get_type("Node"), GraphQLUnionType)


def test_inline_fragments_without_typename_are_named_by_the_fragment_that_applied() -> None:
    query = '{ search(term: "a") { ... on User { name } ... on Post { title } } }'
    data = {"search": [{"name": "n"}, {"title": "t"}]}
    schema = _schema(_call(query, data))
    assert sorted(schema.get_type("User").fields) == ["name"]  # type: ignore[union-attr]
    assert sorted(schema.get_type("Post").fields) == ["title"]  # type: ignore[union-attr]
    assert _type(schema, "Query.search") == "[Search!]"


def test_typename_of_a_scalar_name_is_ignored() -> None:
    schema = _schema(
        _call("{ thing { __typename id } }", {"thing": {"__typename": "Int", "id": "1"}})
    )
    assert _type(schema, "Query.thing") == "Thing"


# -- lists, nulls, non-null -------------------------------------------------------------


def test_non_null_needs_every_sample_non_null_and_enough_samples() -> None:
    assert NON_NULL_MIN_SAMPLES == 2
    query = "{ thing { a b } }"
    one = _schema(_call(query, {"thing": {"a": 1, "b": 1}}))
    assert _type(one, "Thing.a") == "Int"
    two = _schema(
        _call(query, {"thing": {"a": 1, "b": 1}}), _call(query, {"thing": {"a": 2, "b": None}})
    )
    assert _type(two, "Thing.a") == "Int!"
    assert _type(two, "Thing.b") == "Int"
    assert _type(two, "Query.thing") == "Thing!"


def test_lists_items_and_nested_lists() -> None:
    query = "{ grid { cells tags } }"
    schema = _schema(
        _call(query, {"grid": {"cells": [[1, 2], [3]], "tags": ["a", None]}}),
    )
    assert _type(schema, "Grid.cells") == "[[Int!]!]"
    assert _type(schema, "Grid.tags") == "[String]"


def test_a_leaf_only_ever_null_is_a_nullable_string_saying_so() -> None:
    query = "{ thing { id nickname } }"
    schema = _schema(
        _call(query, {"thing": {"id": "1", "nickname": None}}),
        _call(query, {"thing": {"id": "2", "nickname": None}}),
    )
    assert _type(schema, "Thing.nickname") == "String"
    assert "Only null" in (_description(schema, "Thing.nickname") or "")


def test_an_object_only_ever_null_is_left_out_and_reported() -> None:
    model = _model(_call("{ thing { id parent { id } } }", {"thing": {"id": "1", "parent": None}}))
    schema = _check(model)
    assert schema is not None
    assert "parent" not in schema.get_type("Thing").fields  # type: ignore[union-attr]
    assert model.unresolved == ("Thing.parent",)


def test_an_object_only_null_here_takes_the_type_known_elsewhere() -> None:
    schema = _schema(
        _call("{ thing { id parent { id } } }", {"thing": {"id": "1", "parent": None}}),
        _call("{ parent { id } }", {"parent": {"id": "9"}}),
    )
    assert _type(schema, "Thing.parent") == "Parent"


def test_empty_lists() -> None:
    query = "{ thing { tags posts { id } friends { id } } }"
    model = _model(_call(query, {"thing": {"tags": [], "posts": [], "friends": []}}))
    assert model.unresolved == ("Thing.friends", "Thing.posts")
    schema = _schema(
        _call(query, {"thing": {"tags": [], "posts": [], "friends": []}}),
        _call("{ posts { id } }", {"posts": [{"id": "1"}]}),
    )
    assert _type(schema, "Thing.tags") == "[String]"
    assert "empty lists" in (_description(schema, "Thing.tags") or "")
    assert _type(schema, "Thing.posts") == "[Post]"
    assert "friends" not in schema.get_type("Thing").fields  # type: ignore[union-attr]


def test_a_type_with_only_typename_is_left_out() -> None:
    model = _model(_call("{ node { __typename } }", {"node": {"__typename": "User"}}))
    assert model.sdl == ""
    assert model.unresolved == ("Query.node",)


# -- enums -----------------------------------------------------------------------------


def test_enum_from_an_argument_literal() -> None:
    schema = _schema(
        _call("{ users(role: ADMIN) { id } }", {"users": []}),
        _call("{ users(role: EDITOR) { id } }", {"users": [{"id": "1"}]}),
    )
    enum = schema.get_type("UsersRole")
    assert isinstance(enum, GraphQLEnumType)
    assert sorted(enum.values) == ["ADMIN", "EDITOR"]
    assert str(schema.query_type.fields["users"].args["role"].type) == "UsersRole"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["ACTIVE", "BANNED"] * 5, "UserStatus"),  # 10 strings, 2 values
        (["ACTIVE", "BANNED", "ACTIVE"] * 3, "String"),  # 9 strings: too few
        (["ACTIVE", "BANNED", "NEW", "OLD"] * 4, "String"),  # 16 strings, 4 values: 16 !< 16
        (["active", "banned"] * 10, "String"),  # not upper-case names
    ],
)
def test_enum_from_response_values_needs_evidence(values: list[str], expected: str) -> None:
    query = "{ users { status } }"
    schema = _schema(_call(query, {"users": [{"status": value} for value in values]}))
    assert _type(schema, "User.status").rstrip("!") == expected


def test_no_enum_under_a_secret_field() -> None:
    query = "{ users { password } }"
    schema = _schema(_call(query, {"users": [{"password": "HUNTER"}] * 20}))
    assert _type(schema, "User.password") == "String!"


# -- arguments and input types ----------------------------------------------------------


def test_variable_arguments_take_the_declared_type_but_nullable() -> None:
    schema = _schema(
        _call("query Q($id: ID!) { user(id: $id) { id } }", {"user": {"id": "1"}}, {"id": "1"}),
        _call(
            "query R($ids: [ID!]!) { many(ids: $ids) { id } }",
            {"many": [{"id": "1"}]},
            {"ids": ["1"]},
        ),
    )
    assert str(schema.query_type.fields["user"].args["id"].type) == "ID"  # type: ignore[union-attr]
    assert str(schema.query_type.fields["many"].args["ids"].type) == "[ID]"  # type: ignore[union-attr]


def test_declared_types_that_disagree_on_nullability_are_nullable_there() -> None:
    schema = _schema(
        _call("query A($n: [Int!]!) { f(n: $n) }", {"f": 1}, {"n": [1]}),
        _call("query B($n: [Int]!) { f(n: $n) }", {"f": 1}, {"n": [1]}),
    )
    assert str(schema.query_type.fields["f"].args["n"].type) == "[Int]"  # type: ignore[union-attr]


def test_literal_arguments_are_typed_from_the_literal() -> None:
    query = """{ search(first: 10, ratio: 0.5, term: "x", exact: true, userId: "u",
                       filter: {tag: "a", minRating: 2.5, kind: BOOK, nested: {on: true}},
                       ids: [1, 2], nothing: null) { id } }"""
    schema = _schema(_call(query, {"search": [{"id": "1"}]}))
    args = schema.query_type.fields["search"].args  # type: ignore[union-attr]
    assert {name: str(arg.type) for name, arg in args.items()} == {
        "exact": "Boolean",
        "filter": "SearchFilterInput",
        "first": "Int",
        "ids": "[Int]",
        "nothing": "String",
        "ratio": "Float",
        "term": "String",
        "userId": "ID",
    }
    filter_type = schema.get_type("SearchFilterInput")
    assert isinstance(filter_type, GraphQLInputObjectType)
    assert {n: str(f.type) for n, f in filter_type.fields.items()} == {
        "kind": "SearchFilterKind",
        "minRating": "Float",
        "nested": "NestedInput",
        "tag": "String",
    }


def test_mutation_with_input_variables() -> None:
    query = """mutation Create($input: CreateUserInput!, $tags: [TagInput!], $role: Role,
                               $since: DateTime, $unused: Filter) {
      createUser(input: $input, tags: $tags, role: $role, since: $since, filter: $unused) {
        id
      }
    }"""
    variables = {
        "input": {
            "name": "Ann",
            "age": 30,
            "address": {"city": "Oslo", "zip": "0150"},
            "password": "‹masked:0123abcd›",
            "bad-key": 1,
        },
        "tags": [{"label": "a"}, {"label": "b"}],
        "role": "ADMIN",
        "since": "2026-11-26T10:00:00Z",
    }
    model = _model(_call(query, {"createUser": {"id": "1"}}, variables))
    schema = _check(model)
    assert schema is not None
    assert schema.query_type is None
    assert schema.mutation_type is not None
    args = schema.mutation_type.fields["createUser"].args
    assert {name: str(arg.type) for name, arg in args.items()} == {
        "filter": "Filter",
        "input": "CreateUserInput",
        "role": "Role",
        "since": "DateTime",
        "tags": "[TagInput]",
    }
    create = schema.get_type("CreateUserInput")
    assert isinstance(create, GraphQLInputObjectType)
    assert {n: str(f.type) for n, f in create.fields.items()} == {
        "address": "AddressInput",
        "age": "Int",
        "name": "String",
        "password": "String",
    }
    assert sorted(schema.get_type("AddressInput").fields) == ["city", "zip"]  # type: ignore[union-attr]
    assert sorted(schema.get_type("TagInput").fields) == ["label"]  # type: ignore[union-attr]
    assert list(schema.get_type("Role").values) == ["ADMIN"]  # type: ignore[union-attr]
    assert "no value" in (schema.get_type("Filter").description or "")
    assert type(schema.get_type("DateTime")).__name__ == "GraphQLScalarType"
    (operation,) = model.operations
    assert (operation.kind, operation.name) == ("mutation", "Create")
    assert [(v.name, v.type) for v in operation.variables][:2] == [
        ("input", "CreateUserInput!"),
        ("role", "Role"),
    ]
    for secret in ("Ann", "Oslo", "masked", "2026"):
        assert secret not in model.sdl


def test_literals_count_for_the_declared_type_of_the_same_argument() -> None:
    schema = _schema(
        _call(
            "mutation A($input: CreateUserInput!) { createUser(input: $input) { id } }",
            {"createUser": {"id": "1"}},
            {"input": {"name": "a", "role": "EDITOR"}},
        ),
        _call(
            'mutation { createUser(input: {name: "b", role: VIEWER}) { id } }', {"createUser": None}
        ),
    )
    create = schema.get_type("CreateUserInput")
    assert isinstance(create, GraphQLInputObjectType)
    role = create.fields["role"].type
    assert isinstance(role, GraphQLEnumType)
    assert sorted(role.values) == ["EDITOR", "VIEWER"]
    assert schema.get_type("CreateUserInputInput") is None


def test_subscription_root() -> None:
    schema = _schema(
        _call("subscription { messageAdded { id } }", {"messageAdded": {"id": "1"}}),
        _call("{ messages { id } }", {"messages": []}),
    )
    assert _type(schema, "Subscription.messageAdded") == "MessageAdded"


def test_names_claimed_by_two_kinds_take_a_suffix() -> None:
    schema = _schema(
        _call("{ role { id } }", {"role": {"id": "1"}}),  # an object named Role by path
        _call("query Q($r: Role) { users(role: $r) { id } }", {"users": []}, {"r": "ADMIN"}),
    )
    assert isinstance(schema.get_type("Role"), GraphQLEnumType)  # declared: evidence
    assert _type(schema, "Query.role") == "RoleObject"


# -- operations, errors, persisted queries, malformed ------------------------------------


def test_operations_are_documented() -> None:
    query = "query GetUser($id: ID!) { user(id: $id) { id } }"
    model = _model(
        _call(query, {"user": {"id": "1"}}, {"id": "1"}),
        _call(query, {"user": {"id": "2"}}, {"id": "2"}),
        _call("{ a: thing { id } }", {"a": {"id": "1"}}),
    )
    named, anonymous = sorted(model.operations, key=lambda o: o.name or "~")
    assert (named.name, named.kind, named.count, named.root_fields) == (
        "GetUser",
        "query",
        2,
        ("user",),
    )
    assert (anonymous.name, anonymous.root_fields, anonymous.persisted_only) == (
        None,
        ("thing",),
        False,
    )


def test_errors_are_documented_and_bounded() -> None:
    query = "query Q { users { id email } }"
    builder = GraphQLSchemaBuilder()
    builder.add(
        {"query": query},
        {
            "data": {"users": [{"id": "1", "email": None}]},
            "errors": [
                {
                    "message": "Forbidden",
                    "path": ["users", 0, "email"],
                    "extensions": {"code": "FORBIDDEN"},
                }
            ],
        },
    )
    builder.add({"query": query}, {"data": None, "errors": [{"message": "x" * 500}]})
    for number in range(ERROR_LIMIT + 3):
        builder.add({"query": query}, {"errors": [{"message": f"e{number}"}, "junk"]})
    model = builder.build()
    (operation,) = model.operations
    assert operation.error_count == ERROR_LIMIT + 5
    assert len(operation.errors) == ERROR_LIMIT
    forbidden = next(e for e in operation.errors if e.message == "Forbidden")
    assert (forbidden.path, forbidden.code, forbidden.count) == ("users[].email", "FORBIDDEN", 1)
    assert all(len(e.message) <= 200 for e in operation.errors)


def test_persisted_query_hashes() -> None:
    query = "query Feed { feed { id } }"
    hashed = {"persistedQuery": {"version": 1, "sha256Hash": "aaa"}}
    hash_only: Call = (
        {"operationName": "Feed", "extensions": hashed},
        {"data": {"feed": [{"id": "1"}]}},
    )
    other_only: Call = ({"extensions": {"persistedQuery": {"sha256Hash": "bbb"}}}, None)
    with_text: Call = (
        {"query": query, "extensions": hashed},
        {"data": {"feed": [{"id": "1"}]}},
    )
    model = _model(hash_only, other_only)
    assert model.persisted_hashes == ("aaa", "bbb")
    assert [(o.name, o.kind, o.persisted_only) for o in model.operations] == [
        ("Feed", None, True),
        (None, None, True),
    ]
    assert model.sdl == ""  # a hash-only response is not walked
    for calls in ([hash_only, other_only, with_text], [with_text, other_only, hash_only]):
        model = _model(*calls)
        assert model.persisted_hashes == ("bbb",)
        feed = next(o for o in model.operations if o.name == "Feed")
        assert (feed.count, feed.persisted_only, feed.hashes) == (2, False, ("aaa",))


def test_malformed_requests_are_counted_not_raised() -> None:
    builder = GraphQLSchemaBuilder()
    bad: list[Any] = [
        {"query": "query {"},
        {"query": ""},
        {"variables": {}},
        {"query": 42},
        "not a mapping",
        {"query": "query A { a } query B { b }"},  # several operations, no operationName
        {"query": "query A { a }", "operationName": "B"},
        {"query": "fragment F on T { a }"},
    ]
    for request in bad:
        builder.add(request, {"data": {"a": 1}})
    builder.add({"query": "{ a }", "variables": "not json"}, {"data": {"a": 1}})
    builder.add({"query": "{ a }"}, "not a response")
    builder.add({"query": "{ a }"}, {"data": ["not", "an", "object"]})
    model = builder.build()
    assert model.unparsable == len(bad)
    assert model.calls == len(bad) + 3
    assert model.sdl == "type Query {\n  a: Int\n}\n"


def test_get_style_requests_with_json_text() -> None:
    request = {
        "query": "query Q($id: ID!) { user(id: $id) { id } }",
        "variables": json.dumps({"id": "1"}),
        "operationName": "Q",
        "extensions": json.dumps({"persistedQuery": {"sha256Hash": "abc"}}),
    }
    model = _model((request, {"data": {"user": {"id": "1"}}}))
    (operation,) = model.operations
    assert operation.hashes == ("abc",)
    assert "user(id: ID): User" in model.sdl


def test_a_batch_split_by_the_caller_is_the_same_as_single_requests() -> None:
    batch = [
        {"query": "query A { a: thing { id } }"},
        {"query": "query B { other { name } }"},
    ]
    responses = [{"data": {"a": {"id": "1"}}}, {"data": {"other": {"name": "n"}}}]
    split = _model(*zip(batch, responses, strict=True))
    assert [o.name for o in split.operations] == ["A", "B"]
    assert "thing: Thing" in split.sdl
    assert "other: Other" in split.sdl


def test_introspection_never_becomes_a_field() -> None:
    model = _model(
        _call("{ __schema { types { name } } a }", {"__schema": {"types": []}, "a": 1}),
    )
    assert model.sdl == "type Query {\n  a: Int\n}\n"
    assert model.operations[0].root_fields == ("__schema", "a")


# -- order, merging, bounds -----------------------------------------------------------------


def _traffic() -> list[Call]:
    calls: list[Call] = []
    for number in range(30):
        calls.append(
            _call(
                "query U($id: ID!) { user(id: $id) { __typename id role posts { id score } } }",
                {
                    "user": {
                        "__typename": "User",
                        "id": str(number),
                        "role": ["ADMIN", "EDITOR"][number % 2],
                        "posts": [{"id": "p", "score": number / 2}] if number % 3 else [],
                    }
                },
                {"id": str(number)},
            )
        )
    calls.append(_call("{ user(id: 1) { email } }", {"user": None}))
    calls.append(({"extensions": {"persistedQuery": {"sha256Hash": "h"}}}, None))
    calls.append(({"query": "{"}, None))
    return calls


def test_order_independent_and_merge_equals_one_builder() -> None:
    calls = _traffic()
    expected = _model(*calls)
    assert "enum UserRole" in expected.sdl
    shuffled = list(calls)
    random.Random(7).shuffle(shuffled)
    assert _model(*shuffled) == expected
    first, second = GraphQLSchemaBuilder(), GraphQLSchemaBuilder()
    for index, (request, response) in enumerate(shuffled):
        (first if index % 2 else second).add(request, response)
    first.merge(second)
    assert first.build() == expected
    with pytest.raises(ValueError, match="itself"):
        first.merge(first)


def test_bounded_types_and_fields() -> None:
    builder = GraphQLSchemaBuilder()
    for number in range(MAX_TYPES + 20):
        data = {"x": {"__typename": f"T{number:04}", "id": "1"}}
        builder.add({"query": "{ x { __typename id } }"}, {"data": data})
    model = builder.build()
    assert model.truncated
    schema = _check(model)
    assert schema is not None
    objects = [n for n, t in schema.type_map.items() if n[0] == "T" and hasattr(t, "fields")]
    assert len(objects) == MAX_TYPES
    assert schema.get_type("T0000") is not None  # the smallest names are kept
    assert schema.get_type(f"T{MAX_TYPES:04}") is None

    names = [f"f{n:04}" for n in range(MAX_FIELDS + 5)]
    wide = _model(_call("{ wide { " + " ".join(names) + " } }", {"wide": dict.fromkeys(names, 1)}))
    assert wide.truncated
    assert f"f{MAX_FIELDS - 1:04}: Int" in wide.sdl
    assert f"f{MAX_FIELDS:04}" not in wide.sdl


def test_operations_are_bounded() -> None:
    builder = GraphQLSchemaBuilder()
    for number in range(MAX_OPERATIONS + 10):
        builder.add({"query": f"query Q{number:04} {{ a }}"}, {"data": {"a": 1}})
    model = builder.build()
    assert len(model.operations) == MAX_OPERATIONS
    assert model.operations[0].name == "Q0000"
    assert model.truncated


def test_merge_joins_hashes_seen_by_different_builders() -> None:
    hashed = {"persistedQuery": {"sha256Hash": "aaa"}}
    text, bare = GraphQLSchemaBuilder(), GraphQLSchemaBuilder()
    text.add({"query": "query Feed { feed }", "extensions": hashed}, {"data": {"feed": 1}})
    bare.add({"extensions": hashed}, {"errors": [{"message": "late"}]})
    bare.merge(text)
    model = bare.build()
    (feed,) = model.operations
    assert (feed.name, feed.count, feed.error_count, model.persisted_hashes) == ("Feed", 2, 1, ())


def test_memory_does_not_grow_with_repeated_calls() -> None:
    calls = _traffic()
    builder = GraphQLSchemaBuilder()
    for request, response in calls:
        builder.add(request, response)
    once = builder.build().sdl
    for _ in range(5):
        for request, response in calls:
            builder.add(request, response)
    again = builder.build()
    assert again.sdl == once
    assert not again.truncated


# -- a real server ------------------------------------------------------------------------

REAL_SDL = """
enum Role { ADMIN EDITOR VIEWER }
enum PostStatus { DRAFT PUBLISHED ARCHIVED }

type User {
  id: ID!
  name: String!
  email: String
  role: Role!
  age: Int
  score: Float!
  posts(status: PostStatus, first: Int): [Post!]!
  friends: [User!]!
}

type Post {
  id: ID!
  title: String!
  body: String
  status: PostStatus!
  tags: [String!]!
  rating: Float
  author: User!
  comments: [Comment!]!
}

type Comment {
  id: ID!
  text: String!
  likes: Int!
  author: User!
}

union SearchResult = User | Post

input PostFilter { status: PostStatus tag: String minRating: Float }
input CreateUserInput { name: String! email: String role: Role }
input CreatePostInput { title: String! body: String tags: [String!] authorId: ID! }

type Query {
  user(id: ID!): User
  users(role: Role, first: Int): [User!]!
  post(id: ID!): Post
  posts(filter: PostFilter): [Post!]!
  search(term: String!): [SearchResult!]!
}

type Mutation {
  createUser(input: CreateUserInput!): User!
  createPost(input: CreatePostInput!): Post!
  likeComment(id: ID!): Comment!
  deletePost(id: ID!): Boolean!
}
"""

ROLES = ["ADMIN", "EDITOR", "VIEWER"]
STATUSES = ["DRAFT", "PUBLISHED", "ARCHIVED"]


def _server() -> tuple[GraphQLSchema, dict[str, Any]]:
    """A small API: 12 users, 30 posts, 60 comments, resolvers over dicts."""
    users: list[dict[str, Any]] = []
    posts: list[dict[str, Any]] = []
    for n in range(12):
        user: dict[str, Any] = {
            "__typename": "User",
            "id": f"u{n}",
            "name": f"User {n}",
            "email": f"user{n}@example.com" if n % 4 else None,
            "role": ROLES[n % 3],
            "age": 20 + n if n % 5 else None,
            "score": n * 1.25,
        }
        users.append(user)
    for n in range(30):
        post: dict[str, Any] = {
            "__typename": "Post",
            "id": f"p{n}",
            "title": f"Post {n}",
            "body": f"Body {n}" if n % 3 else None,
            "status": STATUSES[n % 3],
            "tags": ["graphql", "python"][: n % 3],
            "rating": n / 4 if n % 2 else None,
            "author": users[n % 12],
        }
        post["comments"] = [
            {
                "__typename": "Comment",
                "id": f"c{n}-{k}",
                "text": f"Comment {k}",
                "likes": k,
                "author": users[(n + k) % 12],
            }
            for k in range(2)
        ]
        posts.append(post)
    for n, user in enumerate(users):
        mine = [post for post in posts if post["author"] is user]
        user["friends"] = [users[(n + 1) % 12], users[(n + 2) % 12]]
        user["posts"] = lambda _info, status=None, first=None, mine=mine: [
            post for post in mine if status in (None, post["status"])
        ][:first]

    def user_by_id(_info: Any, id: str) -> dict[str, Any] | None:
        if id == "boom":
            raise ValueError("User lookup failed")
        return next((user for user in users if user["id"] == id), None)

    def list_posts(_info: Any, filter: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        wanted = filter or {}
        return [
            post
            for post in posts
            if wanted.get("status") in (None, post["status"])
            and wanted.get("tag") in (None, *post["tags"])
            and (post["rating"] or 0) >= wanted.get("minRating", 0)
        ]

    def create_user(_info: Any, input: dict[str, Any]) -> dict[str, Any]:
        return {"__typename": "User", "id": "u99", "email": None, "role": "VIEWER", **input}

    def create_post(_info: Any, input: dict[str, Any]) -> dict[str, Any]:
        author = next(user for user in users if user["id"] == input["authorId"])
        return {**posts[0], "id": "p99", "author": author, "tags": [], **input}

    root = {
        "user": user_by_id,
        "users": lambda _info, role=None, first=None: [
            user for user in users if role in (None, user["role"])
        ][:first],
        "post": lambda _info, id: next((post for post in posts if post["id"] == id), None),
        "posts": list_posts,
        "search": lambda _info, term: [*users[:2], *posts[:2]],
        "createUser": create_user,
        "createPost": create_post,
        "likeComment": lambda _info, id: {**posts[0]["comments"][0], "likes": 5},
        "deletePost": lambda _info, id: True,
    }
    return build_schema(REAL_SDL), root


USER_CARD = "fragment UserCard on User { id name email }"
REQUESTS: list[dict[str, Any]] = [
    {
        "query": "query GetUser($id: ID!) { user(id: $id) { id name email role age score } }",
        "variables": {"id": user_id},
        "operationName": "GetUser",
    }
    for user_id in ("u1", "u4", "u7")
] + [
    {"query": "query ListUsers { users { id name role } }"},
    {"query": "query Admins { users(role: ADMIN, first: 3) { id name } }"},
    {
        "query": """query UserPosts($id: ID!, $status: PostStatus) {
            user(id: $id) { id posts(status: $status, first: 5) { id title status tags } } }""",
        "variables": {"id": "u2", "status": "ARCHIVED"},
    },
    {
        "query": """query Feed { posts { id title status rating body
            author { __typename id name }
            comments { id text likes author { id name } } } }"""
    },
    {"query": "query Authors { posts { id author { name email } } }"},
    {
        "query": """query Filtered {
            posts(filter: {status: PUBLISHED, minRating: 2.5}) { id title rating } }"""
    },
    {
        "query": "query Tagged($filter: PostFilter) { posts(filter: $filter) { id tags } }",
        "variables": {"filter": {"tag": "graphql"}},
    },
    {
        "query": """query Search($term: String!) { search(term: $term) {
            __typename ... on User { id name } ... on Post { id title } } }""",
        "variables": {"term": "a"},
    },
    {
        "query": "query Friends($id: ID!) { user(id: $id) { ...UserCard friends { ...UserCard } } }"
        + USER_CARD,
        "variables": {"id": "u3"},
    },
    {
        "query": """query Two { first: user(id: "u1") { id displayName: name }
            second: user(id: "u2") { id name } }"""
    },
    {
        "query": """mutation CreateUser($input: CreateUserInput!) {
            createUser(input: $input) { id name role } }""",
        "variables": {"input": {"name": "Zoe", "email": "zoe@example.com", "role": "EDITOR"}},
    },
    {"query": 'mutation { createUser(input: {name: "Yann", role: VIEWER}) { id name email } }'},
    {
        "query": """mutation CreatePost($input: CreatePostInput!) {
            createPost(input: $input) { id title tags author { id name } } }""",
        "variables": {
            "input": {"title": "Hello", "body": "b", "tags": ["a", "b"], "authorId": "u1"}
        },
    },
    {
        "query": "mutation Like($id: ID!) { likeComment(id: $id) { id likes } }",
        "variables": {"id": "c0-0"},
    },
    {
        "query": "mutation Like($id: ID!) { likeComment(id: $id) { id likes } }",
        "variables": {"id": "c1-0"},
    },
    {"query": "mutation Delete($id: ID!) { deletePost(id: $id) }", "variables": {"id": "p3"}},
    {  # a GET: the caller decoded nothing
        "query": """query GetPost($id: ID!) {
            post(id: $id) { id title body rating status author { name } } }""",
        "variables": '{"id": "p5"}',
    },
    {"query": 'query Broken { user(id: "boom") { id name } }'},
    {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "f00d"}}},
]


def _run(schema: GraphQLSchema, root: dict[str, Any], request: dict[str, Any]) -> Any:
    from graphql import graphql_sync

    if "query" not in request:
        return {"errors": [{"message": "PersistedQueryNotFound"}]}
    variables = request.get("variables")
    result = graphql_sync(
        schema,
        request["query"],
        root_value=root,
        variable_values=json.loads(variables) if isinstance(variables, str) else variables,
        operation_name=request.get("operationName"),
    )
    assert not result.errors or request["query"].startswith("query Broken"), result.errors
    return json.loads(json.dumps(result.formatted))  # as capture stores it


def test_a_real_server_schema_is_recovered() -> None:
    from tests.infer.graphql_support import compare_schemas, exercised_coordinates

    real, root = _server()
    builder = GraphQLSchemaBuilder()
    for request in REQUESTS:
        builder.add(request, _run(real, root, request))
    model = builder.build()
    _check(model)
    operations = [
        (r["query"], json.loads(v) if isinstance(v := r.get("variables"), str) else v)
        for r in REQUESTS
        if "query" in r
    ]
    result = compare_schemas(model.sdl, real, exercised=exercised_coordinates(real, operations))
    assert result.invented == ()
    assert result.exercised - result.recovered == frozenset()
    assert result.wrong_types == ()
    assert (result.recall, result.precision, result.type_accuracy) == (1.0, 1.0, 1.0)
    assert len(result.exercised) >= 50
    assert result.type_names["User"] == "User"
    assert result.type_names["Search"] == "SearchResult"
    assert result.over_non_null == ("User.age",)  # the three users fetched all had an age
    assert model.persisted_hashes == ("f00d",)
    broken = next(o for o in model.operations if o.name == "Broken")
    assert (broken.error_count, broken.errors[0].path) == (1, "user")
