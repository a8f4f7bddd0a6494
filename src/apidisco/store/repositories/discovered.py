"""Queries on ``discovered_endpoints``: what inference found, one row per pattern and protocol."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from apidisco.store.models import DiscoveredEndpoint

__all__ = ["DiscoveredEndpointRepository", "ReplaceCounts"]


@dataclass(frozen=True)
class ReplaceCounts:
    created: int
    updated: int
    unchanged: int
    removed: int


class DiscoveredEndpointRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list_for_endpoint(self, endpoint_id: str) -> list[DiscoveredEndpoint]:
        statement = (
            select(DiscoveredEndpoint)
            .where(DiscoveredEndpoint.endpoint_id == endpoint_id)
            .order_by(col(DiscoveredEndpoint.pattern), col(DiscoveredEndpoint.protocol))
        )
        return list(self.session.exec(statement))

    def replace_all(self, endpoint_id: str, rows: Iterable[Mapping[str, Any]]) -> ReplaceCounts:
        """Make the endpoint's rows exactly ``rows`` (attribute name → value).

        Rows are matched on (pattern, protocol): a match keeps its id and is
        written only where a value differs (so ``updatedAt`` moves only then),
        new ones are inserted and rows not in ``rows`` are deleted.
        """
        existing = {(row.pattern, row.protocol): row for row in self.list_for_endpoint(endpoint_id)}
        created = updated = unchanged = 0
        seen: set[tuple[str, str]] = set()
        for values in rows:
            key = (values["pattern"], values["protocol"])
            seen.add(key)
            row = existing.get(key)
            if row is None:
                self.session.add(DiscoveredEndpoint(endpoint_id=endpoint_id, **values))
                created += 1
                continue
            changes = {name: value for name, value in values.items() if getattr(row, name) != value}
            if not changes:
                unchanged += 1
                continue
            for name, value in changes.items():
                setattr(row, name, value)
            self.session.add(row)
            updated += 1
        removed = 0
        for key, row in existing.items():
            if key not in seen:
                self.session.delete(row)
                removed += 1
        self.session.flush()
        return ReplaceCounts(created, updated, unchanged, removed)
