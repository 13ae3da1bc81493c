"""Benchmark of the bounded JSON reader (not a test): ``python bench/reading.py [--mb 100]``.

``contracts.load_json`` against the baseline measured in the same run, interleaved: a plain
``json.loads`` of the same text. Realistic runs from ``strategies.sample``, repeated up to
``--mb`` megabytes, as one JSON array (what ``serve --data runs.json`` reads) and as JSON Lines
read line by line (``serve --data runs.jsonl``, ``validate``). Target: load_json <= 1.1x the
baseline on valid text. Also printed, with no target: the time to refuse the same text with
one ``NaN`` in its last run (the reader parses, fails, then locates the problem).

Each figure is the median of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contracts import UnreadableJson, load_json
from strategies import sample


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _refused(text: str) -> None:
    try:
        load_json(text)
    except UnreadableJson:
        return
    raise AssertionError("the NaN was not refused")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="size of the text (100)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each (5)")
    args = parser.parse_args()

    runs = sample("run", seed=1, count=2000)
    chunk = ",".join(json.dumps(run) for run in runs)
    copies = max(1, int(args.mb * 1e6 / len(chunk)))
    array = "[" + ",".join([chunk] * copies) + "]"
    lines = ("\n".join(json.dumps(run) for run in runs) + "\n") * copies
    broken = array[: array.rindex('"id"')] + '"nan": NaN, ' + array[array.rindex('"id"') :]

    def each_line(read: Callable[[str], object]) -> Callable[[], object]:
        return lambda: [read(line) for line in lines.split("\n") if line]

    cases = [
        ("array", lambda: json.loads(array), lambda: load_json(array)),
        ("JSON Lines", each_line(json.loads), each_line(load_json)),
    ]
    print(
        f"{len(array) / 1e6:.0f} MB array of {len(runs) * copies:,} runs; median of {args.repeats}"
    )
    print(f"{'text':<12} {'json.loads':>11} {'load_json':>11} {'ratio':>7}  target <= 1.10")
    for name, baseline, ours in cases:
        base, mine = [], []
        for _ in range(args.repeats):
            base.append(_seconds(baseline))
            mine.append(_seconds(ours))
        b, m = statistics.median(base), statistics.median(mine)
        verdict = "ok" if m / b <= 1.1 else "MISSED"
        print(f"{name:<12} {b:>10.2f}s {m:>10.2f}s {m / b:>7.2f}  {verdict}")
    refusal = statistics.median(_seconds(lambda: _refused(broken)) for _ in range(args.repeats))
    print(f"refusing a NaN in the last run of the array: {refusal:.2f}s (no target)")


if __name__ == "__main__":
    main()
