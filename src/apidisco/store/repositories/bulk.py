"""Set-based statements shared by the repositories."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session

from apidisco.store.models import TableModel

__all__ = ["delete_where"]


def delete_where(session: Session, model: type[TableModel], *conditions: Any) -> int:
    """Delete the rows of ``model`` matching ``conditions``; return how many went."""
    result = session.execute(sa.delete(model).where(*conditions))
    return int(cast("sa.CursorResult[Any]", result).rowcount)
