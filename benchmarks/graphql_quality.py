"""How much of a real GraphQL schema apidisco rebuilds from the traffic it records.

Usage: python benchmarks/graphql_quality.py [--details] [--sdl] [--markdown] [--keep DIR]

Run it with the Python of apidisco's development virtualenv (`pip install -e '.[dev]'`
brings Strawberry, uvicorn, httpx and mitmdump). It reuses the end-to-end tests' book
catalogue (tests/e2e/books.py) and the schema comparison of the inference tests
(tests/infer/graphql_support.py), so the benchmark and tests/e2e/test_graphql.py
measure the same thing.

Everything on 127.0.0.1, in a scratch folder (removed afterwards unless --keep names one):

1. The catalogue server starts: Strawberry's ASGI app under uvicorn, in a thread, on a
   port the system picks. Its schema has object types (Author, Book, Review), lists,
   the Genre enum, the SearchResult union, the BookInput and ReviewInput input types,
   queries with arguments and three mutations.
2. A fresh SQLite store gets an account and an endpoint whose destination is the
   server (loopback destinations allowed).
3. mitmdump in reverse mode in front of the server loads the apidisco addon
   (``-s <addon> --set apidisco_endpoint=... --set apidisco_db=...``).
4. The workload goes through the proxy with httpx: JSON POSTs with variables,
   aliases, a named fragment, an inline-fragment union with ``__typename``, an
   enum literal, two GETs with ``?query=``, one batched array of twelve mutations.
   mitmdump is stopped with Ctrl-C (SIGINT: the addon writes everything first).
5. ``infer_endpoint`` runs, the schema is exported (``export_endpoint(..., "graphql")``,
   which checks it with graphql-core), and the server's own schema is read by
   introspection, straight from the server.

Scoring. Coordinates are the real schema's fields (``Book.title``), arguments
(``Query.book(id:)``) and input fields (``BookInput.genre``); the reference is the
coordinates the operations sent select or send (a schema the traffic never touched
cannot be inferred). Rebuilt types pair with real ones by position (root types, then
the types paired fields return), so a rebuilt name may differ from the real one.
Recall is the share of reference coordinates found at the paired position; "typed"
the share of those whose type is right (the named type, enum and list structure;
non-null aside, reported separately); precision the share of rebuilt coordinates
that exist at their position in the real schema. Types: the reference is the real
named types that own or return a reference coordinate (built-in scalars aside);
recall the share of them some rebuilt type pairs with, precision the share of
rebuilt types that pair with a real one, "named" the share of pairs with the
real name.

Prints the calls and rows, the table, and the goal: every exercised type and
coordinate recovered with the right type, nothing invented. --details lists the
missed, mistyped and invented coordinates, the type pairs and the positions the
rebuilt schema makes non-null where the real one is nullable; --sdl prints the
rebuilt schema; --markdown adds the table in Markdown. A real type that more than one
rebuilt type stands for is named under the table. Last, apidisco's own comparison
with the live server (``apidisco graphql compare``, ``compare_endpoint``) is summed
up in one line: invented names, differences by kind, coverage. A run takes about 3 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from graphql import (
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    specified_scalar_types,
)

# The workload and the comparison live with the tests that check them: the benchmark
# imports them from there (the repository's top folder on sys.path) rather than copy them.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.books import BookServer, drive, introspect  # noqa: E402
from tests.infer.graphql_support import (  # noqa: E402
    SchemaComparison,
    compare_schemas,
    exercised_coordinates,
)

from apidisco.services import accounts, endpoints  # noqa: E402
from apidisco.services.actor import Actor  # noqa: E402
from apidisco.services.exports import export_endpoint  # noqa: E402
from apidisco.services.inference import infer_endpoint  # noqa: E402
from apidisco.services.introspection import IntrospectionReport, compare_endpoint  # noqa: E402
from apidisco.store import migrate  # noqa: E402
from apidisco.store.database import Database  # noqa: E402
from apidisco.store.engine import create_engine, sqlite_url  # noqa: E402

BIN = Path(sys.executable).parent
MITMDUMP = str(BIN / "mitmdump")
ADDON = str(ROOT / "src" / "apidisco" / "addon" / "__init__.py")
QUIET = ["--set", "termlog_verbosity=error", "--set", "flow_detail=0"]
KINDS = ("field", "argument", "input field")
BUILTIN = frozenset(specified_scalar_types)


@dataclass(frozen=True)
class Run:
    requests: int
    operations: int
    rows: int
    seconds: float
    sdl: str
    real: GraphQLSchema
    result: SchemaComparison
    live: IntrospectionReport


# -- the run ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, popen: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        if popen.poll() is not None:
            raise SystemExit(f"mitmdump exited early:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"mitmdump did not listen on {port} within 30 s") from None
            time.sleep(0.05)


@contextlib.contextmanager
def mitmdump(folder: Path, destination: str, endpoint_id: str, database: str) -> Iterator[int]:
    """mitmdump in reverse mode with the addon; its port. Ctrl-C when done."""
    port = free_port()
    log = folder / "mitmdump.log"
    args = [MITMDUMP, "-s", ADDON, "--listen-host", "127.0.0.1", "-p", str(port)]
    args += ["--mode", f"reverse:{destination}", "--set", f"confdir={folder / 'mitmproxy'}"]
    args += ["--set", f"apidisco_endpoint={endpoint_id}", "--set", f"apidisco_db={database}"]
    environ = {  # nothing of this machine's apidisco settings or proxies
        name: value
        for name, value in os.environ.items()
        if not name.lower().endswith("_proxy")
        and name not in {"APIDISCO_DATABASE_URL", "DATABASE_URL", "APIDISCO_SECRET_KEY"}
    }
    environ.update(
        APIDISCO_CONFIG=str(folder / "absent.toml"),
        APIDISCO_DATA_DIR=str(folder / "data"),
        APIDISCO_ALLOW_PRIVATE_DESTINATIONS="1",
    )
    with log.open("wb") as out:
        popen = subprocess.Popen([*args, *QUIET], stdout=out, stderr=subprocess.STDOUT, env=environ)
    try:
        wait_for_port(port, popen, log)
        yield port
        popen.send_signal(signal.SIGINT)
        if popen.wait(60) != 0:
            raise SystemExit(f"mitmdump failed:\n{log.read_text(errors='replace')}")
    finally:
        if popen.poll() is None:
            popen.kill()
            popen.wait(10)


def run(folder: Path) -> Run:
    started = time.monotonic()
    url = sqlite_url(folder / "store.db")
    database = Database(engine=create_engine(url, pool_min=1, pool_max=2))
    server = BookServer()
    try:
        destination = server.start()
        migrate.upgrade(database)
        account = accounts.signup(
            database, email=f"{uuid.uuid4().hex}@example.com", password="benchmark", rounds=4
        )
        actor = Actor(id=account.id, email=account.email, role=account.role)
        pricing = endpoints.Pricing(endpoint_price=0, included={})
        endpoint_id = endpoints.create(
            database, actor, destination, pricing=pricing, allow_private=True
        ).id
        target = url.render_as_string(hide_password=False)
        requests: list[httpx.Request] = []
        with (
            mitmdump(folder, destination, endpoint_id, target) as port,
            httpx.Client(
                trust_env=False, timeout=10, event_hooks={"request": [requests.append]}
            ) as client,
        ):
            sent = drive(client, f"http://127.0.0.1:{port}/graphql")
        report = infer_endpoint(database, actor, endpoint_id)
        export = export_endpoint(database, actor, endpoint_id, "graphql")
        real = introspect(f"{destination}/graphql")
        live = compare_endpoint(database, actor, endpoint_id, allow_private=True)
    finally:
        server.stop()
        database.dispose()
    sdl = export.partition("\n")[2]  # the header comment names the endpoint
    exercised = exercised_coordinates(real, sent)
    return Run(
        requests=len(requests),
        operations=len(sent),
        rows=report.calls,
        seconds=time.monotonic() - started,
        sdl=sdl,
        real=real,
        result=compare_schemas(sdl, real, exercised=exercised),
        live=live,
    )


# -- scoring ------------------------------------------------------------------------------


def kind_of(schema: GraphQLSchema, coordinate: str) -> str:
    if "(" in coordinate:
        return "argument"
    owner = schema.type_map.get(coordinate.partition(".")[0])
    return "input field" if isinstance(owner, GraphQLInputObjectType) else "field"


def coordinates(schema: GraphQLSchema) -> list[str]:
    """Every field, argument and input field of the schema's own types."""
    found = []
    for name, type_ in sorted(schema.type_map.items()):
        if name.startswith("__") or not isinstance(
            type_, GraphQLObjectType | GraphQLInputObjectType
        ):
            continue
        for field_name, field in sorted(type_.fields.items()):
            found.append(f"{name}.{field_name}")
            found.extend(f"{name}.{field_name}({a}:)" for a in getattr(field, "args", {}))
    return found


