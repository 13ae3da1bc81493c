import httpx
from llama_cloud import LlamaCloud


def test_the_live_mock_over_http(extract_server):
    client = LlamaCloud(api_key="s3cret", base_url=extract_server.url)  # http://127.0.0.1:PORT
    agent = extract_server.store.agents()[0]
    page = client.extraction.runs.list(extraction_agent_id=agent, limit=10)
    assert page.total == extract_server.store.count(agent) == 30
    assert [run.id for run in page.items] == extract_server.store.ids(agent)[:10]


def test_the_live_mock_wants_the_token(extract_server):
    answer = httpx.get(
        f"{extract_server.url}/api/v1/extraction/runs/{extract_server.store.ids()[0]}"
    )
    assert answer.status_code == 401
