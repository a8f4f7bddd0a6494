"""Queries on ``api_calls``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from apidisco.store.models import ApiCall

__all__ = ["ApiCallRepository"]


class ApiCallRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, call: ApiCall) -> ApiCall:
        self.session.add(call)
        self.session.flush()
        return call

    def count_for_endpoint(self, endpoint_id: str) -> int:
        statement = (
            select(sa.func.count()).select_from(ApiCall).where(ApiCall.endpoint_id == endpoint_id)
        )
        return int(self.session.exec(statement).one())
