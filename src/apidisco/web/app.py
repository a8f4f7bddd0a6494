"""The site's ASGI application: :func:`create_app` and what every page shares.

Routes::

    GET  /                                  public documentation; yours when logged in
    GET  /login, POST /login, POST /logout  the session (apidisco.web.login)
    GET  /docs/{ref}                        overview: operations and the Markdown reference
    GET  /docs/{ref}/reference              interactive OpenAPI reference (Swagger UI)
    GET  /docs/{ref}/graphql                GraphQL SDL, where there is one
    GET  /docs/{ref}/asyncapi               AsyncAPI document, where there is one
    GET  /docs/{ref}/changes                change history, newest first
    GET  /docs/{ref}/download/{name}        openapi.yaml, openapi.json, api.md, api.d.ts,
                                            schema.graphql, asyncapi.yaml
    GET  /static/...                        the site's CSS and scripts; Swagger UI's files

``{ref}`` is a public endpoint's slug, or, for its owner, its slug or id.
Whatever a reader may not see answers the same 404 page as what does not exist.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from apidisco.config import Settings
from apidisco.errors import ApidiscoError, NotFoundError
from apidisco.services.database import Database
from apidisco.web import login, pages
from apidisco.web.assets import STATIC, swagger_ui_dist
from apidisco.web.context import Site, page, templates
from apidisco.web.security import SecurityHeaders

__all__ = ["create_app"]

log = logging.getLogger("apidisco.web")


def _not_found(request: Request, exc: Exception) -> Response:
    return page(request, "not_found.html", status=404)


async def _not_found_async(request: Request, exc: Exception) -> Response:
    return await run_in_threadpool(_not_found, request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code == 404:
        return await _not_found_async(request, exc)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "error"
    return Response(f"{status} {detail}\n", status_code=status, media_type="text/plain")


def _failed(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return page(request, "error.html", status=500)


def create_app(database: Database, settings: Settings) -> Starlette:
    """The documentation site over ``database`` (see the module docstring)."""
    routes = [
        Route("/", pages.home, name="home"),
        Route("/login", login.form, methods=["GET"], name="login"),
        Route("/login", login.submit, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"], name="logout"),
        Route("/docs/{reference}", pages.overview, name="overview"),
        Route("/docs/{reference}/reference", pages.reference, name="reference"),
        Route("/docs/{reference}/graphql", pages.graphql, name="graphql"),
        Route("/docs/{reference}/asyncapi", pages.asyncapi, name="asyncapi"),
        Route("/docs/{reference}/changes", pages.changes, name="changes"),
        Route("/docs/{reference}/download/{name}", pages.download, name="download"),
        Mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_dist()), name="swagger"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            NotFoundError: _not_found_async,
            HTTPException: _http_error,
            ApidiscoError: _failed,
        },
    )
    app.state.site = Site(database=database, settings=settings, templates=templates())
    return app
