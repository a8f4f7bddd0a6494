"""A small client for an OpenAI-compatible chat completions API.

One request per call to :meth:`ChatClient.complete`::

    POST {base_url}/chat/completions
    Authorization: Bearer {api_key}            (left out when there is no key)
    {"model": ..., "messages": [...], "temperature": 0,
     "response_format": {"type": "json_object"}}

and the answer is the first choice's message content. ``response_format`` asks
for a JSON answer; a server that refuses it (HTTP 400 or 422) is asked again
without it, and not asked with it again. Whatever goes wrong (no connection, no
answer in time, an HTTP error status, a body that is not the chat completions
shape) is a :class:`~apidisco.errors.DescriptionError` saying where and why; the
API key never appears in it.
"""

from __future__ import annotations

import types
import urllib.parse
from collections.abc import Sequence
from typing import Any, Literal, TypedDict

import httpx

from apidisco import __version__
from apidisco.config import Settings, redact_url
from apidisco.errors import ConfigError, DescriptionError

__all__ = ["ChatClient", "ChatMessage"]

_REFUSED_OPTION = frozenset({400, 422})
_MAX_ERROR_TEXT = 200


class ChatMessage(TypedDict):
    """One message of a conversation, in the wire shape."""

    role: Literal["system", "user", "assistant"]
    content: str


class ChatClient:
    """Talks to ``{base_url}/chat/completions`` for one model.

    ``base_url`` is the API root (``https://api.openai.com/v1``,
    ``http://127.0.0.1:11434/v1`` for Ollama); ``timeout`` is in seconds, for
    connecting and for each read. Close the client, or use it as a context manager.
    """

    def __init__(
        self,
        base_url: str,
        *,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        json_mode: bool = True,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ConfigError(f"llm_url must be an http or https URL, got {redact_url(base_url)!r}")
        if not model:
            raise ConfigError("llm_model must name a model")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.json_mode = json_mode
        self._api_key = api_key or None
        headers = {"User-Agent": f"apidisco/{__version__}", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        self._http = httpx.Client(headers=headers, timeout=timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatClient:
        """The client ``llm_url``, ``llm_model``, ``llm_api_key`` and ``llm_timeout`` describe."""
        if not settings.llm_url:
            raise ConfigError("llm_url is not set: operations keep their deterministic summaries")
        return cls(
            settings.llm_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
        )

    @property
    def url(self) -> str:
        """Where requests go."""
        return f"{self.base_url}/chat/completions"

    def complete(self, messages: Sequence[ChatMessage]) -> str:
        """The model's answer to ``messages``: the first choice's message content."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": list(messages),
            "temperature": 0,
        }
        if self.json_mode:
            response = self._post({**body, "response_format": {"type": "json_object"}})
            if response.status_code not in _REFUSED_OPTION:
                return self._content(response)
            self.json_mode = False
        return self._content(self._post(body))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self.close()

    # -- one request -------------------------------------------------------------------

    @property
    def _where(self) -> str:
        return redact_url(self.url)

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        try:
            return self._http.post(self.url, json=body)
        except httpx.TimeoutException as exc:
            raise DescriptionError(
                f"{self._where} did not answer within {self.timeout:g} seconds"
            ) from exc
        except httpx.ConnectError as exc:
            raise DescriptionError(f"cannot connect to {self._where}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise DescriptionError(f"the request to {self._where} failed: {exc}") from exc

    def _content(self, response: httpx.Response) -> str:
        if not response.is_success:
            raise DescriptionError(
                f"{self._where} answered HTTP {response.status_code}: {self._error_text(response)}"
            )
        try:
            document = response.json()
        except ValueError:
            raise DescriptionError(f"{self._where} did not answer with JSON") from None
        content = _first_message_content(document)
        if content is None:
            raise DescriptionError(
                f"{self._where} did not answer in the chat completions shape "
                "(no choices[0].message.content)"
            )
        return content

    def _error_text(self, response: httpx.Response) -> str:
        """The server's own explanation, short, on one line, without the API key."""
        try:
            document = response.json()
        except ValueError:
            document = None
        error = document.get("error") if isinstance(document, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            text = error["message"]
        elif isinstance(error, str):
            text = error
        else:
            text = response.text or response.reason_phrase
        if self._api_key:
            text = text.replace(self._api_key, "***")
        text = " ".join(text.split())
        if len(text) > _MAX_ERROR_TEXT:
            text = text[: _MAX_ERROR_TEXT - 1] + "…"
        return text


def _first_message_content(document: object) -> str | None:
    if not isinstance(document, dict):
        return None
    choices = document.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    if not isinstance(message, dict):
        return None
    content = message.get("content")
    return content if isinstance(content, str) else None
