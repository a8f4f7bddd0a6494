"""A real GraphQL API to rebuild from traffic: a book catalogue served by Strawberry.

- the schema: ``Author``, ``Book``, ``Review``, the ``Genre`` enum, the
  ``SearchResult`` union, the ``BookInput`` and ``ReviewInput`` input types;
  queries with arguments, three mutations;
- :class:`BookServer`: Strawberry's ASGI app under uvicorn on 127.0.0.1 (a port
  the system picks), in a thread, with a catalogue of its own; batches allowed;
  ``BookServer(introspection=False)`` refuses introspection queries, as
  production servers often do;
- :func:`drive`: the workload a client of the catalogue sends (JSON POSTs with
  variables, aliases, fragments, an inline-fragment union, enum literals, GETs
  with ``?query=``, one batched array of mutations) and the operations it sent,
  for :func:`tests.infer.graphql_support.exercised_coordinates`;
- :func:`introspect`: the server's own schema, by introspection.

Used by ``tests/e2e/test_graphql.py`` and ``benchmarks/graphql_quality.py``.
"""

from __future__ import annotations

import asyncio
import enum
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import strawberry
import uvicorn
from graphql import GraphQLSchema, build_client_schema, get_introspection_query
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.asgi import GraphQL
from strawberry.extensions import AddValidationRules
from strawberry.schema.config import StrawberryConfig

# -- the schema -------------------------------------------------------------------------


@strawberry.enum
class Genre(enum.Enum):
    FICTION = "FICTION"
    SCIENCE = "SCIENCE"
    HISTORY = "HISTORY"
    POETRY = "POETRY"


@dataclass
class _Shelf:
    """The catalogue one server holds (mutations change it)."""

    authors: dict[str, Author] = field(default_factory=dict)
    books: dict[str, Book] = field(default_factory=dict)
    reviews: dict[str, Review] = field(default_factory=dict)
    next_id: int = 100

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)


def _shelf(info: strawberry.Info) -> _Shelf:
    shelf: _Shelf = info.context["shelf"]
    return shelf


@strawberry.type
class Author:
    id: strawberry.ID
    name: str
    born: int | None

    @strawberry.field
    def books(self, info: strawberry.Info) -> list[Book]:
        return [b for b in _shelf(info).books.values() if b.author_id == self.id]


@strawberry.type
class Review:
    id: strawberry.ID
    rating: int
    text: str
    book_id: strawberry.Private[str]

    @strawberry.field
    def book(self, info: strawberry.Info) -> Book:
        return _shelf(info).books[self.book_id]


@strawberry.type
class Book:
    id: strawberry.ID
    title: str
    year: int
    price: float
    genre: Genre
    in_print: bool
    tags: list[str]
    author_id: strawberry.Private[str]

    @strawberry.field
    def author(self, info: strawberry.Info) -> Author:
        return _shelf(info).authors[self.author_id]

    @strawberry.field
    def reviews(self, info: strawberry.Info) -> list[Review]:
        return [r for r in _shelf(info).reviews.values() if r.book_id == self.id]

    @strawberry.field
    def average_rating(self, info: strawberry.Info) -> float | None:
        ratings = [r.rating for r in self.reviews(info)]
        return sum(ratings) / len(ratings) if ratings else None


SearchResult = Annotated[Book | Author, strawberry.union("SearchResult")]


@strawberry.input
class BookInput:
    title: str
    year: int
    price: float
    genre: Genre
    author_id: strawberry.ID
    tags: list[str] = strawberry.field(default_factory=list)
    in_print: bool = True


@strawberry.input
class ReviewInput:
    book_id: strawberry.ID
    rating: int
    text: str


