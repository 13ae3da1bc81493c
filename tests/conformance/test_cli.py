"""``extract-contract conform``: exit 0 / 1 / 2, one-line usage errors, the JUnit report."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from contracts.conformance import CHECKS
from mocks._cli import main
from tests._net import free_port

from . import _apps
from .conftest import served


def test_embedded_run_passes_prints_progress_and_a_table_and_writes_junit(tmp_path, capsys):
    junit = tmp_path / "conformance.xml"
    code = main(
        [
            "conform",
            "--embedded",
            "--max-examples",
            "5",
            "--seed",
            "3",
            "--report",
            f"junit={junit}",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, out
    assert "embedded mock server at http://127.0.0.1:" in err
    assert "coverage  started" in err
    assert "stateful  ." in err
    assert "run       mode: writes allowed: 127.0.0.1 is loopback" in err
    assert re.search(r"requests\]$", err, re.M)  # the progress lines count the requests
    assert re.search(r"^pagination_walk +api +\d+ +0 +passed$", out, re.M)
    assert re.search(r"^rejects_bad_parameters +api +\d+ +0 +passed$", out, re.M)
    assert "PASSED: " in out
    assert "mode: writes allowed: 127.0.0.1 is loopback" in out
    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "0"
    names = {case.get("name") for case in suite.iter("testcase")}
    assert names == {c.name for c in CHECKS.select()}
    assert f"junit report written to {junit}" in out


def test_a_broken_server_exits_1_with_the_failure_and_its_curl_line(tmp_path, capsys):
    app = _apps.BrokenIgnoresLimit()
    junit = tmp_path / "r.xml"
    with served(app) as url:
        argv = ["conform", "--base-url", url, "--max-examples", "5", "--seed", "1", "-q"]
        argv += [arg for agent in app.agent_ids for arg in ("--agent-id", agent)]
        code = main([*argv, "--checks", "page_respects_limit,pagination_walk"])
        code_junit = main([*argv, "--checks", "page_respects_limit", "--report", f"junit={junit}"])
    out, err = capsys.readouterr()
    assert code == 1
    assert code_junit == 1
    assert err == ""  # -q: no progress
    assert "FAILED: " in out
    assert "[page_respects_limit] GET /api/v1/extraction/runs" in out
    assert f"curl -X GET '{url}/api/v1/extraction/runs?" in out
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "1"
    failure = suite.find("testcase[@name='page_respects_limit']/failure")
    assert failure is not None
    assert "more than limit=" in (failure.text or "")


def test_an_unreachable_url_is_one_line_and_exit_2(capsys):
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["conform", "--base-url", url]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"extract-contract conform: error: --base-url {url}: cannot reach")
    assert "Connection refused" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "--base-url URL: the server to check is missing (or use --embedded)"),
        (["--base-url", "http://127.0.0.1:1", "--embedded"], "give one of them, not both"),
        (["--embedded", "--header", "NoColon"], "--header 'NoColon': expected 'Name: value'"),
        (["--embedded", "--header", "Bad Name: x"], "--header 'Bad Name: x'"),
        (["--embedded", "--report", "junit"], "expected FORMAT=PATH"),
        (["--embedded", "--report", "html=x.html"], "unknown format 'html' (known: junit)"),
        (["--embedded", "--report", "junit=/no/such/dir/r.xml"], "/no/such/dir does not exist"),
        (["--embedded", "--checks", "pagination"], "--checks: unknown check 'pagination'"),
        (["--embedded", "--phases", "coverage,chaos"], "--phases: unknown phase 'chaos'"),
        (["--embedded", "--agent-id", "agent-1"], "--agent-id 'agent-1': not a UUID"),
        (["--base-url", "ftp://127.0.0.1:1"], "must start with http:// or https://"),
        (
            ["--embedded", "--read-only", "--allow-writes"],
            "--allow-writes: not with --read-only: expected not both read-only and writes allowed",
        ),
        (
            [
                "--embedded",
                "--allow-writes",
                "--allow-delete",
                "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70",
            ],
            "--allow-delete 3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70: not with --allow-writes: "
            "expected no run ids when writes are allowed",
        ),
        (["--embedded", "--allow-delete", "run-1"], "--allow-delete run-1: expected a run id"),
        (
            ["--base-url", "http://user:pw@127.0.0.1:1"],
            "--base-url http://user:pw@127.0.0.1:1: expected a URL without user:password@",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(argv, message, capsys):
    assert main(["conform", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert message in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-examples", "0"], "--max-examples: expected a whole number from 1 to 1000000"),
        (["--timeout", "nan"], "--timeout: expected seconds in (0, 3600], got 'nan'"),
        (["--timeout", "0"], "--timeout: expected seconds in (0, 3600], got '0'"),
        (["--rate", "0"], "--rate: expected requests per second in (0, 1000000], got '0'"),
        (["--max-wait", "inf"], "--max-wait: expected seconds in [0, 3600], got 'inf'"),
        (["--workers", "65"], "--workers: expected a whole number from 1 to 64, got '65'"),
    ],
)
def test_a_bad_number_is_an_argparse_error_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(["conform", "--embedded", *argv])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"argument {message}" in err


def test_the_default_embedded_run_is_seeded_and_repeats(capsys):
    """The README's first command promises its default seed (issue #13, item 10): without
    --seed, an --embedded run is seed 0, the same requests and the same table every time."""
    outputs = []
    for _ in range(2):
        assert main(["conform", "--embedded", "--max-examples", "2", "-q"]) == 0
        out = capsys.readouterr().out
        assert re.search(r"\(seed 0\)$", out, re.M)  # the summary line, before the coverage
        outputs.append(re.sub(r" in \d+\.\ds \(", " in _s (", out))
    assert outputs[0] == outputs[1]
    assert re.search(r"\b\d+ requests, \d+ DELETE", outputs[0])


def test_a_run_against_a_base_url_prints_its_random_seed_and_the_seed_repeats_it(capsys):
    from mocks import live_server

    with live_server(runs=30, log_level="error") as mock:
        argv = ["conform", "--base-url", mock.url, "-q", "--max-examples", "1"]
        argv += ["--phases", "examples", "--agent-id", mock.store.agents()[0], "--read-only"]
        seeds = []
        for _ in range(2):
            assert main(argv) == 0
            found = re.search(r"\(seed (\d+)\)$", capsys.readouterr().out, re.M)
            assert found is not None
            seeds.append(int(found.group(1)))
        assert seeds[0] != seeds[1]  # random: 2**32 values
        assert main([*argv, "--seed", str(seeds[0])]) == 0
        assert re.search(rf"\(seed {seeds[0]}\)$", capsys.readouterr().out, re.M)


def test_list_checks_shows_the_registry(capsys):
    assert main(["conform", "--list-checks"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(CHECKS)
    assert "allow_header_conformance" in out
    assert "[opt-in]" in out
    assert "needs a stateful server" in out
    assert "sends DELETE: skipped when read-only" in out
    assert "rejects_bad_parameters" in out
    assert "well_formed_answers" in out


def test_a_server_that_wants_credentials_passes_with_the_header_and_says_so_without(capsys):
    from mocks import live_server

    with live_server(token="s3cret", runs=30, log_level="error") as mock:
        argv = ["conform", "--base-url", mock.url, "-q", "--max-examples", "3", "--seed", "1"]
        argv += [arg for agent in mock.store.agents() for arg in ("--agent-id", agent)]
        refused = main(argv)
        refused_err = capsys.readouterr().err
        accepted = main([*argv, "--header", "Authorization: Bearer s3cret"])
    out = capsys.readouterr().out
    assert refused == 2
    assert refused_err.count("\n") == 1
    assert "--header: " in refused_err
    assert "answered 401 (Not authenticated): credentials missing or wrong" in refused_err
    assert accepted == 0, out
    assert "PASSED: " in out
