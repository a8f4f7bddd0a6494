"""``compare_endpoint``: the schema rebuilt from real traffic against the live server's.

The book catalogue of :mod:`tests.e2e.books` (Strawberry under uvicorn, on
127.0.0.1) answers the workload; its HAR is imported and inferred, then the
same server is asked for its schema by introspection. Loopback destinations
are allowed explicitly (``allow_private=True``) where a test reaches the server.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from apidisco.errors import IntrospectionError, NotFoundError, ValidationError
from apidisco.services import endpoints
from apidisco.services.actor import Actor
from apidisco.services.capture import import_files
from apidisco.services.inference import infer_endpoint
from apidisco.services.introspection import compare_endpoint
from apidisco.store.database import Database
from tests.e2e.book_har import recorded_har
from tests.e2e.books import BookServer
from tests.localserver import running
from tests.services.support import PRICING, set_endpoint
from tests.services.traffic import shop, store


@pytest.fixture(scope="module")
def book_server() -> Iterator[str]:
    """One catalogue for the module: the workload changes its data, never its schema."""
    with running(BookServer()) as server:
        yield server.url


@pytest.fixture(scope="module")
def books_har(book_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("har") / "books.har"
    path.write_bytes(recorded_har(book_server))
    return path


def _inferred(database: Database, user: Actor, destination: str, har: Path) -> str:
    """An endpoint of ``user``'s for ``destination`` holding ``har``'s traffic, inferred."""
    endpoint_id = endpoints.create(
        database, user, destination, pricing=PRICING, allow_private=True
    ).id
    import_files(database, user, endpoint_id, [har])
    infer_endpoint(database, user, endpoint_id)
    return endpoint_id


def test_the_rebuilt_schema_agrees_with_the_live_server(
    database: Database, user: Actor, book_server: str, books_har: Path
) -> None:
    endpoint_id = _inferred(database, user, book_server, books_har)
    report = compare_endpoint(database, user, endpoint_id, allow_private=True, timeout=5)
    assert (report.endpoint_id, report.pattern) == (endpoint_id, "/graphql")
    assert report.url == f"{book_server}/graphql"
    result = report.comparison
    assert result.invented == ()  # nothing the server does not have
    # Only what traffic cannot prove: that the server requires a value.
    assert {m.kind for m in result.mismatches} == {"nullable"}
    assert "Query.book(id:)" in {m.coordinate for m in result.mismatches}
    assert result.renamed == (("Search", "SearchResult"),)
    assert (result.covered_types, result.server_types) == (9, 9)
    assert (result.covered_fields, result.server_fields) == (46, 46)
    assert result.unexercised_types == result.unexercised_fields == ()


def test_coverage_shows_what_traffic_never_exercised(
    database: Database, user: Actor, book_server: str, books_har: Path, tmp_path: Path
) -> None:
    document = json.loads(books_har.read_text())
    document["log"]["entries"] = document["log"]["entries"][:1]  # the catalogue query only
    partial = tmp_path / "catalogue.har"
    partial.write_text(json.dumps(document))
    endpoint_id = _inferred(database, user, book_server, partial)
    result = compare_endpoint(database, user, endpoint_id, allow_private=True).comparison
    assert result.invented == ()
    assert result.covered_types < result.server_types
    assert {"BookInput", "Mutation", "ReviewInput", "SearchResult"} <= set(result.unexercised_types)
    assert "Query.search(text:)" in result.unexercised_fields
    assert "Book.title" not in result.unexercised_fields
    assert result.covered_fields + len(result.unexercised_fields) == result.server_fields == 46


def test_loopback_is_refused_without_the_opt_in(
    database: Database, user: Actor, book_server: str, books_har: Path
) -> None:
    endpoint_id = _inferred(database, user, book_server, books_har)
    with pytest.raises(ValidationError, match=r"127\.0\.0\.1, which is a loopback address"):
        compare_endpoint(database, user, endpoint_id)


def test_cloud_metadata_is_refused_even_with_the_opt_in(
    database: Database, user: Actor, book_server: str, books_har: Path
) -> None:
    endpoint_id = _inferred(database, user, book_server, books_har)
    set_endpoint(database, endpoint_id, destination_url="http://169.254.169.254")
    with pytest.raises(ValidationError, match="cloud metadata address"):
        compare_endpoint(database, user, endpoint_id, allow_private=True)


def test_a_server_that_disabled_introspection_is_a_clear_error(
    database: Database, user: Actor, books_har: Path
) -> None:
    with running(BookServer(introspection=False)) as closed:
        endpoint_id = _inferred(database, user, closed.url, books_har)
        with pytest.raises(IntrospectionError, match="refused introspection") as raised:
            compare_endpoint(database, user, endpoint_id, allow_private=True)
    assert raised.value.exit_code == 15
    assert "introspection has been disabled" in raised.value.message
    assert "\n" not in raised.value.message


class _Redirect(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        self.send_response(307)
        self.send_header("Location", "http://169.254.169.254/graphql")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_redirects_are_not_followed(
    database: Database, user: Actor, book_server: str, books_har: Path
) -> None:
    endpoint_id = _inferred(database, user, book_server, books_har)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        set_endpoint(
            database, endpoint_id, destination_url=f"http://127.0.0.1:{server.server_address[1]}"
        )
        with pytest.raises(IntrospectionError, match="307, a redirect to http://169.254.169.254"):
            compare_endpoint(database, user, endpoint_id, allow_private=True, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_silent_server_times_out(
    database: Database, user: Actor, book_server: str, books_har: Path
) -> None:
    endpoint_id = _inferred(database, user, book_server, books_har)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        set_endpoint(
            database, endpoint_id, destination_url=f"http://127.0.0.1:{silent.getsockname()[1]}"
        )
        with pytest.raises(IntrospectionError, match=r"did not answer within 0\.3 s"):
            compare_endpoint(database, user, endpoint_id, allow_private=True, timeout=0.3)


def test_nothing_to_compare_without_a_graphql_endpoint(
    database: Database, user: Actor, endpoint_id: str, book_server: str, books_har: Path
) -> None:
    store(database, endpoint_id, shop())
    infer_endpoint(database, user, endpoint_id)
    with pytest.raises(NotFoundError, match="no GraphQL endpoint was discovered"):
        compare_endpoint(database, user, endpoint_id, allow_private=True)
    graphql = _inferred(database, user, book_server, books_har)
    with pytest.raises(NotFoundError, match="no GraphQL endpoint '/gql'"):
        compare_endpoint(database, user, graphql, path="/gql", allow_private=True)
    with pytest.raises(ValidationError, match="timeout"):
        compare_endpoint(database, user, graphql, allow_private=True, timeout=0)


def test_someone_elses_endpoint_is_not_found(
    database: Database, user: Actor, admin: Actor, book_server: str, books_har: Path
) -> None:
    endpoint_id = _inferred(database, admin, book_server, books_har)
    with pytest.raises(NotFoundError):
        compare_endpoint(database, user, endpoint_id, allow_private=True)
