import llama_cloud
import pytest
from llama_cloud import LlamaCloud

from mocks import MockAPI, RunStore


def test_list_delete_and_not_found():
    with MockAPI(RunStore.seeded(seed=7, runs=20)) as mock:
        client = LlamaCloud(api_key="test-key", base_url=mock.base_url)
        agent = mock.store.agents()[0]

        runs = list(client.extraction.runs.list(extraction_agent_id=agent))
        assert len(runs) == mock.store.count(agent)

        client.extraction.runs.delete(runs[0].id)
        with pytest.raises(llama_cloud.NotFoundError):
            client.extraction.runs.get(runs[0].id)
        mock.assert_called("delete_run", run_id=runs[0].id)


def test_the_client_retries_a_rate_limit():
    with MockAPI() as mock:  # RunStore.seeded(): seed 0, 100 runs, 3 agents
        mock.faults.add("rate_limit", operation="get_run", times=1, retry_after=0.01)
        run_id = mock.store.ids()[0]
        client = LlamaCloud(api_key="test-key", base_url=mock.base_url, max_retries=1)

        assert client.extraction.runs.get(run_id).id == run_id
        assert [call.status for call in mock.calls("get_run")] == [429, 200]
