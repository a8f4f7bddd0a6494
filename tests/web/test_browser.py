"""The documentation site in a real browser: headless Chromium driven by Playwright.

Debian's ``chromium`` (``/usr/bin/chromium``, or ``$APIDISCO_TEST_CHROMIUM``) is
used, never a browser Playwright downloads. Without one the tests are skipped
with the reason, unless ``APIDISCO_TEST_REQUIRE_BROWSER=1`` (CI sets it), which
makes them fail instead. Screenshots of the main pages are saved to
``test-artifacts/screenshots/``.

One SQLite store, one site and one browser serve the whole module; each test
opens its own browser context (its own cookies).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from openapi_spec_validator import validate

from apidisco.enums import ApiChangeType
from apidisco.store import migrate
from apidisco.store.database import Database
from apidisco.store.engine import create_engine, sqlite_url
from tests.services.support import PASSWORD, actor_of, signup
from tests.web.support import SCRIPT, RunningSite, change, documented, running_site, settings_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
REQUIRE_BROWSER = os.environ.get("APIDISCO_TEST_REQUIRE_BROWSER", "") not in {"", "0"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}


def _chromium() -> str | None:
    chosen = os.environ.get("APIDISCO_TEST_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else shutil.which("chromium")


def _no_browser(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"APIDISCO_TEST_REQUIRE_BROWSER is set but {reason}")
    print(f"browser tests skipped: {reason}")  # noqa: T201 - the reason belongs in the log
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, or a skip (a failure when a browser is required)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _no_browser("the playwright package is not installed (pip install playwright)")
        raise
    executable = _chromium()
    if executable is None:
        _no_browser("no Chromium found (apt-get install chromium, or set APIDISCO_TEST_CHROMIUM)")
        raise AssertionError("unreachable")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except Error as error:
            _no_browser(f"Chromium at {executable} did not start: {error.message.splitlines()[0]}")
            raise
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A SQLite store with bob's public ``shop-api`` (a captured example holds a script)
    and private ``bob-secret``, carol's private ``carol-secret``, and two changes."""
    folder = tmp_path_factory.mktemp("site")
    database = Database(engine=create_engine(sqlite_url(folder / "site.db")))
    migrate.upgrade(database)
    signup(database, "alice")
    bob, carol = actor_of(signup(database, "bob")), actor_of(signup(database, "carol"))
    shop = documented(database, bob, "Shop API", "shop-api", public=True)
    documented(database, bob, "Bob's internal API", "bob-secret", public=False)
    documented(database, carol, "Carol's internal API", "carol-secret", public=False)
    change(
        database,
        shop,
        kind=ApiChangeType.METHOD_ADDED,
        description="DELETE /users/{userId} appeared",
        breaking=False,
        at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        method="DELETE",
    )
    change(
        database,
        shop,
        kind=ApiChangeType.SCHEMA_CHANGED,
        description="Response field $.tags of GET /users/{userId} was removed",
        breaking=True,
        at=datetime(2026, 3, 9, 8, 0, tzinfo=UTC),
    )
    yield {"database": database, "folder": folder}
    database.dispose()


@pytest.fixture(scope="module")
def site(store: dict[str, Any]) -> Iterator[RunningSite]:
    with running_site(store["database"], settings_for(store["folder"])) as running:
        yield running


@pytest.fixture
def context(browser: Browser, site: RunningSite) -> Iterator[BrowserContext]:
    """A fresh browser context (no cookies) that may reach the site and nothing else."""
    opened = browser.new_context(base_url=site.url, accept_downloads=True)
    outside: list[str] = []

    def only_the_site(route: Any) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    opened.route("**/*", only_the_site)
    yield opened
    opened.close()
    assert outside == [], f"the page asked for other origins: {outside}"


def _watch(page: Page) -> list[str]:
    """Console errors and page errors (a CSP violation is one)."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_public_overview_lists_operations_and_shows_a_captured_script_as_text(
    context: BrowserContext,
) -> None:
    page = context.new_page()
    problems = _watch(page)
    response = page.goto("/docs/shop-api")
    assert response is not None
    assert response.status == 200
    operations = page.locator("ul.operations li").all_inner_texts()
    assert any("GET" in line and "/users/{userId}" in line for line in operations), operations
    assert any("DELETE" in line for line in operations), operations
    # The script from the captured example is on the page as text, and never ran.
    assert page.get_by_text(SCRIPT).first.is_visible()
    assert page.evaluate("typeof window.apidiscoPwned") == "undefined"
    _shot(page, "overview")
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at phone width ({width}px)"
    page.screenshot(path=str(SCREENSHOTS / "overview-phone.png"))
    assert problems == []


def test_the_reference_expands_an_operation(context: BrowserContext) -> None:
    from playwright.sync_api import expect

    page = context.new_page()
    problems = _watch(page)
    page.goto("/docs/shop-api/reference")
    operation = page.locator(".opblock-get", has_text="/users/{userId}").first
    operation.wait_for(timeout=20_000)
    operation.locator(".opblock-summary").first.click()
    body = operation.locator(".opblock-body")
    # The body is attached before Swagger UI has filled it in: wait for its text.
    expect(body).to_contain_text("userId", timeout=10_000)
    expect(body).to_contain_text("Parameters", timeout=10_000)
    assert page.evaluate("typeof window.apidiscoPwned") == "undefined"
    _shot(page, "reference")
    assert problems == []


def test_the_spec_downloads_and_parses(context: BrowserContext) -> None:
    page = context.new_page()
    page.goto("/docs/shop-api")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="OpenAPI (YAML)").click()
    download = waiting.value
    assert download.suggested_filename == "shop-api-openapi.yaml"
    spec = yaml.safe_load(Path(download.path()).read_text("utf-8"))
    validate(spec)
    assert spec["info"]["title"] == "Shop API"
    assert "/users/{userId}" in spec["paths"]


def test_the_change_history_marks_breaking_changes(context: BrowserContext) -> None:
    page = context.new_page()
    page.goto("/docs/shop-api/changes")
    changes = page.locator("ol.changes > li")
    assert changes.count() == 2
    assert "was removed" in changes.nth(0).inner_text()
    assert "Breaking" in changes.nth(0).inner_text()
    assert "Breaking" not in changes.nth(1).inner_text()
    _shot(page, "changes")


def test_logging_in_shows_private_docs_and_someone_elses_stay_not_found(
    context: BrowserContext,
) -> None:
    page = context.new_page()
    problems = _watch(page)
    missing = page.goto("/docs/bob-secret")
    assert missing is not None
    assert missing.status == 404
    page.goto("/login")
    page.get_by_label("Email").fill("bob@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    _shot(page, "login")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    _shot(page, "home")
    page.get_by_role("link", name="Bob's internal API").click()
    page.wait_for_url("**/docs/bob-secret")
    assert page.locator("h1.api-title").inner_text() == "Bob's internal API"
    assert page.locator(".badge.private").first.is_visible()
    others = page.goto("/docs/carol-secret")
    assert others is not None
    assert others.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies["apidisco_session"]["httpOnly"] is True
    assert cookies["apidisco_session"]["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("apidisco_session") == -1
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    gone = page.goto("/docs/bob-secret")
    assert gone is not None
    assert gone.status == 404
    assert [p for p in problems if "404" not in p] == []
