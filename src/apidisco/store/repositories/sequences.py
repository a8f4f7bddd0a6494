"""Queries on ``action_sequences``: one recorded sequence per endpoint."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from apidisco.store.models import ActionSequence, ApiCall, utcnow

__all__ = ["ActionSequenceRepository"]


class ActionSequenceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_endpoint(self, endpoint_id: str) -> ActionSequence | None:
        statement = select(ActionSequence).where(ActionSequence.endpoint_id == endpoint_id)
        return self.session.exec(statement).first()

    def put(
        self,
        endpoint_id: str,
        *,
        sequence: list[dict[str, Any]],
        baselines: Mapping[str, Any],
        tokens: Mapping[str, str],
    ) -> ActionSequence:
        """Replace the endpoint's sequence and baselines; ``tokens`` are merged into
        ``authTokens`` (what capture kept stays)."""
        row = self.for_endpoint(endpoint_id)
        if row is None:
            row = ActionSequence(endpoint_id=endpoint_id, sequence=[], auth_tokens={})
        kept = dict(row.auth_tokens) if isinstance(row.auth_tokens, dict) else {}
        row.sequence = sequence
        row.baseline_snapshots = dict(baselines)
        row.auth_tokens = {**kept, **tokens}
        row.updated_at = utcnow()
        self.session.add(row)
        self.session.flush()
        return row

    def calls_with_patterns(
        self, endpoint_id: str, patterns: Sequence[str], *, chunk: int = 1000
    ) -> Iterator[ApiCall]:
        """The endpoint's calls whose ``endpointPattern`` is one of ``patterns``, oldest
        first, read ``chunk`` rows at a time (what a baseline is learnt from)."""
        if not patterns:
            return
        statement = (
            select(ApiCall)
            .where(
                ApiCall.endpoint_id == endpoint_id,
                col(ApiCall.endpoint_pattern).in_(sorted(set(patterns))),
                col(ApiCall.message_direction).is_(None),
            )
            .order_by(col(ApiCall.timestamp), col(ApiCall.id))
        )
        offset = 0
        while True:
            page = list(self.session.exec(statement.offset(offset).limit(chunk)))
            yield from page
            if len(page) < chunk:
                return
            offset += chunk
