"""Fixtures shared by the whole suite: the two store backends, the two accounts most
tests start from, and the local servers (chat API, book shop, Stripe and PayPal)
tests in several packages talk to.

Every store and service test runs on SQLite, and on PostgreSQL when
``APIDISCO_TEST_DATABASE_URL`` points at a server (the suite creates and drops
a scratch database of its own there). With ``APIDISCO_TEST_REQUIRE_POSTGRESQL=1``
(CI sets it) a run in which no PostgreSQL test passed fails.

The schema is built once per backend by running the migrations; each test then
runs inside an outer transaction that is rolled back, so tests never see each
other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from apidisco.services.actor import Actor
from apidisco.store import migrate
from apidisco.store.database import Database
from apidisco.store.engine import create_engine, parse_database_url, sqlite_url
from tests.describe.server import API_KEY, MODEL, ChatServer
from tests.localserver import running
from tests.payments.provider import FakeProviders
from tests.services.apiserver import ShopServer
from tests.services.support import actor_of, signup

POSTGRES_URL = os.environ.get("APIDISCO_TEST_DATABASE_URL") or None
REQUIRE_POSTGRES = os.environ.get("APIDISCO_TEST_REQUIRE_POSTGRESQL", "") not in {"", "0"}
NO_POSTGRES = "PostgreSQL not configured: set APIDISCO_TEST_DATABASE_URL to run this half"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(POSTGRES_URL is None, reason=NO_POSTGRES),
    ),
]

_passed: dict[str, int] = {"sqlite": 0, "postgresql": 0}


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_POSTGRES and POSTGRES_URL is None:
        raise pytest.UsageError(
            "APIDISCO_TEST_REQUIRE_POSTGRESQL is set but APIDISCO_TEST_DATABASE_URL is not"
        )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed:
        for backend in _passed:
            if f"[{backend}" in report.nodeid or f"-{backend}]" in report.nodeid:
                _passed[backend] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(
        f"backends: sqlite {_passed['sqlite']} passed, "
        f"postgresql {_passed['postgresql']} passed" + ("" if POSTGRES_URL else f" ({NO_POSTGRES})")
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REQUIRE_POSTGRES and _passed["postgresql"] == 0 and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# -- making empty databases ------------------------------------------------------------


class PostgresScratch:
    """Creates and drops scratch databases on the configured PostgreSQL server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = parse_database_url(admin_url)
        self.engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self) -> sa.URL:
        name = f"apidisco_test_{uuid.uuid4().hex[:12]}"
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.admin_url.set(database=name)

    def drop_all(self) -> None:
        with self.engine.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres_scratch() -> Iterator[PostgresScratch | None]:
    if POSTGRES_URL is None:
        yield None
        return
    scratch = PostgresScratch(POSTGRES_URL)
    yield scratch
    scratch.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the store backend under test: ``sqlite`` or ``postgresql``."""
    return str(request.param)


EmptyDatabaseFactory = Callable[[], sa.URL]


@pytest.fixture
def empty_database_url(
    backend: str, tmp_path: Path, postgres_scratch: PostgresScratch | None
) -> EmptyDatabaseFactory:
    """Makes URLs of new, empty databases on the backend under test."""
    counter = iter(range(1_000_000))

    def make() -> sa.URL:
        if backend == "sqlite":
            return sqlite_url(tmp_path / f"store-{next(counter)}.db")
        assert postgres_scratch is not None
        return postgres_scratch.create()

    return make


@pytest.fixture
def empty_database(empty_database_url: EmptyDatabaseFactory) -> Iterator[Database]:
    """A new database with no schema, on the backend under test."""
    database = Database(engine=create_engine(empty_database_url()))
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def migrated_database(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_scratch: PostgresScratch | None,
) -> Iterator[Database]:
    """One database per backend, built by running the migrations, shared by the session."""
    if backend == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("store") / "shared.db")
    else:
        assert postgres_scratch is not None
        url = postgres_scratch.create()
    database = Database(engine=create_engine(url))
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def database(migrated_database: Database) -> Iterator[Database]:
    """The migrated store, inside a transaction that is rolled back after the test."""
    with migrated_database.engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield Database.joining(connection)
        finally:
            transaction.rollback()


@pytest.fixture
def admin(database: Database) -> Actor:
    """alice: the first account, so an ADMIN."""
    return actor_of(signup(database, "alice"))


@pytest.fixture
def user(database: Database, admin: Actor) -> Actor:
    """bob: a USER with the 100 signup credits."""
    return actor_of(signup(database, "bob"))


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    """A chat completions server on 127.0.0.1 (an ephemeral port) that checks what it
    is sent and records it; stopped, with every handler thread joined, afterwards."""
    with running(ChatServer(api_key=API_KEY, model=MODEL)) as server:
        yield server


@pytest.fixture
def shop_server() -> Iterator[ShopServer]:
    """The book-shop API (:mod:`tests.services.apiserver`) on 127.0.0.1; stopped afterwards."""
    with running(ShopServer()) as shop:
        yield shop


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    """The fake Stripe and PayPal on 127.0.0.1 (an ephemeral port); stopped afterwards."""
    with running(FakeProviders()) as fake:
        yield fake
