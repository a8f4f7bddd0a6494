"""The documentation site over HTTP: who sees what, sessions, CSRF, escaping, downloads.

A real uvicorn server on 127.0.0.1 and a real HTTP client (httpx), on both
store backends.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import httpx
import pytest
import yaml
from openapi_spec_validator import validate

from apidisco.enums import ApiChangeType
from apidisco.errors import AuthenticationError
from apidisco.services import endpoints, sessions
from apidisco.services.actor import Actor
from apidisco.store.database import Database
from tests.services.support import PASSWORD
from tests.web.support import IMAGE, SCRIPT, RunningSite, change

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def client(site: RunningSite, **options: object) -> httpx.Client:
    return httpx.Client(base_url=site.url, follow_redirects=False, timeout=30, **options)  # type: ignore[arg-type]


def csrf_of(http: httpx.Client, path: str = "/login") -> str:
    page = http.get(path)
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def log_in(http: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(http)
    return http.post("/login", data={"email": email, "password": password, "csrf_token": token})


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


# -- reading -------------------------------------------------------------------------


def test_public_documentation_is_readable_without_logging_in(
    site: RunningSite, apis: dict[str, str]
) -> None:
    with client(site) as http:
        page = http.get("/docs/shop-api")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert '<h1 class="api-title">Shop API</h1>' in page.text
        # the operations list, and the Markdown reference with GitHub's anchors
        assert (
            '<a class="path" href="#get-usersuserid"><code>/users/{userId}</code></a>' in page.text
        )
        assert 'id="get-usersuserid"' in page.text
        assert 'href="#get-usersuserid"' in page.text
        home = http.get("/")
        assert 'href="/docs/shop-api"' in home.text
        assert "bob-secret" not in home.text
        assert "carol-secret" not in home.text
        assert http.get("/docs/shop-api/reference").status_code == 200
        assert http.get("/docs/shop-api/changes").status_code == 200


def test_captured_content_is_escaped(site: RunningSite, apis: dict[str, str]) -> None:
    with client(site) as http:
        page = http.get("/docs/shop-api").text
    assert "window.apidiscoPwned" in page
    # a description (CommonMark in the reference) holding HTML stays text
    assert "<p>Returns a note. &lt;script&gt;window.apidiscoPwned" in page
    assert "<script>window" not in page
    assert "&lt;script&gt;window.apidiscoPwned = true&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=" in page
    assert SCRIPT not in page
    assert IMAGE not in page
    # the site's own pages run scripts only from files (the CSP allows nothing inline)
    assert re.findall(r"<script>", page) == []


def test_downloads_have_their_content_types_and_file_names(
    site: RunningSite, apis: dict[str, str]
) -> None:
    expected = {
        "openapi.yaml": "application/yaml; charset=utf-8",
        "openapi.json": "application/json; charset=utf-8",
        "api.md": "text/markdown; charset=utf-8",
        "api.d.ts": "application/typescript; charset=utf-8",
    }
    with client(site) as http:
        got = {name: http.get(f"/docs/shop-api/download/{name}") for name in expected}
        assert http.get("/docs/shop-api/download/schema.graphql").status_code == 404
        assert http.get("/docs/shop-api/download/secrets.txt").status_code == 404
    for name, response in got.items():
        assert response.status_code == 200, name
        assert response.headers["content-type"] == expected[name]
        assert response.headers["content-disposition"] == (
            f'attachment; filename="shop-api-{name}"'
        )
    spec = yaml.safe_load(got["openapi.yaml"].text)
    validate(spec)
    assert spec["info"]["title"] == "Shop API"
    assert "/users/{userId}" in spec["paths"]
    assert json.loads(got["openapi.json"].text) == spec
    assert got["api.md"].text.startswith("# Shop API\n")
    assert "export interface" in got["api.d.ts"].text


def test_the_change_history_is_newest_first_with_breaking_changes_marked(
    database: Database, site: RunningSite, apis: dict[str, str]
) -> None:
    endpoint_id = apis["shop-api"]
    change(
        database,
        endpoint_id,
        kind=ApiChangeType.METHOD_ADDED,
        description="GET /users/{userId}/orders appeared",
        breaking=False,
        at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
    )
    change(
        database,
        endpoint_id,
        kind=ApiChangeType.SCHEMA_CHANGED,
        description="response field $.name was removed <b>now</b>",
        breaking=True,
        at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    )
    with client(site) as http:
        page = http.get("/docs/shop-api/changes").text
    newer = page.index("response field $.name was removed")
    older = page.index("GET /users/{userId}/orders appeared")
    assert newer < older
    items = re.findall(r'<li class="change( breaking)?">', page)
    assert items == [" breaking", ""]
    assert page.count('class="badge breaking-badge">Breaking<') == 1
    assert "1 breaking change." in page
    assert "&lt;b&gt;now&lt;/b&gt;" in page


# -- who may see what ------------------------------------------------------------------


def _not_found(http: httpx.Client, path: str) -> str:
    response = http.get(path)
    assert response.status_code == 404, path
    return response.text


def test_private_unknown_and_unpublished_documentation_are_the_same_404(
    database: Database, site: RunningSite, apis: dict[str, str], owners: tuple[Actor, Actor]
) -> None:
    bob, _ = owners
    with client(site) as http:
        unknown = _not_found(http, "/docs/no-such-api")
        for path in (
            "/docs/bob-secret",
            f"/docs/{apis['bob-secret']}",
            f"/docs/{apis['shop-api']}",  # a public endpoint is public at its slug only
            "/docs/bob-secret/reference",
            "/docs/bob-secret/changes",
            "/docs/bob-secret/download/openapi.json",
            "/docs/carol-secret/download/api.md",
            "/docs/no-such-api/download/openapi.yaml",
            "/no/such/page",
        ):
            assert _not_found(http, path) == unknown, path
        endpoints.unpublish(database, bob, "shop-api")
        assert _not_found(http, "/docs/shop-api") == unknown
        endpoints.publish(database, bob, "shop-api")
        assert http.get("/docs/shop-api").status_code == 200


def test_a_published_endpoint_without_documents_is_not_found(
    database: Database, site: RunningSite, owners: tuple[Actor, Actor]
) -> None:
    from tests.services.support import DESTINATION, PRICING

    bob, _ = owners
    created = endpoints.create(
        database, bob, DESTINATION, pricing=PRICING, allow_private=True, slug="not-yet"
    )
    endpoints.publish(database, bob, created.id)
    with client(site) as http:
        assert http.get("/docs/not-yet").status_code == 404
        assert "not-yet" not in http.get("/").text


def test_owners_read_their_private_documentation_and_nobody_elses(
    site: RunningSite, apis: dict[str, str]
) -> None:
    with client(site) as http:
        unknown = _not_found(http, "/docs/no-such-api")
        assert log_in(http, "bob@example.com").status_code == 303
        assert http.get("/docs/bob-secret").status_code == 200
        assert http.get(f"/docs/{apis['bob-secret']}").status_code == 200
        assert http.get("/docs/bob-secret/download/openapi.json").status_code == 200
        home = http.get("/").text
        assert 'href="/docs/bob-secret"' in home
        assert "Private" in home
        assert "carol-secret" not in home
        unknown_for_bob = _not_found(http, "/docs/no-such-api")
        assert _not_found(http, "/docs/carol-secret") == unknown_for_bob
        assert _not_found(http, f"/docs/{apis['carol-secret']}") == unknown_for_bob
        assert _not_found(http, "/docs/carol-secret/changes") == unknown_for_bob
        assert unknown_for_bob != unknown  # the page says who is logged in


# -- sessions and CSRF -------------------------------------------------------------------


def test_logging_in_sets_a_session_cookie_that_scripts_cannot_read(
    database: Database, site: RunningSite, apis: dict[str, str]
) -> None:
    with client(site) as http:
        response = log_in(http, "bob@example.com")
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        cookie = set_cookies(response)["apidisco_session"]
        flags = [part.strip().lower() for part in cookie.split(";")]
        assert "httponly" in flags
        assert "samesite=lax" in flags
        assert "path=/" in flags
        assert "secure" not in flags  # plain http
        token = http.cookies["apidisco_session"]
        assert sessions.authenticate(database, token).email == "bob@example.com"
    with client(site) as fresh:
        csrf_cookie = set_cookies(fresh.get("/login"))["apidisco_csrf"].lower()
        assert "httponly" in csrf_cookie
        assert "samesite=lax" in csrf_cookie


def test_the_session_cookie_is_secure_behind_an_https_proxy(
    site: RunningSite, apis: dict[str, str]
) -> None:
    with client(site, headers={"X-Forwarded-Proto": "https"}) as http:
        form = http.get("/login")
        csrf_cookie = [p.strip().lower() for p in set_cookies(form)["apidisco_csrf"].split(";")]
        assert "secure" in csrf_cookie
        token = CSRF.findall(form.text)[0]
        # The client would not send a Secure cookie over the plain connection to the
        # proxy's upstream; the browser did, over https.
        response = http.post(
            "/login",
            data={"email": "bob@example.com", "password": PASSWORD, "csrf_token": token},
            headers={
                "Origin": "https://" + site.url.removeprefix("http://"),
                "Cookie": f"apidisco_csrf={token}",
            },
        )
        assert response.status_code == 303
        flags = [p.strip().lower() for p in set_cookies(response)["apidisco_session"].split(";")]
        assert "secure" in flags
        assert "httponly" in flags


def test_a_wrong_password_sets_no_session(site: RunningSite, apis: dict[str, str]) -> None:
    with client(site) as http:
        response = log_in(http, "bob@example.com", "not the password")
        assert response.status_code == 400
        assert "wrong email or password" in response.text
        assert "apidisco_session" not in set_cookies(response)
        assert http.get("/docs/bob-secret").status_code == 404


def test_posts_without_the_csrf_token_are_refused(
    database: Database, site: RunningSite, apis: dict[str, str]
) -> None:
    login = {"email": "bob@example.com", "password": PASSWORD}
    with client(site) as http:
        token = csrf_of(http)
        assert http.post("/login", data=login).status_code == 403
        assert http.post("/login", data={**login, "csrf_token": "x" * 43}).status_code == 403
        cross_site = http.post(
            "/login",
            data={**login, "csrf_token": token},
            headers={"Origin": "https://evil.example"},
        )
        assert cross_site.status_code == 403
        assert "apidisco_session" not in set_cookies(cross_site)
        as_json = http.post("/login", json={**login, "csrf_token": token})
        assert as_json.status_code == 403
    with client(site) as fresh:  # a token from another browser's cookie does not count
        assert fresh.post("/login", data={**login, "csrf_token": token}).status_code == 403

    with client(site) as http:
        assert log_in(http, "bob@example.com").status_code == 303
        session_token = http.cookies["apidisco_session"]
        assert http.post("/logout", data={}).status_code == 403
        sessions.authenticate(database, session_token)  # still logged in
        logout = http.post("/logout", data={"csrf_token": csrf_of(http, "/")})
        assert logout.status_code == 303
        with pytest.raises(AuthenticationError):
            sessions.authenticate(database, session_token)
        assert http.get("/docs/bob-secret").status_code == 404


# -- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/docs/shop-api", "/docs/shop-api/download/openapi.yaml", "/nothing", "/static/site.css"],
)
def test_every_response_carries_the_security_headers(
    site: RunningSite, apis: dict[str, str], path: str
) -> None:
    with client(site) as http:
        response = http.get(path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert "server" not in response.headers
    if not path.startswith("/static/"):
        assert response.headers["cache-control"] == "no-store"


def test_swagger_ui_is_served_by_the_site(site: RunningSite) -> None:
    with client(site) as http:
        bundle = http.get("/static/swagger-ui/swagger-ui-bundle.js")
        css = http.get("/static/swagger-ui/swagger-ui.css")
    assert bundle.status_code == 200
    assert "SwaggerUIBundle" in bundle.text
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_graphql_and_asyncapi_pages_exist_where_the_api_has_them(
    database: Database, site: RunningSite, apis: dict[str, str], owners: tuple[Actor, Actor]
) -> None:
    from graphql import build_schema

    from apidisco.services.asyncapi_validation import validate_asyncapi
    from apidisco.services.documents import document_endpoint
    from tests.services.support import DESTINATION, PRICING
    from tests.services.test_exports import _graphql_and_websocket

    bob, _ = owners
    live = endpoints.create(
        database, bob, DESTINATION, pricing=PRICING, allow_private=True, name="Live", slug="live"
    )
    _graphql_and_websocket(database, live.id)
    document_endpoint(database, bob, live.id)
    endpoints.publish(database, bob, live.id)
    with client(site) as http:
        overview = http.get("/docs/live").text
        assert 'href="/docs/live/graphql"' in overview
        assert 'href="/docs/live/asyncapi"' in overview
        graphql = http.get("/docs/live/graphql")
        asyncapi = http.get("/docs/live/asyncapi")
        sdl = http.get("/docs/live/download/schema.graphql")
        document = http.get("/docs/live/download/asyncapi.yaml")
        shop = http.get("/docs/shop-api").text
        assert http.get("/docs/shop-api/graphql").status_code == 404
        assert http.get("/docs/shop-api/asyncapi").status_code == 404
    assert graphql.status_code == 200
    assert "type User {" in graphql.text
    assert asyncapi.status_code == 200
    assert "asyncapi: 3.0.0" in asyncapi.text
    assert sdl.headers["content-type"] == "application/graphql; charset=utf-8"
    assert sdl.headers["content-disposition"] == 'attachment; filename="live-schema.graphql"'
    assert build_schema(sdl.text).get_type("User") is not None
    assert document.headers["content-type"] == "application/yaml; charset=utf-8"
    assert validate_asyncapi(yaml.safe_load(document.text)) == []
    assert 'href="/docs/shop-api/graphql"' not in shop


def test_an_admin_reads_every_documentation(site: RunningSite, apis: dict[str, str]) -> None:
    with client(site) as http:
        assert log_in(http, "alice@example.com").status_code == 303
        assert http.get("/docs/carol-secret").status_code == 200
        assert http.get(f"/docs/{apis['bob-secret']}/changes").status_code == 200
        assert "carol-secret" not in http.get("/").text  # the home page lists one's own
