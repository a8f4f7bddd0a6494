"""Logging in and out of the site, through :mod:`apidisco.services.sessions`.

A successful login opens a session of ``session_days`` days, as ``apidisco
account login`` does, and keeps its token in the session cookie
(:func:`apidisco.web.security.set_session`). Both forms are CSRF-protected.
"""

from __future__ import annotations

import urllib.parse

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from apidisco.errors import AuthenticationError
from apidisco.services import sessions
from apidisco.web.context import page, site_of
from apidisco.web.security import (
    SESSION_COOKIE,
    clear_session,
    csrf_valid,
    set_session,
)

__all__ = ["form", "logout", "submit"]

MAX_FORM_BYTES = 16 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


async def _posted(request: Request) -> dict[str, str] | None:
    """The URL-encoded form, or ``None`` for anything else (or anything too large)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return None
    return dict(pairs)


def _refused(request: Request) -> Response:
    return page(request, "refused.html", status=403)


def form(request: Request) -> Response:
    return page(request, "login.html", {"email": "", "error": None})


async def submit(request: Request) -> Response:
    posted = await _posted(request)
    if posted is None or not csrf_valid(request, posted):
        return await run_in_threadpool(_refused, request)
    email = posted.get("email", "").strip()
    password = posted.get("password", "")
    site = site_of(request)
    try:
        opened = await run_in_threadpool(
            lambda: sessions.login(
                site.database, email=email, password=password, days=site.settings.session_days
            )
        )
    except AuthenticationError as error:
        context = {"email": email, "error": error.message}
        return await run_in_threadpool(lambda: page(request, "login.html", context, 400))
    response = RedirectResponse("/", status_code=303)
    set_session(response, request, opened.token, max_age=site.settings.session_days * 86400)
    return response


async def logout(request: Request) -> Response:
    posted = await _posted(request)
    if posted is None or not csrf_valid(request, posted):
        return await run_in_threadpool(_refused, request)
    token = request.cookies.get(SESSION_COOKIE)
    await run_in_threadpool(sessions.logout, site_of(request).database, token)
    response = RedirectResponse("/", status_code=303)
    clear_session(response, request)
    return response
