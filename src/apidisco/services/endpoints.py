"""Endpoints: creating them (and paying for them), and moving them through their lifecycle.

Every function takes the acting user. Users see and change only their own
endpoints, admins everyone's; an id that does not exist and one that belongs to
someone else give the same :class:`NotFoundError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apidisco.config import Settings
from apidisco.destinations import check_destination
from apidisco.enums import CreditTransactionType, EndpointStatus
from apidisco.errors import InsufficientCreditsError, NotFoundError, ValidationError
from apidisco.lifecycle import check_transition
from apidisco.services import audit
from apidisco.services.actor import Actor
from apidisco.services.views import EndpointView
from apidisco.store.database import Database, Session
from apidisco.store.models import Endpoint
from apidisco.store.repositories import EndpointRepository, LedgerRepository, UserRepository

__all__ = [
    "FREQUENCIES",
    "Pricing",
    "archive",
    "create",
    "deactivate",
    "delete",
    "find_endpoint",
    "get",
    "insert_endpoint",
    "listing",
    "pause",
    "publish",
    "rename",
    "resume",
    "set_monitoring",
    "unpublish",
]

FREQUENCIES = ("daily", "weekly", "monthly")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_LENGTH = (3, 64)


@dataclass(frozen=True)
class Pricing:
    """What an endpoint costs, and how many each plan includes."""

    endpoint_price: int
    included: dict[str, int]

    @classmethod
    def from_settings(cls, settings: Settings) -> Pricing:
        return cls(
            endpoint_price=settings.endpoint_price,
            included={tier: settings.included_endpoints(tier) for tier in ("FREE", "PRO", "TEAM")},
        )

    def included_for(self, tier: str | None) -> int:
        return self.included.get((tier or "FREE").upper(), self.included.get("FREE", 0))


def validate_slug(slug: str) -> str:
    low, high = SLUG_LENGTH
    if not (low <= len(slug) <= high and SLUG.fullmatch(slug)):
        raise ValidationError(
            f"slug {slug!r} must be {low} to {high} lowercase letters, digits and single "
            "hyphens, as in my-shop-api"
        )
    return slug


def _ensure_slug_free(session: Session, slug: str, endpoint_id: str | None = None) -> None:
    owner = EndpointRepository(session).by_slug(slug)
    if owner is not None and owner.id != endpoint_id:
        raise ValidationError(f"the slug {slug!r} is taken")


def find_endpoint(session: Session, actor: Actor, reference: str) -> Endpoint:
    """The endpoint named by id or slug, if the actor may see it."""
    endpoints = EndpointRepository(session)
    endpoint = endpoints.get(reference) or endpoints.by_slug(reference)
    if endpoint is None or not actor.may_act_for(endpoint.user_id):
        raise NotFoundError(f"no endpoint {reference!r}")
    return endpoint


def create(
    database: Database,
    actor: Actor,
    destination_url: str,
    *,
    pricing: Pricing,
    allow_private: bool = False,
    name: str | None = None,
    slug: str | None = None,
) -> EndpointView:
    """Create an endpoint, charging its price unless the plan includes it.

    The destination is checked against the SSRF rules first. The endpoint, the
    charge and its ledger row are one transaction: without enough credits
    nothing is left behind.
    """
    destination = check_destination(destination_url, allow_private=allow_private)
    if slug is not None:
        validate_slug(slug)
    with database.transaction() as session:
        user = UserRepository(session).lock(actor.id)
        if user is None:
            raise NotFoundError("your account no longer exists")
        if slug is not None:
            _ensure_slug_free(session, slug)
        endpoints = EndpointRepository(session)
        included = endpoints.count_included(user.id) < pricing.included_for(user.subscription_tier)
        price = 0 if included else pricing.endpoint_price
        endpoint = insert_endpoint(
            session, actor, destination.url, name=name, slug=slug, price=price, balance=user.credits
        )
        return EndpointView.of(endpoint)


def insert_endpoint(
    session: Session,
    actor: Actor,
    destination_url: str,
    *,
    name: str | None,
    slug: str | None = None,
    price: int,
    balance: int,
) -> Endpoint:
    """Insert an endpoint and charge ``price`` for it, inside the caller's transaction.

    The destination must already be checked. Raises
    :class:`InsufficientCreditsError` (the caller's transaction then rolls back
    the insert) when ``price`` is more than the balance.
    """
    endpoint = Endpoint(
        user_id=actor.id,
        name=name,
        slug=slug,
        destination_url=destination_url,
        proxy_url="",
        credits_used=price,
    )
    endpoint.proxy_url = f"/proxy/{endpoint.id}"
    EndpointRepository(session).add(endpoint)
    if price:
        entry = LedgerRepository(session).record(
            actor.id,
            -price,
            CreditTransactionType.ENDPOINT,
            description=f"Endpoint {name or destination_url}",
            endpoint_id=endpoint.id,
        )
        if entry is None:
            raise InsufficientCreditsError(
                f"an endpoint costs {price} credits and you have {balance}; "
                "ask an admin for credits or buy more"
            )
        audit.record(
            session,
            actor,
            "CREDITS_CHARGED",
            resource_type="ENDPOINT",
            resource_id=endpoint.id,
            details={"amount": -price, "balance_after": entry.balance_after},
        )
    audit.record(
        session,
        actor,
        "ENDPOINT_CREATED",
        resource_type="ENDPOINT",
        resource_id=endpoint.id,
        details={"destination": destination_url, "name": name, "credits": price},
    )
    return endpoint


def listing(database: Database, actor: Actor, *, everyone: bool = False) -> list[EndpointView]:
    """The actor's endpoints; with ``everyone`` (admins only) all of them."""
    with database.session() as session:
        owner = None if (everyone and actor.is_admin) else actor.id
        return [EndpointView.of(e) for e in EndpointRepository(session).listing(owner)]


