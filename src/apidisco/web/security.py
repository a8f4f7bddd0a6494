"""Security of the site: response headers, the session cookie, CSRF tokens.

- Every response carries a Content-Security-Policy that allows only the site
  itself (no inline script or style, no frames of it anywhere), and
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``,
  ``X-Frame-Options: DENY``. Pages and downloads are not cached
  (``Cache-Control: no-store``); static files are.
- The session cookie holds the login token (the store keeps only its hash):
  ``HttpOnly``, ``SameSite=Lax``, ``Path=/``, and ``Secure`` when the request
  came over https (behind a proxy: its ``X-Forwarded-Proto``, which uvicorn
  trusts from ``--forwarded-allow-ips``).
- Form posts are CSRF-protected by a double-submit token: a random value in a
  cookie of its own that each form repeats in a hidden field; a post whose
  field does not match the cookie, or whose ``Origin`` is another site, is
  refused with 403.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "SecurityHeaders",
    "clear_session",
    "csrf_token",
    "csrf_valid",
    "remember_csrf",
    "set_session",
]

SESSION_COOKIE = "apidisco_session"
CSRF_COOKIE = "apidisco_csrf"
CSRF_FIELD = "csrf_token"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STATIC_PREFIX = "/static/"


class SecurityHeaders:
    """ASGI middleware that adds :data:`HEADERS` (and a cache rule) to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if not static:
                    headers["Cache-Control"] = "no-store"
                    headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def clear_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )


def csrf_token(request: Request) -> str:
    """The request's CSRF token: its cookie's, or a new one (then set by :func:`remember_csrf`)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) >= 32:
        return token
    made: str | None = getattr(request.state, "new_csrf", None)
    if made is None:
        made = request.state.new_csrf = secrets.token_urlsafe(32)
    return made


def remember_csrf(response: Response, request: Request) -> None:
    """Set the CSRF cookie when :func:`csrf_token` made a new token for this request."""
    token: str | None = getattr(request.state, "new_csrf", None)
    if token is not None:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            path="/",
            httponly=True,
            samesite="lax",
            secure=_secure(request),
        )


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not sent by every browser for same-origin posts; the token decides
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin == own


def csrf_valid(request: Request, form: Mapping[str, str]) -> bool:
    """Does the posted form repeat the CSRF cookie, from this site?"""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    field = form.get(CSRF_FIELD, "")
    if len(cookie) < 32 or not field:
        return False
    return _same_origin(request) and hmac.compare_digest(cookie.encode(), field.encode())
