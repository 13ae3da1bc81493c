"""The judge of one exchange: the mock's own answers pass it, and each way an answer can break
the contract is found by the check one would expect, at the JSON path where it is."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import operation
from contracts._validate import schema_violations
from contracts.conformance import NOT_JSON, Exchange
from contracts.traffic import TRAFFIC_CHECKS, TrafficLog, judge, strict_answer
from contracts.traffic._judge import _RESPONSE_CHECKS, IMPLIED_BY_SCHEMA
from mocks import Handler, Request, RunStore, StatelessRuns
from strategies import extract_runs

from ..mocks.runs import AGENT, OTHER_AGENT, make_run, uid

API = "/api/v1/extraction/runs"
JSON = (("content-type", "application/json"),)
STORE_RUNS = [make_run(n) for n in range(5)] + [make_run(9, agent=OTHER_AGENT)]


def _mock_judgement(handler: Handler, method: str, path: str, query: list[tuple[str, str]]):
    answer = handler.handle(Request(method, path, tuple(query)))
    return judge(method, path, query, answer.status, answer.headers, answer.body)


def _judged(status: int, body: Any, *, path: str = API, query: Any = (), headers: Any = JSON):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return judge("GET", path, list(query), status, list(headers), raw)


def _found(judgement: Any) -> list[tuple[str, str]]:
    return [(v.check, v.json_path) for v in judgement.violations]


values = st.one_of(
    st.sampled_from(["", "0", "-1", "3", "1.5", "abc", AGENT, AGENT.upper(), uid(2), uid(77)]),
    st.text(max_size=12),
    st.integers(-5, 10**6).map(str),
)
names = st.sampled_from(["extraction_agent_id", "skip", "limit", "project_id", "other"])
paths = st.one_of(
    st.just(API),
    st.sampled_from([uid(1), uid(1).upper(), uid(99), "nope", "%20"]).map(lambda s: f"{API}/{s}"),
    st.sampled_from([uid(1, space=1), uid(50, space=1), "x"]).map(lambda s: f"{API}/by-job/{s}"),
    st.just("/api/v1/other"),
)


@settings(max_examples=300, deadline=None)
@given(
    stateless=st.booleans(),
    method=st.sampled_from(["GET", "DELETE", "POST", "get"]),
    path=paths,
    query=st.lists(st.tuples(names, values), max_size=5),
)
def test_the_mock_answers_every_request_as_the_judge_expects(
    stateless: bool, method: str, path: str, query: list[tuple[str, str]]
) -> None:
    handler = Handler(StatelessRuns(seed=3) if stateless else RunStore(STORE_RUNS))
    if method == "GET" and path == API and not stateless:
        query = [("extraction_agent_id", AGENT), *query]
    judgement = _mock_judgement(handler, method, path, query)
    assert judgement.violations == ()


def test_every_check_of_a_faithful_session_judges_something() -> None:
    handler = Handler(RunStore(STORE_RUNS))
    log = TrafficLog()
    for method, path, query in [
        ("GET", API, [("extraction_agent_id", AGENT), ("limit", "2")]),
        ("GET", f"{API}/{uid(1)}", []),
        ("GET", f"{API}/by-job/{uid(2, space=1)}", []),
        ("GET", f"{API}/nope", []),
        ("DELETE", f"{API}/{uid(3)}", []),
        ("GET", "/elsewhere", []),
    ]:
        log.add(_mock_judgement(handler, method, path, query))
    assert log.violation_count == 0
    assert (log.exchanges, log.passed_through) == (5, 1)
    assert {check.name for check in TRAFFIC_CHECKS} == set(log.judged)
    assert "not exercised" not in log.summary()


def test_a_check_that_judged_nothing_says_so() -> None:
    log = TrafficLog()
    log.add(_judged(404, {"detail": "Extraction run not found"}, path=f"{API}/{uid(1)}"))
    summary = log.summary()
    assert "page_respects_limit" in summary
    line = next(line for line in summary.splitlines() if "page_respects_limit" in line)
    assert "not exercised (it judges 200 answers to valid list requests)" in line


def test_a_status_the_operation_does_not_define() -> None:
    judgement = _judged(500, {"detail": "boom"}, path=f"{API}/{uid(1)}")
    assert _found(judgement) == [("status_code_conformance", "$")]
    assert "status 500 is not one get_run defines (200, 404, 422)" in str(judgement.violations[0])


def test_a_status_value_the_contract_lacks() -> None:
    run = make_run(1, status="CANCELLED")
    judgement = _judged(200, run, path=f"{API}/{uid(1)}")
    assert _found(judgement) == [("response_schema_conformance", "$.status")]
    assert "'CANCELLED' is not one of" in judgement.violations[0].message


def test_a_field_the_contract_does_not_document() -> None:
    run = make_run(1, priority_hint="high")
    run["config"]["turbo"] = True
    page = {"items": [run], "total": 1, "skip": 0, "limit": 50, "cursor": None}
    judgement = _judged(200, page, query=[("extraction_agent_id", AGENT)])
    assert _found(judgement) == [
        ("documented_fields", "$.cursor"),
        ("documented_fields", "$.items[0].priority_hint"),
        ("documented_fields", "$.items[0].config.turbo"),
    ]


@pytest.mark.parametrize(
    ("query", "page", "check"),
    [
        (
            [("limit", "1")],
            {"items": [make_run(1), make_run(2)], "total": 2},
            "page_respects_limit",
        ),
        ([("skip", "1")], {"items": [make_run(2)], "total": 2, "skip": 0}, "page_respects_limit"),
        ([], {"items": [make_run(1, agent=OTHER_AGENT)], "total": 1}, "runs_of_requested_agent"),
        ([("limit", "5")], {"items": [make_run(1)], "total": 3}, "page_has_no_gap"),
    ],
)
def test_the_api_checks_of_one_page(query: Any, page: dict[str, Any], check: str) -> None:
    body = {"skip": 0, "limit": 50, **page}
    for name, value in query:
        body.setdefault(name, int(value))
        if name in ("limit",):
            body[name] = int(value)
    judgement = _judged(200, body, query=[("extraction_agent_id", AGENT), *query])
    assert [v.check for v in judgement.violations] == [check]


def test_get_and_by_job_answer_what_was_asked() -> None:
    upper = uid(2).upper()  # the path's id is read as the contract reads it: canonical
    wrong = _judged(200, make_run(1), path=f"{API}/{upper}")
    assert _found(wrong) == [("run_matches_request", "$")]
    assert f"run_id={uid(2)}" in wrong.violations[0].message
    right = _judged(200, make_run(2), path=f"{API}/{upper}")
    assert right.violations == ()
    assert "run_matches_request" in right.judged
    by_job = _judged(200, make_run(1), path=f"{API}/by-job/{uid(7, space=1)}")
    assert _found(by_job) == [("run_matches_request", "$")]


def test_parameters_as_the_contract_types_them() -> None:
    ok_to_invalid = _judged(
        200,
        {"items": [], "total": 0, "skip": 0, "limit": 50},
        query=[("extraction_agent_id", "nope")],
    )
    assert _found(ok_to_invalid) == [("request_parameters", "$")]
    assert "query.extraction_agent_id" in ok_to_invalid.violations[0].message
    refused_valid = _judged(
        422,
        {"detail": [{"type": "less_than_equal", "loc": ["query", "limit"], "msg": "<= 100"}]},
        query=[("extraction_agent_id", AGENT), ("limit", "500")],
    )
    assert _found(refused_valid) == [("request_parameters", "$.detail")]
    assert "query.limit" in refused_valid.violations[0].message
    unnamed = _judged(
        422,
        {"detail": [{"type": "missing", "loc": ["query", "extraction_agent_id"], "msg": "x"}]},
        query=[("limit", "-1")],
    )
    assert _found(unnamed) == [("request_parameters", "$.detail")]
    assert "does not name query.limit" in unnamed.violations[0].message


def test_content_type_and_encoding() -> None:
    run = make_run(1)
    html = _judged(
        200, b"<html>oops</html>", path=f"{API}/{uid(1)}", headers=[("content-type", "text/html")]
    )
    assert [v.check for v in html.violations] == ["content_type_conformance"] * 2
    assert html.body is NOT_JSON
    zipped = gzip.compress(json.dumps(run).encode())
    ok = _judged(200, zipped, path=f"{API}/{uid(1)}", headers=[*JSON, ("content-encoding", "gzip")])
    assert ok.violations == ()
    assert ok.body == run
    broken = _judged(
        200, zipped[:20], path=f"{API}/{uid(1)}", headers=[*JSON, ("content-encoding", "gzip")]
    )
    assert _found(broken) == [("content_type_conformance", "$")]
    assert "cut short" in broken.violations[0].message


def test_bad_json_is_named_where_it_breaks() -> None:
    judgement = _judged(200, b'{"id": NaN}', path=f"{API}/{uid(1)}")
    assert _found(judgement) == [("content_type_conformance", "$.id")]
    assert "NaN is not a JSON number" in judgement.violations[0].message


def test_a_body_not_read_whole_is_not_judged() -> None:
    judgement = judge("GET", f"{API}/{uid(1)}", [], 200, list(JSON), None, max_body=1024)
    assert judgement.violations == ()
    assert judgement.unjudged == "the body is larger than 1 KiB"
    log = TrafficLog()
    log.add(judgement)
    assert "not judged: 1 answer(s): the body is larger than 1 KiB" in log.summary()


def test_other_requests_are_not_judged() -> None:
    for method, path in [
        ("GET", "/api/v1/parsing/job"),
        ("get", f"{API}/{uid(1)}"),
        ("PUT", API),
        ("GET", API + "/"),
    ]:
        judgement = judge(method, path, [], 500, [], b"not json")
        assert judgement.operation is None
        assert judgement.violations == ()


def test_the_strict_answer_lists_the_violations() -> None:
    judgement = _judged(200, make_run(1, status="CANCELLED"), path=f"{API}/{uid(1)}")
    status, body = strict_answer(judgement.violations)
    answer = json.loads(body)
    assert status == 502
    assert answer["detail"].startswith("the upstream's answer breaks the contract (1 violation)")
    assert answer["violations"][0]["json_path"] == "$.status"


def test_the_log_keeps_the_newest_violations_and_counts_the_rest() -> None:
    log = TrafficLog(keep=2)
    for _ in range(3):
        log.add(_judged(500, {"detail": "x"}, path=f"{API}/{uid(1)}"))
    assert log.violation_count == 3
    assert len(log.violations) == 2
    assert log.dropped == 1
    assert log.as_json()["checks"]["status_code_conformance"] == {"judged": 3, "violations": 3}
    with pytest.raises(ValueError, match="keep"):
        TrafficLog(keep=0)


_FORMATTED = [
    ("id",),
    ("extraction_agent_id",),
    ("project_id",),
    ("job_id",),
    ("file_id",),
    ("created_at",),
    ("updated_at",),
    ("file", "id"),
    ("file", "project_id"),
    ("file", "data_source_id"),
    ("file", "created_at"),
    ("file", "updated_at"),
    ("file", "expires_at"),
    ("file", "last_modified_at"),
]


@settings(max_examples=300, deadline=None)
@given(
    run=extract_runs(),
    where=st.sampled_from(_FORMATTED),
    value=st.one_of(
        st.text(max_size=40),
        st.uuids().map(str),
        st.uuids().map(lambda u: str(u).upper()),
        st.sampled_from(["2025-02-29T00:00:00Z", "2024-02-29T00:00:00", "0000-01-01T00:00:00"]),
        st.none(),
    ),
)
def test_the_checks_a_clean_schema_implies_pass_whenever_it_is_clean(
    run: dict[str, Any], where: tuple[str, ...], value: Any
) -> None:
    """What lets the judge count IMPLIED_BY_SCHEMA as judged without running them."""
    holder = run
    for part in where[:-1]:
        holder = holder.get(part) if isinstance(holder, dict) else None
    if isinstance(holder, dict):
        holder[where[-1]] = value
    exchange = Exchange(operation("get_run"), {"run_id": str(run["id"])}, {}, 200, run)
    if schema_violations(run, "ExtractRun") == []:
        for name, check in _RESPONSE_CHECKS:
            if name in IMPLIED_BY_SCHEMA:
                assert check(exchange)  # judged, and no AssertionError
