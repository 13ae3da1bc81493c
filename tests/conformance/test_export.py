"""Conformance failures as regression tests: the exported module fails against a broken server
and passes against the bundled mock; it holds no secret; it is never written over a file of
yours."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from contracts.conformance import InvalidOption, run_conformance
from contracts.conformance._export import EXPORT_MARK
from mocks import ServerOptions, build_server, live_server
from mocks._cli import main
from tests._net import serve_in_thread

from . import _broken_mock

OPTIONS = ServerOptions(seed=5, runs=24, agents=2, log_level="error")
AGENTS = build_server(OPTIONS).store.agents()
FAST = {"max_examples": 3, "seed": 3, "phases": ["examples", "coverage", "fuzzing"]}


@contextmanager
def broken(kind: type[_broken_mock.Broken], options: ServerOptions = OPTIONS) -> Iterator[str]:
    """A fresh bundled mock of ``options`` with one rule broken, served for the block."""
    with serve_in_thread(kind(build_server(options).app), log_level="error") as url:
        yield url


def run_exported(pytester: pytest.Pytester, path: Path, url: str) -> pytest.RunResult:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RUNS_API_URL", url)
        return pytester.runpytest(str(path), "-p", "no:cacheprovider", "-rs", "-W", "error")


@pytest.mark.parametrize(
    ("kind", "checks"),
    [
        (_broken_mock.IgnoresLimit, {"page_respects_limit", "pagination_walk"}),
        (_broken_mock.DeleteKeeps, {"delete_then_gone"}),
        (
            _broken_mock.AcceptsBadInput,
            {"rejects_bad_parameters", "negative_data_rejection", "response_schema_conformance"},
        ),
        (_broken_mock.FailsByJob, {"not_a_server_error", "get_by_job_matches_job"}),
        (_broken_mock.CutsRunsShort, {"well_formed_answers"}),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_exported_tests_fail_against_the_broken_server_and_pass_against_the_bundled_mock(
    pytester: pytest.Pytester, tmp_path: Path, kind: type[_broken_mock.Broken], checks: set[str]
) -> None:
    exported = tmp_path / "test_regressions.py"
    with broken(kind) as url:
        report = run_conformance(url, agent_ids=AGENTS, export_tests=exported, **FAST)
    assert report.verdict == "violations"
    assert report.exported == exported
    assert checks <= {replay.check for replay in report.replays}
    text = exported.read_text(encoding="utf-8")
    assert text.startswith(EXPORT_MARK)
    count = len(report.replays)
    assert text.count("\ndef test_") == count
    for replay in report.replays:
        assert f"def test_{replay.check}__" in text  # the check's name in the test's name
    compile(text, str(exported), "exec")
    for lint in (["check", "--select", "E,F,W,I,B,UP"], ["format", "--check"]):  # readable
        linted = subprocess.run(
            [sys.executable, "-m", "ruff", *lint, "--isolated", str(exported)],
            capture_output=True,
            text=True,
        )
        assert linted.returncode == 0, linted.stdout + linted.stderr

    with broken(kind) as url:  # a fresh broken server: the regression is there again
        result = run_exported(pytester, exported, url)
    result.assert_outcomes(failed=count)
    result.stdout.fnmatch_lines(["*CheckFailed: EXTRACT-CONTRACT: *"])

    with live_server(OPTIONS) as mock:  # the bundled mock of the same runs: fixed
        result = run_exported(pytester, exported, mock.url)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("passed", 0) + outcomes.get("skipped", 0) == count
    skips = [line for line in result.stdout.lines if line.startswith("SKIPPED")]
    assert all("not exercised" in line for line in skips), skips
    assert outcomes.get("passed", 0) >= count - 8


def test_no_secret_reaches_the_file_and_the_environment_brings_them(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    token, tenant = "tok-0123456789abcdef", "tenant-secret-4242"
    options = ServerOptions(seed=5, runs=24, agents=2, log_level="error", token=token)
    headers = {"Authorization": f"Bearer {token}", "X-Tenant": tenant}
    exported = tmp_path / "test_regressions.py"
    with broken(_broken_mock.FailsByJob, options) as url:
        report = run_conformance(
            url, agent_ids=AGENTS, headers=headers, export_tests=exported, **FAST
        )
    text = exported.read_text(encoding="utf-8")
    assert report.replays
    for secret in (token, tenant, "Bearer"):
        assert secret not in text.split('"""', 2)[2]  # no value, and no Authorization header
    assert token not in text
    assert tenant not in text
    assert "RUNS_API_TOKEN" in text
    assert "RUNS_API_HEADERS" in text
    count = len(report.replays)
    with broken(_broken_mock.FailsByJob, options) as url:
        without = run_exported(pytester, exported, url)
        with pytest.MonkeyPatch.context() as env:
            env.setenv("RUNS_API_TOKEN", token)
            with_token = run_exported(pytester, exported, url)
    assert "answered 401" in without.stdout.str()
    with_token.assert_outcomes(failed=count)
    assert "answered 401" not in with_token.stdout.str()
    with live_server(options) as mock, pytest.MonkeyPatch.context() as env:
        env.setenv("RUNS_API_HEADERS", json.dumps({"Authorization": f"Bearer {token}"}))
        fixed = run_exported(pytester, exported, mock.url)
    assert fixed.parseoutcomes().get("failed", 0) == 0, fixed.stdout.str()
    assert tenant not in fixed.stdout.str()


