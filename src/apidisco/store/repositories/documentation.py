"""Queries on ``endpoint_documentation``: one document set per discovered endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from apidisco.store.models import EndpointDocumentation

__all__ = ["DocumentationRepository"]


def _version_key(version: str) -> tuple[int, ...]:
    parts = version.split(".")
    return tuple(int(part) for part in parts) if all(p.isdigit() for p in parts) else (0,)


class DocumentationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_endpoint(self, endpoint_id: str) -> dict[str, EndpointDocumentation]:
        """The endpoint's documentation rows, by discovered endpoint id."""
        statement = select(EndpointDocumentation).where(
            EndpointDocumentation.endpoint_id == endpoint_id
        )
        return {row.discovered_endpoint_id: row for row in self.session.exec(statement)}

    def highest_version(self, endpoint_id: str) -> str | None:
        versions = [row.version for row in self.for_endpoint(endpoint_id).values()]
        return max(versions, key=_version_key) if versions else None

    def put(
        self,
        row: EndpointDocumentation | None,
        endpoint_id: str,
        discovered_endpoint_id: str,
        values: Mapping[str, Any],
    ) -> EndpointDocumentation:
        """Update ``row`` (from :meth:`for_endpoint`), or insert the discovered
        endpoint's row when there is none."""
        if row is None:
            row = EndpointDocumentation(
                endpoint_id=endpoint_id, discovered_endpoint_id=discovered_endpoint_id, **values
            )
        else:
            for name, value in values.items():
                setattr(row, name, value)
        self.session.add(row)
        self.session.flush()
        return row
