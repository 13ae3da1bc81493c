"""Property tests of the response checks with the project's own Hypothesis strategies: every
answer the contract allows passes them, and a page one run short fails ``page_has_no_gap``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import operation
from contracts.conformance import CHECKS, Exchange
from strategies import extract_runs

AGENT = "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"
RESPONSE_CHECKS = [c for c in CHECKS if c.kind == "response"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def valid_pages(draw):
    """(page body, skip, limit) of a list answer the contract allows, for agent AGENT."""
    runs = draw(st.lists(extract_runs(extraction_agent_id=AGENT), max_size=4))
    skip = draw(st.integers(0, 5))
    more = draw(st.integers(0, 3))  # runs after this page
    limit = len(runs) if more else len(runs) + draw(st.integers(0, 3))
    body = {"items": runs, "total": skip + len(runs) + more, "skip": skip, "limit": limit}
    return body, skip, limit


def list_exchange(body, skip, limit):
    query = {"extraction_agent_id": AGENT, "skip": str(skip), "limit": str(limit)}
    return Exchange(operation("list_runs"), {}, query, 200, body)


@SETTINGS
@given(valid_pages())
def test_every_valid_answer_passes_every_response_check(page):
    body, skip, limit = page
    exchanges = [list_exchange(body, skip, limit)]
    for run in body["items"]:
        exchanges.append(Exchange(operation("get_run"), {"run_id": run["id"]}, {}, 200, run))
        if run.get("job_id") is not None:
            by_job = {"job_id": run["job_id"]}
            exchanges.append(Exchange(operation("get_run_by_job"), by_job, {}, 200, run))
    for exchange in exchanges:
        for check in RESPONSE_CHECKS:
            assert check.func is not None
            check.func(exchange)


@SETTINGS
@given(valid_pages().filter(lambda page: page[0]["items"]))
def test_a_page_one_run_short_fails_page_has_no_gap(page):
    body, skip, limit = page
    short = {**body, "items": body["items"][:-1]}
    func = CHECKS["page_has_no_gap"].func
    assert func is not None
    with pytest.raises(AssertionError, match="should hold"):
        func(list_exchange(short, skip, limit))
