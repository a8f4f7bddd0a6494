"""One HTTP client for a provider's API: timeouts, and failures as PaymentError.

Every call answers a decoded JSON object or raises
:class:`~apidisco.errors.PaymentError` with the provider's own explanation, on
one line, without any credential in it.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import httpx

from apidisco import __version__
from apidisco.errors import ConfigError, PaymentError

__all__ = ["ApiClient", "check_base_url"]

_MAX_ERROR_TEXT = 200


def check_base_url(url: str, setting: str) -> str:
    """``url`` without a trailing slash, if it is an http(s) URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{setting} must be an http or https URL, got {url!r}")
    return url.rstrip("/")


class ApiClient:
    """Requests to one provider's API root; ``name`` is used in messages."""

    def __init__(self, name: str, base_url: str, *, timeout: float, secrets: tuple[str, ...]):
        self.name = name
        self.base_url = base_url
        self.timeout = timeout
        self._secrets = tuple(secret for secret in secrets if secret)
        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": f"apidisco/{__version__}", "Accept": "application/json"},
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        ok: frozenset[int] = frozenset(),
        **kwargs: Any,
    ) -> tuple[int, dict[str, Any]]:
        """The status and JSON object of ``method path``; statuses in ``ok`` are not errors."""
        url = f"{self.base_url}{path}"
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise PaymentError(
                f"{self.name} did not answer within {self.timeout:g} seconds ({path})"
            ) from exc
        except httpx.HTTPError as exc:
            raise PaymentError(f"cannot reach {self.name} at {self.base_url}: {exc}") from exc
        try:
            document = response.json()
        except ValueError:
            document = None
        if not response.is_success and response.status_code not in ok:
            raise PaymentError(
                f"{self.name} answered HTTP {response.status_code} to {method} {path}: "
                f"{self._error_text(document, response)}"
            )
        if not isinstance(document, dict):
            raise PaymentError(f"{self.name} did not answer {method} {path} with a JSON object")
        return response.status_code, document

    def _error_text(self, document: object, response: httpx.Response) -> str:
        text = ""
        if isinstance(document, dict):
            error = document.get("error")
            if isinstance(error, dict):
                text = str(error.get("message") or error.get("code") or "")
            elif isinstance(error, str):
                text = str(document.get("error_description") or error)
            if not text:
                details = document.get("details")
                name = document.get("name") or ""
                issue = ""
                if isinstance(details, list) and details and isinstance(details[0], dict):
                    issue = str(details[0].get("issue") or details[0].get("description") or "")
                text = " ".join(part for part in (str(name), issue) if part) or str(
                    document.get("message") or ""
                )
        if not text:
            text = response.text or response.reason_phrase
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = " ".join(text.split())
        return text if len(text) <= _MAX_ERROR_TEXT else text[: _MAX_ERROR_TEXT - 1] + "…"

    def hide(self, secret: str) -> None:
        """Never show ``secret`` (a token obtained later) in a message."""
        if secret:
            self._secrets = (*self._secrets, secret)

    def close(self) -> None:
        self._http.close()
