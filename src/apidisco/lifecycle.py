"""The endpoint lifecycle of DESIGN.md, as one table.

ACTIVE (capturing) → REVIEW (capture paused) → PROCESSING (documentation being
generated) → MONITORING (documented, proxy active, replayed on a schedule) or
COMPLETE (documented, proxy removed). INACTIVE and ARCHIVED are the user's
choices; ARCHIVED is final. A failed PROCESSING returns to where it started.

:data:`TRANSITIONS` is the whole rule; ``docs/lifecycle.md`` shows the same
table and a test keeps the two equal. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping

from apidisco.enums import EndpointStatus
from apidisco.errors import InvalidTransitionError

__all__ = ["CAPTURING", "TRANSITIONS", "check_transition"]

S = EndpointStatus

TRANSITIONS: Mapping[EndpointStatus, frozenset[EndpointStatus]] = {
    S.ACTIVE: frozenset({S.REVIEW, S.PROCESSING, S.INACTIVE, S.ARCHIVED}),
    S.REVIEW: frozenset({S.ACTIVE, S.PROCESSING, S.INACTIVE, S.ARCHIVED}),
    S.PROCESSING: frozenset({S.MONITORING, S.COMPLETE, S.ACTIVE, S.REVIEW}),
    S.MONITORING: frozenset({S.ACTIVE, S.REVIEW, S.PROCESSING, S.COMPLETE, S.INACTIVE, S.ARCHIVED}),
    S.COMPLETE: frozenset({S.ACTIVE, S.PROCESSING, S.MONITORING, S.INACTIVE, S.ARCHIVED}),
    S.INACTIVE: frozenset({S.ACTIVE, S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
}

# Statuses in which the proxy records traffic (DESIGN.md, capture contract).
CAPTURING: frozenset[EndpointStatus] = frozenset({S.ACTIVE, S.MONITORING})


def check_transition(current: EndpointStatus, requested: EndpointStatus) -> None:
    """Raise :class:`InvalidTransitionError` unless ``current`` may become ``requested``."""
    if requested in TRANSITIONS[current]:
        return
    allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (it is final)"
    raise InvalidTransitionError(
        f"an endpoint that is {current.value} cannot become {requested.value}; "
        f"from {current.value} it can become: {allowed}"
    )
