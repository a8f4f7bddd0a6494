"""The endpoint lifecycle table."""

from __future__ import annotations

import re

import pytest

from apidisco.enums import EndpointStatus
from apidisco.errors import InvalidTransitionError
from apidisco.lifecycle import CAPTURING, TRANSITIONS, check_transition

S = EndpointStatus


def test_every_status_has_a_row() -> None:
    assert set(TRANSITIONS) == set(EndpointStatus)


def test_every_status_is_reachable() -> None:
    targets = set().union(*TRANSITIONS.values())
    assert targets <= set(EndpointStatus)
    assert targets == set(EndpointStatus)


def test_no_status_moves_to_itself() -> None:
    for status, targets in TRANSITIONS.items():
        assert status not in targets, status


def test_archived_is_final() -> None:
    assert TRANSITIONS[S.ARCHIVED] == frozenset()
    for status in EndpointStatus:
        with pytest.raises(InvalidTransitionError, match=re.escape("nothing (it is final)")):
            check_transition(S.ARCHIVED, status)


def test_capturing_statuses() -> None:
    assert frozenset({S.ACTIVE, S.MONITORING}) == CAPTURING


@pytest.mark.parametrize(
    ("current", "requested"),
    [(S.ACTIVE, S.COMPLETE), (S.INACTIVE, S.REVIEW), (S.PROCESSING, S.ARCHIVED)],
)
def test_a_refused_move_names_both_statuses(current: S, requested: S) -> None:
    with pytest.raises(
        InvalidTransitionError, match=f"that is {current.value} cannot become {requested.value};"
    ) as caught:
        check_transition(current, requested)
    allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current]))
    assert str(caught.value).endswith(f"from {current.value} it can become: {allowed}")
    assert caught.value.exit_code == 6


def test_allowed_moves_pass() -> None:
    for current, targets in TRANSITIONS.items():
        for requested in targets:
            check_transition(current, requested)


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        (S.ACTIVE, S.REVIEW),
        (S.REVIEW, S.PROCESSING),
        (S.PROCESSING, S.MONITORING),
        (S.PROCESSING, S.COMPLETE),
        (S.PROCESSING, S.ACTIVE),
        (S.PROCESSING, S.REVIEW),
        (S.INACTIVE, S.ACTIVE),
        (S.COMPLETE, S.ARCHIVED),
    ],
)
def test_the_design_paths_are_allowed(current: S, requested: S) -> None:
    assert requested in TRANSITIONS[current]
