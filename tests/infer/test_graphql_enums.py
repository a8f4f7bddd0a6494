"""One enum, not two: enums named after a position fold into the enum a variable declared."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, build_schema

from apidisco.infer.graphql import GraphQLSchemaBuilder
from apidisco.infer.graphql_enums import enum_folds

GENRES = ["FICTION", "SCIENCE", "HISTORY", "POETRY"]


def _sdl(*calls: tuple[str, Any, Any]) -> str:
    builder = GraphQLSchemaBuilder()
    for query, variables, data in calls:
        builder.add({"query": query, "variables": variables}, {"data": data})
    return builder.build().sdl


def _books(count: int = 20) -> dict[str, Any]:
    return {"books": [{"genre": GENRES[n % 4]} for n in range(count)]}


BY_GENRE = "query ByGenre($genre: Genre!) { books(genre: $genre) { genre } }"
ALL = "query All { books { genre } }"


def test_the_response_enum_folds_into_the_declared_one() -> None:
    sdl = _sdl(
        (ALL, None, _books()),
        (BY_GENRE, {"genre": "SCIENCE"}, {"books": [{"genre": "SCIENCE"}]}),
        (BY_GENRE, {"genre": "POETRY"}, {"books": [{"genre": "POETRY"}]}),
    )
    schema = build_schema(sdl)
    enums = sorted(n for n, t in schema.type_map.items() if isinstance(t, GraphQLEnumType))
    assert [n for n in enums if not n.startswith("__")] == ["Genre"], sdl
    genre = schema.type_map["Genre"]
    assert isinstance(genre, GraphQLEnumType)
    assert sorted(genre.values) == sorted(GENRES)
    assert genre.description == (
        "Declared by operations' variables; values from requests and responses."
    )
    book = schema.type_map["Book"]
    query = schema.query_type
    assert isinstance(book, GraphQLObjectType)
    assert query is not None
    assert str(book.fields["genre"].type) == "Genre!"
    assert str(query.fields["books"].args["genre"].type) == "Genre"


def test_input_fields_and_literals_fold_too() -> None:
    add = "mutation Add($book: BookInput!) { addBook(book: $book) { genre } }"
    adds = [
        (add, {"book": {"genre": GENRES[n % 2]}}, {"addBook": {"genre": GENRES[n % 2]}})
        for n in range(10)  # enough values sent for an enum of the input field
    ]
    sdl = _sdl(
        (ALL, None, _books()),
        ("{ books(genre: HISTORY) { genre } }", None, {"books": [{"genre": "HISTORY"}]}),
        *adds,
        (BY_GENRE, {"genre": "SCIENCE"}, {"books": [{"genre": "SCIENCE"}]}),
    )
    schema = build_schema(sdl)
    book_input = schema.type_map["BookInput"]
    assert isinstance(book_input, GraphQLInputObjectType)
    assert str(book_input.fields["genre"].type) == "Genre", sdl
    assert "BookGenre" not in schema.type_map
    assert "BooksGenre" not in schema.type_map


def test_without_a_declaration_the_enums_stay_as_they_were() -> None:
    sdl = _sdl((ALL, None, _books()), ("{ books(genre: POETRY) { genre } }", None, _books(1)))
    schema = build_schema(sdl)
    assert isinstance(schema.type_map["BookGenre"], GraphQLEnumType)
    assert isinstance(schema.type_map["BooksGenre"], GraphQLEnumType)


@pytest.mark.parametrize(
    ("enums", "declared", "expected"),
    [
        # responses saw more values than were sent, and the other way round
        ({"BookGenre": {"A", "B", "C"}, "Genre": {"A"}}, {"Genre"}, {"BookGenre": "Genre"}),
        ({"BookGenre": {"A"}, "Genre": {"A", "B"}}, {"Genre"}, {"BookGenre": "Genre"}),
        # disjoint values, or values where neither holds the other's: two enums
        ({"BookGenre": {"A"}, "Genre": {"B"}}, {"Genre"}, {}),
        ({"BookGenre": {"A", "B"}, "Genre": {"B", "C"}}, {"Genre"}, {}),
        # the declared name must end the made-up one
        ({"GenreKind": {"A"}, "Genre": {"A"}}, {"Genre"}, {}),
        # declared enums never fold into each other
        ({"BookGenre": {"A"}, "Genre": {"A"}}, {"Genre", "BookGenre"}, {}),
        # no declared enum at all
        ({"BookGenre": {"A"}, "UserGenre": {"A"}}, set(), {}),
        # the longest declared name wins
        (
            {"UsedBookGenre": {"A"}, "BookGenre": {"A"}, "Genre": {"A"}},
            {"Genre", "BookGenre"},
            {"UsedBookGenre": "BookGenre"},
        ),
        # a declared name with no enum (a scalar or input) is no target
        ({"BookGenre": {"A"}}, {"Genre"}, {}),
    ],
)
def test_enum_folds(
    enums: dict[str, set[str]], declared: set[str], expected: dict[str, str]
) -> None:
    assert enum_folds(enums, declared) == expected
