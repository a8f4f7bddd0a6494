"""A client pointed at the chat completions server (``chat_server``, in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apidisco.describe.chat import ChatClient
from tests.describe.server import API_KEY, MODEL, ChatServer


@pytest.fixture
def client(chat_server: ChatServer) -> Iterator[ChatClient]:
    with ChatClient(chat_server.base_url, model=MODEL, api_key=API_KEY, timeout=5) as client:
        yield client