def get(database: Database, actor: Actor, reference: str) -> EndpointView:
    with database.session() as session:
        return EndpointView.of(find_endpoint(session, actor, reference))


def rename(database: Database, actor: Actor, reference: str, name: str) -> EndpointView:
    name = name.strip()
    if not name:
        raise ValidationError("the name must not be empty")
    with database.transaction() as session:
        endpoint = find_endpoint(session, actor, reference)
        previous, endpoint.name = endpoint.name, name
        audit.record(
            session,
            actor,
            "ENDPOINT_RENAMED",
            resource_type="ENDPOINT",
            resource_id=endpoint.id,
            details={"from": previous, "to": name},
        )
        session.flush()
        return EndpointView.of(endpoint)


def change_status(
    database: Database, actor: Actor, reference: str, status: EndpointStatus
) -> EndpointView:
    """Move an endpoint to ``status`` if the lifecycle allows it; else change nothing."""
    with database.transaction() as session:
        endpoint = find_endpoint(session, actor, reference)
        transition(session, actor, endpoint, status)
        session.flush()
        return EndpointView.of(endpoint)


def transition(session: Session, actor: Actor, endpoint: Endpoint, status: EndpointStatus) -> None:
    """Move ``endpoint`` to ``status`` inside the caller's transaction, audited;
    :class:`InvalidTransitionError` when the lifecycle forbids it."""
    previous = endpoint.status
    check_transition(previous, status)
    endpoint.status = status
    audit.record(
        session,
        actor,
        "ENDPOINT_STATUS_CHANGED",
        resource_type="ENDPOINT",
        resource_id=endpoint.id,
        details={"from": previous.value, "to": status.value},
    )


def pause(database: Database, actor: Actor, reference: str) -> EndpointView:
    """Stop capturing (REVIEW)."""
    return change_status(database, actor, reference, EndpointStatus.REVIEW)


