"""The fast tnetstring reader gives what mitmproxy's own parser gives."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
from mitmproxy import io as mitmio
from mitmproxy.io import tnetstring as mitmproxy_tnetstring
from mitmproxy.test import tflow
from mitmproxy.version import FLOW_FORMAT_VERSION

from apidisco.addon.flowfile import read_flows
from apidisco.addon.tnetstring import UNREAD_KEYS, Unparsed, loads, read_record
from tests.addon.test_convert import make_flow


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["bytes", "text", "int", "float", "bool", "none"]
    if depth < 4:
        kinds += ["list", "dict"] * 2
    kind = rng.choice(kinds)
    if kind == "bytes":
        return rng.randbytes(rng.choice([0, 1, 5, 40]))
    if kind == "text":
        return "".join(rng.choice("ab:;,#}]~!^ é字0") for _ in range(rng.randrange(12)))
    if kind == "int":
        return rng.choice([0, -1, 7, 10**20, -(10**15)]) + rng.randrange(1000)
    if kind == "float":
        return rng.choice([0.0, -2.5, 1e300, 1 / 3])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    keys = [rng.choice([_random_value(rng, 4), f"k{rng.randrange(9)}"]) for _ in range(5)]
    return {key: _random_value(rng, depth + 1) for key in keys if not isinstance(key, (list, dict))}


def test_random_values_read_as_mitmproxy_reads_them() -> None:
    rng = random.Random(20261126)
    for _ in range(2000):
        data = mitmproxy_tnetstring.dumps(_random_value(rng))
        assert loads(data) == mitmproxy_tnetstring.loads(data)


def _random_pairs(rng: random.Random) -> list[Any]:
    """Header-like lists of [bytes, bytes], now and then with something else in them."""
    pairs: list[Any] = [
        [rng.randbytes(rng.choice([0, 1, 12])), rng.randbytes(rng.choice([0, 3, 200]))]
        for _ in range(rng.randrange(6))
    ]
    if pairs and rng.random() < 0.3:
        odd = [[b"a"], [b"a", b"b", b"c"], [b"a", "text"], ["text", b"b"], [b"a", [b"b"]], 7, []]
        pairs.insert(rng.randrange(len(pairs) + 1), rng.choice(odd))
    return pairs


def test_lists_of_pairs_read_as_mitmproxy_reads_them() -> None:
    rng = random.Random(112026)
    for _ in range(2000):
        value = {"headers": _random_pairs(rng), "nested": [_random_pairs(rng)]}
        data = mitmproxy_tnetstring.dumps(value)
        assert loads(data) == mitmproxy_tnetstring.loads(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"5:abc,",  # cut short
        b"3:abc?",  # unknown tag
        b"x:abc,",  # no length
        b"-1:,",
        b"1234567890123:a,",  # absurd length prefix
        b"4:1:a,}",  # a key without a value
        b"4:true~",  # a null with content
        b"3:yes!",
        b"3:1.x^",
        b"2:1x#",
        b"4:2:ab,]",  # a list item overruns the list
        b"3:abc,3:abc,",  # two values where one is expected
        b"7:0:]1:a,}",  # a key that is a list
    ],
)
def test_malformed_input_is_refused(data: bytes) -> None:
    # mitmproxy's parser is laxer on some of these (a negative length, trailing
    # data): reading a damaged file is refused here rather than half-read.
    with pytest.raises(ValueError, match="not a tnetstring"):
        loads(data)


def _saved(*flows: Any) -> io.BytesIO:
    buffer = io.BytesIO()
    writer = mitmio.FlowWriter(buffer)
    for flow in flows:
        writer.add(flow)
    buffer.seek(0)
    return buffer


def test_a_current_flow_keeps_its_connections_unparsed_and_the_rest_equal() -> None:
    flows = [make_flow(), tflow.twebsocketflow(), tflow.tflow(err=True)]
    stream = _saved(*flows)
    for flow in flows:
        record = read_record(stream, current_version=FLOW_FORMAT_VERSION)
        expected = flow.get_state()
        assert set(record) == set(expected)
        for key, value in record.items():
            if key in UNREAD_KEYS:
                assert isinstance(value, Unparsed)
                assert loads(value) == mitmproxy_tnetstring.loads(
                    mitmproxy_tnetstring.dumps(expected[key])
                )
            else:
                assert value == mitmproxy_tnetstring.loads(
                    mitmproxy_tnetstring.dumps(expected[key])
                ), key
    assert read_record(stream, current_version=FLOW_FORMAT_VERSION) is None


def test_an_older_flow_is_parsed_whole_for_the_format_migrations() -> None:
    flow = make_flow()
    state = flow.get_state()
    state["version"] = 19  # 19 → 20 drops the connections' "state", 20 → 21 renames QUIC
    state["client_conn"]["state"] = 0
    state["server_conn"]["state"] = 0
    data = mitmproxy_tnetstring.dumps(state)

    record = read_record(io.BytesIO(data), current_version=FLOW_FORMAT_VERSION)
    assert not any(isinstance(value, Unparsed) for value in record.values())
    assert record == mitmproxy_tnetstring.loads(data)
    (exchange,) = read_flows(io.BytesIO(data), "old.flows")
    (current,) = read_flows(_saved(flow), "current.flows")
    assert exchange == current


def test_a_record_that_is_not_a_dictionary_is_read_whole() -> None:
    data = mitmproxy_tnetstring.dumps([b"a", 1])
    assert read_record(io.BytesIO(data), current_version=FLOW_FORMAT_VERSION) == [b"a", 1]


@pytest.mark.parametrize("data", [b"12", b"12:abc", b"ab:c,", b"99999999999999:x,"])
def test_a_record_cut_short_or_without_a_prefix_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a tnetstring"):
        read_record(io.BytesIO(data), current_version=FLOW_FORMAT_VERSION)


def test_a_flow_with_a_key_that_is_a_list_is_refused() -> None:
    with pytest.raises(ValueError, match="not hashable"):
        read_record(io.BytesIO(b"7:0:]1:a,}"), current_version=FLOW_FORMAT_VERSION)
