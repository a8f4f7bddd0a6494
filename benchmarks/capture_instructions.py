"""What recording costs a proxy, counted in instructions: mitmdump with and without the addon.

Usage: python benchmarks/capture_instructions.py [--requests 300] [--warmup 50] [--database URL]
       [--set NAME=VALUE ...]

The throughput benchmark (``benchmarks/capture.py``) measures time, which on a
shared 2-core machine moves by several percent between runs of the same code.
This one counts what does not move: the machine instructions mitmdump's
process executes per request, under valgrind's callgrind (``valgrind`` must be
installed). The upstream, the scratch PostgreSQL database and the addon's
options are those of ``benchmarks/capture.py``. Each mitmdump (plain, then
with the addon) runs under callgrind with instrumentation off while it starts
and warms up (--warmup requests); then instrumentation is switched on
(``callgrind_control -i on``), one httpx client sends --requests GETs one after
another through the proxy, the counters are dumped, and mitmdump is stopped.

Prints, per proxy, the instructions per request of mitmdump's main thread (the
event loop, where the hooks run) and of its other threads (the addon's hand-off
threads, the store's writer thread, worker threads refreshing endpoint
lookups), and the addon's main-thread and total counts as a share of plain
mitmdump's. The writer process the addon starts is not counted (valgrind does
not follow it). Under callgrind mitmdump runs ~50x slower, so work done
*per second* rather than per request (the hand-off's 0.2 s turns, the 2 s
endpoint refreshes) is counted ~50x too often: the other threads' figure
is an upper bound. Repeated runs of the same code agree to within a few tenths
of a percent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from capture import (
    DEFAULT_SERVER,
    MITMDUMP,
    QUIET,
    child_environment,
    free_port,
    prepare_store,
    scratch,
    wait_for_port,
    wait_for_rows,
)

PLAIN, ADDON = "plain mitmdump", "mitmdump + addon"


@dataclass
class Count:
    label: str
    main: float  # instructions per request, main thread
    others: float  # instructions per request, every other thread together

    @property
    def total(self) -> float:
        return self.main + self.others


def _summary(dump: Path) -> int:
    """The total instruction count a callgrind dump file holds."""
    with dump.open(errors="replace") as lines:
        for line in lines:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    return 0


async def _load(proxy: str, upstream: str, requests: int) -> None:
    """``requests`` GETs, one after another, on one keep-alive connection through ``proxy``."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(proxy=proxy, trust_env=False, timeout=120, limits=limits) as c:
        for number in range(requests):
            response = await c.get(f"{upstream}/items/{number}?page={number % 7}&q=x")
            if response.status_code != 200:
                raise RuntimeError(f"{proxy}: status {response.status_code} for request {number}")


def _control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, capture_output=True, timeout=120)


def measure(
    label: str,
    extra: list[str],
    folder: Path,
    environ: dict[str, str],
    upstream: str,
    requests: int,
    warmup: int,
) -> Count:
    """Run one mitmdump under callgrind and count its instructions over ``requests``."""
    port = free_port()
    stem = folder / ("callgrind." + label.replace(" ", "_").replace("+", ""))
    args = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--separate-threads=yes",
        f"--callgrind-out-file={stem}.%p",
        sys.executable,
        MITMDUMP,
        "--listen-host",
        "127.0.0.1",
        "-p",
        str(port),
        "--set",
        f"confdir={folder / 'mitmproxy'}",
        *QUIET,
        *extra,
    ]
    log = folder / f"{stem.name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=environ)
    try:
        try:
            wait_for_port(port, lambda: popen.poll() is None, label, timeout=600)
        except RuntimeError:
            raise RuntimeError(f"{label} did not start:\n{log.read_text()}") from None
        proxy = f"http://127.0.0.1:{port}"
        asyncio.run(_load(proxy, upstream, warmup))
        _control("--instr=on", str(popen.pid))
        asyncio.run(_load(proxy, upstream, requests))
        _control("--dump=measured", str(popen.pid))
        _control("--instr=off", str(popen.pid))
    finally:
        popen.send_signal(signal.SIGINT)
        try:
            popen.wait(300)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(30)
    # One file per thread: <stem>.<pid>.1-01 is the main thread's part of the first dump.
    dumps = sorted(folder.glob(f"{stem.name}.{popen.pid}.1-*"))
    if not dumps:
        raise RuntimeError(f"{label}: callgrind wrote no dump:\n{log.read_text()}")
    counts = {int(re.sub(r".*-", "", path.name)): _summary(path) for path in dumps}
    main = counts.pop(1)
    return Count(label, main / requests, sum(counts.values()) / requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests counted (default 300)")
    parser.add_argument("--warmup", type=int, default=50, help="requests before counting")
    parser.add_argument(
        "--database", default=os.environ.get("APIDISCO_TEST_DATABASE_URL", DEFAULT_SERVER)
    )
    parser.add_argument(
        "--set",
        dest="addon_options",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another mitmproxy option for the addon's mitmdump only (repeatable)",
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        parser.error("this benchmark needs valgrind (callgrind and callgrind_control)")
    command = shlex.join(["python", "benchmarks/capture_instructions.py", *sys.argv[1:]])

    with scratch(args.database) as run:
        folder, upstream, database = run.folder, run.upstream, run.database
        endpoint_id = prepare_store(database, upstream)
        recording = run.recording(endpoint_id, args.addon_options)
        environ = child_environment(folder)
        print(
            f"upstream {upstream}, one client, {args.warmup} requests to warm up, "
            f"{args.requests} counted; database {run.name}"
        )
        started = time.monotonic()
        plain = measure(PLAIN, [], folder, environ, upstream, args.requests, args.warmup)
        addon = measure(ADDON, recording, folder, environ, upstream, args.requests, args.warmup)
        sent = args.warmup + args.requests
        stored, _ = wait_for_rows(database, endpoint_id, sent, timeout=30)

        print()
        print(f"{'instructions per request':24} {'main thread':>12} {'others':>12} {'total':>12}")
        for count in (plain, addon):
            print(
                f"{count.label:24} {count.main:12,.0f} {count.others:12,.0f} {count.total:12,.0f}"
            )
        print(
            f"{'addon vs plain':24} {addon.main / plain.main:12.1%} {'':12} "
            f"{addon.total / plain.total:12.1%}"
        )
        print(
            f"{'added by the addon':24} {addon.main - plain.main:+12,.0f} "
            f"{addon.others - plain.others:+12,.0f} {addon.total - plain.total:+12,.0f}"
        )
        print(f"rows: {sent} requests through the addon, {stored} rows stored")
        print(f"took {time.monotonic() - started:.0f} s; command: {command}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: every process stopped, the scratch database dropped")
        sys.exit(130)
