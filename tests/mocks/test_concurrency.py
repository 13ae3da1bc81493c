"""Many threads at once: one delete wins, pages never tear, totals always agree."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from contracts import DEFAULT_BASE_URL
from mocks import MockAPI, RunStore

RUNS = f"{DEFAULT_BASE_URL}/api/v1/extraction/runs"


def test_32_threads_delete_one_run_exactly_one_wins() -> None:
    store = RunStore.seeded(seed=1, runs=10)
    run_id = store.ids()[0]
    barrier = threading.Barrier(32)

    def delete(_: int) -> int:
        with httpx.Client() as client:
            barrier.wait()
            return client.delete(f"{RUNS}/{run_id}").status_code

    with MockAPI(store) as mock, ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(delete, range(32)))
    assert sorted(statuses) == [200] + [404] * 31
    assert run_id not in store
    assert len(store) == 9
    mock.assert_called("delete_run", run_id=run_id, times=32)


def test_mixed_traffic_never_tears_a_page() -> None:
    store = RunStore.seeded(seed=2, runs=1200, agents=2)
    agent = store.agents()[0]
    initial = store.count(agent)
    victims = store.ids(agent)[::3]
    deleted: set[str] = set()
    lock = threading.Lock()
    problems: list[str] = []

    def deleter(chunk: list[str]) -> None:
        with httpx.Client() as client:
            for run_id in chunk:
                if client.delete(f"{RUNS}/{run_id}").status_code == 200:
                    with lock:
                        deleted.add(run_id)

    def lister(seed: int) -> None:
        rng = random.Random(seed)
        last_total = initial
        with httpx.Client() as client:
            for _ in range(40):
                with lock:
                    gone_before = set(deleted)
                whole = rng.random() < 0.3
                params = {
                    "extraction_agent_id": agent,
                    "skip": 0 if whole else rng.randrange(0, 400),
                    "limit": 5000 if whole else rng.randrange(1, 60),
                }
                page = client.get(RUNS, params=params).json()
                ids = [item["id"] for item in page["items"]]
                if len(ids) != len(set(ids)):
                    problems.append(f"duplicates in {params}")
                if whole and len(ids) != page["total"]:
                    problems.append(f"total {page['total']} but {len(ids)} items")
                if gone_before & set(ids):
                    problems.append(f"a deleted run listed in {params}")
                if page["total"] > last_total:
                    problems.append("total grew while runs were only deleted")
                last_total = page["total"]
                stamps = [item["created_at"] for item in page["items"]]
                if stamps != sorted(stamps, reverse=True):
                    problems.append(f"page out of order in {params}")

    def getter(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client() as client:
            for _ in range(60):
                run_id = rng.choice(victims)
                response = client.get(f"{RUNS}/{run_id}")
                if response.status_code == 200 and response.json()["id"] != run_id:
                    problems.append("get answered another run")
                elif response.status_code not in (200, 404):
                    problems.append(f"get answered {response.status_code}")

    chunks = [victims[i::8] for i in range(8)]
    with MockAPI(store), ThreadPoolExecutor(24) as pool:
        futures = [pool.submit(deleter, chunk) for chunk in chunks]
        futures += [pool.submit(lister, n) for n in range(8)]
        futures += [pool.submit(getter, n) for n in range(8)]
        for future in futures:
            future.result()
    assert problems == []
    assert deleted == set(victims)
    assert store.count(agent) == initial - len(victims)
