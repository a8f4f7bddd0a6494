"""The audit trail: every state change leaves its row, and who may read which rows."""

from __future__ import annotations

import pytest

from apidisco.enums import EndpointStatus, Role
from apidisco.errors import AuthenticationError, InvalidTransitionError
from apidisco.services import accounts, audit, credits, endpoints, sessions
from apidisco.services.actor import Actor
from apidisco.services.views import AuditEntryView
from apidisco.store.database import Database
from tests.services.support import DESTINATION, PASSWORD, PRICING


def _only(entries: list[AuditEntryView]) -> AuditEntryView:
    assert len(entries) == 1, [(e.action, e.details) for e in entries]
    return entries[0]


def test_signup_is_audited(database: Database, admin: Actor, user: Actor) -> None:
    entries = audit.list_entries(database, admin, action="USER_SIGNUP")
    assert [(e.user_id, e.resource_type, e.resource_id) for e in entries] == [
        (user.id, "USER", user.id),
        (admin.id, "USER", admin.id),
    ]
    assert entries[0].details == {"username": "bob", "role": "USER", "demo": False}
    assert entries[1].details == {"username": "alice", "role": "ADMIN", "demo": False}


def test_login_and_logout_are_audited(database: Database, admin: Actor, user: Actor) -> None:
    login = sessions.login(database, email="bob@example.com", password=PASSWORD)
    sessions.logout(database, login.token)
    [logout, login_entry] = audit.list_entries(database, user, resource_type="USER")[:2]
    assert (logout.action, logout.user_id, logout.user_email) == (
        "USER_LOGOUT",
        user.id,
        "bob@example.com",
    )
    assert (login_entry.action, login_entry.user_id) == ("USER_LOGIN", user.id)


def test_creating_an_endpoint_audits_the_charge_and_the_creation(
    database: Database, admin: Actor, user: Actor
) -> None:
    view = endpoints.create(database, user, DESTINATION, pricing=PRICING, name="Shop")
    charged = _only(audit.list_entries(database, admin, action="CREDITS_CHARGED"))
    assert (charged.user_id, charged.resource_type, charged.resource_id) == (
        user.id,
        "ENDPOINT",
        view.id,
    )
    assert charged.details == {"amount": -25, "balance_after": 75}
    created = _only(audit.list_entries(database, admin, action="ENDPOINT_CREATED"))
    assert (created.user_id, created.resource_id) == (user.id, view.id)
    assert created.details == {"destination": DESTINATION, "name": "Shop", "credits": 25}


def test_a_status_change_records_from_and_to(database: Database, admin: Actor, user: Actor) -> None:
    view = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    endpoints.pause(database, user, view.id)
    endpoints.resume(database, user, view.id)
    with pytest.raises(InvalidTransitionError, match="cannot become COMPLETE"):
        endpoints.change_status(database, user, view.id, EndpointStatus.COMPLETE)
    changes = audit.list_entries(database, user, action="ENDPOINT_STATUS_CHANGED")
    assert [(e.resource_id, e.details) for e in changes] == [
        (view.id, {"from": "REVIEW", "to": "ACTIVE"}),
        (view.id, {"from": "ACTIVE", "to": "REVIEW"}),
    ]


def test_deleting_and_publishing_are_audited(database: Database, admin: Actor, user: Actor) -> None:
    view = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    endpoints.publish(database, user, view.id, "shop-api")
    endpoints.delete(database, user, view.id)
    published = _only(audit.list_entries(database, user, action="ENDPOINT_PUBLISHED"))
    assert (published.resource_id, published.details) == (view.id, {"slug": "shop-api"})
    deleted = _only(audit.list_entries(database, user, action="ENDPOINT_DELETED"))
    assert deleted.resource_id == view.id
    assert deleted.details is not None
    assert deleted.details["destination"] == DESTINATION
    assert deleted.details["removed"]["api_calls"] == 0


def test_admin_actions_are_audited_under_the_admin(
    database: Database, admin: Actor, user: Actor
) -> None:
    credits.grant(database, admin, "bob", 15, "bonus")
    accounts.set_role(database, admin, "bob", Role.ADMIN)
    accounts.set_enabled(database, admin, "bob", False)
    granted = _only(audit.list_entries(database, admin, action="CREDITS_GRANTED"))
    assert (granted.user_id, granted.resource_id) == (admin.id, user.id)
    assert granted.details == {"amount": 15, "reason": "bonus", "balance_after": 115}
    role = _only(audit.list_entries(database, admin, action="USER_ROLE_CHANGED"))
    assert (role.user_id, role.resource_id) == (admin.id, user.id)
    assert role.details == {"email": "bob@example.com", "from": "USER", "to": "ADMIN"}
    disabled = _only(audit.list_entries(database, admin, action="USER_DISABLED"))
    assert (disabled.user_id, disabled.resource_id) == (admin.id, user.id)
    assert disabled.details == {"email": "bob@example.com", "sessions_ended": 0}


def test_a_failed_login_adds_only_its_failure_entry(
    database: Database, admin: Actor, user: Actor
) -> None:
    before = audit.list_entries(database, admin)
    with pytest.raises(AuthenticationError, match="wrong email or password"):
        sessions.login(database, email="bob@example.com", password="not the password")
    after = audit.list_entries(database, admin)
    assert [e.action for e in after] == ["USER_LOGIN_FAILED"] + [e.action for e in before]


def test_users_see_only_their_own_entries(database: Database, admin: Actor, user: Actor) -> None:
    endpoints.create(database, user, DESTINATION, pricing=PRICING)
    endpoints.create(database, admin, DESTINATION, pricing=PRICING)
    with pytest.raises(AuthenticationError, match="wrong email or password"):
        sessions.login(database, email="nobody@example.com", password=PASSWORD)
    own = audit.list_entries(database, user)
    assert own
    assert {e.user_id for e in own} == {user.id}
    assert [e.action for e in own] == ["ENDPOINT_CREATED", "CREDITS_CHARGED", "USER_SIGNUP"]
    everything = audit.list_entries(database, admin)
    assert {e.user_id for e in everything} == {admin.id, user.id, None}
    assert len(everything) == 7


def test_entries_are_newest_first(database: Database, admin: Actor, user: Actor) -> None:
    view = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    endpoints.rename(database, user, view.id, "Later")
    entries = audit.list_entries(database, admin)
    moments = [e.created_at for e in entries]
    assert moments == sorted(moments, reverse=True)
    assert entries[0].action == "ENDPOINT_RENAMED"
    assert entries[-1].action == "USER_SIGNUP"
    assert entries[-1].user_id == admin.id


def test_filters_by_action_and_resource(database: Database, admin: Actor, user: Actor) -> None:
    first = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    second = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    by_action = audit.list_entries(database, user, action="endpoint_created")
    assert [e.resource_id for e in by_action] == [second.id, first.id]
    by_type = audit.list_entries(database, admin, resource_type="endpoint")
    assert {e.resource_type for e in by_type} == {"ENDPOINT"}
    assert len(by_type) == 4
    by_id = audit.list_entries(database, admin, resource_type="ENDPOINT", resource_id=first.id)
    assert {e.resource_id for e in by_id} == {first.id}
    assert sorted(e.action for e in by_id) == ["CREDITS_CHARGED", "ENDPOINT_CREATED"]
    assert audit.list_entries(database, admin, action="NO_SUCH_ACTION") == []


def test_the_limit_keeps_the_newest(database: Database, admin: Actor, user: Actor) -> None:
    view = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    [newest] = audit.list_entries(database, admin, limit=1)
    assert (newest.action, newest.resource_id) == ("ENDPOINT_CREATED", view.id)
