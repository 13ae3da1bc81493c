"""Conformance runs against real servers: the reference app passes every check; each one-fault
app is caught by the check one would expect, with a failure that says what and how to repeat it."""

from __future__ import annotations

import pytest

from contracts.conformance import CHECKS, NonConformance, assert_conforms, run_conformance

from . import _apps
from .conftest import served

FAST = {"max_examples": 8, "seed": 7}


def test_the_reference_app_passes_every_check():
    app = _apps.ReferenceApp()
    with served(app) as url:
        report = run_conformance(url, agent_ids=app.agent_ids, **FAST)
    assert report.ok, report.failure_text()
    assert report.verdict == "conforms"
    passed = {name for name, r in report.results.items() if r.outcome == "passed"}
    # use_after_free judges only a read the stateful phase makes after its own delete, which
    # a small budget may not reach: then it says so, it does not pass
    assert passed | {"use_after_free"} == {c.name for c in CHECKS.select()}
    if "use_after_free" not in passed:
        assert report.results["use_after_free"].outcome == "not exercised"
    # the stateful phase reached real runs through the links, the API phase deleted one
    assert report.counters["schemathesis.stateful.linked_2xx"] > 0
    assert report.counters["api.delete_then_get"] == 1
    assert report.counters["api.pages_walked"] >= 3 * 4


# (app, the checks that must catch it, text the failure must show)
FAULTS = [
    (_apps.BrokenStatusEnum, {"response_schema_conformance"}, ['"DONE" is not one of']),
    (
        _apps.BrokenIgnoresLimit,
        {"page_respects_limit", "pagination_walk"},
        ["more than limit=", "the pages overlap"],
    ),
    (_apps.BrokenMissingTotal, {"response_schema_conformance"}, ['"total" is a required']),
    (_apps.BrokenServerError, {"not_a_server_error"}, ["Server error", "skip="]),
    (
        _apps.BrokenDeleteKeeps,
        {"delete_then_gone"},
        ["get of deleted run", "expected HTTP 404, got 200", "curl -X DELETE"],
    ),
    (_apps.BrokenNonUuidId, {"ids_and_timestamps"}, ["$.items[0].id is not a UUID: 'run-"]),
    (_apps.BrokenAcceptsBadAgent, {"negative_data_rejection"}, ["Schema-violating request"]),
    (
        _apps.BrokenOtherAgentsRuns,
        {"runs_of_requested_agent"},
        ["$.items[7] belongs to agent", "not to the agent"],
    ),
    (
        _apps.BrokenListedDiffers,
        {"listed_run_equals_get"},
        ["differs from the listed one: 1 field(s) differ (status: listed"],
    ),
]


@pytest.mark.parametrize(
    ("app_class", "expected", "texts"), FAULTS, ids=[f[0].__name__ for f in FAULTS]
)
def test_each_fault_is_caught_by_the_check_one_would_expect(app_class, expected, texts):
    app = app_class()
    with served(app) as url:
        report = run_conformance(url, agent_ids=app.agent_ids, **FAST)
    assert not report.ok
    failed = set(report.failed_checks())
    assert expected <= failed, report.failure_text()
    shown = report.failure_text()
    for text in texts:
        assert text in shown
    assert f"curl -X GET '{url}/api/v1/extraction/runs" in shown or f"{url}/api/" in shown
    assert "reproduce with:" in shown
    # a single fault does not light up unrelated checks (formats, methods, content types)
    unrelated = {"ids_and_timestamps", "unsupported_method", "content_type_conformance"}
    assert not failed & (unrelated - expected)


def test_a_deleted_run_still_served_is_also_schemathesis_use_after_free():
    # the stateful phase reads a run after deleting it on some seeds only; on those, the
    # check fails, and on the others it is "not exercised", never "passed"
    outcomes = []
    for seed in (1, 5, 9):
        app = _apps.BrokenDeleteKeeps()
        with served(app) as url:
            report = run_conformance(
                url,
                agent_ids=app.agent_ids,
                checks=["use_after_free"],
                phases=["stateful"],
                max_examples=60,
                seed=seed,
            )
        outcome = report.results["use_after_free"].outcome
        assert outcome in ("failed", "not exercised"), report.summary_table()
        outcomes.append(outcome)
        if outcome == "failed":
            assert report.failed_checks() == ["use_after_free"]
            assert "Deleted resource still available" in report.failure_text()
            break
    assert "failed" in outcomes


