"""Comparing a rebuilt GraphQL schema with the server's introspected one: every rule."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema, introspection_from_schema

from apidisco.infer.graphql_compare import SchemaComparison, TypeMismatch, compare_with_server

SERVER = """
interface Node { id: ID! }
enum Genre { FICTION SCIENCE POETRY }
type Author implements Node { id: ID! name: String! born: Int books: [Book!]! }
type Book implements Node {
  id: ID!
  title: String!
  price: Float!
  genre: Genre!
  tags: [String!]!
  author: Author!
}
union SearchResult = Author | Book
input BookInput { title: String! genre: Genre! }
type Query {
  book(id: ID!): Book
  books(genre: Genre, limit: Int): [Book!]!
  search(text: String!): [SearchResult!]!
  node(id: ID!): Node
}
type Mutation { addBook(book: BookInput!): Book! }
"""


def _introspection(sdl: str = SERVER) -> dict[str, Any]:
    return dict(introspection_from_schema(build_schema(sdl)))


def _compare(rebuilt: str, server: str = SERVER) -> SchemaComparison:
    return compare_with_server(rebuilt, _introspection(server))


def test_the_same_schema_agrees_everywhere() -> None:
    result = _compare(SERVER)
    assert result.invented == ()
    assert result.mismatches == ()
    assert result.renamed == ()
    assert (result.covered_types, result.server_types) == (8, 8)
    assert result.unexercised_types == ()
    assert result.covered_fields == result.server_fields == 24
    assert result.unexercised_fields == ()


def test_coverage_lists_what_traffic_never_exercised() -> None:
    result = _compare("type Query { book(id: ID): Thing } type Thing { id: ID! title: String! }")
    assert result.invented == ()
    assert result.renamed == (("Thing", "Book"),)
    assert (result.covered_types, result.server_types) == (2, 8)
    assert result.unexercised_types == (
        "Author",
        "BookInput",
        "Genre",
        "Mutation",
        "Node",
        "SearchResult",
    )
    # Node.id counts: Book implements it, and Book.id was exercised.
    assert (result.covered_fields, result.server_fields) == (5, 24)
    assert "Node.id" not in result.unexercised_fields
    assert "Query.books(genre:)" in result.unexercised_fields
    assert "Book.price" in result.unexercised_fields
    assert "Mutation.addBook(book:)" in result.unexercised_fields


def test_invented_fields_arguments_values_and_types() -> None:
    rebuilt = """
    enum Genre { FICTION FANTASY }
    type Book { id: ID! subtitle: String genre: Genre! }
    type Magazine { id: ID! }
    union Search = Book | Magazine
    type Query {
      book(id: ID, draft: Boolean): Book
      search(text: String): [Search!]!
      gone(id: ID): Int
    }
    """
    result = _compare(rebuilt)
    assert result.invented == (
        "Book.subtitle",
        "Genre.FANTASY",
        "Magazine",
        "Query.book(draft:)",
        "Query.gone",
        "Query.gone(id:)",
    )
    assert ("Search", "SearchResult") in result.renamed


def test_type_mismatches_by_kind_worst_first() -> None:
    rebuilt = """
    type Book { price: Int! tags: String! title: String id: ID! genre: String! }
    type Query { book(id: ID): Book books(limit: Int): [Book!]! }
    """
    result = _compare(rebuilt)
    assert result.mismatches == (
        TypeMismatch("Book.genre", "type", "String!", "Genre!"),
        TypeMismatch("Book.price", "type", "Int!", "Float!"),
        TypeMismatch("Book.tags", "list", "String!", "[String!]!"),
        TypeMismatch("Book.title", "nullable", "String", "String!"),
        TypeMismatch("Query.book(id:)", "nullable", "ID", "ID!"),
    )
    over = _compare("type Book { born: Int } type Query { book(id: ID!): Book! }")
    assert TypeMismatch("Query.book", "non-null", "Book!", "Book") in over.mismatches
    assert TypeMismatch("Book.born", "nullable", "Int", "Int") not in over.mismatches
    assert "Book.born" in over.invented  # the server's Book has no born


def test_nullability_inside_lists() -> None:
    result = _compare("type Book { id: ID! } type Query { books: [Book]! }")
    assert result.mismatches == (TypeMismatch("Query.books", "nullable", "[Book]!", "[Book!]!"),)


def test_union_members_and_interfaces_pair_by_name() -> None:
    rebuilt = """
    type Author { name: String! }
    type Book { title: String! }
    union Hit = Author | Book
    type Entity { id: ID! }
    type Query { search(text: String): [Hit!]! node(id: ID): Entity }
    """
    result = _compare(rebuilt)
    assert result.invented == ()
    assert result.renamed == (("Entity", "Node"), ("Hit", "SearchResult"))
    assert "Node.id" not in result.unexercised_fields
    assert "Author.name" not in result.unexercised_fields


def test_input_types_and_enums_pair_through_arguments() -> None:
    rebuilt = """
    enum BookGenre { FICTION }
    input NewBook { title: String genre: BookGenre }
    type Book { id: ID! }
    type Mutation { addBook(book: NewBook): Book! }
    type Query { book(id: ID): Book }
    """
    result = _compare(rebuilt)
    assert result.invented == ()
    assert ("NewBook", "BookInput") in result.renamed
    assert ("BookGenre", "Genre") in result.renamed
    assert TypeMismatch("BookInput.genre", "nullable", "BookGenre", "Genre!") in result.mismatches


def test_a_custom_scalar_pairs_by_name() -> None:
    server = "scalar DateTime type Query { now: DateTime! }"
    assert _compare("scalar DateTime type Query { now: DateTime! }", server).covered_types == 2
    wrong = _compare("type Query { now: String! }", server)
    assert wrong.mismatches == (TypeMismatch("Query.now", "type", "String!", "DateTime!"),)
    assert wrong.unexercised_types == ("DateTime",)


def test_what_is_not_a_schema_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="introspection result is not a schema"):
        compare_with_server("type Query { a: Int }", {"data": None})
    with pytest.raises(ValueError, match="rebuilt schema does not build"):
        compare_with_server("type Query { a: Missing }", _introspection())
