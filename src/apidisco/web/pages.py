"""The documentation pages and downloads.

Each handler resolves the reader (:func:`apidisco.web.context.viewer_of`) and asks
:mod:`apidisco.services.site` for what they may see; a
:class:`~apidisco.errors.NotFoundError` becomes the site's one 404 page.
Handlers are plain functions: Starlette runs them in its thread pool, since
the services block on the database.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from apidisco.errors import NotFoundError
from apidisco.services import site
from apidisco.web.context import page, site_of, viewer_of
from apidisco.web.markdown import github_slug, render_markdown

__all__ = ["asyncapi", "changes", "download", "graphql", "home", "overview", "reference"]

# The content type of each of apidisco.services.site.DOWNLOADS.
MEDIA_TYPES = {
    "openapi.yaml": "application/yaml; charset=utf-8",
    "openapi.json": "application/json; charset=utf-8",
    "api.md": "text/markdown; charset=utf-8",
    "api.d.ts": "application/typescript; charset=utf-8",
    "schema.graphql": "application/graphql; charset=utf-8",
    "asyncapi.yaml": "application/yaml; charset=utf-8",
}


def home(request: Request) -> Response:
    database = site_of(request).database
    viewer = viewer_of(request)
    public = site.public_listing(database)
    owned = site.owned_listing(database, viewer) if viewer is not None else []
    return page(request, "home.html", {"public": public, "owned": owned})


def overview(request: Request) -> Response:
    reference = request.path_params["reference"]
    docs = site.documentation(site_of(request).database, viewer_of(request), reference)
    context = {
        "about": docs.about,
        "docs": docs,
        "body": render_markdown(docs.markdown),
        "anchor": github_slug,
    }
    return page(request, "overview.html", {**context, "tab": "overview"})


def reference(request: Request) -> Response:
    about = site.about(
        site_of(request).database, viewer_of(request), request.path_params["reference"]
    )
    return page(request, "reference.html", {"about": about, "tab": "reference"})


def _text_page(request: Request, name: str, tab: str, title: str) -> Response:
    database, viewer = site_of(request).database, viewer_of(request)
    reference = request.path_params["reference"]
    about = site.about(database, viewer, reference)
    text = site.download(database, viewer, reference, name)
    context = {"about": about, "title": title, "text": text, "name": name}
    return page(request, "text.html", {**context, "tab": tab})


def graphql(request: Request) -> Response:
    return _text_page(request, "schema.graphql", "graphql", "GraphQL schema")


def asyncapi(request: Request) -> Response:
    return _text_page(request, "asyncapi.yaml", "asyncapi", "AsyncAPI document")


def changes(request: Request) -> Response:
    about, entries = site.changes(
        site_of(request).database, viewer_of(request), request.path_params["reference"]
    )
    breaking = sum(1 for entry in entries if entry.breaking)
    context = {"about": about, "entries": entries, "breaking": breaking}
    return page(request, "changes.html", {**context, "tab": "changes"})


def download(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in MEDIA_TYPES:
        raise NotFoundError(f"no download {name!r}")
    reference = request.path_params["reference"]
    text = site.download(site_of(request).database, viewer_of(request), reference, name)
    filename = f"{reference}-{name}"
    return Response(
        text.encode("utf-8"),
        media_type=MEDIA_TYPES[name],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
