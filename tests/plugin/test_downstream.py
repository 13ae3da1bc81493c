"""The plugin as a downstream project gets it: pytester runs throw-away test files with the plugin
switched on through its ``pytest11`` entry point (the project's own run switches it off)."""

from __future__ import annotations

import json

import pytest

from .bad_markers import assert_each_fails_setup_with_one_line

DOWNSTREAM = """
import hypothesis
import httpx
import pytest
from hypothesis import given, settings, strategies as st
from llama_cloud import AsyncLlamaCloud, LlamaCloud, NotFoundError, RateLimitError

import mocks


def client_for(base_url, **options):
    options.setdefault("max_retries", 0)
    return LlamaCloud(
        api_key="test", base_url=base_url, _strict_response_validation=True, **options
    )


def test_the_seed_is_the_option(extract_seed):
    assert extract_seed == 5


def test_the_marker_seed_defaults_to_the_option(extract_mock, extract_seed):
    assert extract_mock.store.ids() == mocks.RunStore.seeded(seed=extract_seed).ids()
    assert extract_mock.base_url == "https://api.cloud.llamaindex.ai"


@pytest.mark.extract_mock(seed=7, runs=12, agents=2, jobs=3)
def test_the_marker_shapes_the_store(extract_mock):
    store = extract_mock.store
    assert len(store) == 12 and len(store.agents()) == 2
    assert store.ids() == mocks.RunStore.seeded(seed=7, runs=12, agents=2, jobs=3).ids()
    agent = store.agents()[1]
    runs = client_for(extract_mock.base_url).extraction.runs
    assert [run.id for run in runs.list(extraction_agent_id=agent, limit=4)] == store.ids(agent)
    extract_mock.assert_called("list_runs", extraction_agent_id=agent, skip=4)


@pytest.mark.extract_mock(runs=4)
class TestTheClosestMarkerWins:
    def test_the_class_marker(self, extract_mock):
        assert len(extract_mock.store) == 4

    @pytest.mark.extract_mock(runs=6, agents=1)
    def test_its_own_marker(self, extract_mock):
        assert len(extract_mock.store) == 6
        assert len(extract_mock.store.agents()) == 1


def test_each_test_gets_a_fresh_mock_1(extract_mock):
    runs = client_for(extract_mock.base_url).extraction.runs
    first = mocks.RunStore.seeded(seed=5).ids()[0]
    runs.delete(first)
    with pytest.raises(NotFoundError):
        runs.get(first)


def test_each_test_gets_a_fresh_mock_2(extract_mock):
    test_each_test_gets_a_fresh_mock_1(extract_mock)


@pytest.mark.extract_mock(runs=3, faults=[{"kind": "rate_limit", "times": 1}, "server_error"])
def test_faults_from_the_marker(extract_mock):
    runs = client_for(extract_mock.base_url).extraction.runs
    run_id = extract_mock.store.ids()[0]
    with pytest.raises(RateLimitError) as caught:
        runs.get(run_id)
    assert caught.value.response.headers["retry-after"] == "1"
    assert httpx.get(f"{extract_mock.base_url}/api/v1/extraction/runs/{run_id}").status_code == 500


@pytest.mark.extract_mock(mode="stateless", base_url="http://gateway.test/llama", token="s3cret")
def test_stateless_behind_a_base_path_with_a_token(extract_mock):
    run_id = "0b6f1f0e-8f5e-4c53-9a43-8c2d1e6b7a90"
    url = f"http://gateway.test/llama/api/v1/extraction/runs/{run_id}"
    assert httpx.get(url).status_code == 401
    client = LlamaCloud(
        api_key="s3cret", base_url=extract_mock.base_url, _strict_response_validation=True
    )
    first, again = client.extraction.runs.get(run_id), client.extraction.runs.get(run_id)
    assert first.id == run_id and first.to_dict() == again.to_dict()
    client.extraction.runs.delete(run_id)
    assert client.extraction.runs.get(run_id).to_dict() == first.to_dict()  # nothing remembered


@pytest.mark.anyio
@pytest.mark.extract_mock(runs=5, faults={"kind": "latency", "seconds": 0.01, "times": 1})
async def test_an_async_client(extract_mock):
    client = AsyncLlamaCloud(
        api_key="test", base_url=extract_mock.base_url, _strict_response_validation=True
    )
    run_id = extract_mock.store.ids()[0]
    assert (await client.extraction.runs.get(run_id)).id == run_id
    assert [call.fault for call in extract_mock.calls("get_run")] == ["latency"]


def test_the_live_server(extract_server):
    assert extract_server.url.startswith("http://127.0.0.1:")
    store = extract_server.store
    assert len(store) == 1000  # extract-contract serve's default
    run = store.runs()[0]
    runs = client_for(extract_server.url).extraction.runs
    assert runs.get_by_job(run["job_id"]).id == run["id"]


def test_the_live_server_is_one_per_session(extract_server, extract_server_options):
    assert extract_server.live.options == extract_server_options
    test_the_live_server(extract_server)


@settings(max_examples=15, deadline=None)
@given(runs=st.integers(0, 8), limit=st.integers(1, 5))
def test_the_context_manager_inside_given(extract_seed, runs, limit):
    with mocks.mock_api(seed=extract_seed, runs=runs, agents=1) as mock:
        agent = mocks.RunStore.seeded(seed=extract_seed, runs=1, agents=1).agents()[0]
        page = client_for(mock.base_url).extraction.runs.list(
            extraction_agent_id=agent, limit=limit
        )
        assert [run.id for run in page] == mock.store.ids(agent)
        assert page.total == runs


@given(st.integers())
def test_a_function_scoped_fixture_inside_given_is_refused(extract_mock, n):
    pass
"""


