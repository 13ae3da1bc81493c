"""The API coverage report of a downstream suite: a suite with known calls (one fault, one page
past the end, the live fixture among them) reports exactly those cells, whether it runs in one
process or in two xdist workers; ``--extract-coverage-fail-under`` fails and passes around the
exact figure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

KNOWN_CALLS = """
import httpx
import pytest

RUNS = "https://api.cloud.llamaindex.ai/api/v1/extraction/runs"


def page(skip, limit, agent):
    answer = httpx.get(RUNS, params={"extraction_agent_id": agent, "skip": skip, "limit": limit})
    assert answer.status_code == 200


@pytest.mark.extract_mock(runs=6, agents=1)
def test_first_and_middle_pages(extract_mock):
    agent = extract_mock.store.agents()[0]
    page(0, 2, agent)
    page(2, 2, agent)


@pytest.mark.extract_mock(runs=6, agents=1)
def test_last_page_past_the_end_and_limit_0(extract_mock):
    agent = extract_mock.store.agents()[0]
    page(4, 2, agent)
    page(10, 2, agent)
    page(0, 0, agent)


@pytest.mark.extract_mock(runs=2)
def test_get_found_not_found_invalid_and_a_wrong_method(extract_mock):
    run_id = extract_mock.store.ids()[0]
    assert httpx.get(f"{RUNS}/{run_id}").status_code == 200
    assert httpx.get(f"{RUNS}/5f0c6e2a-9d1b-4c3e-8a7f-000000000001").status_code == 404
    assert httpx.get(f"{RUNS}/not-a-uuid").status_code == 422
    assert httpx.post(f"{RUNS}/{run_id}").status_code == 405


@pytest.mark.extract_mock(
    runs=2, faults={"kind": "status", "status": 503, "operation": "get_run_by_job", "times": 1}
)
def test_one_fault(extract_mock):
    job = extract_mock.store.runs()[0]["job_id"]
    assert httpx.get(f"{RUNS}/by-job/{job}").status_code == 503


def test_an_unknown_path(extract_mock):
    assert httpx.get("https://api.cloud.llamaindex.ai/api/v1/nowhere").status_code == 404


def test_the_live_fixture(extract_server):
    run_id = extract_server.store.ids()[0]
    assert httpx.delete(f"{extract_server.url}/api/v1/extraction/runs/{run_id}").status_code == 200
