"""``--extract-conformance`` adds one test to a downstream run: the conformance run against
``--extract-base-url``, or against a live mock of its own when no URL is given.

The runs that check a server go through ``runpytest_subprocess``: an inline run would import
schemathesis's lazily loaded modules inside pytester's module snapshot, which drops them
afterwards, and this process's later runs would then meet two copies of its classes."""

from __future__ import annotations

import pytest

import contracts.conformance  # noqa: F401  (imported before pytester's inline runs, see above)
from mocks import FaultSpec, live_server
from tests._net import free_port

FAST = ("-p", "no:cacheprovider", "-W", "error", "--extract-max-examples", "3")

A_DOWNSTREAM_TEST = """
def test_something_of_theirs():
    pass
"""


def test_without_the_flag_nothing_is_added(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_theirs=A_DOWNSTREAM_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1)
    assert "conformance" not in result.stdout.str()


def test_the_flag_adds_a_conformance_test_against_a_bundled_mock(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_theirs=A_DOWNSTREAM_TEST)
    result = pytester.runpytest_subprocess("--extract-conformance", "-v", *FAST)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["*collected 2 items", "*", "extract_contract::conformance PASSED*"]
    )


def test_a_stateless_bundled_mock_conforms_as_a_stateless_server(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest
        from mocks import ServerOptions

        @pytest.fixture(scope="session")
        def extract_server_options(extract_seed):
            return ServerOptions(mode="stateless", seed=extract_seed)
        """
    )
    result = pytester.runpytest_subprocess("--extract-conformance", "--extract-seed", "9", *FAST)
    result.assert_outcomes(passed=1)


def test_the_conformance_test_uses_the_server_options_fixture(pytester: pytest.Pytester) -> None:
    # a downstream conftest that serves a broken mock: the conformance test must fail
    pytester.makeconftest(
        """
        import pytest
        from mocks import FaultSpec, ServerOptions

        @pytest.fixture(scope="session")
        def extract_server_options(extract_seed):
            broken = FaultSpec("not_json", operation="get_run_by_job")
            return ServerOptions(seed=extract_seed, runs=30, token="s3cret", faults=(broken,))
        """
    )
    result = pytester.runpytest_subprocess("--extract-conformance", "-k", "conformance", *FAST)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ extract_contract::conformance _*",
            "CONFORMANCE: http://127.0.0.1:* breaks the contract: *",
            "*GET /api/v1/extraction/runs/by-job/{job_id}*",
            "*reproduce with:",
            # the token went with every request (else 401s), and is kept out of the report
            "*curl -X GET http://127.0.0.1:*/by-job/* -H 'authorization: [[]Filtered[]]'",
        ]
    )


def test_a_broken_server_at_the_base_url_fails_listing_each_check_with_curl(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_theirs=A_DOWNSTREAM_TEST)
    fault = FaultSpec("server_error", operation="get_run")
    with live_server(runs=30, seed=4, faults=(fault,), log_level="error") as server:
        agent = server.store.agents()[0]
        result = pytester.runpytest_subprocess(
            "--extract-conformance",
            "--extract-base-url",
            server.url,
            "--extract-agent-id",
            agent,
            "--extract-header",
            "X-Team: runs",
            *FAST,
        )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            f"CONFORMANCE: {server.url} breaks the contract: * in *listed_run_equals_get*",
            "[[]listed_run_equals_get[]] *",
            "*expected HTTP 200, got 500*",
            "*reproduce with:",
            # the --extract-header went with every request, its value masked (it may be a secret)
            f"*curl -X GET {server.url}/api/v1/extraction/runs/* -H 'x-team: [[]Filtered[]]'",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert ": runs'" not in result.stdout.str()
    assert server.live.journal.calls("list_runs", extraction_agent_id=agent)


def test_an_unreachable_base_url_fails_with_one_line(pytester: pytest.Pytester) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    # inline: the run ends at its preflight, before schemathesis is imported
    result = pytester.runpytest("--extract-conformance", "--extract-base-url", url, *FAST)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"--extract-base-url {url}: cannot reach the server (Connect*"])


def test_the_run_options_reach_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_theirs=A_DOWNSTREAM_TEST)
    with live_server(runs=30, seed=4, log_level="error") as server:
        agent = server.store.agents()[0]
        result = pytester.runpytest_subprocess(
            "--extract-conformance",
            "--extract-base-url",
            server.url,
            "--extract-agent-id",
            agent,
            "--extract-read-only",  # on loopback, where writes are the default
            "--extract-max-requests",
            "60",
            "--extract-rate",
            "1000",
            "--extract-timeout",
            "5",
            *FAST,
        )
        deletes = server.live.journal.calls("delete_run")
        requests = server.live.journal.calls()
    result.assert_outcomes(passed=2)
    assert deletes == []
    assert len(requests) <= 60


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--extract-timeout", "nan"],
            "--extract-timeout: expected seconds in (0, 3600], got 'nan'",
        ),
        (["--extract-timeout", "0"], "--extract-timeout: expected seconds in (0, 3600], got '0'"),
        (["--extract-rate", "-1"], "--extract-rate: expected requests per second in (0, *'-1'"),
        (
            ["--extract-max-requests", "0"],
            "--extract-max-requests: expected a whole number from 1 *",
        ),
        (["--extract-allow-delete", "run-1"], "--extract-allow-delete run-1: expected a run id*"),
        (
            ["--extract-read-only", "--extract-allow-writes"],
            "--extract-allow-writes True: expected not both read-only and writes allowed",
        ),
    ],
)
def test_a_wrong_run_option_is_a_usage_error(
    pytester: pytest.Pytester, options: list[str], message: str
) -> None:
    result = pytester.runpytest("--extract-conformance", *options)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}"])
    assert "Traceback" not in result.stderr.str()


def test_a_run_option_without_the_conformance_flag_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest("--extract-read-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--extract-read-only: only used with --extract-conformance"])
