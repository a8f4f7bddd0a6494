"""The credit ledger as users and admins see it.

Invariant, for every user at all times: the balance equals the sum of the
user's ledger amounts, each row's ``balanceAfter`` is the running balance, and
the balance is never below zero. Every change goes through
:class:`~apidisco.store.repositories.LedgerRepository`, which applies it
atomically in the database.
"""

from __future__ import annotations

from apidisco.enums import CreditTransactionType
from apidisco.errors import InsufficientCreditsError, ValidationError
from apidisco.services import audit
from apidisco.services.accounts import find_account
from apidisco.services.actor import Actor, require_admin
from apidisco.services.views import LedgerEntryView
from apidisco.store.database import Database
from apidisco.store.repositories import LedgerRepository, UserRepository

__all__ = ["balance", "grant", "history"]


def balance(database: Database, actor: Actor) -> int:
    with database.session() as session:
        user = UserRepository(session).get(actor.id)
        return user.credits if user else 0


def history(
    database: Database, actor: Actor, reference: str | None = None
) -> list[LedgerEntryView]:
    """The ledger of the actor, or (admins) of the account named by ``reference``."""
    with database.session() as session:
        user_id = actor.id
        if reference is not None:
            user = find_account(session, reference)
            if not actor.may_act_for(user.id):
                require_admin(actor, "read another account's credits")
            user_id = user.id
        return [LedgerEntryView.of(entry) for entry in LedgerRepository(session).history(user_id)]


def grant(
    database: Database, actor: Actor, reference: str, amount: int, reason: str
) -> LedgerEntryView:
    """Add (or, with a negative amount, remove) credits: ADMIN_ADJUST, admins only."""
    require_admin(actor, "grant credits")
    if amount == 0:
        raise ValidationError("the amount must not be zero")
    if not reason.strip():
        raise ValidationError("give a reason; it is kept in the ledger")
    with database.transaction() as session:
        user = find_account(session, reference)
        entry = LedgerRepository(session).record(
            user.id, amount, CreditTransactionType.ADMIN_ADJUST, description=reason.strip()
        )
        if entry is None:
            raise InsufficientCreditsError(
                f"cannot take {-amount} credits from {user.email}: the balance is {user.credits}"
            )
        audit.record(
            session,
            actor,
            "CREDITS_GRANTED",
            resource_type="USER",
            resource_id=user.id,
            details={
                "amount": amount,
                "reason": entry.description,
                "balance_after": entry.balance_after,
            },
        )
        return LedgerEntryView.of(entry)