def run_downstream(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    return pytester.runpytest("-p", "no:cacheprovider", "--strict-markers", "-W", "error", *args)


def test_a_downstream_suite_uses_every_fixture_the_marker_and_the_options(
    pytester: pytest.Pytester,
) -> None:
    result = run_downstream(pytester, "--extract-seed", "5")
    result.assert_outcomes(passed=13, failed=1)
    result.stdout.fnmatch_lines(
        [
            "extract-contract: --extract-seed=5",
            "*test_a_function_scoped_fixture_inside_given_is_refused*",
            "*function-scoped fixture*extract_mock*",
        ]
    )


def test_the_plugin_is_the_entry_point_extract_contract(pytester: pytest.Pytester) -> None:
    result = run_downstream(pytester, "-p", "no:extract_contract", "-k", "fresh_mock_1")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'extract_mock' not found*"])


def test_the_marker_is_registered_with_its_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.extract_mock(seed=<--extract-seed>, runs=100, *faults=()*): configure*"]
    )


def test_the_options_have_their_own_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "extract-contract (mock Extraction Runs API):",
            "*--extract-seed=N*",
            "*--extract-conformance*",
            "*--extract-base-url=URL*",
            "*--extract-agent-id=UUID*",
            "*--extract-header='NAME: VALUE'*",
            "*--extract-max-examples=N*",
        ]
    )


BAD_MARKERS = {
    "sed=1": "unknown argument sed; the arguments are: seed, runs, agents, *",
    "runs='5'": "runs must be a whole number, got '5'",
    "runs=-1": "runs must be >= 0, got -1",
    "agents=True": "agents must be a whole number, got True",
    "seed=1.5": "seed must be a whole number, got 1.5",
    "mode='stateles'": "mode must be 'stateful' or 'stateless', got 'stateles'",
    "mode='stateless', runs=5": "runs: only with mode='stateful', not 'stateless'",
    "base_url='ftp://x'": "base_url must be an http(s) URL, got 'ftp://x'",
    "token=''": "token must be a non-empty string or None, got ''",
    "faults='rate_limt'": "faults[[]0[]]: unknown fault kind 'rate_limt'; the kinds are: *",
    "faults=[{'kind': 'latency'}]": "faults[[]0[]]: fault latency: the option 'seconds' is *",
    "faults=[{'kind': 'status', 'status': 200}]": "faults[[]0[]]: fault status: status must be *",
    "faults={'kind': 'rate_limit', 'times': 0}": "faults[[]0[]]: fault rate_limit: times must *",
    "faults=[{'kind': 'latency', 'secs': 1}]": "faults[[]0[]]: fault latency: unknown option*secs*",
    "faults=[{'kind': 'server_error', 'operation': 'get'}]": "faults[[]0[]]: *'get'*",
    "faults=[{'times': 1}]": "faults[[]0[]] must be a fault kind or a dict with a 'kind', got *",
    "faults=3": "faults must be a fault kind, a dict with 'kind', or a list of those, got 3",
    "7": "takes keyword arguments only, got positional 7",
}


