"""describe_operations against a real chat completions server: prompt, batches, answers, secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from apidisco.describe import OperationBrief, describe_operations
from apidisco.describe.chat import ChatClient
from apidisco.describe.llm import MAX_DESCRIPTION_LENGTH, SYSTEM_PROMPT
from apidisco.errors import DescriptionError
from tests.describe.server import API_KEY, MODEL, ChatServer, Reply

DOCS = Path(__file__).resolve().parents[2] / "docs" / "descriptions.md"

LIST_USERS = OperationBrief(
    key="GET /users",
    method="GET",
    pattern="/users",
    summary="List users",
    parameters=("page", "per_page"),
    response_fields=("id", "email", "name"),
    statuses=("200",),
)
GET_USER = OperationBrief(
    key="GET /users/{userId}",
    method="GET",
    pattern="/users/{userId}",
    summary="Get a user by userId",
    parameters=("userId",),
    response_fields=("id", "email", "name"),
    statuses=("200", "404"),
)


def brief(number: int) -> OperationBrief:
    return OperationBrief(
        key=f"GET /things/{number}", method="GET", pattern=f"/things/{number}", summary="Get"
    )


def test_each_operation_gets_the_models_description(
    client: ChatClient, chat_server: ChatServer
) -> None:
    descriptions = describe_operations(client, [LIST_USERS, GET_USER])
    assert descriptions == {
        "GET /users": "List users: GET /users.",
        "GET /users/{userId}": "Get a user by userId: GET /users/{userId}.",
    }
    [request] = chat_server.requests
    system, user = request.body["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert user["role"] == "user"
    assert request.operations == [
        {
            "key": "GET /users",
            "method": "GET",
            "path": "/users",
            "summary": "List users",
            "parameters": ["page", "per_page"],
            "response_fields": ["id", "email", "name"],
            "statuses": ["200"],
        },
        {
            "key": "GET /users/{userId}",
            "method": "GET",
            "path": "/users/{userId}",
            "summary": "Get a user by userId",
            "parameters": ["userId"],
            "response_fields": ["id", "email", "name"],
            "statuses": ["200", "404"],
        },
    ]


def test_no_briefs_make_no_request(client: ChatClient, chat_server: ChatServer) -> None:
    assert describe_operations(client, []) == {}
    assert chat_server.requests == []


def test_operations_are_asked_about_in_batches(client: ChatClient, chat_server: ChatServer) -> None:
    briefs = [brief(number) for number in range(5)]
    descriptions = describe_operations(client, briefs, batch=2)
    asked = [[op["key"] for op in request.operations] for request in chat_server.requests]
    assert asked == [
        ["GET /things/0", "GET /things/1"],
        ["GET /things/2", "GET /things/3"],
        ["GET /things/4"],
    ]
    assert list(descriptions) == [b.key for b in briefs]


def test_an_operation_is_asked_about_once(client: ChatClient, chat_server: ChatServer) -> None:
    describe_operations(client, [LIST_USERS, GET_USER, LIST_USERS], batch=2)
    [request] = chat_server.requests
    assert [op["key"] for op in request.operations] == ["GET /users", "GET /users/{userId}"]


def test_a_batch_below_one_is_a_mistake(client: ChatClient) -> None:
    with pytest.raises(ValueError, match="batch must be at least 1"):
        describe_operations(client, [LIST_USERS], batch=0)


def test_keys_not_asked_about_are_ignored_and_missing_ones_left_out(
    client: ChatClient, chat_server: ChatServer
) -> None:
    answer = {"GET /users": "Lists the users.", "DELETE /users": "Deletes every user."}
    chat_server.replies.append(Reply(content=json.dumps(answer)))
    assert describe_operations(client, [LIST_USERS, GET_USER]) == {"GET /users": "Lists the users."}


def test_a_later_batch_does_not_answer_for_an_earlier_one(
    client: ChatClient, chat_server: ChatServer
) -> None:
    chat_server.replies.append(Reply(content="{}"))
    chat_server.replies.append(
        Reply(content=json.dumps({"GET /things/0": "Stolen.", "GET /things/1": "Own."}))
    )
    assert describe_operations(client, [brief(0), brief(1)], batch=1) == {"GET /things/1": "Own."}


@pytest.mark.parametrize(
    "content",
    [
        "I'm sorry, I cannot help with that.",
        '["GET /users", "Lists users."]',
        '{"GET /users": "Lists users."',
        "",
    ],
)
def test_an_answer_that_is_not_a_json_object_describes_nothing(
    client: ChatClient, chat_server: ChatServer, content: str
) -> None:
    chat_server.replies.append(Reply(content=content))
    assert describe_operations(client, [LIST_USERS]) == {}


@pytest.mark.parametrize(
    "content",
    [
        '```json\n{"GET /users": "Lists users."}\n```',
        'Here are the descriptions:\n{"GET /users": "Lists users."}\nHope this helps.',
    ],
)
def test_a_json_object_in_a_fence_or_amid_prose_is_read(
    client: ChatClient, chat_server: ChatServer, content: str
) -> None:
    chat_server.replies.append(Reply(content=content))
    assert describe_operations(client, [LIST_USERS]) == {"GET /users": "Lists users."}


def test_answers_are_cleaned_to_one_short_line(client: ChatClient, chat_server: ChatServer) -> None:
    long = "Returns the user. " + "It is a very long sentence indeed. " * 20
    answer = {
        "GET /things/0": "  Lists things,\n  one page\tat a time.\x00 ",
        "GET /things/1": long,
        "GET /things/2": 42,
        "GET /things/3": "   \n ",
        "GET /things/4": None,
        "GET /things/5": {"description": "Nested, as some models answer."},
    }
    chat_server.replies.append(Reply(content=json.dumps(answer)))
    descriptions = describe_operations(client, [brief(number) for number in range(6)])
    assert descriptions["GET /things/0"] == "Lists things, one page at a time."
    cut = descriptions["GET /things/1"]
    assert len(cut) <= MAX_DESCRIPTION_LENGTH
    assert cut.endswith("indeed…")
    assert descriptions["GET /things/5"] == "Nested, as some models answer."
    assert set(descriptions) == {"GET /things/0", "GET /things/1", "GET /things/5"}


def test_a_failing_server_fails_the_whole_call(client: ChatClient, chat_server: ChatServer) -> None:
    chat_server.replies.append(Reply(content=json.dumps({"GET /things/0": "First."})))
    chat_server.replies.append(Reply(status=500, body=b'{"error": {"message": "overloaded"}}'))
    with pytest.raises(DescriptionError, match="HTTP 500: overloaded"):
        describe_operations(client, [brief(0), brief(1)], batch=1)


def test_masked_values_and_secrets_names_never_reach_the_server(
    client: ChatClient, chat_server: ChatServer
) -> None:
    masked = "‹masked:3f9a1c2e›"
    secret_names = [
        "password",
        "X-Api-Key",
        "Authorization",
        "access_token",
        "accessToken",
        "card_number",
        "client_secret",
    ]
    briefs = [
        OperationBrief(
            key="POST /login",
            method="POST",
            pattern="/login",
            summary="Create a login",
            parameters=("X-Api-Key", "Authorization", "X-Request-Id"),
            request_fields=("email", "password", "profile.client_secret"),
            response_fields=("access_token", "user.accessToken", "user.id", masked),
            statuses=("200", masked),
        ),
        OperationBrief(
            key="POST /payments",
            method="POST",
            pattern=f"/payments/{masked}",
            summary=f"Create a payment for {masked}",
            request_fields=("amount", "card_number"),
        ),
        OperationBrief(
            key=f"GET /sessions/{masked}", method="GET", pattern="/sessions", summary="Get"
        ),
    ]
    descriptions = describe_operations(client, briefs, batch=1)

    assert len(chat_server.requests) == 2
    sent = b"\n".join(request.raw for request in chat_server.requests)
    text = "\n".join(
        json.dumps(request.body, ensure_ascii=False) for request in chat_server.requests
    )
    for forbidden in ["‹masked:", "3f9a1c2e", *secret_names]:
        assert forbidden not in text, forbidden
        assert forbidden.encode() not in sent, forbidden
    assert b"\\u2039" not in sent
    # What may be told still is.
    for kept in ["email", "X-Request-Id", "user.id", "amount", "POST /payments"]:
        assert kept in text, kept
    assert set(descriptions) == {"POST /login", "POST /payments"}


def test_the_docs_show_what_is_sent(client: ChatClient, chat_server: ChatServer) -> None:
    [shown] = re.findall(r"```json\n(.*?)```", DOCS.read_text(), re.DOTALL)
    create_user = OperationBrief(
        key="POST /users",
        method="POST",
        pattern="/users",
        summary="Create a user",
        parameters=("X-Request-Id", "X-Api-Key"),
        request_fields=("email", "password", "profile.name"),
        response_fields=("id", "email"),
        statuses=("201", "409"),
    )
    describe_operations(client, [create_user])
    assert chat_server.requests[0].operations == [json.loads(shown)]


def test_the_example_in_the_docs_runs(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    [code] = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    monkeypatch.setenv("APIDISCO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("APIDISCO_LLM_URL", chat_server.base_url)
    monkeypatch.setenv("APIDISCO_LLM_MODEL", MODEL)
    monkeypatch.setenv("APIDISCO_LLM_API_KEY", API_KEY)
    namespace: dict[str, object] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    assert namespace["text"] == "Get a user by userId: GET /users/{userId}."
