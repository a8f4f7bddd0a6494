"""Repositories: every query apidisco runs, one module per aggregate.

A repository holds a session, builds statements, adds and flushes rows. It
never commits: the service that opened the transaction decides.
"""

from apidisco.store.repositories.audit import AuditRepository
from apidisco.store.repositories.calls import ApiCallRepository
from apidisco.store.repositories.discovered import DiscoveredEndpointRepository
from apidisco.store.repositories.endpoints import EndpointRepository
from apidisco.store.repositories.ledger import LedgerRepository
from apidisco.store.repositories.payments import PaymentRepository
from apidisco.store.repositories.sessions import SessionRepository
from apidisco.store.repositories.users import UserRepository

__all__ = [
    "ApiCallRepository",
    "AuditRepository",
    "DiscoveredEndpointRepository",
    "EndpointRepository",
    "LedgerRepository",
    "PaymentRepository",
    "SessionRepository",
    "UserRepository",
]