def test_stateless_skips_the_checks_that_need_a_server_that_remembers():
    app = _apps.BrokenDeleteKeeps()
    with served(app) as url:
        report = run_conformance(url, agent_ids=app.agent_ids, stateless=True, **FAST)
    assert report.ok, report.failure_text()
    skipped = {name for name, r in report.results.items() if r.outcome == "skipped"}
    assert skipped == {c.name for c in CHECKS.select() if c.needs_state}


def test_assert_conforms_fails_a_test_with_every_failure_listed():
    app = _apps.BrokenStatusEnum()
    with served(app) as url, pytest.raises(AssertionError) as info:
        assert_conforms(
            url, agent_ids=app.agent_ids, checks=["response_schema_conformance"], **FAST
        )
    assert isinstance(info.value, NonConformance)
    assert str(info.value).startswith(f"CONFORMANCE: {url} breaks the contract")
    assert info.value.report.failed_checks() == ["response_schema_conformance"]


def test_without_agent_ids_the_walking_checks_say_why_they_judged_nothing():
    app = _apps.ReferenceApp()
    with served(app) as url:
        report = run_conformance(url, checks=["pagination_walk", "delete_then_gone"], **FAST)
    # nothing failed, but no run was seen: the verdict says nothing, and says so
    assert report.verdict == "inconclusive"
    assert not report.ok
    assert report.inconclusive is not None
    assert "--agent-id" in report.inconclusive
    result = report.results["pagination_walk"]
    assert result.outcome == "not exercised"
    assert "no runs are listed for the agent id(s) tried" in result.reason
    assert "--agent-id" in result.reason
    assert "INCONCLUSIVE: " in report.summary_table()


def test_a_long_list_is_walked_in_pages_of_at_most_100_runs():
    app = _apps.ReferenceApp(agents=1, runs_per_agent=450)
    with served(app) as url:
        report = run_conformance(
            url, agent_ids=app.agent_ids, checks=["pagination_walk", "page_has_no_gap"], phases=()
        )
    assert report.ok, report.failure_text()
    assert report.counters["api.pages_walked"] == 5  # 100 + 100 + 100 + 100 + 50
    assert report.results["page_has_no_gap"].passed >= 6


def test_the_junit_report_names_each_failing_check_with_its_failures(tmp_path):
    import xml.etree.ElementTree as ET

    app = _apps.BrokenNonUuidId()
    junit = tmp_path / "junit.xml"
    with served(app) as url:
        report = run_conformance(url, agent_ids=app.agent_ids, junit_path=junit, **FAST)
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == str(len(report.failed_checks()))
    assert suite.find("properties/property[@name='seed']").get("value") == "7"
    failure = suite.find("testcase[@name='ids_and_timestamps']/failure")
    assert failure is not None
    assert "is not a UUID: 'run-" in (failure.text or "")
    assert "curl -X GET" in (failure.text or "")
    assert suite.find("testcase[@name='not_a_server_error']/failure") is None


def test_a_list_claiming_a_billion_runs_is_walked_a_bounded_number_of_pages():
    app = _apps.BrokenEndlessList(agents=1)
    with served(app) as url:
        report = run_conformance(
            url, agent_ids=app.agent_ids, checks=["pagination_walk"], phases=()
        )
    assert report.counters["api.pages_walked"] == 50
    assert report.counters["api.walks_cut_short"] == 1
    assert report.counters["requests"] <= 60


def test_a_list_whose_pages_do_not_advance_stops_the_walk_at_once():
    app = _apps.BrokenStuckList(agents=1)
    with served(app) as url:
        report = run_conformance(
            url, agent_ids=app.agent_ids, checks=["pagination_walk"], phases=()
        )
    assert report.failed_checks() == ["pagination_walk"]
    assert "the pages overlap" in report.failure_text()
    assert report.counters["requests"] <= 5


def test_a_budget_stops_the_run_cleanly_and_says_what_ran():
    app = _apps.ReferenceApp()
    with served(app) as url:
        report = run_conformance(url, agent_ids=app.agent_ids, max_requests=40, **FAST)
    assert report.counters["requests"] == 40
    assert report.stopped == "the budget of 40 requests is spent"
    assert report.untestable is None
    assert report.verdict == "conforms"  # what ran conformed, and runs were judged
    assert report.results["pagination_walk"].outcome == "passed"
    not_reached = report.results["response_schema_conformance"]
    assert not_reached.outcome == "not exercised"
    assert not_reached.reason == "the run stopped first (see below)"
    table = report.summary_table()
    assert "40 requests of a budget of 40" in table
    assert "stopped: the budget of 40 requests is spent" in table
