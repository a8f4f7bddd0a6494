"""The whole account-to-endpoint flow from the command line, on both backends."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import Result

from tests.cli.conftest import Invoke, json_of


@pytest.fixture
def flow(fresh_store: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """``apidisco`` against a fresh, upgraded store, with local destinations allowed."""
    monkeypatch.setenv("APIDISCO_ALLOW_PRIVATE_DESTINATIONS", "1")
    return fresh_store


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def test_signup_login_spend_grant_lifecycle_audit(flow: Invoke, tmp_path: Path) -> None:
    _ok(
        flow(
            "account",
            "signup",
            "--email",
            "root@example.com",
            "--username",
            "root",
            "--password-stdin",
            input="correct horse\n",
        )
    )
    user = json_of(
        _ok(
            flow(
                "--json",
                "account",
                "signup",
                "--email",
                "Ann@Example.com",
                "--username",
                "ann",
                "--password-stdin",
                input="battery staple\n",
            )
        )
    )
    assert (user["role"], user["credits"]) == ("USER", 100)

    _ok(
        flow(
            "account",
            "login",
            "--email",
            "ann@example.com",
            "--password-stdin",
            input="battery staple\n",
        )
    )
    session_file = tmp_path / "session.json"
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    assert json_of(_ok(flow("--json", "account", "whoami")))["email"] == "ann@example.com"

    created = [
        json_of(
            _ok(
                flow(
                    "--json",
                    "endpoint",
                    "create",
                    f"http://127.0.0.1:81{i}/api",
                    "--name",
                    f"svc {i}",
                )
            )
        )
        for i in range(4)
    ]
    assert all(e["proxy_url"] == f"/proxy/{e['id']}" for e in created)
    refused = flow("endpoint", "create", "http://127.0.0.1:8199/api")
    assert refused.exit_code == 5
    assert "costs 25 credits and you have 0" in refused.stderr
    assert len(json_of(flow("--json", "endpoint", "list"))) == 4

    # The admin tops Ann up; then her fifth endpoint goes through.
    _ok(flow("account", "logout"))
    assert not session_file.exists()
    assert flow("credits", "balance").exit_code == 11
    _ok(
        flow(
            "account",
            "login",
            "--email",
            "root@example.com",
            "--password-stdin",
            input="correct horse\n",
        )
    )
    _ok(flow("credits", "grant", "--user", "ann", "--amount", "50", "--reason", "pilot"))
    _ok(flow("account", "logout"))
    _ok(
        flow(
            "account",
            "login",
            "--email",
            "ann@example.com",
            "--password-stdin",
            input="battery staple\n",
        )
    )
    fifth = json_of(_ok(flow("--json", "endpoint", "create", "http://127.0.0.1:8200/api")))
    assert json_of(_ok(flow("--json", "credits", "balance"))) == {"credits": 25}

    first = created[0]["id"]
    assert json_of(_ok(flow("--json", "endpoint", "pause", first)))["status"] == "REVIEW"
    assert json_of(_ok(flow("--json", "endpoint", "resume", first)))["status"] == "ACTIVE"
    assert json_of(_ok(flow("--json", "endpoint", "archive", first)))["status"] == "ARCHIVED"
    refused = flow("endpoint", "resume", first)
    assert refused.exit_code == 6
    assert "ARCHIVED cannot become ACTIVE" in refused.stderr
    _ok(flow("endpoint", "delete", fifth["id"], "--yes"))

    history = json_of(_ok(flow("--json", "credits", "history")))
    assert [e["amount"] for e in history] == [100, -25, -25, -25, -25, 50, -25]
    actions = [e["action"] for e in json_of(_ok(flow("--json", "audit", "list")))]
    for action in (
        "USER_SIGNUP",
        "USER_LOGIN",
        "USER_LOGOUT",
        "ENDPOINT_CREATED",
        "CREDITS_CHARGED",
        "ENDPOINT_STATUS_CHANGED",
        "ENDPOINT_DELETED",
    ):
        assert action in actions, action
    assert "CREDITS_GRANTED" not in actions  # the admin's action, not Ann's


def test_commands_that_need_a_login_say_how_to_get_one(flow: Invoke) -> None:
    result = flow("endpoint", "list")
    assert result.exit_code == 11
    assert result.stderr.strip() == "Error: not logged in: run `apidisco account login`"


def test_the_token_can_come_from_the_environment(
    flow: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ok(
        flow(
            "account",
            "signup",
            "--email",
            "ci@example.com",
            "--password-stdin",
            input="for the robots\n",
        )
    )
    login = json_of(
        _ok(
            flow(
                "--json",
                "account",
                "login",
                "--email",
                "ci@example.com",
                "--password-stdin",
                input="for the robots\n",
            )
        )
    )
    (tmp_path / "session.json").unlink()
    assert flow("account", "whoami").exit_code == 11

    # A CI script that was handed the token, with no saved session:
    monkeypatch.setenv("APIDISCO_TOKEN", login["token"])
    assert json_of(_ok(flow("--json", "account", "whoami")))["email"] == "ci@example.com"
    _ok(flow("account", "logout"))
    ended = flow("account", "whoami")
    assert ended.exit_code == 11
    assert "session has ended" in ended.stderr


def test_someone_elses_endpoint_is_not_found(flow: Invoke) -> None:
    for email in ("owner@example.com", "other@example.com"):
        _ok(
            flow("account", "signup", "--email", email, "--password-stdin", input="long password\n")
        )
    _ok(
        flow(
            "account",
            "login",
            "--email",
            "other@example.com",
            "--password-stdin",
            input="long password\n",
        )
    )
    theirs = json_of(_ok(flow("--json", "endpoint", "create", "http://127.0.0.1:8300/")))["id"]
    _ok(
        flow(
            "account",
            "login",
            "--email",
            "owner@example.com",
            "--password-stdin",
            input="long password\n",
        )
    )
    # The owner is the first account, so an admin: sees it. Make a plain user instead.
    _ok(
        flow(
            "account",
            "signup",
            "--email",
            "third@example.com",
            "--password-stdin",
            input="long password\n",
        )
    )
    _ok(
        flow(
            "account",
            "login",
            "--email",
            "third@example.com",
            "--password-stdin",
            input="long password\n",
        )
    )
    stranger = flow("endpoint", "show", theirs)
    missing = flow("endpoint", "show", "does-not-exist")
    assert stranger.exit_code == missing.exit_code == 3
    assert stranger.stderr.replace(theirs, "X") == missing.stderr.replace("does-not-exist", "X")


def test_bad_input_is_one_line(flow: Invoke) -> None:
    cases = [
        (
            ["account", "signup", "--email", "not-an-email", "--password-stdin"],
            "pw long enough\n",
            "is not a valid email address",
        ),
        (
            [
                "account",
                "signup",
                "--email",
                "a@example.com",
                "--username",
                "x",
                "--password-stdin",
            ],
            "pw long enough\n",
            "must be 3 to 30",
        ),
        (
            ["account", "signup", "--email", "a@example.com", "--password-stdin"],
            "short\n",
            "at least 8 characters",
        ),
    ]
    for args, stdin, message in cases:
        result = flow(*args, input=stdin)
        assert result.exit_code == 2, args
        assert message in result.stderr
        assert result.stderr.count("\n") == 1
