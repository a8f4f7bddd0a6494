"""Pool the rounds of several capture benchmark runs: one estimate, and how far it can be trusted.

Usage: python benchmarks/capture_pool.py FILE [FILE ...] [--resamples 10000] [--seed 1]

On a shared 2-core machine one run of ``benchmarks/capture.py`` moves by several
points from the next: single rounds of the same code spread from about 75% to
115% of plain mitmdump. Runs given ``--record FILE`` append their rounds to
FILE, one JSON line each; this pools the rounds of every run in the files.

Prints, for the saturated (closed-loop) rounds: each run's median of its rounds'
ratios (the addon's round against the first slot's round of the same number),
then over all rounds pooled, the median ratio with its quartiles, a bootstrap
95% confidence interval of that median (``--resamples`` resamplings of the
pooled rounds, seeded, so the same files give the same interval) and the
geometric mean (and, when the runs had different commands, the pooled median
and its interval for each command apart); the same for the ratio of the CPU
that mitmdump's event loop spent per request. For the paced (open-loop)
rounds, the median of the p99 differences. Last, the rows stored against the
responses sent, over all runs.
"""

from __future__ import annotations

import argparse
import random
import shlex
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

Pair = Sequence[dict[str, Any]]  # the first slot's round, then the addon's


def load(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """The runs the files hold, in order; a line that is not a run is an error naming it."""
    runs = []
    for path in paths:
        for number, line in enumerate(path.read_bytes().splitlines(), 1):
            if not line.strip():
                continue
            try:
                run = orjson.loads(line)
            except orjson.JSONDecodeError:
                run = None
            if not isinstance(run, dict) or not {"saturated", "paced"} <= run.keys():
                raise SystemExit(f"{path}:{number}: not a run recorded by capture.py")
            runs.append(run)
    return runs


def rate_ratio(pair: Pair) -> float | None:
    first, addon = pair
    return addon["rate"] / first["rate"] if first["rate"] else None


def loop_ratio(pair: Pair) -> float | None:
    first, addon = pair
    loop = first["cpu_ms"]["loop"]
    return addon["cpu_ms"]["loop"] / loop if loop else None


def ratios(pairs: Sequence[Pair], of: Callable[[Pair], float | None]) -> list[float]:
    return [value for value in map(of, pairs) if value is not None]


def interval(values: Sequence[float], resamples: int, seed: int) -> tuple[float, float]:
    """A bootstrap 95% confidence interval of the median of ``values``."""
    pick = random.Random(seed)
    medians = sorted(
        statistics.median(pick.choices(values, k=len(values))) for _ in range(resamples)
    )
    return medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


def summary(label: str, values: Sequence[float], resamples: int, seed: int) -> str:
    ordered = sorted(values)
    if len(ordered) < 4:
        return f"{label}: {len(ordered)} rounds, too few to pool"
    lower, _, upper = statistics.quantiles(ordered, n=4)
    low, high = interval(ordered, resamples, seed)
    return (
        f"{label}: median {statistics.median(ordered):.1%} of {len(ordered)} rounds "
        f"(quartiles {lower:.1%}..{upper:.1%}); 95% confidence interval of the median "
        f"{low:.1%}..{high:.1%}; geometric mean {statistics.geometric_mean(ordered):.1%}"
    )


def without_record(command: str) -> str:
    """``command`` without its ``--record FILE``: runs that differ only there are alike."""
    words = shlex.split(command)
    if "--record" in words:
        at = words.index("--record")
        del words[at : at + 2]
    return shlex.join(words)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        runs = load(args.files)
    except OSError as error:
        raise SystemExit(f"cannot read {error.filename}: {error.strerror}") from None
    if not runs:
        raise SystemExit("no runs recorded in " + ", ".join(map(str, args.files)))
    slots = {tuple(run.get("slots", ())) for run in runs}
    if len(slots) > 1:
        raise SystemExit(f"the runs compare different slots ({sorted(slots)}): pool them apart")

    print(f"{len(runs)} runs; {' vs '.join(reversed(next(iter(slots))))}")
    for run in runs:
        each = ratios(run["saturated"], rate_ratio)
        median = f"{statistics.median(each):6.1%}" if each else "     -"
        print(f"  {run.get('finished', '?'):25} {median} of {len(each):3} rounds  {run['command']}")

    saturated = [pair for run in runs for pair in run["saturated"]]
    print(summary("throughput", ratios(saturated, rate_ratio), args.resamples, args.seed))
    commands = {without_record(run["command"]) for run in runs}
    if len(commands) > 1:  # the same figure for the runs of each command apart
        for command in sorted(commands):
            pairs = [
                pair
                for run in runs
                if without_record(run["command"]) == command
                for pair in run["saturated"]
            ]
            label = f"  throughput, {command}"
            print(summary(label, ratios(pairs, rate_ratio), args.resamples, args.seed))
    loops = ratios(saturated, loop_ratio)
    if loops:
        print(summary("event loop CPU per request", loops, args.resamples, args.seed))

    paced = [pair for run in runs for pair in run["paced"]]
    if paced:
        differences = sorted(addon["p99"] - first["p99"] for first, addon in paced)
        print(
            f"paced p99, addon minus first slot: median {statistics.median(differences):+.2f} ms "
            f"over {len(differences)} rounds"
        )
    sent = sum(run["sent"] for run in runs)
    stored = sum(run["stored"] for run in runs)
    print(f"rows: {sent} responses sent, {stored} stored, {max(0, sent - stored)} missing")


if __name__ == "__main__":
    sys.exit(main())