def named_type(schema: GraphQLSchema, coordinate: str) -> GraphQLNamedType:
    """The named type a coordinate of ``schema`` holds."""
    owner_name, _, rest = coordinate.partition(".")
    owner = schema.type_map[owner_name]
    field_name, _, argument = rest.partition("(")
    field = owner.fields[field_name]  # type: ignore[attr-defined]
    type_ = field.args[argument.rstrip(":)")].type if argument else field.type
    return get_named_type(type_)


def own_types(schema: GraphQLSchema) -> set[str]:
    return {
        name
        for name, type_ in schema.type_map.items()
        if not name.startswith("__")
        and not (isinstance(type_, GraphQLScalarType) and name in BUILTIN)
    }


def reference_types(schema: GraphQLSchema, exercised: Iterable[str]) -> set[str]:
    found = set()
    for coordinate in exercised:
        found.add(coordinate.partition(".")[0])
        found.add(named_type(schema, coordinate).name)
    return found & own_types(schema)


@dataclass(frozen=True)
class Row:
    what: str
    reference: int
    recovered: int
    typed: int | None  # None: not scored (types)
    rebuilt: int
    matched: int
    named: int | None = None  # types: pairs with the real name

    def cells(self) -> list[str]:
        def share(part: int, whole: int) -> str:
            return f"{part / whole:.1%}" if whole else "—"

        return [
            self.what,
            str(self.reference),
            share(self.recovered, self.reference),
            "" if self.typed is None else share(self.typed, self.recovered),
            share(self.matched, self.rebuilt),
            "" if self.named is None else share(self.named, self.matched),
        ]