"""

EXPECTED_OPERATIONS = {
    "list_runs": {"calls": 5, "statuses": {"200": 5}, "faults": {}},
    "get_run": {"calls": 4, "statuses": {"200": 1, "404": 1, "405": 1, "422": 1}, "faults": {}},
    "delete_run": {"calls": 1, "statuses": {"200": 1}, "faults": {}},
    "get_run_by_job": {"calls": 1, "statuses": {"5xx": 1}, "faults": {"status": 1}},
}
EXPECTED_EDGES = {
    "first page": 1,
    "middle page": 1,
    "last page": 1,
    "past the end": 1,
    "limit=0": 1,
}
FIGURE = 100 * 5 / 11  # list 200, get 200/404/422, delete 200 of the 11 declared pairs


def run_suite(pytester: pytest.Pytester, *args: str, workers: int = 0) -> pytest.RunResult:
    pytester.makepyfile(test_known_calls=KNOWN_CALLS)
    plugins = ["-p", "xdist", "-p", "extract_contract", "-p", "no:cacheprovider"]
    xdist = ["-n", str(workers)] if workers else []
    return pytester.runpytest_subprocess(*plugins, *xdist, "-W", "error", *args)


@pytest.fixture
def no_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    # only xdist and this plugin, by their entry point names
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def _report(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


@pytest.mark.usefixtures("no_autoload")
@pytest.mark.parametrize("workers", [0, 2], ids=["one process", "two xdist workers"])
def test_a_suite_with_known_calls_reports_exactly_those_cells(
    pytester: pytest.Pytester, workers: int
) -> None:
    result = run_suite(
        pytester, "--extract-coverage", "--extract-coverage-report=cov.json", workers=workers
    )
    result.assert_outcomes(passed=6)
    report = _report(pytester.path / "cov.json")
    assert report["operations"] == EXPECTED_OPERATIONS
    assert report["pagination"] == EXPECTED_EDGES
    assert report["unmatched"] == {"404": 1}
    assert report["percent"] == round(FIGURE, 2)
    assert report["never_called"] == []
    assert report["never_seen"] == [
        ["list_runs", "422"],
        ["delete_run", "404"],
        ["delete_run", "422"],
        ["get_run_by_job", "200"],
        ["get_run_by_job", "404"],
        ["get_run_by_job", "422"],
    ]
    result.stdout.fnmatch_lines(
        [
            "*- extract-contract API coverage -*",
            "API coverage: 5 of 11 declared (operation, status) pairs exercised (45.5%)",
            "operation * calls * 200 * 404 * 422 * 401 * 405 * 429 * 5xx * other * faults",
            "list_runs * 5 * 5 * . * 0 * . * . * . * . * - * -",
            "get_run * 4 * 1 * 1 * 1 * . * 1 * . * . * - * -",
            "delete_run * 1 * 1 * 0 * 0 * . * . * . * . * - * -",
            "get_run_by_job * 1 * 0 * 0 * 0 * . * . * . * 1 * - * status x1",
            "pagination (list_runs 200): first page 1, middle page 1, last page 1, "
            "past the end 1, limit=0 1",
            "declared, never answered: list_runs 422, delete_run 404, delete_run 422, "
            "get_run_by_job 200, get_run_by_job 404, get_run_by_job 422",
            "paths that are no operation: 404 x1",
            "extract-contract API coverage written to cov.json",
        ]
    )


@pytest.mark.usefixtures("no_autoload")
@pytest.mark.parametrize(
    ("under", "fails"), [(FIGURE - 0.01, False), (FIGURE, False), (FIGURE + 0.01, True)]
)
def test_fail_under_fails_and_passes_around_the_exact_figure(
    pytester: pytest.Pytester, under: float, fails: bool
) -> None:
    result = run_suite(pytester, f"--extract-coverage-fail-under={under!r}", workers=2)
    result.assert_outcomes(passed=6)
    if fails:
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.stdout.fnmatch_lines(
            [
                "API coverage: 5 of 11 declared*",
                f"FAIL: API coverage 45.5% is under --extract-coverage-fail-under {under:g}% "
                "(5 of 11 declared (operation, status) pairs)",
            ]
        )
    else:
        assert result.ret == pytest.ExitCode.OK
        result.stdout.fnmatch_lines(["extract-contract API coverage 45.5% reaches *"])
        assert "API coverage: 5 of 11" not in result.stdout.str()  # the table was not asked


def test_without_the_options_nothing_is_counted(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
def test_plain(extract_mock):
    assert extract_mock.handler.coverage is None
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "API coverage" not in result.stdout.str()


def test_the_conformance_mock_is_not_the_suites_coverage(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--extract-coverage",
        "--extract-conformance",
        "--extract-max-examples=2",
        "--extract-coverage-report=cov.json",
    )
    result.assert_outcomes(passed=2)
    assert _report(pytester.path / "cov.json")["percent"] == 0
    assert "API coverage: 0 of 11 declared" in result.stdout.str()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--extract-coverage-fail-under=101"],
            "*fail-under: expected a percentage in [[]0, 100]*",
        ),
        (["--extract-coverage-fail-under=nan"], "*fail-under: expected a percentage in *'nan'"),
        (["--extract-coverage-report=no/such/dir/c.json"], "*the directory no/such/dir does not*"),
        (["--extract-coverage-fail-under=x"], "*--extract-coverage-fail-under: expected *'x'"),
    ],
)
def test_a_wrong_coverage_option_is_a_usage_error(
    pytester: pytest.Pytester, options: list[str], message: str
) -> None:
    result = pytester.runpytest(*options)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()