def test_a_wrong_marker_argument_fails_setup_with_one_line_naming_it(
    pytester: pytest.Pytester,
) -> None:
    assert_each_fails_setup_with_one_line(pytester, BAD_MARKERS)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--extract-base-url", "http://x"], "--extract-base-url: only used with *conformance"),
        (
            ["--extract-conformance", "--extract-base-url", "ftp://x"],
            "--extract-base-url 'ftp://x': expected an http:// or https:// URL",
        ),
        (
            ["--extract-conformance", "--extract-agent-id", "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"],
            "--extract-agent-id: only with --extract-base-url",
        ),
        (
            ["--extract-conformance", "--extract-base-url", "http://x", "--extract-agent-id", "a"],
            "--extract-agent-id 'a': not a UUID",
        ),
        (
            ["--extract-conformance", "--extract-header", "Authorization Bearer x"],
            "--extract-header 'Authorization Bearer x': expected 'Name: value'",
        ),
        (
            ["--extract-conformance", "--extract-max-examples", "0"],
            "*argument --extract-max-examples: expected a whole number from 1 to 1000000, got '0'",
        ),
        (
            ["--extract-seed", "x"],
            "*argument --extract-seed: expected a whole number from 0 to 18446744073709551615, "
            "got 'x'",
        ),
    ],
)
def test_a_wrong_option_is_a_usage_error(
    pytester: pytest.Pytester, options: list[str], message: str
) -> None:
    result = pytester.runpytest(*options)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}"])
    assert "Traceback" not in result.stderr.str()


def test_under_xdist_each_worker_has_its_own_mock_and_server_port(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = pytester.path / "seen"
    seen.mkdir()
    tests = "".join(
        f"""
def test_{n}(extract_mock, extract_server, worker_id):
    from llama_cloud import LlamaCloud

    runs = LlamaCloud(api_key="t", base_url=extract_mock.base_url, max_retries=0).extraction.runs
    first = extract_mock.store.ids()[0]
    runs.delete(first)  # a mock shared with another test would answer 404 here
    served = LlamaCloud(api_key="t", base_url=extract_server.url).extraction.runs
    assert served.get(extract_server.store.ids()[0]).id == extract_server.store.ids()[0]
    record = {{"worker": worker_id, "url": extract_server.url}}
    (pathlib.Path({str(seen)!r}) / "{n}.json").write_text(json.dumps(record))
"""
        for n in range(6)
    )
    pytester.makepyfile(test_workers=f"import json\nimport pathlib\n{tests}")
    # only xdist and this plugin, by their entry point names: three pytest processes start here
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    plugins = ("-p", "xdist", "-p", "extract_contract", "-p", "no:cacheprovider")
    result = pytester.runpytest_subprocess(*plugins, "-n", "2", "-W", "error")
    result.assert_outcomes(passed=6)
    records = [json.loads(path.read_text()) for path in seen.iterdir()]
    by_worker: dict[str, set[str]] = {}
    for record in records:
        by_worker.setdefault(record["worker"], set()).add(record["url"])
    assert sorted(by_worker) == ["gw0", "gw1"]
    assert all(len(urls) == 1 for urls in by_worker.values())  # one server per worker session
    assert by_worker["gw0"] != by_worker["gw1"]  # each on its own port
