"""The demo accounts of the platform's seed script: ``apidisco db seed``.

Three accounts, ``demo1`` to ``demo3`` with the password ``demo123`` (the one
exception to the 8-character rule, kept because the platform's documentation
promises it), each with a sample endpoint and one captured call. Seeding is
idempotent: an account that exists is left exactly as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from apidisco.enums import CreditTransactionType, EndpointStatus, Protocol, Role
from apidisco.services.passwords import DEFAULT_ROUNDS, hash_password
from apidisco.store.database import Database, Session
from apidisco.store.models import ApiCall, Endpoint, User
from apidisco.store.repositories import (
    ApiCallRepository,
    EndpointRepository,
    LedgerRepository,
    UserRepository,
)

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAMES", "SeedReport", "SeededAccount", "seed_demo"]

DEMO_USERNAMES = ("demo1", "demo2", "demo3")
DEMO_PASSWORD = "demo123"
SIGNUP_CREDITS = 100
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
            user = users.add(
                User(
                    email=email,
                    username=username,
                    password_hash=hash_password(DEMO_PASSWORD, rounds=rounds),
                    role=Role.USER,
                    is_demo=True,
                    credits=0,
                )
            )
            LedgerRepository(session).record(
                user.id,
                SIGNUP_CREDITS,
                CreditTransactionType.SIGNUP,
                description="Free credits on signup",
            )
            _add_sample_endpoint(session, user)
            accounts.append(SeededAccount(email, username, user.id, created=True))
    return SeedReport(accounts=tuple(accounts))


def _add_sample_endpoint(session: Session, user: User) -> None:
    endpoint = Endpoint(
        user_id=user.id,
        name=f"Sample API Test - {user.username}",
        destination_url=SAMPLE_DESTINATION,
        proxy_url="",
        status=EndpointStatus.ACTIVE,
        credits_used=0,  # demo endpoints are free, so the balance stays at the signup credits
    )
    endpoint.proxy_url = f"/proxy/{endpoint.id}"
    EndpointRepository(session).add(endpoint)
    body = {"id": 1, "title": "Sample Post"}
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
            response_body_json=body,
            timestamp=SAMPLE_CALL_TIME,
            duration=45,
        )
    )
