"""This API's response checks are plain functions of one Exchange: each one, on a good answer
and on the one fault it exists for."""

from __future__ import annotations

from typing import Any

import pytest

from contracts import operation
from contracts.conformance import CHECKS, NOT_JSON, Exchange

AGENT = "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"
RUN = {
    "id": "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
    "config": {},
    "data_schema": {},
    "extraction_agent_id": AGENT,
    "from_ui": False,
    "project_id": "b1c2d3e4-f5a6-4b7c-9d8e-0f1a2b3c4d5e",
    "status": "SUCCESS",
    "created_at": "2025-03-01T10:00:00Z",
    "job_id": "c2d3e4f5-a6b7-4c8d-8e9f-1a2b3c4d5e6f",
}


def run_check(name: str, exchange: Exchange) -> None:
    func = CHECKS[name].func
    assert func is not None
    func(exchange)


def page(items: list[dict[str, Any]], *, total: int, skip: int = 0, limit: int = 50, sent=None):
    """A 200 list answer echoing ``skip``/``limit``, to a request that sent ``sent``."""
    body = {"items": items, "total": total, "skip": skip, "limit": limit}
    query = {"extraction_agent_id": AGENT, **(sent or {})}
    return Exchange(operation("list_runs"), {}, query, 200, body, curl="curl -X GET http://x")


def runs(n: int) -> list[dict[str, Any]]:
    return [{**RUN, "id": f"a0b1c2d3-e4f5-4a6b-8c7d-{i:012d}"} for i in range(n)]


GOOD = [
    page(runs(2), total=5, limit=2, sent={"skip": "0", "limit": "2"}),
    page(runs(3), total=5, skip=2, sent={"skip": "2"}),
    page(runs(5), total=5),
    page([], total=5, skip=9, limit=3, sent={"skip": "9", "limit": "3"}),
    Exchange(operation("get_run"), {"run_id": RUN["id"]}, {}, 200, RUN),
    Exchange(operation("get_run_by_job"), {"job_id": RUN["job_id"]}, {}, 200, RUN),
    Exchange(operation("get_run"), {"run_id": RUN["id"]}, {}, 404, {"detail": "x"}),
    Exchange(operation("delete_run"), {"run_id": RUN["id"]}, {}, 200, {}),
    Exchange(operation("get_run"), {"run_id": RUN["id"]}, {}, 500, NOT_JSON),
]


@pytest.mark.parametrize("name", [c.name for c in CHECKS if c.kind == "response"])
@pytest.mark.parametrize("exchange", GOOD)
def test_a_good_answer_passes_every_response_check(name, exchange):
    run_check(name, exchange)


BAD = [
    ("page_respects_limit", page(runs(3), total=5, limit=2, sent={"limit": "2"}), "limit=2"),
    (
        "page_respects_limit",
        page(runs(1), total=5, limit=1, sent={"skip": "3", "limit": "1"}),
        "`skip`",
    ),
    ("page_respects_limit", page(runs(1), total=5, sent={"limit": "1"}), "`limit` is 50"),
    ("page_has_no_gap", page(runs(1), total=5, limit=3, sent={"limit": "3"}), "should hold 3"),
    ("ids_and_timestamps", page([{**RUN, "id": "run-1"}], total=1), "$.items[0].id"),
    (
        "ids_and_timestamps",
        Exchange(operation("get_run"), {}, {}, 200, {**RUN, "created_at": "2025-02-30T00:00:00Z"}),
        "$.created_at is not an ISO 8601",
    ),
    (
        "runs_of_requested_agent",
        page([{**RUN, "extraction_agent_id": RUN["project_id"]}], total=1),
        "not to the agent",
    ),
    (
        "run_matches_request",
        Exchange(operation("get_run"), {"run_id": RUN["project_id"]}, {}, 200, RUN),
        "asked for run_id=",
    ),
    (
        "run_matches_request",
        Exchange(operation("get_run_by_job"), {"job_id": RUN["id"]}, {}, 200, RUN),
        "whose job_id is",
    ),
]


@pytest.mark.parametrize(("name", "exchange", "message"), BAD)
def test_each_fault_fails_its_check_with_a_readable_message(name, exchange, message):
    with pytest.raises(AssertionError) as info:
        run_check(name, exchange)
    assert message in str(info.value)
    assert "answered 200" in str(info.value)


def test_an_invalid_request_that_got_a_200_is_left_to_negative_data_rejection():
    # limit=-1 is not a valid request: the page checks do not judge its answer
    bad = page(runs(9), total=9, limit=-1, sent={"limit": "-1"})
    for name in ("page_respects_limit", "page_has_no_gap", "runs_of_requested_agent"):
        run_check(name, bad)