@strawberry.type
class Query:
    @strawberry.field
    def books(
        self, info: strawberry.Info, genre: Genre | None = None, limit: int | None = None
    ) -> list[Book]:
        found = [b for b in _shelf(info).books.values() if genre is None or b.genre == genre]
        return found if limit is None else found[:limit]

    @strawberry.field
    def book(self, info: strawberry.Info, id: strawberry.ID) -> Book | None:  # noqa: A002
        return _shelf(info).books.get(id)

    @strawberry.field
    def authors(self, info: strawberry.Info) -> list[Author]:
        return list(_shelf(info).authors.values())

    @strawberry.field
    def author(self, info: strawberry.Info, id: strawberry.ID) -> Author | None:  # noqa: A002
        return _shelf(info).authors.get(id)

    @strawberry.field
    def reviews(self, info: strawberry.Info, min_rating: int = 0) -> list[Review]:
        return [r for r in _shelf(info).reviews.values() if r.rating >= min_rating]

    @strawberry.field
    def search(self, info: strawberry.Info, text: str) -> list[SearchResult]:
        shelf, needle = _shelf(info), text.lower()
        found: list[Book | Author] = [a for a in shelf.authors.values() if needle in a.name.lower()]
        found += [b for b in shelf.books.values() if needle in b.title.lower()]
        return found


@strawberry.type
class Mutation:
    @strawberry.mutation
    def add_book(self, info: strawberry.Info, book: BookInput) -> Book:
        shelf = _shelf(info)
        if book.author_id not in shelf.authors:
            raise ValueError(f"no author {book.author_id}")
        added = Book(
            id=strawberry.ID(shelf.new_id()),
            title=book.title,
            year=book.year,
            price=book.price,
            genre=book.genre,
            in_print=book.in_print,
            tags=list(book.tags),
            author_id=book.author_id,
        )
        shelf.books[added.id] = added
        return added

    @strawberry.mutation
    def add_review(self, info: strawberry.Info, review: ReviewInput) -> Review:
        shelf = _shelf(info)
        if review.book_id not in shelf.books:
            raise ValueError(f"no book {review.book_id}")
        added = Review(
            id=strawberry.ID(shelf.new_id()),
            rating=review.rating,
            text=review.text,
            book_id=review.book_id,
        )
        shelf.reviews[added.id] = added
        return added

    @strawberry.mutation
    def delete_review(self, info: strawberry.Info, id: strawberry.ID) -> bool:  # noqa: A002
        return _shelf(info).reviews.pop(id, None) is not None


SCHEMA = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(batching_config={"max_operations": 20}),
)
#: The same schema with introspection refused (graphql-core's validation rule).
CLOSED_SCHEMA = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(batching_config={"max_operations": 20}),
    extensions=[lambda: AddValidationRules([NoSchemaIntrospectionCustomRule])],
)


def _stocked() -> _Shelf:
    shelf = _Shelf()
    for id_, name, born in [
        ("1", "Ursula K. Le Guin", 1929),
        ("2", "Carl Sagan", 1934),
        ("3", "Mary Beard", 1955),
        ("4", "Anonymous", None),
    ]:
        shelf.authors[id_] = Author(id=strawberry.ID(id_), name=name, born=born)
    for id_, title, year, price, genre, in_print, tags, author in [
        ("1", "A Wizard of Earthsea", 1968, 9.99, Genre.FICTION, True, ["fantasy"], "1"),
        ("2", "The Left Hand of Darkness", 1969, 11.5, Genre.FICTION, True, ["sf", "classic"], "1"),
        ("3", "Cosmos", 1980, 14.25, Genre.SCIENCE, True, ["astronomy"], "2"),
        ("4", "Pale Blue Dot", 1994, 13.0, Genre.SCIENCE, False, [], "2"),
        ("5", "SPQR", 2015, 18.75, Genre.HISTORY, True, ["rome"], "3"),
        ("6", "Women & Power", 2017, 8.5, Genre.HISTORY, True, ["essay", "politics"], "3"),
        ("7", "Beowulf", 1000, 6.0, Genre.POETRY, True, ["epic"], "4"),
        ("8", "Wild Angels", 1975, 7.25, Genre.POETRY, False, [], "1"),
    ]:
        shelf.books[id_] = Book(
            id=strawberry.ID(id_),
            title=title,
            year=year,
            price=price,
            genre=genre,
            in_print=in_print,
            tags=tags,
            author_id=author,
        )
    for id_, book, rating, text in [
        ("1", "1", 5, "A classic."),
        ("2", "1", 4, "Still good."),
        ("3", "3", 5, "Wonderful."),
        ("4", "5", 4, "Thorough."),
        ("5", "5", 3, "Long."),
    ]:
        shelf.reviews[id_] = Review(id=strawberry.ID(id_), rating=rating, text=text, book_id=book)
    return shelf


