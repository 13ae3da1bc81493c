from hypothesis import given, settings
from hypothesis import strategies as st
from llama_cloud import LlamaCloud

from mocks import mock_api


@settings(max_examples=25, deadline=None)
@given(runs=st.integers(1, 30), limit=st.integers(1, 12))
def test_paging_sees_each_run_once(extract_seed, runs, limit):
    # function-scoped fixtures are refused inside @given: the same mock, as a context manager
    with mock_api(seed=extract_seed, runs=runs, agents=1) as mock:
        client = LlamaCloud(api_key="test", base_url=mock.base_url)
        agent = mock.store.agents()[0]
        listed = client.extraction.runs.list(extraction_agent_id=agent, limit=limit)
        assert [run.id for run in listed] == mock.store.ids(agent)