def rows(done: Run) -> list[Row]:
    result, real = done.result, done.real
    rebuilt = build_schema(done.sdl)
    invented = set(result.invented)
    table = []
    for kind in KINDS:
        exercised = {c for c in result.exercised if kind_of(real, c) == kind}
        recovered = exercised & result.recovered
        mine = [c for c in coordinates(rebuilt) if kind_of(rebuilt, c) == kind]
        table.append(
            Row(
                what=f"{kind}s",
                reference=len(exercised),
                recovered=len(recovered),
                typed=len(recovered & result.typed),
                rebuilt=len(mine),
                matched=len([c for c in mine if c not in invented]),
            )
        )
    reference = reference_types(real, result.exercised)
    pairs = {name: real_name for name, real_name in result.type_names.items()}
    mine_types = own_types(rebuilt)
    paired = {name for name in mine_types if name in pairs}
    table.append(
        Row(
            what="types",
            reference=len(reference),
            recovered=len(reference & set(pairs.values())),
            typed=None,
            rebuilt=len(mine_types),
            matched=len(paired),
            named=sum(pairs[name] == name for name in paired),
        )
    )
    return table


HEADER = ["what", "exercised", "recall", "typed", "precision", "named"]
WIDTHS = [10, 8, 8, 10, 8]


