"""End to end: a real GraphQL server, mitmdump with the addon, inference, the SDL export.

The book catalogue of :mod:`tests.e2e.books` (Strawberry under uvicorn) sits behind
mitmdump in reverse mode; httpx sends its workload (JSON POSTs, GETs with
``?query=``, a batched array). The schema rebuilt from the recorded traffic must
match the server's own (introspected) on everything the traffic exercised: every
field, argument and input field found, with the right type, nothing invented.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from apidisco.services.exports import export_endpoint
from apidisco.services.inference import infer_endpoint
from apidisco.services.introspection import compare_endpoint
from apidisco.store.database import Database
from tests.addon.support import calls, endpoint, owner, url_of
from tests.e2e.books import BookServer, drive, introspect
from tests.e2e.conftest import Processes, free_port
from tests.infer.graphql_support import compare_schemas, exercised_coordinates
from tests.infer.support import find_tsc
from tests.localserver import running


@pytest.fixture
def book_server() -> Iterator[str]:
    """The catalogue's base URL; a fresh catalogue for each test."""
    with running(BookServer()) as server:
        yield server.url


def rebuilt_sdl(export: str) -> str:
    """The one schema of a GraphQL export, without its header comment."""
    header, _, sdl = export.partition("\n")
    assert header.startswith("# "), header
    assert "GraphQL endpoint /graphql" in header, header
    assert "GraphQL endpoint" not in sdl, "one GraphQL endpoint was expected"
    return sdl


def coordinates(schema: GraphQLSchema) -> frozenset[str]:
    """Every field, argument and input field of the schema's own types."""
    found = set()
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or not isinstance(
            type_, GraphQLObjectType | GraphQLInputObjectType
        ):
            continue
        for field_name, field in type_.fields.items():
            found.add(f"{name}.{field_name}")
            found.update(f"{name}.{field_name}({a}:)" for a in getattr(field, "args", {}))
    return frozenset(found)


def enum_values(schema: GraphQLSchema, name: str) -> set[str]:
    found = schema.type_map[name]
    assert isinstance(found, GraphQLEnumType), name
    return set(found.values)


def test_the_rebuilt_schema_matches_the_server_on_what_traffic_exercised(
    store_database: Database, book_server: str, processes: Processes, tmp_path: Path
) -> None:
    alice = owner(store_database)
    endpoint_id = endpoint(store_database, alice, book_server)
    port = free_port()
    mitmdump = processes.mitmdump(
        "--mode",
        f"reverse:{book_server}",
        "--set",
        f"apidisco_endpoint={endpoint_id}",
        "--set",
        f"apidisco_db={url_of(store_database)}",
        port=port,
    )
    mitmdump.wait_for_port(port)
    with httpx.Client(trust_env=False, timeout=10) as client:
        sent = drive(client, f"http://127.0.0.1:{port}/graphql")
    assert mitmdump.interrupt() == 0, mitmdump.output()

    rows = calls(store_database, endpoint_id)
    assert len(rows) == len(sent)  # one row per operation: the batch is split
    assert {r.protocol for r in rows} == {"graphql"}
    assert {r.method for r in rows} == {"GET", "POST"}

    infer_endpoint(store_database, alice, endpoint_id)
    sdl = rebuilt_sdl(export_endpoint(store_database, alice, endpoint_id, "graphql"))
    real = introspect(f"{book_server}/graphql")
    exercised = exercised_coordinates(real, sent)
    result = compare_schemas(sdl, real, exercised=exercised)

    assert exercised == coordinates(real)  # the workload reaches every corner of the schema
    assert sorted(exercised - result.recovered) == [], sdl
    assert [w for w in result.wrong_types if w[0] in exercised] == [], sdl
    assert result.invented == (), sdl
    assert (result.recall, result.type_accuracy, result.precision) == (1.0, 1.0, 1.0)
    # The rebuilt enums pair with the real ones and hold none of their own values.
    rebuilt = build_schema(sdl)
    enums = {
        name: real_name
        for name, real_name in result.type_names.items()
        if isinstance(rebuilt.type_map.get(name), GraphQLEnumType)
    }
    # One enum, as on the server: the one the variables declared, with every value seen.
    assert enums == {"Genre": "Genre"}, result.type_names
    assert enum_values(rebuilt, "Genre") == enum_values(real, "Genre")
    for name, real_name in enums.items():
        assert enum_values(rebuilt, name) <= enum_values(real, real_name)

    # apidisco's own comparison with the live server agrees: nothing invented, all covered.
    report = compare_endpoint(store_database, alice, endpoint_id, allow_private=True)
    assert report.comparison.invented == ()
    assert report.comparison.unexercised_fields == ()
    assert {m.kind for m in report.comparison.mismatches} == {"nullable"}

    # The TypeScript export declares the GraphQL types and operations, and compiles.
    typescript = export_endpoint(store_database, alice, endpoint_id, "typescript")
    namespace = typescript[typescript.index("export namespace GraphQL {") :]
    assert '  export type Genre = "FICTION" | "HISTORY" | "POETRY" | "SCIENCE";' in namespace
    assert "  export interface BooksByGenreQueryVariables {\n    genre: Genre;" in namespace
    assert "  export interface AddBookMutation {\n    addBook: Book;\n  }" in namespace
    tsc = find_tsc()
    if tsc is not None:
        (tmp_path / "api.d.ts").write_text(typescript)
        result = subprocess.run(
            [tsc, "--strict", "--noEmit", "api.d.ts"], cwd=tmp_path, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout
