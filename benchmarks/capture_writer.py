"""What the addon's writer process spends per record: CPU time and instructions.

Usage: python benchmarks/capture_writer.py [--records 2000] [--rate 500] [--runs 5]
       [--baseline SRC] [--database URL] [--no-instructions]

``benchmarks/capture.py`` measures the proxy, and ``capture_instructions.py``
counts mitmdump's own process; neither isolates the writer process the addon
starts, which turns every flow into ``api_calls`` rows and COPYs them into
PostgreSQL. The records here are the capture benchmark's: a GET with a query
through the proxy, answered with its ~300-byte JSON body, as the proxy's hook
hands them over (``convert.state``, pickled). Two figures, for this source tree
and, with ``--baseline SRC``, for another one (its ``src`` folder, e.g. a ``git
worktree`` of an earlier commit), each run in a process of its own with that
tree first on its path, the trees alternating:

- **CPU time** per record of the writer process: a real one
  (``WriterProcess.start``), fed ``--records`` records at ``--rate`` per second
  by the handle the proxy uses, until it has acknowledged them all; its CPU
  (every thread) from ``/proc``. The median of ``--runs`` runs per tree.
- **Instructions** per record under valgrind's callgrind (one run per tree),
  which do not move between runs as time does on a shared machine. valgrind
  cannot follow the spawned writer process, so this run does its work in one
  process: unpickle messages of records, build their rows
  (``handoff._submit``) and let a store writer COPY them, until all are
  stored. Counting is switched on just
  before the first message and the counts dumped once the last row is stored.
  Each message is one transaction, of as many records as the tree's writer
  process groups at ``--rate`` (``GROUP_INTERVAL`` seconds' worth; 0.2 s before
  there was one). Skipped with ``--no-instructions`` or without valgrind.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from capture_instructions import _control, _summary

from apidisco.addon import handoff
from apidisco.config import Settings, resolve_settings
from apidisco.store.database import open_database
from apidisco.store.writer import CaptureWriter
from capture import DEFAULT_SERVER, _cpu_of, _item_url, _response, prepare_store, scratch

MESSAGE = 100  # records per message from the proxy, in timed runs' warm-up
_HEAD, _BODY = _response().split(b"\r\n\r\n", 1)
_RESPONSE_HEADERS = tuple(tuple(line.split(b": ", 1)) for line in _HEAD.split(b"\r\n")[1:])


def _state(number: int, upstream: str, started: float) -> dict[str, object]:
    """The state the proxy's hook copies from a flow (``convert.state``) for one GET."""
    url = _item_url(upstream, number % 8, 500, number)
    authority, path = url.removeprefix("http://").split("/", 1)
    host, port = authority.split(":")
    request_headers = (
        (b"Host", authority.encode()),
        (b"Accept", b"application/json"),
        (b"Accept-Encoding", b"gzip, deflate"),
        (b"Connection", b"keep-alive"),
        (b"User-Agent", b"python-httpx/0.28.1"),
    )
    return {
        "id": f"flow-{number}",
        "request": {
            "host": host,
            "port": int(port),
            "method": b"GET",
            "scheme": b"http",
            "path": ("/" + path).encode(),
            "http_version": b"HTTP/1.1",
            "headers": request_headers,
            "content": b"",
            "timestamp_start": started,
        },
        "response": {
            "status_code": 200,
            "headers": _RESPONSE_HEADERS,
            "content": _BODY,
            "timestamp_start": started + 0.002,
            "timestamp_end": started + 0.0021,
        },
        "error": None,
        "websocket": None,
    }


def _process_cpu(pid: int) -> float:
    return _cpu_of(Path(f"/proc/{pid}/stat"))


def _settings(database_url: str, folder: Path) -> Settings:
    return resolve_settings(
        {"database_url": database_url, "data_dir": str(folder)},
        config_file=folder / "absent.toml",
    )


