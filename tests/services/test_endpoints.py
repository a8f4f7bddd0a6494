"""Endpoints: paying for them, the SSRF check, who may touch them, and the lifecycle."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import product

import pytest
import sqlalchemy as sa

from apidisco.enums import CreditTransactionType, EndpointStatus
from apidisco.errors import (
    InsufficientCreditsError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
)
from apidisco.lifecycle import TRANSITIONS
from apidisco.services import credits, endpoints
from apidisco.services.actor import Actor
from apidisco.services.endpoints import Pricing
from apidisco.services.views import EndpointView
from apidisco.store.database import Database
from apidisco.store.models import (
    ApiCall,
    AuditLog,
    CreditTransaction,
    DiscoveredEndpoint,
    Endpoint,
    User,
)
from tests.services.support import (
    DESTINATION,
    PRICING,
    actor_of,
    capture,
    count,
    set_endpoint,
    signup,
)

PLAN = Pricing(endpoint_price=25, included={"FREE": 1, "PRO": 20, "TEAM": 100})

ALLOWED = [(a, b) for a, b in product(EndpointStatus, EndpointStatus) if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in product(EndpointStatus, EndpointStatus) if b not in TRANSITIONS[a]]


def _stored(database: Database, endpoint_id: str) -> Endpoint:
    with database.session() as session:
        endpoint = session.get(Endpoint, endpoint_id)
        assert endpoint is not None
        return endpoint


def _ledger(database: Database, user_id: str) -> list[CreditTransaction]:
    with database.session() as session:
        statement = (
            sa.select(CreditTransaction)
            .where(CreditTransaction.user_id == user_id)
            .order_by(CreditTransaction.created_at, CreditTransaction.id)
        )
        return list(session.execute(statement).scalars())


def _credits(database: Database, actor: Actor) -> int:
    return credits.balance(database, actor)


@pytest.fixture
def other(database: Database, admin: Actor) -> Actor:
    return actor_of(signup(database, "carol"))


@pytest.fixture
def endpoint(database: Database, user: Actor) -> EndpointView:
    return endpoints.create(database, user, DESTINATION, pricing=PRICING, name="Shop")


# -- creating and paying ----------------------------------------------------------------


def test_create_charges_the_price_with_a_linked_ledger_row(database: Database, user: Actor) -> None:
    view = endpoints.create(database, user, "https://93.184.216.34/api/", pricing=PRICING)
    assert view.proxy_url == f"/proxy/{view.id}"
    assert view.destination_url == "https://93.184.216.34/api"
    assert view.status == EndpointStatus.ACTIVE
    assert view.credits_used == 25
    assert view.user_id == user.id
    assert _credits(database, user) == 75
    charge = _ledger(database, user.id)[-1]
    assert (charge.amount, charge.balance_after, charge.type, charge.endpoint_id) == (
        -25,
        75,
        CreditTransactionType.ENDPOINT,
        view.id,
    )
    stored = _stored(database, view.id)
    assert stored.proxy_url == f"/proxy/{view.id}"


def test_create_without_enough_credits_leaves_nothing_behind(
    database: Database, admin: Actor, user: Actor
) -> None:
    credits.grant(database, admin, "bob", -90, "leave ten")
    ledger_before = len(_ledger(database, user.id))
    audit_before = count(database, AuditLog)
    with pytest.raises(InsufficientCreditsError, match="costs 25 credits and you have 10"):
        endpoints.create(database, user, DESTINATION, pricing=PRICING, slug="my-api")
    assert count(database, Endpoint) == 0
    assert len(_ledger(database, user.id)) == ledger_before
    assert count(database, CreditTransaction, CreditTransaction.type == "ENDPOINT") == 0
    assert count(database, AuditLog) == audit_before
    assert _credits(database, user) == 10


def test_the_plan_allowance_makes_the_first_endpoint_free(database: Database, user: Actor) -> None:
    first = endpoints.create(database, user, DESTINATION, pricing=PLAN)
    assert first.credits_used == 0
    assert _credits(database, user) == 100
    assert count(database, CreditTransaction, CreditTransaction.endpoint_id == first.id) == 0
    second = endpoints.create(database, user, DESTINATION, pricing=PLAN)
    assert second.credits_used == 25
    assert _credits(database, user) == 75
    assert count(database, CreditTransaction, CreditTransaction.endpoint_id == second.id) == 1


def test_an_included_endpoint_needs_no_credits(
    database: Database, admin: Actor, user: Actor
) -> None:
    credits.grant(database, admin, "bob", -100, "empty the balance")
    view = endpoints.create(database, user, DESTINATION, pricing=PLAN)
    assert view.credits_used == 0
    with pytest.raises(InsufficientCreditsError, match="costs 25 credits and you have 0"):
        endpoints.create(database, user, DESTINATION, pricing=PLAN)
    assert [e.id for e in endpoints.listing(database, user)] == [view.id]


def test_the_allowance_follows_the_subscription_tier(database: Database, user: Actor) -> None:
    with database.transaction() as session:
        stored = session.get(User, user.id)
        assert stored is not None
        stored.subscription_tier = "pro"
    tiered = Pricing(endpoint_price=25, included={"FREE": 0, "PRO": 2, "TEAM": 100})
    used = [
        endpoints.create(database, user, DESTINATION, pricing=tiered).credits_used for _ in "abc"
    ]
    assert used == [0, 0, 25]


def test_the_allowance_is_per_user(database: Database, user: Actor, other: Actor) -> None:
    assert endpoints.create(database, user, DESTINATION, pricing=PLAN).credits_used == 0
    assert endpoints.create(database, other, DESTINATION, pricing=PLAN).credits_used == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8080/", "is a loopback address"),
        ("http://localhost/", "is a loopback address"),
        ("http://10.1.2.3/", "is a private or reserved address"),
        ("http://192.168.0.10/", "is a private or reserved address"),
    ],
)
def test_private_destinations_are_refused_by_default(
    database: Database, user: Actor, url: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        endpoints.create(database, user, url, pricing=PRICING)
    assert count(database, Endpoint) == 0
    assert _credits(database, user) == 100


def test_private_destinations_are_allowed_when_opted_in(database: Database, user: Actor) -> None:
    view = endpoints.create(
        database, user, "http://127.0.0.1:8080/", pricing=PRICING, allow_private=True
    )
    assert view.destination_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize("allow_private", [False, True])
def test_the_metadata_address_is_always_refused(
    database: Database, user: Actor, allow_private: bool
) -> None:
    with pytest.raises(ValidationError, match="is a cloud metadata address"):
        endpoints.create(
            database,
            user,
            "http://169.254.169.254/latest/meta-data",
            pricing=PRICING,
            allow_private=allow_private,
        )
    assert count(database, Endpoint) == 0


def test_only_http_and_https_destinations(database: Database, user: Actor) -> None:
    with pytest.raises(ValidationError, match="must start with http:// or https://"):
        endpoints.create(database, user, "ftp://93.184.216.34/", pricing=PRICING)
    assert count(database, Endpoint) == 0


# -- slugs ------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["abc", "my-shop-api", "a1-b2-c3", "x" * 64])
def test_valid_slugs(slug: str) -> None:
    assert endpoints.validate_slug(slug) == slug


@pytest.mark.parametrize(
    "slug", ["ab", "x" * 65, "My-Api", "my_api", "my--api", "-api", "api-", "my api", "my.api"]
)
def test_invalid_slugs_are_refused(database: Database, user: Actor, slug: str) -> None:
    with pytest.raises(ValidationError, match="lowercase letters, digits and single hyphens"):
        endpoints.create(database, user, DESTINATION, pricing=PRICING, slug=slug)
    assert count(database, Endpoint) == 0
    assert _credits(database, user) == 100


def test_a_taken_slug_is_refused(database: Database, user: Actor, other: Actor) -> None:
    endpoints.create(database, user, DESTINATION, pricing=PRICING, slug="shop-api")
    with pytest.raises(ValidationError, match="the slug 'shop-api' is taken"):
        endpoints.create(database, other, DESTINATION, pricing=PRICING, slug="shop-api")
    assert count(database, Endpoint) == 1
    assert _credits(database, other) == 100


# -- who may see and change what --------------------------------------------------------

OPERATIONS: dict[str, Callable[[Database, Actor, str], object]] = {
    "get": endpoints.get,
    "rename": lambda database, actor, ref: endpoints.rename(database, actor, ref, "Mine now"),
    "pause": endpoints.pause,
    "delete": endpoints.delete,
    "publish": lambda database, actor, ref: endpoints.publish(database, actor, ref, "stolen"),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_someone_elses_endpoint_looks_like_a_missing_one(
    database: Database, endpoint: EndpointView, other: Actor, operation: str
) -> None:
    act = OPERATIONS[operation]
    with pytest.raises(NotFoundError, match=f"^no endpoint '{endpoint.id}'$"):
        act(database, other, endpoint.id)
    with pytest.raises(NotFoundError, match="^no endpoint 'no-such-endpoint'$"):
        act(database, other, "no-such-endpoint")
    stored = _stored(database, endpoint.id)
    assert (stored.name, stored.status, stored.is_public, stored.slug) == (
        "Shop",
        EndpointStatus.ACTIVE,
        False,
        None,
    )


def test_admins_act_on_other_users_endpoints(
    database: Database, admin: Actor, endpoint: EndpointView
) -> None:
    assert endpoints.get(database, admin, endpoint.id).id == endpoint.id
    assert endpoints.rename(database, admin, endpoint.id, "Renamed").name == "Renamed"
    assert endpoints.pause(database, admin, endpoint.id).status == EndpointStatus.REVIEW
    assert endpoints.publish(database, admin, endpoint.id, "admin-slug").is_public is True
    removed = endpoints.delete(database, admin, endpoint.id)
    assert removed["api_calls"] == 0
    assert count(database, Endpoint) == 0


def test_listing_shows_own_endpoints_and_everyone_only_to_admins(
    database: Database, admin: Actor, user: Actor, other: Actor
) -> None:
    mine = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    theirs = endpoints.create(database, other, DESTINATION, pricing=PRICING)
    assert [e.id for e in endpoints.listing(database, user)] == [mine.id]
    assert [e.id for e in endpoints.listing(database, user, everyone=True)] == [mine.id]
    assert [e.id for e in endpoints.listing(database, admin)] == []
    everyone = {e.id for e in endpoints.listing(database, admin, everyone=True)}
    assert everyone == {mine.id, theirs.id}


def test_an_endpoint_can_be_named_by_its_slug(
    database: Database, user: Actor, other: Actor
) -> None:
    view = endpoints.create(database, user, DESTINATION, pricing=PRICING, slug="by-slug")
    assert endpoints.get(database, user, "by-slug").id == view.id
    with pytest.raises(NotFoundError, match="^no endpoint 'by-slug'$"):
        endpoints.get(database, other, "by-slug")


def test_rename(database: Database, user: Actor, endpoint: EndpointView) -> None:
    assert endpoints.rename(database, user, endpoint.id, "  New name ").name == "New name"
    assert _stored(database, endpoint.id).name == "New name"
    with pytest.raises(ValidationError, match="the name must not be empty"):
        endpoints.rename(database, user, endpoint.id, "   ")
    assert _stored(database, endpoint.id).name == "New name"


# -- the lifecycle ----------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_every_transition_not_in_the_table_is_refused(
    database: Database,
    user: Actor,
    endpoint: EndpointView,
    current: EndpointStatus,
    target: EndpointStatus,
) -> None:
    set_endpoint(database, endpoint.id, status=current)
    changes = count(database, AuditLog, AuditLog.action == "ENDPOINT_STATUS_CHANGED")
    expected = re.escape(f"an endpoint that is {current.value} cannot become {target.value}")
    with pytest.raises(InvalidTransitionError, match=expected):
        endpoints.change_status(database, user, endpoint.id, target)
    assert _stored(database, endpoint.id).status == current
    assert count(database, AuditLog, AuditLog.action == "ENDPOINT_STATUS_CHANGED") == changes


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_transition_in_the_table_succeeds(
    database: Database,
    user: Actor,
    endpoint: EndpointView,
    current: EndpointStatus,
    target: EndpointStatus,
) -> None:
    set_endpoint(database, endpoint.id, status=current)
    assert endpoints.change_status(database, user, endpoint.id, target).status == target
    assert _stored(database, endpoint.id).status == target


def test_the_refused_and_allowed_tables_cover_every_pair() -> None:
    assert len(ALLOWED) + len(REFUSED) == len(EndpointStatus) ** 2
    assert len(ALLOWED) == sum(len(targets) for targets in TRANSITIONS.values())


@pytest.mark.parametrize(
    ("operation", "start", "status"),
    [
        (endpoints.pause, EndpointStatus.ACTIVE, EndpointStatus.REVIEW),
        (endpoints.resume, EndpointStatus.REVIEW, EndpointStatus.ACTIVE),
        (endpoints.deactivate, EndpointStatus.ACTIVE, EndpointStatus.INACTIVE),
        (endpoints.archive, EndpointStatus.INACTIVE, EndpointStatus.ARCHIVED),
    ],
    ids=["pause", "resume", "deactivate", "archive"],
)
def test_the_named_moves_map_to_their_status(
    database: Database,
    user: Actor,
    endpoint: EndpointView,
    operation: Callable[[Database, Actor, str], EndpointView],
    start: EndpointStatus,
    status: EndpointStatus,
) -> None:
    set_endpoint(database, endpoint.id, status=start)
    assert operation(database, user, endpoint.id).status == status
    assert _stored(database, endpoint.id).status == status


def test_an_archived_endpoint_cannot_be_resumed(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    endpoints.archive(database, user, endpoint.id)
    with pytest.raises(InvalidTransitionError, match="nothing \\(it is final\\)"):
        endpoints.resume(database, user, endpoint.id)
    assert _stored(database, endpoint.id).status == EndpointStatus.ARCHIVED


# -- deleting ---------------------------------------------------------------------------


def _capture(database: Database, endpoint_id: str, count: int) -> None:
    """Captured calls plus a discovered endpoint, all owned by the endpoint."""
    capture(database, endpoint_id, count)
    with database.transaction() as session:
        session.add(
            DiscoveredEndpoint(endpoint_id=endpoint_id, pattern="/api/items/{id}", methods=["GET"])
        )


def test_delete_removes_owned_rows_and_keeps_the_ledger(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    kept = endpoints.create(database, user, DESTINATION, pricing=PRICING)
    _capture(database, endpoint.id, 3)
    _capture(database, kept.id, 1)
    removed = endpoints.delete(database, user, endpoint.id)
    assert removed == {
        "api_calls": 3,
        "discovered_endpoints": 1,
        "endpoint_documentation": 0,
        "action_sequences": 0,
        "api_changes": 0,
    }
    assert count(database, Endpoint, Endpoint.id == endpoint.id) == 0
    assert count(database, ApiCall, ApiCall.endpoint_id == endpoint.id) == 0
    assert count(database, DiscoveredEndpoint, DiscoveredEndpoint.endpoint_id == endpoint.id) == 0
    assert count(database, ApiCall, ApiCall.endpoint_id == kept.id) == 1
    charges = [e for e in _ledger(database, user.id) if e.type == CreditTransactionType.ENDPOINT]
    assert [(e.amount, e.endpoint_id) for e in charges] == [(-25, None), (-25, kept.id)]
    assert _credits(database, user) == 50
    with pytest.raises(NotFoundError, match="no endpoint"):
        endpoints.get(database, user, endpoint.id)


# -- publishing and monitoring ----------------------------------------------------------


def test_publish_needs_a_slug(database: Database, user: Actor, endpoint: EndpointView) -> None:
    with pytest.raises(ValidationError, match="give the endpoint a slug"):
        endpoints.publish(database, user, endpoint.id)
    assert _stored(database, endpoint.id).is_public is False


def test_publish_and_unpublish(database: Database, user: Actor, endpoint: EndpointView) -> None:
    view = endpoints.publish(database, user, endpoint.id, "shop-docs")
    assert (view.slug, view.is_public) == ("shop-docs", True)
    assert _stored(database, endpoint.id).is_public is True
    view = endpoints.unpublish(database, user, "shop-docs")
    assert (view.slug, view.is_public) == ("shop-docs", False)
    # Published again under the slug it already has.
    assert endpoints.publish(database, user, endpoint.id).is_public is True


def test_publish_refuses_a_taken_or_invalid_slug(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    endpoints.create(database, user, DESTINATION, pricing=PRICING, slug="taken")
    with pytest.raises(ValidationError, match="the slug 'taken' is taken"):
        endpoints.publish(database, user, endpoint.id, "taken")
    with pytest.raises(ValidationError, match="lowercase letters"):
        endpoints.publish(database, user, endpoint.id, "Not_Valid")
    stored = _stored(database, endpoint.id)
    assert (stored.slug, stored.is_public) == (None, False)


def test_an_archived_endpoint_cannot_be_monitored(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    endpoints.archive(database, user, endpoint.id)
    with pytest.raises(ValidationError, match="archived endpoint cannot be monitored"):
        endpoints.set_monitoring(database, user, endpoint.id, "daily")
    assert _stored(database, endpoint.id).monitoring_enabled is False


def test_set_monitoring_validates_the_frequency(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    with pytest.raises(ValidationError, match="frequency must be one of daily, weekly, monthly"):
        endpoints.set_monitoring(database, user, endpoint.id, "hourly")
    stored = _stored(database, endpoint.id)
    assert (stored.monitoring_enabled, stored.monitoring_frequency) == (False, None)


def test_monitoring_moves_complete_to_monitoring_and_back(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    set_endpoint(database, endpoint.id, status=EndpointStatus.COMPLETE)
    view = endpoints.set_monitoring(database, user, endpoint.id, "weekly")
    assert (view.status, view.monitoring_enabled, view.monitoring_frequency) == (
        EndpointStatus.MONITORING,
        True,
        "weekly",
    )
    view = endpoints.set_monitoring(database, user, endpoint.id, None)
    assert (view.status, view.monitoring_enabled, view.monitoring_frequency) == (
        EndpointStatus.COMPLETE,
        False,
        None,
    )
    stored = _stored(database, endpoint.id)
    assert (stored.status, stored.monitoring_enabled) == (EndpointStatus.COMPLETE, False)


def test_monitoring_an_active_endpoint_keeps_its_status(
    database: Database, user: Actor, endpoint: EndpointView
) -> None:
    view = endpoints.set_monitoring(database, user, endpoint.id, "daily")
    assert (view.status, view.monitoring_enabled, view.monitoring_frequency) == (
        EndpointStatus.ACTIVE,
        True,
        "daily",
    )