def test_a_read_after_a_delete_is_replayed_after_the_delete(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # the stateful phase reads a run after deleting it on some seeds only (1 is one of them);
    # on the others use_after_free is "not exercised" and there is nothing to export
    exported = tmp_path / "test_regressions.py"
    with broken(_broken_mock.DeleteKeeps) as url:
        report = run_conformance(
            url,
            agent_ids=AGENTS,
            checks=["use_after_free"],
            phases=["stateful"],
            max_examples=60,
            seed=1,
            export_tests=exported,
        )
    if report.results["use_after_free"].outcome == "not exercised":
        assert report.exported is None
        return
    (replay,) = report.replays
    *deletes, read = replay.steps
    assert deletes
    assert read.method == "GET"
    assert {step.method for step in deletes} == {"DELETE"}
    assert {step.path for step in deletes} == {read.path}
    text = exported.read_text(encoding="utf-8")
    assert "Writes: 1 test(s) send DELETE" in text
    with broken(_broken_mock.DeleteKeeps) as url:
        run_exported(pytester, exported, url).assert_outcomes(failed=1)
    with live_server(OPTIONS) as mock:
        run_exported(pytester, exported, mock.url).assert_outcomes(passed=1)


def test_a_delete_to_a_host_that_is_not_loopback_is_skipped(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_writes="""
import pytest

from contracts.conformance import replay


@pytest.fixture
def api():
    with replay.client("http://runs.example.invalid") as client:
        yield client


def test_delete(api):
    api.request("DELETE", "/api/v1/extraction/runs/5f0c6e2a-9d1b-4c3e-8a7f-000000000001")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*read-only*RUNS_API_ALLOW_WRITES=1*"])


def test_nothing_is_written_without_a_failure(tmp_path: Path) -> None:
    exported = tmp_path / "test_regressions.py"
    with live_server(OPTIONS) as mock:  # the API phase alone
        report = run_conformance(mock.url, agent_ids=AGENTS, export_tests=exported, phases=[])
    assert report.verdict == "conforms"
    assert report.exported is None
    assert not exported.exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("regressions.txt", None, "a .py file (a pytest module)"),
        ("mine.py", "def test_mine():\n    pass\n", "a new file or an earlier export"),
        ("no/such/dir/test_x.py", None, "a file in an existing directory"),
    ],
)
def test_a_path_it_cannot_write_is_refused_before_the_run(
    tmp_path: Path, name: str, content: str | None, expected: str
) -> None:
    target = tmp_path / name
    if content is not None:
        target.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidOption) as caught:
        run_conformance("http://127.0.0.1:9", export_tests=target)
    assert caught.value.option == "export_tests"
    assert expected in caught.value.expected
    if content is not None:
        assert target.read_text(encoding="utf-8") == content  # yours, untouched


def test_the_command_line_exports_and_says_where(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "test_regressions.py"
    exported.write_text(EXPORT_MARK + "\n(an earlier export)\n", encoding="utf-8")
    with broken(_broken_mock.FailsByJob) as url:
        argv = ["conform", "--base-url", url, "-q", "--max-examples", "3", "--seed", "3"]
        argv += ["--phases", "examples"]
        argv += [arg for agent in AGENTS for arg in ("--agent-id", agent)]
        code = main([*argv, "--export-tests", str(exported)])
    out = capsys.readouterr().out
    assert code == 1
    written = exported.read_text(encoding="utf-8")
    assert "(an earlier export)" not in written  # an earlier export is replaced
    count = written.count("\ndef test_")
    assert f"{count} regression test(s) written to {exported}" in out
    mine = tmp_path / "test_mine.py"
    mine.write_text("def test_mine():\n    pass\n", encoding="utf-8")
    assert main(["conform", "--embedded", "--export-tests", str(mine)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"--export-tests {mine}: expected a new file or an earlier export" in err