def print_table(done: Run) -> None:
    print(
        f"{done.requests} requests carrying {done.operations} operations through mitmdump, "
        f"{done.rows} rows stored, {len(done.result.exercised)} coordinates exercised, "
        f"{done.seconds:.1f} s"
    )
    for cells in [HEADER, *(row.cells() for row in rows(done))]:
        print(
            cells[0].ljust(13) + "".join(c.rjust(w) for c, w in zip(cells[1:], WIDTHS, strict=True))
        )
    live = done.live.comparison
    kinds: dict[str, int] = {}
    for mismatch in live.mismatches:
        kinds[mismatch.kind] = kinds.get(mismatch.kind, 0) + 1
    differ = ", ".join(f"{count} {kind}" for kind, count in kinds.items()) or "none"
    print(
        f"graphql compare (introspection): {len(live.invented)} invented, types that differ: "
        f"{differ}; {live.covered_types}/{live.server_types} types and "
        f"{live.covered_fields}/{live.server_fields} fields exercised"
    )
    stand_ins: dict[str, list[str]] = {}
    for name, real_name in done.result.type_names.items():
        stand_ins.setdefault(real_name, []).append(name)
    for real_name, names in sorted(stand_ins.items()):
        if len(names) > 1:
            print(f"  {real_name} is rebuilt as {len(names)} types: {', '.join(sorted(names))}")


def print_markdown(done: Run) -> None:
    print("\n| " + " | ".join(HEADER) + " |")
    print("| --- | " + " | ".join("---:" for _ in HEADER[1:]) + " |")
    for row in rows(done):
        print("| " + " | ".join(row.cells()) + " |")


def print_details(done: Run) -> None:
    result = done.result
    lists = {
        "missed": sorted(result.exercised - result.recovered),
        "mistyped (real, rebuilt)": [
            f"{c}: {real} vs {mine}"
            for c, real, mine in result.wrong_types
            if c in result.exercised
        ],
        "invented": list(result.invented),
        "non-null where the server says nullable": list(result.over_non_null),
        "type pairs (rebuilt -> real)": [f"{a} -> {b}" for a, b in result.type_names.items()],
    }
    for title, lines in lists.items():
        print(f"\n{title}: {len(lines)}")
        for line in lines:
            print(f"  {line}")


def goal_verdict(done: Run) -> str:
    table = {row.what: row for row in rows(done)}
    gaps = []
    for row in table.values():
        if row.recovered < row.reference:
            gaps.append(f"{row.reference - row.recovered} {row.what} missed")
        if row.typed is not None and row.typed < row.recovered:
            gaps.append(f"{row.recovered - row.typed} {row.what} mistyped")
        if row.matched < row.rebuilt:
            gaps.append(f"{row.rebuilt - row.matched} {row.what} invented")
    return "met" if not gaps else "not met (" + ", ".join(gaps) + ")"


@contextlib.contextmanager
def scratch_folder(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        if keep.exists() and any(keep.iterdir()):
            raise SystemExit(f"--keep {keep}: the folder is not empty")
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="apidisco-graphql-") as folder:
        yield Path(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="work in this folder and leave it behind")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument("--details", action="store_true", help="list every mismatch")
    parser.add_argument("--sdl", action="store_true", help="print the rebuilt schema")
    args = parser.parse_args()
    command = shlex.join(["python", "benchmarks/graphql_quality.py", *sys.argv[1:]])
    with scratch_folder(args.keep) as folder:
        done = run(folder)
    print_table(done)
    if args.details:
        print_details(done)
    if args.sdl:
        print("\n" + done.sdl.rstrip("\n"))
    if args.markdown:
        print_markdown(done)
    print(
        "\nGoal: 100% of the exercised types and fields (arguments and input fields too) "
        "recovered with the right types, nothing invented: " + goal_verdict(done)
    )
    print(f"command: {command}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: every process it started was stopped")
        sys.exit(130)
