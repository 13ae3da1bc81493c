"""Stateless mode: every valid request gets a valid answer, a pure function of seed and ids."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import validate
from mocks import Handler, Request, StatelessRuns

from .runs import uid

BASE = "/api/v1/extraction/runs"
uuids = st.uuids().map(str)


def _get(handler: Handler, path: str, **query: object) -> tuple[int, object]:
    answer = handler.handle(Request("GET", path, tuple((k, str(v)) for k, v in query.items())))
    return answer.status, json.loads(answer.body)


@settings(max_examples=40, deadline=None)
@given(run_id=uuids, job_id=uuids)
def test_any_id_gives_a_valid_run(run_id: str, job_id: str) -> None:
    handler = Handler(StatelessRuns(seed=1))
    status, run = _get(handler, f"{BASE}/{run_id.upper()}")
    assert status == 200
    assert validate(run, "run") == []
    assert run["id"] == run_id
    status, by_job = _get(handler, f"{BASE}/by-job/{job_id}")
    assert status == 200
    assert validate(by_job, "run") == []
    assert by_job["job_id"] == job_id


@settings(max_examples=25, deadline=None)
@given(agent=uuids, skip=st.integers(0, 150), limit=st.integers(0, 60))
def test_any_page_is_valid_and_consistent(agent: str, skip: int, limit: int) -> None:
    handler = Handler(StatelessRuns(seed=2, max_total=120))
    status, page = _get(handler, BASE, extraction_agent_id=agent, skip=skip, limit=limit)
    assert status == 200
    assert validate(page, "page") == []
    assert isinstance(page, dict)
    total = page["total"]
    assert 0 <= total <= 120
    assert len(page["items"]) == max(0, min(limit, total - skip))
    assert all(item["extraction_agent_id"] == agent for item in page["items"])
    # the same window from a whole listing
    whole = _get(handler, BASE, extraction_agent_id=agent, limit=500)[1]
    assert isinstance(whole, dict)
    assert page["items"] == whole["items"][skip : skip + limit]


def test_walking_the_pages_sees_each_run_once() -> None:
    handler = Handler(StatelessRuns(seed=3, max_total=300))
    agent = next(a for a in (uid(n) for n in range(50)) if handler.store.total(a) > 40)  # type: ignore[attr-defined]
    seen: list[str] = []
    skip = 0
    while True:
        page = _get(handler, BASE, extraction_agent_id=agent, skip=skip, limit=7)[1]
        assert isinstance(page, dict)
        seen += [item["id"] for item in page["items"]]
        skip += 7
        if skip >= page["total"]:
            break
    assert len(seen) == len(set(seen)) == handler.store.total(agent)  # type: ignore[attr-defined]


def test_nothing_is_remembered() -> None:
    handler = Handler(StatelessRuns(seed=4))
    before = handler.handle(Request("GET", f"{BASE}/{uid(1)}")).body
    for _ in range(2):
        answer = handler.handle(Request("DELETE", f"{BASE}/{uid(1)}"))
        assert (answer.status, answer.body) == (200, b"{}")
    assert handler.handle(Request("GET", f"{BASE}/{uid(1)}")).body == before


def test_seed_matters() -> None:
    one = StatelessRuns(seed=5).run_json(uid(1))
    assert one == StatelessRuns(seed=5).run_json(uid(1))
    assert one != StatelessRuns(seed=6).run_json(uid(1))


def test_same_body_in_another_process() -> None:
    code = (
        "from mocks import StatelessRuns;"
        f"import sys; sys.stdout.write(StatelessRuns(seed=9).run_json('{uid(3)}').decode())"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert other.stdout == StatelessRuns(seed=9).run_json(uid(3))


def test_bad_requests_are_still_422() -> None:
    handler = Handler(StatelessRuns())
    status, body = _get(handler, BASE, extraction_agent_id="nope")
    assert status == 422
    assert isinstance(body, dict)
    assert body["detail"][0]["loc"] == ["query", "extraction_agent_id"]


@pytest.mark.parametrize(
    "kwargs", [{"seed": "1"}, {"max_total": -1}, {"cache_size": 1.5}, {"max_total": True}]
)
def test_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="StatelessRuns"):
        StatelessRuns(**kwargs)
