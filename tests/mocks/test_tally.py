"""The mock's handlers count API coverage as each answer is made (when asked), whatever the
journal keeps: a bounded or cleared journal loses no count."""

from __future__ import annotations

from contracts import ApiCoverage
from mocks import Handler, Request, RunStore
from mocks._adapters.prefer import PreferControls
from mocks._core.tally import active, counting_into

BASE = "/api/v1/extraction/runs"


def _get(handler: Handler, path: str, *query: tuple[str, str], method: str = "GET") -> int:
    return handler.handle(Request(method, path, tuple(query))).status


def test_a_handler_counts_only_inside_counting_into() -> None:
    assert active() is None
    coverage = ApiCoverage()
    outside = Handler(RunStore())
    with counting_into(coverage):
        inside = Handler(RunStore())
        with counting_into(None):
            assert Handler(RunStore()).coverage is None
    assert outside.coverage is None
    assert inside.coverage is coverage
    assert active() is None


def test_every_answer_is_counted_though_the_journal_keeps_one() -> None:
    store = RunStore.seeded(seed=1, runs=7, agents=1)
    coverage = ApiCoverage()
    with counting_into(coverage):
        handler = Handler(store, journal_size=1)
    agent, run_id = store.agents()[0], store.ids()[0]
    handler.faults.add("rate_limit", operation="get_run", times=1)
    handler.faults.add("connect_error", operation="get_run_by_job", times=1)
    assert _get(handler, f"{BASE}/{run_id}") == 429
    assert _get(handler, f"{BASE}/{run_id}") == 200
    handler.journal.clear()
    assert _get(handler, f"{BASE}/by-job/{run_id}") == 0  # no answer: the connection dropped
    assert _get(handler, f"{BASE}/{run_id}", method="PUT") == 405
    assert _get(handler, BASE, ("extraction_agent_id", agent), ("skip", "6"), ("limit", "1")) == 200
    assert _get(handler, BASE, ("extraction_agent_id", agent), ("skip", "-1")) == 422
    assert _get(handler, "/api/v2/elsewhere") == 404
    assert len(handler.journal) == 1
    assert coverage.statuses["get_run"] == {"429": 1, "200": 1, "405": 1}
    assert coverage.faults["get_run"] == {"rate_limit": 1}
    assert coverage.statuses["get_run_by_job"] == {"no answer": 1}
    assert coverage.faults["get_run_by_job"] == {"connect_error": 1}
    assert coverage.statuses["list_runs"] == {"200": 1, "422": 1}
    assert coverage.edges == {"last page": 1}
    assert coverage.unmatched == {"404": 1}


def test_the_prefer_controls_count_as_what_shaped_the_answer() -> None:
    store = RunStore.seeded(seed=1, runs=3, agents=1)
    handler = Handler(store, policy=PreferControls(seed=0))
    handler.coverage = coverage = ApiCoverage()
    request = Request("GET", f"{BASE}/{store.ids()[0]}", (), {"prefer": "code=404"})
    assert handler.handle(request).status == 404
    assert coverage.statuses["get_run"] == {"404": 1}
    assert coverage.faults["get_run"] == {"prefer": 1}
