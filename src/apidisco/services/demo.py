"""The demo accounts of the platform's seed script: ``apidisco db seed``.

Three accounts, ``demo1`` to ``demo3`` with the password ``demo123`` (the one
exception to the 8-character rule, kept because the platform's documentation
promises it), each with a sample endpoint and one captured call. Seeding is
idempotent: an account that exists is left exactly as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from apidisco.enums import Protocol
from apidisco.services.accounts import SIGNUP_CREDITS, create_account
from apidisco.services.actor import Actor
from apidisco.services.endpoints import insert_endpoint
from apidisco.services.passwords import DEFAULT_ROUNDS, hash_password
from apidisco.store.database import Database, Session
from apidisco.store.models import ApiCall
from apidisco.store.repositories import ApiCallRepository, UserRepository

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAMES", "SeedReport", "SeededAccount", "seed_demo"]

DEMO_USERNAMES = ("demo1", "demo2", "demo3")
DEMO_PASSWORD = "demo123"
SAMPLE_DESTINATION = "https://jsonplaceholder.typicode.com"
SAMPLE_CALL_TIME = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SeededAccount:
    email: str
    username: str
    user_id: str
    created: bool


@dataclass(frozen=True)
class SeedReport:
    accounts: tuple[SeededAccount, ...]

    @property
    def created(self) -> int:
        return sum(account.created for account in self.accounts)


def seed_demo(database: Database, *, rounds: int = DEFAULT_ROUNDS) -> SeedReport:
    """Create the demo accounts that do not exist yet, in one transaction."""
    accounts = []
    with database.transaction() as session:
        users = UserRepository(session)
        for username in DEMO_USERNAMES:
            email = f"{username}@example.com"
            existing = users.by_email(email)
            if existing is not None:
                accounts.append(SeededAccount(email, username, existing.id, created=False))
                continue
            user = create_account(
                session,
                email=email,
                username=username,
                password_hash=hash_password(DEMO_PASSWORD, rounds=rounds),
                is_demo=True,
            )
            _add_sample_endpoint(session, Actor(id=user.id, email=user.email, role=user.role))
            accounts.append(SeededAccount(email, username, user.id, created=True))
    return SeedReport(accounts=tuple(accounts))


def _add_sample_endpoint(session: Session, actor: Actor) -> None:
    username = actor.email.partition("@")[0]
    # A fixed, known public destination: no DNS check (the seed must work offline).
    # Demo endpoints are free, so the balance stays at the signup credits.
    endpoint = insert_endpoint(
        session,
        actor,
        SAMPLE_DESTINATION,
        name=f"Sample API Test - {username}",
        price=0,
        balance=SIGNUP_CREDITS,
    )
    ApiCallRepository(session).add(
        ApiCall(
            endpoint_id=endpoint.id,
            method="GET",
            url=f"{SAMPLE_DESTINATION}/posts/1",
            protocol=Protocol.HTTPS.value,
            request_headers={"content-type": "application/json"},
            response_status=200,
            response_headers={"content-type": "application/json"},
            response_body='{"id": 1, "title": "Sample Post"}',
            response_body_json={"id": 1, "title": "Sample Post"},
            timestamp=SAMPLE_CALL_TIME,
            duration=45,
        )
    )
