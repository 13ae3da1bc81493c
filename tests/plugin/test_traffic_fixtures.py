"""The validating transports as fixtures, in a downstream suite run by pytester: one line to
judge (and record) a test's real exchanges; a violation fails the test with its curl line."""

from __future__ import annotations

from pathlib import Path

import pytest

DOWNSTREAM = """
import httpx
import pytest
from llama_cloud import AsyncLlamaCloud, LlamaCloud

import mocks

STORE = mocks.RunStore.seeded(seed=2, runs=5, agents=1)


@pytest.fixture(scope="module")
def upstream():
    with mocks.live_server(runs=5, seed=2, agents=1, log_level="error") as served:
        yield served.url


def test_a_faithful_service(upstream, extract_transport):
    client = LlamaCloud(api_key="tok-downstream-1234", base_url=upstream,
                        http_client=httpx.Client(transport=extract_transport))
    assert len(list(client.extraction.runs.list(extraction_agent_id=STORE.agents()[0]))) == 5
    assert extract_transport.log.exchanges == 1


def test_a_broken_answer_fails_the_test(extract_transport):
    def broken(request):
        return httpx.Response(500, json={"detail": "boom"})

    extract_transport.inner = httpx.MockTransport(broken)
    client = httpx.Client(transport=extract_transport, base_url="https://api.example.test",
                          headers={"Authorization": "Bearer tok-downstream-1234"})
    assert client.get("/api/v1/extraction/runs/" + STORE.ids()[0]).status_code == 500


@pytest.mark.anyio
async def test_the_async_twin(upstream, extract_async_transport):
    http = httpx.AsyncClient(transport=extract_async_transport)
    async with AsyncLlamaCloud(api_key="x", base_url=upstream, http_client=http) as c:
        run = await c.extraction.runs.get(STORE.ids()[0])
    assert run.id == STORE.ids()[0]
"""


def test_the_fixtures_judge_and_record(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    record = tmp_path / "rec"
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-p",
        "anyio",
        "-W",
        "error",
        "--extract-record",
        str(record),
        "--extract-scrub",
        "x-tenant",
    )
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_a_broken_answer_fails_the_test*",
            "*CONTRACT: 1 violation in real traffic:*",
            "*status 500 is not one get_run defines (200, 404, 422) [[]status_code_conformance[]]*",
            "*curl -X GET https://api.example.test/api/v1/extraction/runs/*"
            "authorization: [[]Filtered[]]*",
        ]
    )
    assert "tok-downstream-1234" not in result.stdout.str()
    files = sorted(p.name for p in record.iterdir())
    assert files == ["000001-list_runs.json", "000002-get_run.json", "000003-get_run.json"]
    assert all("tok-downstream-1234" not in (record / f).read_text() for f in files)


def test_an_unwritable_record_dir_is_a_usage_error(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = pytester.runpytest("--extract-record", str(blocker), "-k", "faithful")
    result.stderr.fnmatch_lines([f"*--extract-record {blocker}: exists and is not a directory*"])
    assert result.ret != 0
