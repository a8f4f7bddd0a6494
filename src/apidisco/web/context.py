"""What every handler shares: the :class:`Site`, the reader, and rendering a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from apidisco import __version__
from apidisco.config import Settings
from apidisco.errors import AuthenticationError
from apidisco.services import sessions
from apidisco.services.actor import Actor
from apidisco.services.database import Database
from apidisco.web.assets import TEMPLATES
from apidisco.web.security import CSRF_FIELD, SESSION_COOKIE, csrf_token, remember_csrf

__all__ = ["Site", "page", "site_of", "templates", "viewer_of"]

_UNKNOWN = object()


@dataclass(frozen=True)
class Site:
    """What the handlers share: the store, the settings and the templates."""

    database: Database
    settings: Settings
    templates: jinja2.Environment


def templates() -> jinja2.Environment:
    """The templates, autoescaped; a missing value is an error, not an empty string."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def site_of(request: Request) -> Site:
    site = request.app.state.site
    assert isinstance(site, Site)
    return site


def viewer_of(request: Request) -> Actor | None:
    """The logged-in user (from the session cookie), or ``None``. Call from a thread:
    it reads the store."""
    if getattr(request.state, "viewer", _UNKNOWN) is _UNKNOWN:
        token = request.cookies.get(SESSION_COOKIE)
        viewer = None
        if token:
            try:
                viewer = sessions.authenticate(site_of(request).database, token)
            except AuthenticationError:
                viewer = None
        request.state.viewer = viewer
    found: Actor | None = request.state.viewer
    return found


def page(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render ``template`` with what every page shows (the viewer, the CSRF token)."""
    values = {
        "request": request,
        "viewer": viewer_of(request),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "version": __version__,
        **(context or {}),
    }
    html = site_of(request).templates.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status)
    remember_csrf(response, request)
    return response