class _App(GraphQL[Any, Any]):
    def __init__(self, shelf: _Shelf, schema: strawberry.Schema = SCHEMA) -> None:
        super().__init__(schema, graphql_ide=None)
        self.shelf = shelf

    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        return {"shelf": self.shelf}


# -- the server -------------------------------------------------------------------------


class BookServer:
    """The catalogue under uvicorn, in a thread; ``url`` once started."""

    def __init__(self, *, introspection: bool = True) -> None:
        config = uvicorn.Config(
            _App(_stocked(), SCHEMA if introspection else CLOSED_SCHEMA),
            host="127.0.0.1",
            port=0,
            lifespan="off",
            ws="none",
            log_level="warning",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="graphql-server", daemon=True)
        self.url = ""

    def _run(self) -> None:
        asyncio.run(self._server.serve())

    def start(self, timeout: float = 10) -> str:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the GraphQL server did not start")
            time.sleep(0.02)
        (listener,) = [s for server in self._server.servers for s in server.sockets]
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)


def introspect(url: str) -> GraphQLSchema:
    """The schema the server at ``url`` (its GraphQL path) reports, asked directly."""
    with httpx.Client(trust_env=False, timeout=10) as client:
        answer = client.post(url, json={"query": get_introspection_query()}).json()
    return build_client_schema(answer["data"])


# -- the workload -----------------------------------------------------------------------

CATALOGUE = """
query Catalogue {
  books { id title year price genre inPrint tags averageRating author { id name born } }
}"""
BY_GENRE = """
query BooksByGenre($genre: Genre!, $limit: Int) {
  books(genre: $genre, limit: $limit) { ...BookParts reviews { id rating text } }
}
fragment BookParts on Book { id title genre price }"""
PAIR = """
query Pair {
  first: book(id: "1") { title author { name } }
  second: book(id: "3") { title year reviews { rating } }
  missing: book(id: "404") { title }
}"""
POETRY = "{ books(genre: POETRY) { title inPrint } }"
AUTHORS = "query Authors { authors { id name born books { id title genre } } }"
AUTHOR = "query Author($id: ID!) { author(id: $id) { name books { title year } } }"
SEARCH = """
query Search($text: String!) {
  search(text: $text) { __typename ... on Book { id title } ... on Author { id name } }
}"""
REVIEWS = """
query Reviews($minRating: Int) {
  reviews(minRating: $minRating) { id rating text book { id title } }
}"""
ADD_BOOK = """
mutation AddBook($book: BookInput!) {
  addBook(book: $book) { id title genre price tags author { name } }
}"""
ADD_REVIEW = """
mutation AddReview($review: ReviewInput!) {
  addReview(review: $review) { id rating book { title averageRating } }
}"""
DELETE_REVIEW = "mutation DeleteReview($id: ID!) { deleteReview(id: $id) }"
COUNT = "query Count { books { id } }"

