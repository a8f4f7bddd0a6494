"""``apidisco graphql compare`` against a real GraphQL server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, json_of
from tests.e2e.book_har import recorded_har
from tests.e2e.books import BookServer
from tests.localserver import running


@pytest.fixture
def book_server() -> Iterator[str]:
    with running(BookServer()) as server:
        yield server.url


@pytest.fixture
def recorded(
    fresh_store: Invoke, book_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Invoke, str]:
    """A logged-in store with an endpoint for the server, its traffic imported and inferred.

    Loopback is allowed while the endpoint is created, then the setting is gone again.
    """
    for args in (["account", "signup"], ["account", "login"]):
        result = fresh_store(
            *args, "--email", "ann@example.com", "--password-stdin", input="long password\n"
        )
        assert result.exit_code == 0, result.stderr
    monkeypatch.setenv("APIDISCO_ALLOW_PRIVATE_DESTINATIONS", "1")
    created = fresh_store("--json", "endpoint", "create", book_server)
    assert created.exit_code == 0, created.stderr
    endpoint = json_of(created)["id"]  # type: ignore[index]
    monkeypatch.delenv("APIDISCO_ALLOW_PRIVATE_DESTINATIONS")
    har = tmp_path / "books.har"
    har.write_bytes(recorded_har(book_server))
    for args in (["capture", "import", str(har), "--endpoint", endpoint], ["infer", endpoint]):
        result = fresh_store(*args)
        assert result.exit_code == 0, result.stderr
    return fresh_store, endpoint


def test_compare_prints_a_report_and_json(recorded: tuple[Invoke, str], book_server: str) -> None:
    apidisco, endpoint = recorded
    refused = apidisco("graphql", "compare", endpoint)
    assert refused.exit_code == 2
    assert "loopback address" in refused.stderr
    assert refused.stderr.count("\n") == 1

    printed = apidisco("graphql", "compare", endpoint, "--allow-private", "-H", "X-Test: 1")
    assert printed.exit_code == 0, printed.stderr
    assert f"{book_server}/graphql" in printed.stdout
    assert "9 of 9" in printed.stdout
    assert "46 of 46" in printed.stdout
    assert "Query.book(id:)" in printed.stdout
    assert "SearchResult" in printed.stdout
    assert "Nothing in traffic is missing from the server's schema." in printed.stdout

    report = json_of(apidisco("--json", "graphql", "compare", endpoint, "--allow-private"))
    assert isinstance(report, dict)
    assert report["pattern"] == "/graphql"
    comparison = report["comparison"]
    assert comparison["invented"] == []
    assert comparison["renamed"] == [["Search", "SearchResult"]]
    assert {m["kind"] for m in comparison["mismatches"]} == {"nullable"}
    assert comparison["covered_fields"] == comparison["server_fields"] == 46


def test_bad_headers_and_unknown_paths_are_one_line_errors(recorded: tuple[Invoke, str]) -> None:
    apidisco, endpoint = recorded
    bad = apidisco("graphql", "compare", endpoint, "--allow-private", "-H", "no colon")
    assert bad.exit_code == 2
    assert "NAME: VALUE" in bad.stderr
    missing = apidisco("graphql", "compare", endpoint, "--allow-private", "--path", "/gql")
    assert missing.exit_code == 3
    assert "no GraphQL endpoint '/gql'" in missing.stderr


def test_a_server_without_introspection_exits_15(
    fresh_store: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running(BookServer(introspection=False)) as closed:
        url = closed.url
        monkeypatch.setenv("APIDISCO_ALLOW_PRIVATE_DESTINATIONS", "1")  # the operator's opt-in
        for args in (["account", "signup"], ["account", "login"]):
            fresh_store(*args, "--email", "b@example.com", "--password-stdin", input="long pw!!\n")
        endpoint = json_of(fresh_store("--json", "endpoint", "create", url))["id"]  # type: ignore[index]
        har = tmp_path / "books.har"
        har.write_bytes(recorded_har(url))
        fresh_store("capture", "import", str(har), "--endpoint", endpoint)
        fresh_store("infer", endpoint)
        result = fresh_store("graphql", "compare", endpoint)
    assert result.exit_code == 15, result.stdout
    assert "refused introspection" in result.stderr
    assert result.stderr.count("\n") == 1