def _records(endpoint_id: str, upstream: str, records: int) -> list[handoff.Record]:
    started = time.time()
    return [
        handoff.Record(endpoint_id, _state(n, upstream, started), 1 << 20, False)
        for n in range(records)
    ]


def run_timed(options: Options) -> None:
    """The timed part, in this process (started by :func:`measure`): a writer process fed
    at ``options.rate``; prints the CPU seconds it took."""
    folder = Path(options.folder)
    records = _records(options.endpoint_id, options.upstream, options.records)
    lost: list[object] = []
    process = handoff.WriterProcess.start(
        _settings(options.url, folder),
        journal=folder / "writer.journal",
        secret_key=None,
        fallback=lost.extend,
    )
    try:
        for record in records[:MESSAGE]:  # warm-up: the process has started and connected
            process.offer(record)
        _drain(process)
        assert process.pid is not None
        cpu = _process_cpu(process.pid)
        start = time.perf_counter()
        for number, record in enumerate(records):
            delay = start + number / options.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            if process.offer(record) is not None:
                raise RuntimeError("the writer process refused a record")
        _drain(process)
        cpu = _process_cpu(process.pid) - cpu
    finally:
        process.stop()
    if lost or process.rerouted or process.unwritten:
        raise RuntimeError("the writer process did not write every record itself")
    print(f"cpu {cpu}")


