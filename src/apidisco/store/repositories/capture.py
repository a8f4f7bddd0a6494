"""Bulk writes of captured traffic: ``api_calls`` rows, ``lastUsedAt``, replay secrets.

The capture writer (:mod:`apidisco.store.writer`) hands this repository whole
groups of rows. Rows are keyed by :class:`~apidisco.store.models.ApiCall`'s
attribute names (``endpoint_id``, ``request_headers`` ...); :func:`complete_call_row`
fills in what a row may leave out, and the repository maps attributes to the
spec's column names.

- PostgreSQL: ``COPY api_calls (...) FROM STDIN`` on the session's own
  connection, inside its transaction (JSON encoded with orjson).
- SQLite: one ``executemany`` INSERT.
- Replaying rows that may already be stored (``skip_existing=True``):
  ``INSERT ... ON CONFLICT (id) DO NOTHING`` on both backends (``COPY`` cannot skip).

Both paths store identical values: JSON ``None`` is SQL NULL, timestamps are
aware and stored in UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from apidisco.store.columns import UTCDateTime
from apidisco.store.models import ActionSequence, ApiCall, Endpoint

__all__ = [
    "CALL_ATTRIBUTES",
    "TIMESTAMP_ATTRIBUTES",
    "CaptureRepository",
    "check_call_row",
    "complete_call_row",
]

_CALLS: sa.Table = ApiCall.__table__  # type: ignore[attr-defined]
_ENDPOINTS: sa.Table = Endpoint.__table__  # type: ignore[attr-defined]
_SEQUENCES: sa.Table = ActionSequence.__table__  # type: ignore[attr-defined]

# attribute name -> column (in the table's column order, which COPY follows).
_COLUMN_OF: dict[str, sa.Column[Any]] = {
    prop.key: _CALLS.c[prop.columns[0].key] for prop in sa.inspect(ApiCall).column_attrs
}
CALL_ATTRIBUTES: tuple[str, ...] = tuple(_COLUMN_OF)
TIMESTAMP_ATTRIBUTES: frozenset[str] = frozenset(
    name for name, column in _COLUMN_OF.items() if isinstance(column.type, UTCDateTime)
)
# Each column's PostgreSQL type, in COPY's column order.
_POSTGRESQL: sa.Dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
_COPY_TYPES: list[str] = [
    column.type.compile(dialect=_POSTGRESQL).lower() for column in _COLUMN_OF.values()
]
_REQUIRED = frozenset(
    name for name, field in ApiCall.model_fields.items() if field.is_required()
) - {"endpoint_id"}
_KNOWN = frozenset(CALL_ATTRIBUTES)
# What a row may leave out: a fixed default, or a factory (id, timestamp) called per row.
_DEFAULTS: dict[str, Any] = {
    name: field.default
    for name, field in ApiCall.model_fields.items()
    if not field.is_required() and field.default_factory is None
}
_FACTORIES: dict[str, Callable[[], Any]] = {
    name: field.default_factory  # type: ignore[misc]
    for name, field in ApiCall.model_fields.items()
    if field.default_factory is not None
}


def check_call_row(row: Mapping[str, Any], endpoint_id: str) -> None:
    """Raise :class:`ValueError` if ``row`` cannot become an ``api_calls`` row of ``endpoint_id``.

    Cheap enough to run on the thread that submits: only keys and the timestamp
    are looked at, the values are left to the database.
    """
    unknown = row.keys() - _KNOWN
    if unknown:
        raise ValueError(f"api_calls has no attribute {', '.join(sorted(unknown))}")
    missing = _REQUIRED - row.keys()
    if missing:
        raise ValueError(f"api_calls row lacks {', '.join(sorted(missing))}")
    if row.get("endpoint_id", endpoint_id) != endpoint_id:
        raise ValueError(
            f"row of endpoint {row['endpoint_id']!r} in a batch of endpoint {endpoint_id!r}"
        )
    for name in TIMESTAMP_ATTRIBUTES & row.keys():
        value = row[name]
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ValueError(f"api_calls {name} must be an aware datetime, not {value!r}")


def complete_call_row(row: Mapping[str, Any], endpoint_id: str) -> dict[str, Any]:
    """``row`` with every attribute present: a new ``id`` and ``timestamp`` if it had none,
    the model's defaults for the rest."""
    complete = {**_DEFAULTS, "endpoint_id": endpoint_id, **row}
    for name, factory in _FACTORIES.items():
        if name not in row:
            complete[name] = factory()
    return complete


class CaptureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _backend(self) -> str:
        return self.session.connection().dialect.name

    def add_calls(self, rows: Sequence[Mapping[str, Any]], *, skip_existing: bool = False) -> None:
        """Insert complete rows (see :func:`complete_call_row`).

        With ``skip_existing``, rows whose ``id`` is already stored are left as
        they are, so the same rows can be written twice without duplicates.
        """
        if not rows:
            return
        if self._backend == "postgresql" and not skip_existing:
            self._copy_calls(rows)
            return
        values = [{_COLUMN_OF[name].key: row[name] for name in CALL_ATTRIBUTES} for row in rows]
        statement: sa.Insert
        if skip_existing and self._backend == "postgresql":
            statement = postgresql.insert(_CALLS).on_conflict_do_nothing(index_elements=["id"])
        elif skip_existing:
            statement = sqlite.insert(_CALLS).on_conflict_do_nothing(index_elements=["id"])
        else:
            statement = sa.insert(_CALLS)
        self.session.execute(statement, values)

    def _copy_calls(self, rows: Iterable[Mapping[str, Any]]) -> None:
        from psycopg.types.json import set_json_dumps

        columns = ", ".join(f'"{_COLUMN_OF[name].name}"' for name in CALL_ATTRIBUTES)
        driver_connection = self.session.connection().connection.driver_connection
        assert driver_connection is not None
        with driver_connection.cursor() as cursor:
            # With every column's type given, psycopg picks each value's dumper by column
            # rather than by value, and dicts and lists go to jsonb unwrapped: this
            # cursor's jsonb values are encoded by orjson.
            set_json_dumps(orjson.dumps, cursor)
            with cursor.copy(f"COPY {_CALLS.name} ({columns}) FROM STDIN") as copy:
                copy.set_types(_COPY_TYPES)
                for row in rows:
                    copy.write_row([row[name] for name in CALL_ATTRIBUTES])

    def touch_endpoints(self, last_used: Mapping[str, datetime]) -> None:
        """Move each endpoint's ``lastUsedAt`` forward to the given moment (never back).

        ``updatedAt`` is left alone: traffic is not an edit of the endpoint.
        """
        column = _ENDPOINTS.c["lastUsedAt"]
        for endpoint_id in sorted(last_used):
            moment = last_used[endpoint_id]
            statement = (
                sa.update(_ENDPOINTS)
                .where(_ENDPOINTS.c["id"] == endpoint_id)
                .where(sa.or_(column.is_(None), column < moment))
                .values({column: moment, _ENDPOINTS.c["updatedAt"]: _ENDPOINTS.c["updatedAt"]})
            )
            self.session.execute(statement)

    def merge_auth_tokens(self, endpoint_id: str, secrets: Mapping[str, str]) -> bool:
        """Merge ``secrets`` into the endpoint's ``action_sequences.authTokens`` object.

        Creates the endpoint's action sequence (with an empty ``sequence``) if it
        has none. The row is locked while it is read and written (PostgreSQL;
        SQLite transactions already hold the write lock). Returns whether
        anything changed.
        """
        if not secrets:
            return False
        backend = self._backend
        insert = postgresql.insert if backend == "postgresql" else sqlite.insert
        self.session.execute(
            insert(_SEQUENCES)
            .values(
                {
                    "id": ActionSequence.model_fields["id"].get_default(call_default_factory=True),
                    "endpointId": endpoint_id,
                    "sequence": [],
                    "authTokens": {},
                }
            )
            .on_conflict_do_nothing(index_elements=["endpointId"])
        )
        current = self.session.execute(
            sa.select(_SEQUENCES.c["authTokens"])
            .where(_SEQUENCES.c["endpointId"] == endpoint_id)
            .with_for_update()
        ).scalar_one()
        tokens = dict(current) if isinstance(current, dict) else {}
        merged = {**tokens, **secrets}
        if merged == current:
            return False
        self.session.execute(
            sa.update(_SEQUENCES)
            .where(_SEQUENCES.c["endpointId"] == endpoint_id)
            .values({"authTokens": merged})
        )
        return True
