"""Queries on ``api_calls``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from apidisco.store.models import ApiCall

__all__ = ["PATH_COLUMNS", "ApiCallRepository", "CallRow"]

CallRow = sa.Row[Any]

_TABLE: sa.Table = ApiCall.__table__  # type: ignore[attr-defined]
_T = _TABLE.c

#: What the first inference pass reads: enough to template paths.
PATH_COLUMNS: tuple[sa.ColumnElement[Any], ...] = (
    _T.id,
    _T.method,
    _T.url,
    _T.protocol,
    _T.responseStatus,
    sa.func.substr(_T.responseBody, 1, 1).label("responseStart"),
    (_T.responseBodyJson.is_not(None)).label("responseIsJson"),
    _T.messageDirection,
    # The ids a response names (its "id", or its first item's), read by the database.
    _T.responseBodyJson[("id",)].as_string().label("responseId"),
    _T.responseBodyJson[(0, "id")].as_string().label("responseFirstId"),
)

#: What the second pass reads: JSON columns come as their text, parsed by the caller,
#: and a body's JSON is read from its text column when ``*IsJson`` says it parsed.
CALL_COLUMNS: tuple[sa.ColumnElement[Any], ...] = (
    _T.id,
    _T.method,
    _T.url,
    _T.protocol,
    _T.endpointPattern,
    _T.responseStatus,
    sa.cast(_T.requestHeaders, sa.Text).label("requestHeaders"),
    _T.requestBody,
    (_T.requestBodyJson.is_not(None)).label("requestIsJson"),
    _T.requestBodyTruncated,
    _T.requestBodyEncoding,
    sa.cast(_T.responseHeaders, sa.Text).label("responseHeaders"),
    _T.responseBody,
    (_T.responseBodyJson.is_not(None)).label("responseIsJson"),
    _T.responseBodyTruncated,
    _T.responseBodyEncoding,
    sa.cast(_T.corsHeaders, sa.Text).label("corsHeaders"),
    _T.error,
    _T.messageDirection,
    _T.connectionId,
    _T.graphqlOperation,
)
STREAM_CHUNK = 2_000
PATTERN_CHUNK = 1_000


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

    def stream(
        self,
        endpoint_id: str,
        columns: Sequence[sa.ColumnElement[Any]],
        *,
        chunk: int = STREAM_CHUNK,
    ) -> Iterator[CallRow]:
        """Every call of the endpoint, oldest first, as rows of ``columns``.

        PostgreSQL streams through one server-side cursor (memory holds one
        chunk). SQLite reads chunk by chunk, each query finished before the
        caller sees its rows (keyset pagination on time and id), so the caller
        may write to ``api_calls`` between rows, which SQLite does not allow
        while a statement over the same table is still running.
        """
        base = sa.select(*columns).where(_T.endpointId == endpoint_id)
        order = (_T.timestamp, _T.id)
        if self.session.get_bind().dialect.name == "postgresql":
            statement = base.order_by(*order).execution_options(yield_per=chunk)
            yield from self.session.execute(statement)
            return
        keyed = base.add_columns(_T.timestamp.label("_at"), _T.id.label("_id")).order_by(*order)
        last: tuple[Any, str] | None = None
        while True:
            statement = keyed
            if last is not None:
                statement = statement.where(sa.tuple_(_T.timestamp, _T.id) > sa.tuple_(*last))
            rows = list(self.session.execute(statement.limit(chunk)))
            yield from rows
            if len(rows) < chunk:
                return
            last = (rows[-1]._at, rows[-1]._id)

    def set_patterns(self, ids_by_pattern: Mapping[str | None, Sequence[str]]) -> int:
        """Set ``endpointPattern`` of the given calls; returns how many rows changed.

        One statement per pattern on PostgreSQL (the ids as one array parameter),
        chunks of :data:`PATTERN_CHUNK` ids on SQLite (its bound-parameter limit).
        """
        postgres = self.session.get_bind().dialect.name == "postgresql"
        changed = 0
        for pattern, ids in sorted(ids_by_pattern.items(), key=lambda item: item[0] or ""):
            if postgres:
                chunks = [list(ids)]
            else:
                chunks = [
                    list(ids[i : i + PATTERN_CHUNK]) for i in range(0, len(ids), PATTERN_CHUNK)
                ]
            for chunk in chunks:
                if postgres:
                    matching = _T.id == sa.any_(
                        sa.bindparam("ids", chunk, type_=postgresql.ARRAY(sa.Text))
                    )
                else:
                    matching = _T.id.in_(chunk)
                statement = sa.update(_TABLE).where(matching).values(endpointPattern=pattern)
                result = self.session.execute(statement)
                changed += int(getattr(result, "rowcount", 0))
        return changed
