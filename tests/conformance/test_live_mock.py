"""The bundled mock server, served live, conforms in both modes; the stateful run reaches real
ids and really deletes then gets."""

from __future__ import annotations

import pytest

from contracts.conformance import CHECKS, run_conformance
from mocks._server.live import embedded_mock


def test_the_stateful_mock_passes_every_check_and_the_stateful_checks_run_for_real():
    with embedded_mock(11, stateless=False) as (url, agents):
        report = run_conformance(url, agent_ids=agents, max_examples=15, seed=11)
    assert report.ok, report.failure_text()
    outcomes = {name: r.outcome for name, r in report.results.items()}
    assert outcomes.pop("use_after_free") in ("passed", "not exercised")  # see test_servers
    assert set(outcomes.values()) == {"passed"}, report.summary_table()
    counters = report.counters
    # the API phase deleted a listed run, then got it (404), by job (404), and listed again
    assert counters["api.delete_then_get"] == 1
    assert counters["api.delete_then_get_by_job"] == 1
    assert counters["api.get_run.404"] >= 1
    # schemathesis's stateful phase followed the links to existing runs and deleted some
    assert counters["schemathesis.stateful.linked_2xx"] > 0
    assert counters["schemathesis.stateful.deleted"] > 0
    assert counters["deletes"] >= counters["schemathesis.stateful.deleted"] + 2
    # the listed ids, given to schemathesis as examples, reach real runs in the other phases too
    assert counters["schemathesis.examples.2xx"] > 0
    assert counters["schemathesis.fuzzing.2xx"] > 0


def test_the_stateless_mock_passes_every_check_that_does_not_need_state():
    with embedded_mock(12, stateless=True) as (url, agents):
        report = run_conformance(url, agent_ids=agents, max_examples=15, seed=12, stateless=True)
    assert report.ok, report.failure_text()
    for name, result in report.results.items():
        expected = "skipped" if CHECKS[name].needs_state else "passed"
        assert result.outcome == expected, (name, result)
        assert result.judged > 0 or expected == "skipped", name
    assert report.counters["api.pages_walked"] > 0
    assert report.counters["schemathesis.stateful.linked_2xx"] > 0


@pytest.mark.parametrize("stateless", [False, True])
def test_the_embedded_agents_have_runs(stateless):
    import httpx

    with embedded_mock(5, stateless=stateless) as (url, agents):
        assert agents
        for agent in agents:
            page = httpx.get(f"{url}/api/v1/extraction/runs", params={"extraction_agent_id": agent})
            assert page.status_code == 200
            assert page.json()["total"] > 0