NEW_BOOKS = [  # title, year, price, genre, author, tags, in print (None: not sent)
    ("The Dispossessed", 1974, 12.99, "FICTION", "1", ["utopia"], None),
    ("The Lathe of Heaven", 1971, 10.5, "FICTION", "1", [], True),
    ("Contact", 1985, 9.75, "FICTION", "2", ["first contact"], None),
    ("The Dragons of Eden", 1977, 11.25, "SCIENCE", "2", ["evolution", "brain"], True),
    ("Broca's Brain", 1979, 10.0, "SCIENCE", "2", [], False),
    ("Billions and Billions", 1997, 13.5, "SCIENCE", "2", ["essays"], None),
    ("The Demon-Haunted World", 1995, 14.0, "SCIENCE", "2", ["skepticism"], True),
    ("Pompeii", 2008, 16.5, "HISTORY", "3", ["rome", "archaeology"], None),
    ("Laughter in Ancient Rome", 2014, 19.99, "HISTORY", "3", [], True),
    ("Twelve Caesars", 2021, 24.0, "HISTORY", "3", ["rome", "art"], None),
    ("The Fall of Troy", 1100, 5.5, "HISTORY", "4", ["epic"], False),
    ("Steering the Craft", 1998, 15.25, "FICTION", "1", ["writing"], None),
]


def _book_input(row: tuple[Any, ...]) -> dict[str, Any]:
    title, year, price, genre, author, tags, in_print = row
    book = {"title": title, "year": year, "price": price, "genre": genre, "authorId": author}
    book["tags"] = tags
    if in_print is not None:
        book["inPrint"] = in_print
    return book


Operation = tuple[str, dict[str, Any] | None]  # query text, variables


def _answer(response: httpx.Response) -> Any:
    response.raise_for_status()
    answer = response.json()
    for item in answer if isinstance(answer, list) else [answer]:
        if item.get("errors"):
            raise AssertionError(f"the server answered with errors: {item['errors']}")
    return answer


def drive(client: httpx.Client, url: str) -> list[Operation]:
    """Send the workload to ``url`` (the GraphQL path); the operations sent, in order.

    16 requests carrying 27 operations: 12 of them in one batched array, 2 by GET.
    """
    sent: list[Operation] = []

    def post(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> Any:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        if name is not None:
            body["operationName"] = name
        sent.append((query, variables))
        return _answer(client.post(url, json=body))

    def get(query: str, variables: dict[str, Any] | None = None) -> Any:
        params = {"query": query}
        if variables is not None:
            params["variables"] = json.dumps(variables)
        sent.append((query, variables))
        return _answer(client.get(url, params=params))

    catalogue = post(CATALOGUE, name="Catalogue")
    assert len(catalogue["data"]["books"]) == 8
    post(BY_GENRE, {"genre": "SCIENCE", "limit": 5}, "BooksByGenre")
    post(BY_GENRE, {"genre": "HISTORY"}, "BooksByGenre")
    pair = post(PAIR)
    assert pair["data"]["missing"] is None
    post(POETRY)
    get(AUTHORS)
    get(AUTHOR, {"id": "2"})
    found = post(SEARCH, {"text": "le"}, "Search")["data"]["search"]
    assert {hit["__typename"] for hit in found} == {"Author", "Book"}
    post(REVIEWS, {"minRating": 4}, "Reviews")

    batch = [
        {"query": ADD_BOOK, "variables": {"book": _book_input(row)}, "operationName": "AddBook"}
        for row in NEW_BOOKS
    ]
    sent.extend((item["query"], item["variables"]) for item in batch)
    added = _answer(client.post(url, json=batch))
    assert len(added) == len(NEW_BOOKS)

    reviewed = [("3", 5, "Still the best."), ("101", 4, "Hopeful."), ("6", 2, "Too short.")]
    review_ids = []
    for book, rating, text in reviewed:
        review = {"bookId": book, "rating": rating, "text": text}
        answer = post(ADD_REVIEW, {"review": review}, "AddReview")
        review_ids.append(answer["data"]["addReview"]["id"])
    deleted = post(DELETE_REVIEW, {"id": review_ids[-1]}, "DeleteReview")
    assert deleted["data"]["deleteReview"] is True
    post(CATALOGUE, name="Catalogue")
    assert len(post(COUNT)["data"]["books"]) == 8 + len(NEW_BOOKS)
    return sent
