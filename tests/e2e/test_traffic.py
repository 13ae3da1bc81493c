"""Real traffic end to end, with the official client (llama-cloud 1.6.0), sync and async.

A stand-in upstream (``tests/traffic/standin.py``) is put behind ``proxy --record`` and driven
by the client. Each planted difference is found by the check one would expect, by the proxy or
by ``drift``; a faithful upstream gives no violation and no drift; the secrets sent are in no
recorded file; and ``serve --data DIR`` then answers the same client script as the proxy did.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import llama_cloud
import pytest
from llama_cloud import AsyncLlamaCloud, LlamaCloud

import contracts
from mocks import RunStore
from mocks._traffic.drift import DriftReport, drift

from ..server._process import serve_process
from ..traffic.conftest import proxy_process, stand_in
from ..traffic.standin import PLANTS

TOKEN = "sk-e2e-0f1e2d3c4b5a69788796"
SIGNATURE = "sig-e2e-5550001112223"
MISSING = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.fixture(scope="module")
def store() -> RunStore:
    """14 runs of one agent; the three created first were updated last (so ordering pages by
    ``updated_at`` is not ordering them by ``created_at``)."""
    runs = RunStore.seeded(seed=41, runs=14, agents=1).runs()
    for day, run in enumerate(runs[-3:], start=1):
        run["updated_at"] = f"2030-01-0{day}T00:00:00Z"
    return RunStore(runs)


def _status(call: Any) -> Any:
    try:
        return call()
    except llama_cloud.APIStatusError as exc:
        return {"status": exc.status_code, "body": exc.body}


async def _astatus(call: Any) -> Any:
    try:
        return await call()
    except llama_cloud.APIStatusError as exc:
        return {"status": exc.status_code, "body": exc.body}


def _dump(value: Any) -> Any:
    return value.to_dict(mode="json") if hasattr(value, "to_dict") else value


def read_only_script(client: LlamaCloud, store: RunStore) -> dict[str, Any]:
    """What a user's code does: every page of an agent's runs, a get, a get by job, a run that
    does not exist, an id that is not one. Returns what it saw."""
    agent = store.agents()[0]
    ids, jobs = store.ids(agent), [run["job_id"] for run in store.runs(agent)]
    sign = {"extra_query": {"signature": SIGNATURE}}
    return {
        "listed": [
            run.id for run in client.extraction.runs.list(extraction_agent_id=agent, limit=5)
        ],
        "get": [_dump(_status(lambda i=i: client.extraction.runs.get(i, **sign))) for i in ids[:6]],
        "by_job": _dump(_status(lambda: client.extraction.runs.get_by_job(jobs[0]))),
        "missing": _status(lambda: client.extraction.runs.get(MISSING)),
        "not_an_id": _status(lambda: client.extraction.runs.get("run-7")),
    }


async def async_script(client: AsyncLlamaCloud, store: RunStore) -> dict[str, Any]:
    """The async client: pages, a get, a delete and the get after it."""
    agent = store.agents()[0]
    ids = store.ids(agent)
    listed = [
        run.id async for run in client.extraction.runs.list(extraction_agent_id=agent, limit=4)
    ]
    return {
        "listed": listed,
        "get": _dump(await _astatus(lambda: client.extraction.runs.get(ids[7]))),
        "delete": await _astatus(lambda: client.extraction.runs.delete(ids[8])),
        "after_delete": await _astatus(lambda: client.extraction.runs.get(ids[8])),
        "missing_job": await _astatus(lambda: client.extraction.runs.get_by_job(MISSING)),
    }


def _drive(url: str, store: RunStore) -> tuple[dict[str, Any], dict[str, Any]]:
    with LlamaCloud(api_key=TOKEN, base_url=url, max_retries=0) as sync:
        seen = read_only_script(sync, store)

    async def run_async() -> dict[str, Any]:
        async with AsyncLlamaCloud(api_key=TOKEN, base_url=url, max_retries=0) as client:
            return await async_script(client, store)

    return seen, asyncio.run(run_async())


@dataclass
class Through:
    """What ``extract-contract proxy --record`` saw: its violations (from ``GET
    /__extract_contract__/violations``), its exit code and stderr once stopped."""

    violations: list[dict[str, Any]]
    exchanges: int
    code: int
    stderr: str


def _recorded_through(
    upstream: str, store: RunStore, record: Path
) -> tuple[Through, dict[str, Any], dict[str, Any]]:
    """Drive the client scripts through a real ``proxy --record RECORD --scrub signature``."""
    with proxy_process("--upstream", upstream, "--record", str(record), "--scrub", "signature") as (
        process,
        url,
        _,
    ):
        seen, async_seen = _drive(url, store)
        tally = httpx.get(f"{url}/__extract_contract__/violations").json()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    through = Through(tally["violations"], tally["exchanges"], process.returncode, err)
    return through, seen, async_seen


def _checks(through: Through) -> set[tuple[str, str]]:
    return {(v["check"], v["json_path"]) for v in through.violations}


def _aspects(report: DriftReport) -> list[tuple[str, str]]:
    return [  # "body.items: the same runs in another order" -> "body.items"
        (r.exchange.operation or "", d.aspect.split(":")[0])
        for r in report.drifted
        for d in r.differences
    ]


def test_a_faithful_upstream_no_violation_no_drift_and_the_replay_answers_alike(
    store: RunStore, tmp_path: Path
) -> None:
    with stand_in(RunStore(store.runs())) as upstream:
        through, seen, async_seen = _recorded_through(upstream, store, tmp_path)
    assert through.violations == []
    assert through.exchanges == 20
    assert through.code == 0
    assert "20 exchange(s) with the API, 0 other request(s) passed through" in through.stderr
    assert seen["missing"]["status"] == 404
    assert seen["not_an_id"]["status"] == 422
    assert async_seen["after_delete"]["status"] == 404
    report = drift(tmp_path)
    assert report.drifted == [], report.table()
    assert report.unservable == []
    assert all(r.not_compared is None for r in report.results), report.table()
    assert report.exit_code == 0
    # the recording served by the mock answers the same read-only script alike
    with (
        serve_process("--data", str(tmp_path)) as replay,  # extract-contract serve --data DIR
        LlamaCloud(api_key=TOKEN, base_url=replay.url, max_retries=0) as client,
    ):
        again = read_only_script(client, store)
    assert again["listed"] == [i for i in seen["listed"] if i != store.ids()[8]]  # it was deleted
    assert again["get"] == seen["get"]
    assert again["by_job"] == seen["by_job"]
    assert again["missing"] == seen["missing"]
    assert again["not_an_id"] == seen["not_an_id"]


def test_no_secret_reaches_a_recorded_file(store: RunStore, tmp_path: Path) -> None:
    with stand_in(RunStore(store.runs())) as upstream:
        _recorded_through(upstream, store, tmp_path)
    files = list(tmp_path.iterdir())
    assert len(files) == 20
    for file in files:
        text = file.read_text()
        assert TOKEN not in text, file
        assert SIGNATURE not in text, file
    assert any('["authorization", "[scrubbed]"]' in f.read_text() for f in files)
    assert any('["signature", "[scrubbed]"]' in f.read_text() for f in files)


EXPECTED = {
    # plant: (what the proxy reports, what drift reports)
    "not_found_detail": (set(), {("get_run", "body.detail"), ("get_run_by_job", "body.detail")}),
    "extra_field": ({("documented_fields", "$.items[0].priority_hint")}, set()),
    "order_by_updated": (set(), {("list_runs", "body.items")}),
    "bad_status": ({("response_schema_conformance", "$.items[1].status")}, None),
    "error_500": ({("status_code_conformance", "$")}, {("get_run", "status")}),
}


@pytest.mark.parametrize("plant", PLANTS)
def test_each_planted_difference_is_found_by_the_check_one_expects(
    store: RunStore, tmp_path: Path, plant: str
) -> None:
    ids = store.ids()
    chosen = {"status_run": ids[1], "failing_run": ids[3]}
    with stand_in(RunStore(store.runs()), (plant,), **chosen) as upstream:
        through, _, _ = _recorded_through(upstream, store, tmp_path)
    by_proxy, by_drift = EXPECTED[plant]
    assert by_proxy <= _checks(through), through.violations
    assert through.code == (1 if by_proxy else 0), through.stderr
    report = drift(tmp_path)
    assert report.exit_code == (1 if by_drift is None or by_drift else 0), report.table()
    if plant == "bad_status":  # the run the contract has no status for: the mock cannot serve it
        assert [run_id for _, run_id, _ in report.unservable] == [ids[1]]
        assert "'CANCELLED' is not one of" in report.unservable[0][2]
        return
    assert set(_aspects(report)) == by_drift, report.table()
    assert {v["check"] for v in through.violations} == {c for c, _ in by_proxy}


def test_what_the_mock_cannot_know_is_a_finding_with_a_note(
    store: RunStore, tmp_path: Path
) -> None:
    with stand_in(RunStore(store.runs()), ("not_found_detail",)) as upstream:
        _recorded_through(upstream, store, tmp_path)
    table = drift(tmp_path).table()
    assert "Run not found." in table
    assert "Extraction run not found" in table
    assert "note: a text only the real service knows" in table


def test_the_validating_transport_through_both_official_clients(
    store: RunStore, tmp_path: Path
) -> None:
    ids = store.ids()
    with stand_in(RunStore(store.runs()), ("bad_status",), status_run=ids[1]) as upstream:
        transport = contracts.validating_transport(record=tmp_path)
        with LlamaCloud(
            api_key=TOKEN,
            base_url=upstream,
            max_retries=0,
            http_client=httpx.Client(transport=transport),
        ) as sync:
            read_only_script(sync, store)

        async def run_async() -> Any:
            atransport = contracts.async_validating_transport()
            async with AsyncLlamaCloud(
                api_key=TOKEN,
                base_url=upstream,
                max_retries=0,
                http_client=httpx.AsyncClient(transport=atransport),
            ) as client:
                await async_script(client, store)
            return atransport

        atransport = asyncio.run(run_async())
    for seen in (transport, atransport):
        assert ("response_schema_conformance", "$.items[1].status") in {
            (v.check, v.json_path) for v in seen.violations
        }
        with pytest.raises(AssertionError, match=r"CONTRACT: \d+ violations? in real traffic"):
            seen.assert_no_violations()
    assert (transport.log.exchanges, atransport.log.exchanges) == (12, 8)
    assert len(list(tmp_path.iterdir())) == 12
    assert all(TOKEN not in p.read_text() for p in tmp_path.iterdir())
