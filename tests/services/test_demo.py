"""The demo seed: the spec's accounts, a balanced ledger, idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from apidisco.enums import CreditTransactionType, EndpointStatus, Role
from apidisco.services.demo import DEMO_PASSWORD, DEMO_USERNAMES, seed_demo
from apidisco.services.passwords import verify_password
from apidisco.store.database import Database
from apidisco.store.models import ApiCall, CreditTransaction, Endpoint, User
from apidisco.store.repositories import EndpointRepository, LedgerRepository, UserRepository


def _counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {
            model.__tablename__: session.execute(
                sa.select(sa.func.count()).select_from(model)
            ).scalar_one()
            for model in (User, Endpoint, ApiCall, CreditTransaction)
        }


def test_seed_creates_the_demo_accounts_with_sample_data(database: Database) -> None:
    report = seed_demo(database, rounds=4)
    assert [a.username for a in report.accounts] == list(DEMO_USERNAMES)
    assert report.created == 3
    with database.session() as session:
        for account in report.accounts:
            user = UserRepository(session).by_email(f"{account.username}@example.com")
            assert user is not None
            assert (user.role, user.is_demo, user.credits) == (Role.USER, True, 100)
            assert verify_password(DEMO_PASSWORD, user.password_hash)
            assert not verify_password("wrong-password", user.password_hash)
            ledger = LedgerRepository(session).history(user.id)
            assert [(e.amount, e.balance_after, e.type) for e in ledger] == [
                (100, 100, CreditTransactionType.SIGNUP)
            ]
            [endpoint] = EndpointRepository(session).listing(user.id)
            assert endpoint.status == EndpointStatus.ACTIVE
            assert endpoint.proxy_url == f"/proxy/{endpoint.id}"
            assert endpoint.credits_used == 0
            [call] = session.execute(
                sa.select(ApiCall).where(ApiCall.endpoint_id == endpoint.id)
            ).scalars()
            assert call.response_body_json == {"id": 1, "title": "Sample Post"}


def test_seeding_twice_changes_nothing(database: Database) -> None:
    seed_demo(database, rounds=4)
    before = _counts(database)
    again = seed_demo(database, rounds=4)
    assert again.created == 0
    assert all(not account.created for account in again.accounts)
    assert _counts(database) == before


def test_the_ledger_explains_every_seeded_balance(database: Database) -> None:
    seed_demo(database, rounds=4)
    with database.session() as session:
        for user in session.execute(sa.select(User)).scalars():
            amounts = session.execute(
                sa.select(sa.func.sum(CreditTransaction.amount)).where(
                    CreditTransaction.user_id == user.id
                )
            ).scalar_one()
            assert amounts == user.credits
