"""The live server and the respx router answer the same requests with the same bytes."""

from __future__ import annotations

import httpx
import pytest

from contracts import DEFAULT_BASE_URL
from mocks import MockAPI, RunStore, StatelessRuns, live_server

API = "/api/v1/extraction/runs"
SEED, RUNS, AGENTS = 5, 40, 3
UNKNOWN = "00000000-0000-4000-8000-00000000beef"


def _script(store: RunStore) -> list[tuple[str, str]]:
    """A scripted sequence of (method, path-and-query): reads, a delete and its aftermath,
    404s, 405s and 422s."""
    agent, other = store.agents()[:2]
    run_id, second = store.ids(agent)[:2]
    job = store.get(second)["job_id"]  # type: ignore[index]
    return [
        ("GET", f"{API}?extraction_agent_id={agent}"),
        ("GET", f"{API}?extraction_agent_id={agent}&skip=3&limit=4"),
        ("GET", f"{API}?extraction_agent_id={other}&limit=0"),
        ("GET", f"{API}?extraction_agent_id={agent}&skip=1000"),
        ("GET", f"{API}?extraction_agent_id={agent.upper()}&limit=2&limit=3"),
        ("GET", f"{API}/{run_id}"),
        ("GET", f"{API}/{run_id.upper()}?project_id={UNKNOWN}"),
        ("GET", f"{API}/by-job/{job}"),
        ("DELETE", f"{API}/{run_id}"),
        ("GET", f"{API}/{run_id}"),
        ("DELETE", f"{API}/{run_id}"),
        ("GET", f"{API}?extraction_agent_id={agent}&limit=100"),
        ("GET", f"{API}/{UNKNOWN}"),
        ("GET", f"{API}/by-job/{UNKNOWN}"),
        ("GET", f"{API}"),
        ("GET", f"{API}?extraction_agent_id=nope&skip=-1&limit=abc"),
        ("GET", f"{API}?extraction_agent_id={agent}&limit=1.5"),
        ("GET", f"{API}?extraction_agent_id={agent}&limit="),
        ("GET", f"{API}/not-a-uuid?project_id=x"),
        ("DELETE", f"{API}/by-job/{job}"),
        ("POST", f"{API}"),
        ("GET", "/api/v1/extraction/nothing"),
        ("GET", f"{API}/{second}/extra"),
    ]


def _exchange(client: httpx.Client, script: list[tuple[str, str]]) -> list[tuple[int, bytes]]:
    return [
        (response.status_code, response.content)
        for response in (client.request(method, path) for method, path in script)
    ]


def test_stateful_answers_are_byte_identical() -> None:
    script = _script(RunStore.seeded(seed=SEED, runs=RUNS, agents=AGENTS))
    with (
        MockAPI(RunStore.seeded(seed=SEED, runs=RUNS, agents=AGENTS)),
        httpx.Client(base_url=DEFAULT_BASE_URL) as http,
    ):
        in_process = _exchange(http, script)
    with (
        live_server(seed=SEED, runs=RUNS, agents=AGENTS) as live,
        httpx.Client(base_url=live.url) as http,
    ):
        over_http = _exchange(http, script)
    assert [status for status, _ in in_process] == [status for status, _ in over_http]
    for (method, path), mine, theirs in zip(script, in_process, over_http, strict=True):
        assert mine == theirs, f"{method} {path}"
    statuses = {status for status, _ in over_http}
    assert {200, 404, 405, 422} <= statuses


@pytest.mark.parametrize("seed", [0, 9])
def test_stateless_answers_are_byte_identical(seed: int) -> None:
    script = [
        ("GET", f"{API}/{UNKNOWN}"),
        ("GET", f"{API}/by-job/{UNKNOWN}"),
        ("GET", f"{API}?extraction_agent_id={UNKNOWN}&limit=5"),
        ("DELETE", f"{API}/{UNKNOWN}"),
        ("GET", f"{API}/{UNKNOWN}"),
    ]
    with MockAPI(StatelessRuns(seed=seed)), httpx.Client(base_url=DEFAULT_BASE_URL) as http:
        in_process = _exchange(http, script)
    with live_server(seed=seed, mode="stateless") as live, httpx.Client(base_url=live.url) as http:
        over_http = _exchange(http, script)
    assert in_process == over_http
