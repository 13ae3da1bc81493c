import pytest
from llama_cloud import LlamaCloud, NotFoundError, RateLimitError


def client_for(mock, **options):
    return LlamaCloud(api_key="test", base_url=mock.base_url, **options)


@pytest.mark.extract_mock(seed=7, runs=20, agents=2)
def test_lists_every_run_of_an_agent(extract_mock):
    agent = extract_mock.store.agents()[0]
    runs = client_for(extract_mock).extraction.runs.list(extraction_agent_id=agent, limit=4)
    assert [run.id for run in runs] == extract_mock.store.ids(agent)  # 10 runs, 3 pages
    extract_mock.assert_called("list_runs", extraction_agent_id=agent, skip=8)


def test_a_deleted_run_is_gone(extract_mock):  # a fresh mock for each test
    runs = client_for(extract_mock).extraction.runs
    run_id = extract_mock.store.ids()[0]
    runs.delete(run_id)
    with pytest.raises(NotFoundError):
        runs.get(run_id)


@pytest.mark.extract_mock(faults={"kind": "rate_limit", "times": 1, "retry_after": 0})
def test_a_429_reaches_the_caller_without_retries(extract_mock):
    runs = client_for(extract_mock, max_retries=0).extraction.runs
    run_id = extract_mock.store.ids()[0]
    with pytest.raises(RateLimitError):
        runs.get(run_id)
    assert runs.get(run_id).id == run_id  # the fault fired once


@pytest.mark.extract_mock(mode="stateless", base_url="http://runs.internal/llama", token="s3cret")
def test_stateless_mock_behind_a_gateway(extract_mock):
    client = LlamaCloud(api_key="s3cret", base_url=extract_mock.base_url)
    run_id = "0b6f1f0e-8f5e-4c53-9a43-8c2d1e6b7a90"
    assert client.extraction.runs.get(run_id).id == run_id  # any id answers, same body each time