def resume(database: Database, actor: Actor, reference: str) -> EndpointView:
    """Capture again (ACTIVE)."""
    return change_status(database, actor, reference, EndpointStatus.ACTIVE)


def deactivate(database: Database, actor: Actor, reference: str) -> EndpointView:
    return change_status(database, actor, reference, EndpointStatus.INACTIVE)


def archive(database: Database, actor: Actor, reference: str) -> EndpointView:
    return change_status(database, actor, reference, EndpointStatus.ARCHIVED)


def delete(database: Database, actor: Actor, reference: str) -> dict[str, int]:
    """Delete an endpoint and everything captured or inferred for it.

    Returns how many rows of each table went with it. Ledger rows stay (their
    link to the endpoint is cleared).
    """
    with database.transaction() as session:
        endpoint = find_endpoint(session, actor, reference)
        endpoints = EndpointRepository(session)
        removed = endpoints.owned_counts([endpoint.id])
        endpoints.delete(endpoint)
        audit.record(
            session,
            actor,
            "ENDPOINT_DELETED",
            resource_type="ENDPOINT",
            resource_id=endpoint.id,
            details={"destination": endpoint.destination_url, "removed": removed},
        )
        return removed


def publish(
    database: Database, actor: Actor, reference: str, slug: str | None = None
) -> EndpointView:
    """Make the endpoint's documentation public at its slug."""
    if slug is not None:
        validate_slug(slug)
    with database.transaction() as session:
        endpoint = find_endpoint(session, actor, reference)
        slug = slug or endpoint.slug
        if slug is None:
            raise ValidationError("give the endpoint a slug to publish it under: --slug my-api")
        _ensure_slug_free(session, slug, endpoint.id)
        endpoint.slug, endpoint.is_public = slug, True
        audit.record(
            session,
            actor,
            "ENDPOINT_PUBLISHED",
            resource_type="ENDPOINT",
            resource_id=endpoint.id,
            details={"slug": slug},
        )
        session.flush()
        return EndpointView.of(endpoint)


def unpublish(database: Database, actor: Actor, reference: str) -> EndpointView:
    with database.transaction() as session:
        endpoint = find_endpoint(session, actor, reference)
        endpoint.is_public = False
        audit.record(
            session,
            actor,
            "ENDPOINT_UNPUBLISHED",
            resource_type="ENDPOINT",
            resource_id=endpoint.id,
            details={"slug": endpoint.slug},
        )
        session.flush()
        return EndpointView.of(endpoint)


def set_monitoring(
    database: Database, actor: Actor, reference: str, frequency: str | None
) -> EndpointView:
    """Turn scheduled replay on at ``frequency``, or off with ``None``.

    A COMPLETE endpoint becomes MONITORING when monitoring is turned on, and a
    MONITORING one COMPLETE when it is turned off.
    """
    if frequency is not None and frequency not in FREQUENCIES:
        raise ValidationError(f"frequency must be one of {', '.join(FREQUENCIES)}")
    with database.transaction() as session:
        endpoint = find_endpoint(session, actor, reference)
        if frequency is not None and endpoint.status == EndpointStatus.ARCHIVED:
            raise ValidationError("an archived endpoint cannot be monitored")
        if frequency is not None and endpoint.status == EndpointStatus.COMPLETE:
            transition(session, actor, endpoint, EndpointStatus.MONITORING)
        if frequency is None and endpoint.status == EndpointStatus.MONITORING:
            transition(session, actor, endpoint, EndpointStatus.COMPLETE)
        endpoint.monitoring_enabled = frequency is not None
        endpoint.monitoring_frequency = frequency
        audit.record(
            session,
            actor,
            "ENDPOINT_MONITORING_CHANGED",
            resource_type="ENDPOINT",
            resource_id=endpoint.id,
            details={"frequency": frequency},
        )
        session.flush()
        return EndpointView.of(endpoint)
