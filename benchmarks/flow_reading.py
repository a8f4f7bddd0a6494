"""How fast a flow file's records are parsed: mitmproxy's tnetstring module against
apidisco's reader (``apidisco.addon.tnetstring``), in the same process.

Usage: python benchmarks/flow_reading.py [--flows 1000] [--rounds 9] [--seed 7]

Writes the shop-API flow file of ``benchmarks/discover.py`` (--flows flows), reads
it into memory, then parses every record of it with each parser in alternating
rounds (the order flips every round): mitmproxy's ``tnetstring.load`` gives each
flow's whole state; apidisco's ``read_record`` gives the same state with the
flow's connections left unparsed (they are parsed only for flows whose format must
be migrated). Before timing, both results are checked to agree on every flow.
Prints the median time of each and the ratio.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mitmproxy.io import tnetstring as mitmproxy_tnetstring
from mitmproxy.version import FLOW_FORMAT_VERSION

from apidisco.addon.tnetstring import UNREAD_KEYS, Unparsed, loads, read_record

sys.path.insert(0, str(Path(__file__).parent))
from discover import make_flows  # noqa: E402 - the same workload as the discover benchmark


def mitmproxy_records(data: bytes) -> list[Any]:
    stream, records = io.BytesIO(data), []
    while stream.tell() < len(data):
        records.append(mitmproxy_tnetstring.load(stream))
    return records


def apidisco_records(data: bytes) -> list[Any]:
    stream, records = io.BytesIO(data), []
    while (record := read_record(stream, current_version=FLOW_FORMAT_VERSION)) is not None:
        records.append(record)
    return records


def agree(data: bytes) -> None:
    theirs, ours = mitmproxy_records(data), apidisco_records(data)
    assert len(theirs) == len(ours)
    for expected, record in zip(theirs, ours, strict=True):
        whole = {
            key: loads(value) if key in UNREAD_KEYS and isinstance(value, Unparsed) else value
            for key, value in record.items()
        }
        assert whole == expected


def timed(parse: Callable[[bytes], list[Any]], data: bytes) -> float:
    started = time.perf_counter()
    parse(data)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shop.flows"
        make_flows(path, args.flows, args.seed)
        data = path.read_bytes()
    agree(data)
    parsers = {"mitmproxy tnetstring": mitmproxy_records, "apidisco reader": apidisco_records}
    times: dict[str, list[float]] = {name: [] for name in parsers}
    for round_ in range(args.rounds):
        order = list(parsers) if round_ % 2 == 0 else list(parsers)[::-1]
        for name in order:
            times[name].append(timed(parsers[name], data))
    print(f"{args.flows:,} flows, {len(data) / 1e6:.1f} MB, medians of {args.rounds} rounds:")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"  {name:22} {median:7.3f} s")
    ratio = medians["mitmproxy tnetstring"] / medians["apidisco reader"]
    print(f"  apidisco reader faster: {ratio:.2f}x")
    print("command: " + " ".join(["python", "benchmarks/flow_reading.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
