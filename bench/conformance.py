"""Benchmark of a conformance run (a script, not a test): ``python bench/conformance.py``.

The default ``extract-contract conform --embedded`` run (every default check, schemathesis's
four phases at the default ``--max-examples``) against the bundled mock, stateful and
stateless, beside a baseline measured in the same run: schemathesis's phases and built-in
checks alone (no API phase, none of this API's checks), same server, seed and examples. So the
table shows the whole run's time against the budget (target: under 120 s) and what this API's
checks add to schemathesis (the ratio).

Each figure is the median of ``--repeats`` runs (default 3), each on a freshly started server.

A second table shows what the one guard every request passes costs, per request, against the
same bundled mock: httpx alone beside httpx through the guard (the API phase's way), and
requests alone beside requests through the front door and the guard (schemathesis's way).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contracts.conformance import (
    CHECKS,
    DEFAULT_MAX_EXAMPLES,
    FrontDoor,
    Guard,
    GuardTransport,
    Limits,
    Secrets,
    run_conformance,
    write_policy,
)
from mocks._server.live import embedded_mock

BUDGET = 120.0


def one_run(*, stateless: bool, baseline: bool, seed: int, max_examples: int) -> tuple[float, int]:
    checks = [c.name for c in CHECKS.select() if c.kind == "schemathesis"] if baseline else None
    with embedded_mock(0, stateless=stateless) as (url, agents):
        start = time.perf_counter()
        report = run_conformance(
            url,
            agent_ids=agents,
            stateless=stateless,
            checks=checks,
            seed=seed,
            max_examples=max_examples,
        )
        elapsed = time.perf_counter() - start
    assert report.ok, report.failure_text()
    return elapsed, report.counters["requests"]


def per_request(send: Callable[[], object], count: int) -> float:
    """Microseconds per request of ``count`` calls of ``send`` (after a warm-up)."""
    for _ in range(20):
        send()
    start = time.perf_counter()
    for _ in range(count):
        send()
    return (time.perf_counter() - start) / count * 1e6


def guard_cost(count: int) -> None:
    import httpx
    import requests

    print(f"\nthe guard's cost per request ({count} list requests, the bundled mock)")
    print(f"{'client':<44} {'us/request':>11} {'ratio':>6}")
    with embedded_mock(0, stateless=False) as (url, agents):
        path = f"/api/v1/extraction/runs?extraction_agent_id={agents[0]}&limit=5"
        guard = Guard(url, write_policy(url), Limits(), Secrets())
        with (
            httpx.Client(base_url=url) as plain,
            httpx.Client(base_url=url, transport=GuardTransport(guard)) as guarded,
        ):
            alone = per_request(lambda: plain.get(path), count)
            through = per_request(lambda: guarded.get(path), count)
        with requests.Session() as session, FrontDoor(guard) as front:
            direct = per_request(lambda: session.get(url + path), count)
            door = per_request(lambda: session.get(front.url + path), count)
        guard.close()
    for label, value, base in (
        ("httpx alone (baseline)", alone, alone),
        ("httpx through the guard (API phase)", through, alone),
        ("requests alone (baseline)", direct, direct),
        ("requests through the front door (schemathesis)", door, direct),
    ):
        print(f"{label:<44} {value:>11.0f} {value / base:>5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES)
    parser.add_argument("--requests", type=int, default=2000, help="for the guard's cost")
    args = parser.parse_args()
    print(f"max-examples {args.max_examples}, median of {args.repeats} runs, budget {BUDGET:.0f} s")
    print(f"{'mode':<10} {'run':<34} {'median s':>9} {'requests':>9} {'ratio':>6} {'budget':>7}")
    for stateless in (False, True):
        mode = "stateless" if stateless else "stateful"
        times: dict[bool, list[float]] = {True: [], False: []}
        requests: dict[bool, list[int]] = {True: [], False: []}
        for repeat in range(args.repeats):  # interleaved; same seed for both, same requests
            for baseline in (True, False):
                elapsed, sent = one_run(
                    stateless=stateless,
                    baseline=baseline,
                    seed=repeat,
                    max_examples=args.max_examples,
                )
                times[baseline].append(elapsed)
                requests[baseline].append(sent)
        base = statistics.median(times[True])
        for baseline in (True, False):
            median = statistics.median(times[baseline])
            label = "schemathesis alone (baseline)" if baseline else "conform (all default checks)"
            verdict = "ok" if median < BUDGET else "OVER"
            print(
                f"{mode:<10} {label:<34} {median:>9.2f} "
                f"{int(statistics.median(requests[baseline])):>9} {median / base:>5.2f}x "
                f"{verdict:>7}"
            )
    guard_cost(args.requests)


if __name__ == "__main__":
    main()
