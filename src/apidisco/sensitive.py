"""Which names carry secrets: the defaults capture masks and inference never shows.

Standard library only, so every layer may use it: capture masks these headers,
query parameters and fields before anything is stored (``docs/capture.md``
lists them), and inference treats values under these field names as secrets.
"""

from __future__ import annotations

__all__ = ["DEFAULT_SENSITIVE_FIELDS", "DEFAULT_SENSITIVE_HEADERS", "DEFAULT_SENSITIVE_QUERY"]

DEFAULT_SENSITIVE_HEADERS: frozenset[str] = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "x-access-token",
        "x-refresh-token",
        "x-csrf-token",
        "x-xsrf-token",
        "x-amz-security-token",
        "x-goog-api-key",
        "ocp-apim-subscription-key",
    }
)
DEFAULT_SENSITIVE_QUERY: frozenset[str] = frozenset(
    {
        "api_key",
        "apikey",
        "api-key",
        "key",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "auth",
        "signature",
        "sig",
        "password",
        "secret",
        "client_secret",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
    }
)
DEFAULT_SENSITIVE_FIELDS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "new_password",
        "old_password",
        "current_password",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "api_key",
        "apikey",
        "private_key",
        "card_number",
        "cvv",
        "cvc",
        "ssn",
    }
)
