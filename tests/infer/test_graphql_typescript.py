"""TypeScript namespaces for GraphQL endpoints: golden files, the rules, and tsc.

Golden files (:mod:`tests.infer.golden`): every ``tests/data/graphql_typescript/<name>.graphql``
(an SDL) with ``<name>.json`` beside it (the endpoint's pattern, the names the
file already declares, its ``x-graphql-operations``) is rendered and compared
with ``<name>.d.ts``. After a deliberate change, regenerate them and review the
diff::

    APIDISCO_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/infer/test_graphql_typescript.py

Every rendered file is compiled by one ``tsc --strict --noEmit`` run (skipped
without Node, failed instead with ``APIDISCO_TEST_REQUIRE_TSC=1``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from apidisco.infer.graphql_typescript import (
    declared_names,
    graphql_namespace,
    graphql_namespaces,
)
from tests.infer.golden import assert_golden
from tests.infer.support import find_tsc

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "graphql_typescript"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "graphql.md"
REQUIRE_TSC = os.environ.get("APIDISCO_TEST_REQUIRE_TSC", "") not in {"", "0"}
NO_TSC = "Node or tsc not found: run `npm install --prefix .cache/node typescript@5`"
CASES = sorted(path.stem for path in GOLDEN.glob("*.graphql"))


def _row(pattern: str, sdl: str, operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    details = {"graphqlOperations": operations or []}
    return {
        "pattern": pattern,
        "api_type": "GraphQL",
        "graphql_schema": sdl,
        "operations": {"GET": details, "POST": details},
    }


def _render(case: str) -> str:
    meta = json.loads((GOLDEN / f"{case}.json").read_text())
    sdl = (GOLDEN / f"{case}.graphql").read_text()
    return graphql_namespaces([_row(meta["pattern"], sdl, meta["operations"])], taken=meta["taken"])


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    assert_golden(_render(case), GOLDEN / f"{case}.d.ts")


def _body(sdl: str, operations: list[dict[str, Any]] | None = None) -> str:
    return graphql_namespace("G", sdl, operations or [])


# -- the rules ------------------------------------------------------------------------------


def test_scalars_nullability_and_lists() -> None:
    text = _body(
        "type Query { a: ID! b: String c: Int! d: Float e: Boolean! "
        "f: [Int!]! g: [Int] h: [[String!]]! }"
    )
    for member in [
        "a: string;",
        "b: string | null;",
        "c: number;",
        "d: number | null;",
        "e: boolean;",
        "f: number[];",
        "g: (number | null)[] | null;",
        "h: (string[] | null)[];",
    ]:
        assert f"    {member}\n" in text, member


def test_enums_unions_and_custom_scalars() -> None:
    text = _body(
        "scalar JSON enum Role { VIEWER ADMIN } type A { x: Int } type B { y: Int } "
        "union AB = B | A type Query { r: Role! u: AB j: JSON }"
    )
    assert '  export type Role = "ADMIN" | "VIEWER";\n' in text
    assert "  export type AB = A | B;\n" in text
    assert "  export type JSON = unknown;\n" in text
    assert '  export interface A {\n    __typename?: "A";\n    x: number | null;\n  }' in text
    assert "    j: JSON | null;\n" in text


def test_input_fields_and_arguments_are_optional_unless_required() -> None:
    text = _body(
        "input F { a: Int! b: Int c: Int! = 3 d: Int = null } "
        "type Query { q(f: F!, n: Int, m: Int! = 1): Int }"
    )
    assert "  export interface F {\n    a: number;\n    b?: number | null;\n" in text
    assert "    c?: number;\n    d?: number | null;\n  }" in text
    assert (
        "  export interface QueryQArgs {\n    f: F;\n    m?: number;\n    n?: number | null;"
        in text
    )


def test_operations_get_variables_and_result_types() -> None:
    operations: list[dict[str, Any]] = [
        {
            "name": "Get",
            "kind": "query",
            "rootFields": ["q"],
            "variables": {"n": "Int!", "o": "[Int]"},
            "calls": 1,
        },
        {"name": None, "kind": "mutation", "rootFields": ["m"], "variables": {}, "calls": 2},
        {"name": "Hidden", "kind": None, "rootFields": [], "variables": {}, "calls": 1},
    ]
    text = graphql_namespaces(
        [_row("/graphql", "type Query { q: Int } type Mutation { m: Boolean! }", operations)],
        taken=(),
    )
    assert "  export interface GetQueryVariables {\n    n: number;\n" in text
    assert "    o?: (number | null)[] | null;\n  }" in text
    assert "  export interface GetQuery {\n    q: number | null;\n  }" in text
    assert "  export type AnonymousMMutationVariables = { [key: string]: never };" in text
    assert "  export interface AnonymousMMutation {\n    m: boolean;\n  }" in text
    assert "Hidden" not in text  # a persisted query whose text was never seen


def test_names_stay_apart_from_the_rest_of_the_file() -> None:
    rest = "export interface GraphQL {\n  id: number;\n}\nexport type Book = string;\n"
    assert declared_names(rest) == {"GraphQL", "Book"}
    rows = [_row("/graphql", "type Query { a: Int }"), _row("/v2/graphql", "type Query { b: Int }")]
    text = graphql_namespaces(rows, taken=declared_names(rest))
    assert "export namespace GraphQL2 {" in text
    assert "export namespace GraphQLV2 {" in text
    assert text.index("GraphQL2") < text.index("GraphQLV2")  # by pattern


def test_reserved_and_clashing_names_take_suffixes() -> None:
    text = _body(
        "type Record { a: Int } type QueryRArgs { b: Int } type Query { r(x: Int): Record }",
        [{"name": "r", "kind": "query", "rootFields": ["r"], "variables": {}, "calls": 1}],
    )
    assert "  export interface Record_ {" in text
    assert "    r: Record_ | null;" in text
    assert "  export interface QueryRArgs2 {" in text
    assert "  export interface RQuery {" in text


def test_nothing_without_a_graphql_schema() -> None:
    rows = [
        {"pattern": "/users", "api_type": "REST"},
        {**_row("/graphql", ""), "graphql_schema": None},
    ]
    assert graphql_namespaces(rows, taken=()) == ""


def test_a_broken_schema_is_an_error() -> None:
    with pytest.raises(ValueError, match="does not build: Unknown type 'Missing'"):
        graphql_namespace("G", "type Query { a: Missing }")


def test_the_same_input_gives_the_same_text() -> None:
    assert _render("books") == _render("books")


# -- the documentation ------------------------------------------------------------------------


def test_the_docs_example_is_current() -> None:
    section = DOCS.read_text().partition("\n## TypeScript\n")[2].split("\n## ")[0]
    sdl = re.search(r"```graphql\n(.*?)```", section, re.S)
    operations = re.search(r"```json\n(.*?)```", section, re.S)
    output = re.search(r"```ts\n(.*?)```", section, re.S)
    assert sdl, "docs/graphql.md: the TypeScript section lost its example schema"
    assert operations, "docs/graphql.md: the TypeScript section lost its example operations"
    assert output, "docs/graphql.md: the TypeScript section lost its example output"
    row = _row("/graphql", sdl.group(1), json.loads(operations.group(1)))
    assert graphql_namespaces([row], taken=()) == output.group(1)


# -- tsc -------------------------------------------------------------------------------------

#: A file tsc must reject, so a run that checks nothing is noticed.
PROBE = "export namespace Probe {\n  export interface P {\n    value: Missing;\n  }\n}\n"


def test_every_rendered_file_compiles_with_tsc(tmp_path: Path) -> None:
    tsc = find_tsc()
    if tsc is None:
        if REQUIRE_TSC:
            pytest.fail(f"APIDISCO_TEST_REQUIRE_TSC is set but: {NO_TSC}")
        pytest.skip(NO_TSC)
    for case in CASES:
        (tmp_path / f"golden-{case}.d.ts").write_text(_render(case))
    (tmp_path / "probe.d.ts").write_text(PROBE)
    names = sorted(path.name for path in tmp_path.glob("*.d.ts"))
    command = [tsc, "--strict", "--noEmit", "--pretty", "false", "--target", "es2022", *names]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    errors = [line for line in result.stdout.splitlines() if ": error TS" in line]
    assert errors, f"tsc reported nothing, not even for the probe:\n{result.stdout}{result.stderr}"
    assert all(line.startswith("probe.d.ts") for line in errors), "\n".join(errors)
