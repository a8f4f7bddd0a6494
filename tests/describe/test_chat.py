"""ChatClient against a real chat completions server: the request, the answer, every failure."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from apidisco.config import resolve_settings
from apidisco.describe.chat import ChatClient, ChatMessage
from apidisco.errors import ConfigError, DescriptionError
from tests.describe.server import API_KEY, MODEL, PATH, ChatServer, Reply

MESSAGES: list[ChatMessage] = [
    {"role": "system", "content": "Answer in JSON."},
    {"role": "user", "content": 'Describe these operations:\n{"operations": []}'},
]


def test_complete_posts_model_messages_and_key_and_returns_the_content(
    client: ChatClient, chat_server: ChatServer
) -> None:
    chat_server.replies.append(Reply(content='{"GET /users": "Lists users."}'))
    assert client.complete(MESSAGES) == '{"GET /users": "Lists users."}'

    [request] = chat_server.requests
    assert request.path == PATH
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "model": MODEL,
        "messages": MESSAGES,
        "temperature": 0,
        "response_format": {"type": "json_object"},
    }


def test_a_trailing_slash_in_the_base_url_is_ignored(chat_server: ChatServer) -> None:
    with ChatClient(chat_server.base_url + "/", model=MODEL, api_key=API_KEY) as client:
        client.complete(MESSAGES)
    assert [request.path for request in chat_server.requests] == [PATH]


def test_a_server_refusing_json_mode_is_asked_again_without_it(
    client: ChatClient, chat_server: ChatServer
) -> None:
    chat_server.refuse_json_mode = True
    client.complete(MESSAGES)
    client.complete(MESSAGES)
    asked = ["response_format" in request.body for request in chat_server.requests]
    assert asked == [True, False, False]
    assert client.json_mode is False


def test_without_a_key_no_authorization_header_is_sent(chat_server: ChatServer) -> None:
    with ChatClient(chat_server.base_url, model=MODEL) as client:
        with pytest.raises(DescriptionError, match="answered HTTP 401: Incorrect API key"):
            client.complete(MESSAGES)
    [request] = chat_server.requests
    assert "authorization" not in request.headers


def test_a_refused_key_is_an_error_that_does_not_repeat_the_key(chat_server: ChatServer) -> None:
    wrong = "sk-wrong-but-still-secret"
    with ChatClient(chat_server.base_url, model=MODEL, api_key=wrong) as client:
        with pytest.raises(DescriptionError) as caught:
            client.complete(MESSAGES)
    assert "HTTP 401" in caught.value.message
    assert wrong not in caught.value.message
    assert caught.value.exit_code == 12


def test_an_unknown_model_is_an_error_naming_it(chat_server: ChatServer) -> None:
    with ChatClient(chat_server.base_url, model="gpt-nonexistent", api_key=API_KEY) as client:
        with pytest.raises(DescriptionError, match="HTTP 404: The model `gpt-nonexistent`"):
            client.complete(MESSAGES)


def test_a_server_error_is_a_description_error(client: ChatClient, chat_server: ChatServer) -> None:
    chat_server.replies.append(
        Reply(status=500, body=b'{"error": {"message": "The server had an error"}}')
    )
    with pytest.raises(DescriptionError, match=r"/v1/chat/completions answered HTTP 500: The se"):
        client.complete(MESSAGES)


def test_an_error_page_that_is_not_json_is_shown_short_and_on_one_line(
    client: ChatClient, chat_server: ChatServer
) -> None:
    chat_server.replies.append(Reply(status=502, body=b"<html>\n  Bad gateway\n" + b"x" * 500))
    with pytest.raises(DescriptionError) as caught:
        client.complete(MESSAGES)
    assert "HTTP 502: <html> Bad gateway xxx" in caught.value.message
    assert "\n" not in caught.value.message
    assert len(caught.value.message) < 300


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>not an API</html>", "did not answer with JSON"),
        (b'{"choices": []}', "did not answer in the chat completions shape"),
        (b'{"choices": [{"message": {"content": null}}]}', "chat completions shape"),
        (b'["a list"]', "chat completions shape"),
    ],
)
def test_a_body_that_is_not_a_chat_completion_is_a_description_error(
    client: ChatClient, chat_server: ChatServer, body: bytes, message: str
) -> None:
    chat_server.replies.append(Reply(body=body))
    with pytest.raises(DescriptionError, match=message):
        client.complete(MESSAGES)


def test_a_refused_connection_is_a_description_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with ChatClient(f"http://127.0.0.1:{port}/v1", model=MODEL, timeout=5) as client:
        with pytest.raises(DescriptionError, match=f"cannot connect to http://127.0.0.1:{port}/"):
            client.complete(MESSAGES)


def test_a_server_slower_than_the_timeout_is_a_description_error(
    chat_server: ChatServer,
) -> None:
    chat_server.delay = 10
    started = time.monotonic()
    with ChatClient(chat_server.base_url, model=MODEL, api_key=API_KEY, timeout=0.3) as client:
        with pytest.raises(DescriptionError, match="did not answer within 0.3 seconds"):
            client.complete(MESSAGES)
    assert time.monotonic() - started < 5
    assert len(chat_server.requests) == 1


def test_the_client_is_made_from_settings(chat_server: ChatServer, tmp_path: Path) -> None:
    environ = {
        "APIDISCO_LLM_URL": chat_server.base_url,
        "APIDISCO_LLM_MODEL": MODEL,
        "APIDISCO_LLM_API_KEY": API_KEY,
        "APIDISCO_LLM_TIMEOUT": "7",
    }
    settings = resolve_settings(environ=environ, config_file=tmp_path / "absent.toml")
    with ChatClient.from_settings(settings) as client:
        assert client.timeout == 7
        client.complete(MESSAGES)
    assert chat_server.requests[0].headers["authorization"] == f"Bearer {API_KEY}"


def test_settings_without_a_url_make_no_client(tmp_path: Path) -> None:
    settings = resolve_settings(config_file=tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="llm_url is not set"):
        ChatClient.from_settings(settings)


@pytest.mark.parametrize(
    "url", ["ftp://models.example/v1", "127.0.0.1:11434/v1", "https://user:hunter22@/v1"]
)
def test_a_url_that_is_not_http_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="llm_url must be an http or https URL") as caught:
        ChatClient(url, model=MODEL)
    assert "hunter22" not in caught.value.message
