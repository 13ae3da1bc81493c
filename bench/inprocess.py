"""Benchmark of the in-process mock (not a test): ``python bench/inprocess.py``.

1. Calls per second of ``client.extraction.runs.get`` (llama-cloud 1.6.0) answered by
   ``mocks.MockAPI`` against the same calls answered by a bare respx route that returns the
   same body as fixed bytes: the baseline, measured in the same run, interleaved.
   Target: ours >= 92% of the bare route's rate (issue 14).
2. The time of one list page (``limit=50``, around the middle of the list, each page a
   different one, so made from the index and not kept) with 1,000 and with 100,000 runs of one
   agent in the store, through the handler, and again after deleting a tenth of the runs.
   Target: 100k / 1k <= 1.5. (Also printed, with no target: one delete.)

Each figure is the median of several repeats; options: ``--repeats``, ``--calls``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import respx
from llama_cloud import LlamaCloud

from contracts import DEFAULT_BASE_URL
from mocks import Handler, MockAPI, Request, RunStore


def _rate(calls: int, fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return calls / (time.perf_counter() - start)


def bench_get(repeats: int, calls: int) -> tuple[float, float]:
    store = RunStore.seeded(seed=1, runs=1000)
    run_id = store.ids()[0]
    body = store.run_json(run_id)
    assert body is not None
    client = LlamaCloud(api_key="bench", max_retries=0)

    def ours() -> float:
        with MockAPI(store):
            return _rate(calls, lambda: client.extraction.runs.get(run_id))

    def bare() -> float:
        with respx.mock(assert_all_called=False) as router:
            router.get(f"{DEFAULT_BASE_URL}/api/v1/extraction/runs/{run_id}").mock(
                return_value=httpx.Response(
                    200, content=body, headers={"content-type": "application/json"}
                )
            )
            return _rate(calls, lambda: client.extraction.runs.get(run_id))

    ours(), bare()  # warm up
    ours_rates, bare_rates = [], []
    for _ in range(repeats):  # interleaved, so a burst of load on the machine hits both alike
        ours_rates.append(ours())
        bare_rates.append(bare())
    return statistics.median(ours_rates), statistics.median(bare_rates)


def _page_times(handler: Handler, agent: str, skip: int) -> Callable[[], float]:
    # 500 different pages, one after the other: each is made from the index (the store keeps
    # only its last 64 pages, so none is asked again while kept)
    requests = [
        Request(
            "GET",
            "/api/v1/extraction/runs",
            (("extraction_agent_id", agent), ("skip", str(skip - 250 + i)), ("limit", "50")),
        )
        for i in range(500)  # around the middle: whole pages of 50 in both stores
    ]

    def once() -> float:
        start = time.perf_counter()
        for request in requests:
            answer = handler.handle(request)
        assert answer.status == 200
        return (time.perf_counter() - start) / 500

    return once


def _compare(stores: list[RunStore], repeats: int) -> tuple[float, float]:
    timers = [
        _page_times(Handler(store, journal_size=10), store.agents()[0], len(store) // 2)
        for store in stores
    ]
    for timer in timers:  # warm up
        timer()
    samples: list[list[float]] = [[], []]
    for _ in range(repeats):  # interleaved, so drift hits both alike
        for sample, timer in zip(samples, timers, strict=True):
            sample.append(timer())
    return statistics.median(samples[0]), statistics.median(samples[1])


def bench_pages(repeats: int) -> list[tuple[str, float, float]]:
    stores = [RunStore.seeded(seed=2, runs=size, agents=1) for size in (1_000, 100_000)]
    rows = [("list page, limit=50", *_compare(stores, repeats))]
    for store in stores:  # delete a tenth, spread over the whole list
        for run_id in store.ids()[::10]:
            store.delete(run_id)
    rows.append(("... after deleting 10%", *_compare(stores, repeats)))
    return rows


def bench_deletes() -> tuple[float, float]:
    """Mean time of one delete (bisect + list delete: a memmove, so it grows with the store)."""
    means = []
    for size in (1_000, 100_000):
        store = RunStore.seeded(seed=3, runs=size, agents=1)
        victims = store.ids()[::7][:140]
        start = time.perf_counter()
        for run_id in victims:
            store.delete(run_id)
        means.append((time.perf_counter() - start) / len(victims))
    return means[0], means[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()

    ours, bare = bench_get(args.repeats, args.calls)
    print(f"client.extraction.runs.get, {args.calls} calls x {args.repeats} repeats (median)")
    print(f"| {'answered by':<32} | {'calls/s':>9} | {'vs bare':>7} |")
    print(f"|{'-' * 34}|{'-' * 11}|{'-' * 9}|")
    print(f"| {'bare respx route (fixed bytes)':<32} | {bare:>9,.0f} | {'100.0%':>7} |")
    print(f"| {'mocks.MockAPI (handler + store)':<32} | {ours:>9,.0f} | {ours / bare:>7.1%} |")
    print(f"target: >= 92% -> {'PASS' if ours / bare >= 0.92 else 'FAIL'}")
    print()
    print(f"list page through the handler, median of {args.repeats} x 500 requests")
    print(f"| {'case':<24} | {'1k runs':>9} | {'100k runs':>9} | {'ratio':>5} |")
    print(f"|{'-' * 26}|{'-' * 11}|{'-' * 11}|{'-' * 7}|")
    worst = 0.0
    for label, small, large in bench_pages(args.repeats):
        worst = max(worst, large / small)
        cells = f"{small * 1e6:>7.1f}us | {large * 1e6:>7.1f}us | {large / small:>5.2f}"
        print(f"| {label:<24} | {cells} |")
    print(f"target: ratio <= 1.5 -> {'PASS' if worst <= 1.5 else 'FAIL'}")
    small, large = bench_deletes()
    print(
        f"for information, one delete: {small * 1e6:.1f}us with 1k runs, "
        f"{large * 1e6:.1f}us with 100k (no target)"
    )


if __name__ == "__main__":
    main()
