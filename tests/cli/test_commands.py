"""The account-admin, endpoint and maintenance commands, end to end through the CLI."""

from __future__ import annotations

import pytest
from typer.testing import Result

from tests.cli.conftest import Invoke, json_of


@pytest.fixture
def cli(fresh_store: Invoke) -> Invoke:
    """A fresh store with an admin (root) and a user (ann); nobody logged in."""
    for email in ("root@example.com", "ann@example.com"):
        signed = fresh_store(
            "account", "signup", "--email", email, "--password-stdin", input="long password\n"
        )
        assert signed.exit_code == 0, signed.stderr
    return fresh_store


def _login(cli: Invoke, email: str) -> None:
    result = cli("account", "login", "--email", email, "--password-stdin", input="long password\n")
    assert result.exit_code == 0, result.stderr


def _ok(result: Result) -> object:
    assert result.exit_code == 0, result.stderr
    return json_of(result)


def test_admins_manage_accounts(cli: Invoke) -> None:
    _login(cli, "root@example.com")
    accounts = _ok(cli("--json", "account", "list"))
    assert [(a["email"], a["role"]) for a in accounts] == [
        ("root@example.com", "ADMIN"),
        ("ann@example.com", "USER"),
    ]
    assert _ok(cli("--json", "account", "role", "ann@example.com", "ADMIN"))["role"] == "ADMIN"
    assert _ok(cli("--json", "account", "disable", "ann@example.com"))["enabled"] is False
    refused = cli(
        "account",
        "login",
        "--email",
        "ann@example.com",
        "--password-stdin",
        input="long password\n",
    )
    assert refused.exit_code == 11
    assert "is disabled" in refused.stderr
    _login(cli, "root@example.com")
    assert _ok(cli("--json", "account", "enable", "ann@example.com"))["enabled"] is True


def test_users_may_not_manage_accounts(cli: Invoke) -> None:
    _login(cli, "ann@example.com")
    for args in (
        ["account", "list"],
        ["account", "disable", "root@example.com"],
        ["account", "role", "ann@example.com", "ADMIN"],
    ):
        result = cli(*args)
        assert result.exit_code == 4, args
        assert "only an admin can" in result.stderr


def test_endpoint_commands(cli: Invoke) -> None:
    _login(cli, "ann@example.com")
    endpoint = _ok(cli("--json", "endpoint", "create", "https://93.184.216.34"))["id"]
    assert _ok(cli("--json", "endpoint", "rename", endpoint, "Shop"))["name"] == "Shop"
    published = _ok(cli("--json", "endpoint", "publish", endpoint, "--slug", "shop-api"))
    assert (published["is_public"], published["slug"]) == (True, "shop-api")
    assert _ok(cli("--json", "endpoint", "show", "shop-api"))["id"] == endpoint
    assert _ok(cli("--json", "endpoint", "unpublish", endpoint))["is_public"] is False
    monitored = _ok(cli("--json", "endpoint", "monitor", endpoint, "--frequency", "weekly"))
    assert (monitored["monitoring_enabled"], monitored["monitoring_frequency"]) == (True, "weekly")
    assert (
        _ok(cli("--json", "endpoint", "monitor", endpoint, "--off"))["monitoring_enabled"] is False
    )
    both = cli("endpoint", "monitor", endpoint)
    assert both.exit_code == 2
    assert "either --frequency" in both.stderr
    assert _ok(cli("--json", "endpoint", "deactivate", endpoint))["status"] == "INACTIVE"
    bad_slug = cli("endpoint", "publish", endpoint, "--slug", "Not A Slug")
    assert bad_slug.exit_code == 2
    assert "lowercase letters" in bad_slug.stderr


def test_maintenance_cleanup(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    _login(cli, "ann@example.com")
    _ok(cli("--json", "endpoint", "create", "https://93.184.216.34"))
    dry = _ok(cli("--json", "maintenance", "cleanup", "--dry-run"))
    assert (dry["dry_run"], dry["endpoints"]) == (True, [])
    table = cli("maintenance", "cleanup", "--dry-run")
    assert table.exit_code == 0
    assert "Would remove 0 endpoints" in table.stdout
    report = _ok(cli("--json", "maintenance", "cleanup"))
    assert report["dry_run"] is False
    assert len(_ok(cli("--json", "endpoint", "list"))) == 1  # younger than 90 days: kept