def _drain(process: handoff.WriterProcess, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while process.pending():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the writer process did not catch up within {timeout} s")
        time.sleep(0.01)


def group_size(rate: float, interval: float) -> int:
    """Rows in a transaction of a store writer that groups ``interval`` seconds of records
    arriving at ``rate`` per second (it stops at 500)."""
    return max(1, min(500, round(rate * interval)))


def run_counted(options: Options) -> None:
    """The counted part, in this process, under callgrind (see the module docstring)."""
    folder = Path(options.folder)
    database = open_database(_settings(options.url, folder))
    # As many rows per transaction as the tree's writer process groups at this rate
    # (trees without GROUP_INTERVAL grouped 0.2 s), one message per group.
    group = group_size(options.rate, getattr(handoff, "GROUP_INTERVAL", 0.2))
    blobs = [
        handoff._pickled(record)
        for record in _records(options.endpoint_id, options.upstream, options.records)
    ]
    messages = [
        pickle.dumps(list(enumerate(blobs[i : i + group])), pickle.HIGHEST_PROTOCOL)
        for i in range(0, len(blobs), group)
    ]
    # No waiting for more rows: each message's batch is one transaction.
    writer = CaptureWriter(database, folder / "writer.journal", flush_interval=0.0)
    _control("--instr=on", str(os.getpid()))
    for message in messages:
        items = pickle.loads(message)
        handoff._submit(writer, [handoff._unpickled(blob) for _, blob in items], None)
        if not writer.flush(3600):
            raise RuntimeError("the writer did not store a group within an hour")
    _control("--dump=measured", str(os.getpid()))
    _control("--instr=off", str(os.getpid()))
    writer.close()
    stats = writer.stats()
    database.dispose()
    if stats.written_rows != options.records or stats.transactions != len(messages):
        raise RuntimeError(
            f"{stats.written_rows} of {options.records} rows written in "
            f"{stats.transactions} transactions, not {len(messages)}"
        )


@dataclass
class Options:
    """What a measuring process is told (on its command line, as JSON)."""

    url: str
    endpoint_id: str
    upstream: str
    records: int
    rate: float
    folder: str


@dataclass
class Tree:
    label: str
    src: Path | None  # None: the apidisco this script imports


def measure(tree: Tree, options: Options, counted: bool) -> float:
    """Run :func:`run_timed` (CPU seconds) or :func:`run_counted` (instructions) in a
    process of its own, with ``tree`` first on its path."""
    environ = dict(os.environ)
    if tree.src is not None:
        environ["PYTHONPATH"] = str(tree.src)
    folder = Path(tempfile.mkdtemp(prefix="writer-", dir=options.folder))
    mode = "--run-counted" if counted else "--run-timed"
    options = Options(**{**asdict(options), "folder": str(folder)})
    command = [sys.executable, __file__, mode, json.dumps(asdict(options))]
    stem = folder / "callgrind"
    if counted:
        command[:0] = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={stem}.%p",
        ]
    done = subprocess.run(command, env=environ, capture_output=True, text=True, timeout=7200)
    if done.returncode != 0:
        raise RuntimeError(f"{tree.label}: the run failed:\n{done.stdout}\n{done.stderr}")
    if not counted:
        return float(done.stdout.split()[-1])
    for dump in folder.glob("callgrind.*.1"):
        return float(_summary(dump))
    raise RuntimeError(f"{tree.label}: callgrind wrote no counts:\n{done.stderr}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] in {"--run-timed", "--run-counted"}:
        options = Options(**json.loads(sys.argv[2]))
        (run_timed if sys.argv[1] == "--run-timed" else run_counted)(options)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000, help="records per run (default 2000)")
    parser.add_argument(
        "--rate", type=float, default=500, help="records per second in timed runs (default 500)"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tree (default 5)")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="SRC",
        help="also measure another apidisco source tree (its src folder), alternately",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("APIDISCO_TEST_DATABASE_URL", DEFAULT_SERVER),
        help="the PostgreSQL server to make a scratch database on "
        "(default: $APIDISCO_TEST_DATABASE_URL, else the local server)",
    )
    parser.add_argument("--no-instructions", action="store_true", help="skip callgrind")
    args = parser.parse_args()
    if args.baseline is not None and not (args.baseline / "apidisco" / "addon").is_dir():
        parser.error(f"--baseline: {args.baseline} is not an apidisco src folder")
    count = not args.no_instructions and shutil.which("valgrind") is not None
    command = shlex.join(["python", "benchmarks/capture_writer.py", *sys.argv[1:]])
    trees = [Tree("this tree", None)]
    if args.baseline is not None:
        trees.insert(0, Tree("baseline", args.baseline.resolve()))

    with scratch(args.database) as run:
        url = run.database.url.render_as_string(hide_password=False)
        endpoint_id = prepare_store(run.database, run.upstream)
        options = Options(url, endpoint_id, run.upstream, args.records, args.rate, str(run.folder))
        print(
            f"{args.records} records per run at {args.rate:.0f}/s, {args.runs} timed runs per "
            f"tree; database {run.name}"
        )
        seconds: dict[str, list[float]] = {tree.label: [] for tree in trees}
        for number in range(1, args.runs + 1):
            for tree in trees:
                cpu = measure(tree, options, counted=False)
                seconds[tree.label].append(cpu)
                print(f"run {number} {tree.label:10} {cpu / args.records * 1e6:7.1f} µs/record")
        instructions = {}
        if count:
            for tree in trees:
                instructions[tree.label] = measure(tree, options, counted=True)
                print(
                    f"counted {tree.label:10} {instructions[tree.label] / args.records:9,.0f} "
                    "instructions/record"
                )

    print()
    print(f"{'per record':12} {'CPU µs (median)':>16} {'instructions':>14}")
    for tree in trees:
        cpu = statistics.median(seconds[tree.label]) / args.records * 1e6
        counted = instructions.get(tree.label)
        shown = f"{counted / args.records:14,.0f}" if counted else f"{'-':>14}"
        print(f"{tree.label:12} {cpu:16.1f} {shown}")
    if len(trees) == 2:
        base, this = (statistics.median(seconds[tree.label]) for tree in trees)
        line = f"{'this / base':12} {this / base:16.1%}"
        if instructions:
            line += f" {instructions['this tree'] / instructions['baseline']:14.1%}"
        print(line)
    print(f"command: {command}")


if __name__ == "__main__":
    main()
