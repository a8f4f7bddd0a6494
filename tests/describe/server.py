"""A chat completions server on 127.0.0.1 that checks what it is sent and answers as OpenAI does.

It serves ``POST /v1/chat/completions`` on an ephemeral port and, like the real
API, refuses a wrong path (404), a missing or wrong Bearer key (401), another
model (404) and messages that are not a list of role/content pairs (400). Every
request that reaches the path is recorded (headers and body) before it is
checked. Unless a test queues a :class:`Reply`, the "model" describes every
operation the user message lists, so answers follow from what was asked.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.localserver import LocalServer

PATH = "/v1/chat/completions"
ROLES = {"system", "user", "assistant"}
API_KEY = "sk-test-0123456789"
MODEL = "test-model"


@dataclass(frozen=True)
class Reply:
    """A scripted answer: a status and either the model's message content or a raw body."""

    status: int = 200
    content: str | None = None
    body: bytes | None = None


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it; header names lower-cased."""

    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> dict[str, Any]:
        document = json.loads(self.raw)
        assert isinstance(document, dict)
        return document

    @property
    def operations(self) -> list[dict[str, Any]]:
        """The operations listed in the user message (as JSON after its first line)."""
        user = next(m["content"] for m in self.body["messages"] if m["role"] == "user")
        return list(json.loads(user[user.index("{") :])["operations"])


@dataclass
class ChatServer:
    api_key: str
    model: str
    requests: list[Recorded] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    delay: float = 0.0
    refuse_json_mode: bool = False
    _release: threading.Event = field(default_factory=threading.Event)
    _http: LocalServer | None = None

    @property
    def base_url(self) -> str:
        assert self._http is not None
        return f"{self._http.origin}/v1"

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"chat": self})
        self._http = LocalServer(handler, join_handlers=True, poll_interval=0.02)
        self._http.start()

    def stop(self) -> None:
        assert self._http is not None
        self._release.set()
        self._http.stop(timeout=None)

    # -- answering ---------------------------------------------------------------------

    def answer(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, bytes]:
        if path != PATH:
            return _error(404, f"Unknown request URL: POST {path}")
        self.requests.append(Recorded(path, headers, raw))
        if headers.get("authorization") != f"Bearer {self.api_key}":
            presented = headers.get("authorization", "").removeprefix("Bearer ")
            return _error(401, f"Incorrect API key provided: {presented}")
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, "We could not parse the JSON body of your request.")
        if body.get("model") != self.model:
            return _error(404, f"The model `{body.get('model')}` does not exist")
        messages = body.get("messages")
        if not isinstance(messages, list) or not all(_is_message(m) for m in messages):
            return _error(400, "'messages' must be a list of {role, content} objects")
        if self.refuse_json_mode and "response_format" in body:
            return _error(400, "response_format is not supported by this model")
        if self.delay:
            self._release.wait(self.delay)
        reply = self.replies.pop(0) if self.replies else Reply(content=_describe(messages))
        if reply.body is not None:
            return reply.status, reply.body
        return reply.status, json.dumps(_completion(self.model, reply.content or "")).encode()


def _is_message(message: object) -> bool:
    return (
        isinstance(message, dict)
        and message.get("role") in ROLES
        and isinstance(message.get("content"), str)
    )


def _describe(messages: list[dict[str, str]]) -> str:
    """The default model: '<summary>: <method> <path>.' for each operation asked about."""
    user = next(m["content"] for m in messages if m["role"] == "user")
    operations = json.loads(user[user.index("{") :])["operations"]
    return json.dumps(
        {
            op["key"]: f"{op.get('summary', '')}: {op['method']} {op.get('path', '')}."
            for op in operations
        }
    )


def _completion(model: str, content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_795_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _error(status: int, message: str) -> tuple[int, bytes]:
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    return status, json.dumps({"error": error}).encode()


class _Handler(BaseHTTPRequestHandler):
    chat: ChatServer

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, body = self.chat.answer(self.path, headers, raw)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout tests)

    def log_message(self, format: str, *args: Any) -> None:
        pass
