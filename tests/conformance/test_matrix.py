"""No luck: a parameter fault is caught in every run, whatever the seed and the budget.

Each fault server accepts one bad parameter; the negative matrix catches it at
``--max-examples 5`` under three seeds, naming the parameter and the case. The same servers,
checked by plain ``schemathesis run --checks all`` (its real CLI, in a subprocess) with the
same document, seed and budget, show that conform catches everything it catches.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contracts.conformance import run_conformance
from contracts.conformance._exchange import RawAnswer
from contracts.conformance._matrix import MatrixCase, judge, matrix

from . import _apps
from .conftest import served

DOCUMENT = Path(__file__).resolve().parents[2] / "contracts" / "openapi.json"
AGENT = "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"

# (server, the matrix's line that names the fault)
FAULTS = [
    (
        _apps.BrokenAgentNotRequired,
        "`extraction_agent_id` absent was accepted: GET /api/v1/extraction/runs answered 200; "
        "expected 422 naming query.extraction_agent_id",
    ),
    (
        _apps.BrokenNegativeSkip,
        "`skip` negative (-1) was accepted: GET /api/v1/extraction/runs?extraction_agent_id=",
    ),
    (
        _apps.BrokenLimitNotInteger,
        "`limit` not an integer (abc) was accepted: GET /api/v1/extraction/runs?",
    ),
]


def test_the_matrix_is_the_same_for_every_run_and_covers_each_operation():
    first = matrix(agent=AGENT, writes=True)
    assert first == matrix(agent=AGENT, writes=True)
    kinds = {(case.method, case.what.split(" (")[0]) for case in first}
    assert ("GET", "`extraction_agent_id` absent") in kinds
    for what in ("negative", "not an integer", "empty", "past 64 bits"):
        assert ("GET", f"`skip` {what}") in kinds
        assert ("GET", f"`limit` {what}") in kinds
    for name in ("project_id", "organization_id", "extraction_agent_id"):
        assert ("GET", f"`{name}` repeated with a bad last value") in kinds
    assert ("DELETE", "`run_id` not a UUID") in kinds
    assert ("GET", "`job_id` absent") in kinds
    assert {"the wrong method OPTIONS", "the wrong method POST", "a trailing slash"} <= {
        case.what for case in first
    }
    read_only = matrix(agent=AGENT, writes=False)
    assert {case.method for case in read_only} == {"GET", "OPTIONS"}
    assert all(case.path.split("/")[-1] != "" or case.status == 307 for case in read_only)


def test_the_delete_requests_of_the_matrix_never_name_a_listed_run():
    listed = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"
    for case in matrix(agent=AGENT, run_id=listed, writes=True):
        if case.method in ("DELETE", "POST"):
            assert listed not in case.path, case


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (RawAnswer(422, {}, {"detail": [{"loc": ["query", "skip"]}]}, ""), None),
        (RawAnswer(200, {}, {"items": []}, ""), "was accepted"),
        (RawAnswer(400, {}, {"detail": "bad"}, ""), "answered 400, expected 422 naming"),
        (RawAnswer(422, {}, {"detail": [{"loc": ["query", "limit"]}]}, ""), "does not name"),
        (RawAnswer(422, {}, "not json", ""), "does not name query.skip"),
    ],
)
def test_an_answer_is_judged_against_fastapi_s(answer, problem):
    case = MatrixCase(
        "parameters", "GET", "/x", (("skip", "-1"),), "`skip` negative", 422, ("query", "skip")
    )
    found = judge(case, answer)
    assert (found is None) if problem is None else (problem in (found or ""))


def _schemathesis_cli(url: str, seed: int, junit: Path) -> list[tuple[str, str | None]]:
    """Plain ``schemathesis run --checks all`` on the committed document: each failure it
    reports, as (title, the parameter its "invalid component" names, if any)."""
    command = [sys.executable, "-m", "schemathesis.cli", "run", str(DOCUMENT), "--url", url]
    command += ["--checks", "all", "--seed", str(seed), "--max-examples", "5", "--no-color"]
    command += ["--report", "junit", "--report-junit-path", str(junit)]
    # in a directory of its own: the CLI keeps a cache (.schemathesis/) where it runs
    cwd = junit.parent
    subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=cwd)
    found = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        for failure in case.findall("failure"):
            for block in re.split(r"^\d+\. Test Case ID: ", failure.text or "", flags=re.M)[1:]:
                title = re.search(r"^- (?:ST\d+ )?(.+)$", block, re.M)
                parameter = re.search(r"parameter `([^`]+)`", block)
                assert title is not None, block
                found.append((title.group(1).strip(), parameter.group(1) if parameter else None))
    return found


@pytest.mark.parametrize(("app_class", "line"), FAULTS, ids=[f[0].__name__ for f in FAULTS])
def test_each_parameter_fault_is_caught_in_every_run(app_class, line, tmp_path):
    for seed in (1, 2, 3):
        app = app_class()
        with served(app) as url:
            report = run_conformance(url, agent_ids=app.agent_ids, max_examples=5, seed=seed)
            if seed == 1:  # the same server, document, seed and budget, plain schemathesis
                plain = _schemathesis_cli(url, seed, tmp_path / "st.xml")
        assert report.verdict == "violations"
        assert "rejects_bad_parameters" in report.failed_checks(), (seed, report.summary_table())
        matrix_failure = next(f for f in report.failures if f.check == "rejects_bad_parameters")
        assert line in matrix_failure.message, matrix_failure.message
        assert "reproduce with" in matrix_failure.text()
        assert (matrix_failure.curl or "").startswith("curl -X GET ")
        assert f"{url}/api/v1/extraction/runs" in (matrix_failure.curl or "")
        if seed == 1:  # everything plain schemathesis finds, conform finds too
            titles = {f.title for f in report.failures}
            for title, parameter in plain:
                if title in titles:
                    continue  # schemathesis's own check, inside conform, found it as well
                assert title == "Schema-violating request accepted", (title, report.failure_text())
                assert parameter is not None
                assert f"`{parameter}`" in matrix_failure.message, (parameter, plain)
