"""``contracts.ApiCoverage``: the cells of an API coverage tally, its merge and its report."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import OPERATIONS, ApiCoverage
from contracts._coverage import _page_total, declared_pairs, page_edges, status_key

RUNS = "/api/v1/extraction/runs"


def test_the_declared_pairs_are_each_operations_200_and_documented_errors() -> None:
    assert declared_pairs() == [
        ("list_runs", "200"),
        ("list_runs", "422"),
        ("get_run", "200"),
        ("get_run", "404"),
        ("get_run", "422"),
        ("delete_run", "200"),
        ("delete_run", "404"),
        ("delete_run", "422"),
        ("get_run_by_job", "200"),
        ("get_run_by_job", "404"),
        ("get_run_by_job", "422"),
    ]


@pytest.mark.parametrize(
    ("status", "key"), [(200, "200"), (500, "5xx"), (503, "5xx"), (599, "5xx"), (None, "no answer")]
)
def test_status_cells(status: int | None, key: str) -> None:
    assert status_key(status) == key


@pytest.mark.parametrize(
    ("skip", "limit", "total", "edges"),
    [
        (0, 5, 12, ["first page"]),
        (5, 5, 12, ["middle page"]),
        (10, 5, 12, ["last page"]),
        (0, 50, 12, ["first page", "last page"]),  # one page holds every run
        (12, 5, 12, ["past the end"]),
        (0, 5, 0, ["first page"]),  # an empty list: its first page, nothing past it
        (0, 0, 12, ["limit=0"]),
        (7, 0, 12, ["limit=0"]),
    ],
)
def test_pagination_edges(skip: int, limit: int, total: int, edges: list[str]) -> None:
    assert page_edges(skip, limit, total) == edges


@given(skip=st.integers(0, 200), limit=st.integers(1, 60), total=st.integers(0, 200))
def test_a_page_with_runs_past_the_first_is_exactly_one_of_middle_last_past(
    skip: int, limit: int, total: int
) -> None:
    edges = page_edges(skip, limit, total)
    if skip > 0:
        assert len(edges) == 1
        assert edges[0] in ("middle page", "last page", "past the end")
    else:
        assert edges[0] == "first page"


@given(
    total=st.integers(0, 10**6),
    skip=st.integers(0, 10**6),
    limit=st.integers(0, 500),
    items=st.lists(st.fixed_dictionaries({"total": st.integers(), "id": st.text()}), max_size=3),
    layout=st.booleans(),
)
def test_the_fast_reading_of_a_page_total_equals_the_plain_one(
    total: int, skip: int, limit: int, items: list[dict[str, object]], layout: bool
) -> None:
    page = {"items": items, "total": total, "skip": skip, "limit": limit}
    # the mock's own compact layout (read from its tail), or any other (parsed whole)
    body = json.dumps(page, separators=(",", ":") if layout else (", ", ": ")).encode()
    assert _page_total(body) == json.loads(body)["total"] == total


def test_page_total_of_a_body_that_is_no_page() -> None:
    assert _page_total(b"not json") is None
    assert _page_total(b'{"total": "3"}') is None
    assert _page_total(b"[1, 2]") is None


def test_record_http_resolves_operations_as_fastapi_routes_them() -> None:
    coverage = ApiCoverage()
    page = b'{"items":[],"total":9,"skip":4,"limit":4}'
    coverage.record_http("GET", f"{RUNS}?extraction_agent_id=a&skip=4&limit=4", 200, page)
    coverage.record_http("GET", f"{RUNS}?extraction_agent_id=a&skip=1&skip=x", 422)
    coverage.record_http("POST", f"{RUNS}/abc", 405)
    coverage.record_http("DELETE", f"{RUNS}/abc", 404)
    coverage.record_http("GET", f"{RUNS}/by-job/abc", None)
    coverage.record_http("GET", f"{RUNS}/", 307)
    assert coverage.statuses["list_runs"] == {"200": 1, "422": 1}
    assert coverage.edges == {"middle page": 1}
    assert coverage.statuses["get_run"] == {"405": 1}
    assert coverage.statuses["delete_run"] == {"404": 1}
    assert coverage.statuses["get_run_by_job"] == {"no answer": 1}
    assert coverage.unmatched == {"307": 1}


def test_the_default_skip_and_limit_are_fastapis() -> None:
    coverage = ApiCoverage()
    page = b'{"items":[],"total":120,"skip":0,"limit":50}'
    coverage.record_http("GET", f"{RUNS}?extraction_agent_id=a", 200, page)
    assert coverage.edges == {"first page": 1}


def test_a_tally_travels_as_data_and_merges() -> None:
    one, two = ApiCoverage(), ApiCoverage()
    one.record("get_run", 200)
    one.record("get_run", 429, fault="rate_limit")
    two.record("get_run", 200)
    two.record(None, 404)
    body = b'{"items":[],"total":3,"skip":0,"limit":0}'
    two.record("list_runs", 200, skip=0, limit=0, body=body)
    data = json.loads(json.dumps(two.to_dict()))
    one.merge(data)
    assert one.statuses["get_run"] == {"200": 2, "429": 1}
    assert one.faults["get_run"] == {"rate_limit": 1}
    assert one.edges == {"limit=0": 1}
    assert one.unmatched == {"404": 1}
    again = ApiCoverage.from_dict(one.to_dict())
    assert again.to_dict() == one.to_dict()
    report = one.to_dict()
    assert report["exercised"] == [["list_runs", "200"], ["get_run", "200"]]
    assert report["percent"] == round(200 / 11, 2)
    assert report["never_called"] == ["delete_run", "get_run_by_job"]


def test_a_tally_from_odd_data_keeps_only_counts() -> None:
    coverage = ApiCoverage.from_dict(
        {"operations": {"get_run": {"statuses": {"200": 2, "404": -1, "422": "x", "429": True}}}}
    )
    assert coverage.statuses["get_run"] == {"200": 2}


def test_the_table_names_every_operation_and_what_was_never_seen() -> None:
    coverage = ApiCoverage()
    coverage.record("get_run", 200)
    table = coverage.table().splitlines()
    assert table[0] == "API coverage: 1 of 11 declared (operation, status) pairs exercised (9.1%)"
    assert [line.split()[0] for line in table[2:6]] == [op.name for op in OPERATIONS]
    assert "never called: list_runs, delete_run, get_run_by_job" in table
