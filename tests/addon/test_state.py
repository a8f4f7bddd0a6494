"""A flow's raw fields (``convert.state``) → the same exchange ``convert.exchange`` builds."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest
from cryptography.fernet import Fernet
from mitmproxy import http

from apidisco.addon import convert
from apidisco.addon.convert import exchange_from_state, url_from_state
from apidisco.addon.handoff import Record, build
from apidisco.capture.rows import RowBuilder
from apidisco.secretbox import SecretBox
from tests.addon.test_flowfile import FLOWS


@pytest.mark.parametrize("make", FLOWS.values(), ids=FLOWS.keys())
def test_the_state_gives_what_the_flow_gives(make: Callable[[], http.HTTPFlow]) -> None:
    flow = make()
    sent = pickle.loads(pickle.dumps(convert.state(flow), pickle.HIGHEST_PROTOCOL))
    assert exchange_from_state(sent) == convert.exchange(flow)
    assert url_from_state(sent) == convert.exchange(flow).url


@pytest.mark.parametrize("make", FLOWS.values(), ids=FLOWS.keys())
def test_rows_built_from_the_state_equal_rows_built_from_the_flow(
    make: Callable[[], http.HTTPFlow],
) -> None:
    flow = make()
    record = Record("e1", convert.state(flow), 64, keep_secrets=True)
    key = Fernet.generate_key()
    box = Fernet(key)
    built = build(pickle.loads(pickle.dumps(record)), SecretBox(key.decode()))
    expected = RowBuilder("e1", max_body=64, keep_secrets=True).exchange(convert.exchange(flow))
    assert built.rows == expected.rows
    assert {key: box.decrypt(value).decode() for key, value in built.secrets.items()} == (
        expected.secrets
    )


def test_the_state_shares_the_flows_bytes_and_decodes_nothing() -> None:
    flow = FLOWS["gzip-json"]()
    assert flow.response is not None
    state = convert.state(flow)
    assert state["response"]["content"] is flow.response.raw_content  # still gzipped
    assert state["request"]["headers"] is flow.request.headers.fields
    assert convert.exchange(flow).response_body == b'{"id": 7}'


def test_a_record_of_a_state_is_sized_by_its_bodies() -> None:
    flow = FLOWS["gzip-json"]()
    assert flow.response is not None
    assert flow.response.raw_content is not None
    size = Record("e1", convert.state(flow), 64, keep_secrets=False).size
    assert size == len(flow.request.raw_content or b"") + len(flow.response.raw_content) + 512
    streamed = Record("e1", convert.state(FLOWS["streamed"]()), 64, keep_secrets=False)
    assert streamed.size >= 512
