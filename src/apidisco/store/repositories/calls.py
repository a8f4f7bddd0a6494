"""Queries on ``api_calls``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from apidisco.store.models import ApiCall

__all__ = ["ApiCallRepository"]


class ApiCallRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, call: ApiCall) -> ApiCall:
        self.session.add(call)
        self.session.flush()
        return call

    def get(self, call_id: str) -> ApiCall | None:
        return self.session.get(ApiCall, call_id)

    def count_for_endpoint(self, endpoint_id: str) -> int:
        statement = (
            select(sa.func.count()).select_from(ApiCall).where(ApiCall.endpoint_id == endpoint_id)
        )
        return int(self.session.exec(statement).one())

    def search(
        self,
        endpoint_id: str,
        *,
        method: str | None = None,
        status: int | None = None,
        protocol: str | None = None,
        path: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[ApiCall]:
        """The endpoint's calls, oldest first, filtered; ``path`` matches within the URL."""
        statement = select(ApiCall).where(ApiCall.endpoint_id == endpoint_id)
        if method is not None:
            statement = statement.where(ApiCall.method == method.upper())
        if status is not None:
            statement = statement.where(ApiCall.response_status == status)
        if protocol is not None:
            statement = statement.where(ApiCall.protocol == protocol.lower())
        if path is not None:
            statement = statement.where(col(ApiCall.url).contains(path, autoescape=True))
        statement = statement.order_by(col(ApiCall.timestamp), col(ApiCall.id))
        return list(self.session.exec(statement.offset(offset).limit(limit)))
