"""Queries behind the documentation site: which endpoints are documented.

An endpoint is *documented* once ``apidisco document`` stored at least one
``endpoint_documentation`` row for it; the site shows nothing else.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from apidisco.store.models import Endpoint, EndpointDocumentation

__all__ = ["DocumentedEndpoint", "PublishedRepository"]

DocumentedEndpoint = tuple[Endpoint, datetime]
"""An endpoint and when its newest document was generated."""


class PublishedRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _documented(self) -> Select[Endpoint, datetime]:
        newest = sa.func.max(col(EndpointDocumentation.generated_at)).label("documented_at")
        return (
            select(Endpoint, newest)
            .join(EndpointDocumentation, col(EndpointDocumentation.endpoint_id) == col(Endpoint.id))
            .group_by(col(Endpoint.id))
            .order_by(
                sa.func.coalesce(col(Endpoint.name), col(Endpoint.slug), col(Endpoint.id)),
                col(Endpoint.id),
            )
        )

    def public(self) -> list[DocumentedEndpoint]:
        """Public endpoints with a slug and at least one document, by name."""
        statement = self._documented().where(
            col(Endpoint.is_public).is_(True), col(Endpoint.slug).is_not(None)
        )
        return [(endpoint, at) for endpoint, at in self.session.execute(statement)]

    def owned_by(self, user_id: str) -> list[DocumentedEndpoint]:
        """The user's documented endpoints, public or not, by name."""
        statement = self._documented().where(col(Endpoint.user_id) == user_id)
        return [(endpoint, at) for endpoint, at in self.session.execute(statement)]

    def is_documented(self, endpoint_id: str) -> bool:
        statement = (
            select(sa.func.count())
            .select_from(EndpointDocumentation)
            .where(col(EndpointDocumentation.endpoint_id) == endpoint_id)
        )
        return int(self.session.exec(statement).one()) > 0
