"""End to end with the official client, llama-cloud 1.6.0, sync and async, strict validation on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import llama_cloud
import pytest
from llama_cloud import AsyncLlamaCloud, LlamaCloud

from mocks import MockAPI, RunStore

PAGE_SIZES = (7, 50, 333, 1000, 1001)


def sync_client(mock: MockAPI, **options: Any) -> LlamaCloud:
    options.setdefault("max_retries", 0)
    return LlamaCloud(
        api_key="test-key", base_url=mock.base_url, _strict_response_validation=True, **options
    )


def async_client(mock: MockAPI, **options: Any) -> AsyncLlamaCloud:
    options.setdefault("max_retries", 0)
    return AsyncLlamaCloud(
        api_key="test-key", base_url=mock.base_url, _strict_response_validation=True, **options
    )


@pytest.fixture(scope="module")
def thousand() -> RunStore:
    """1,000 runs of one agent (read-only: tests that delete make their own store)."""
    return RunStore.seeded(seed=21, runs=1000, agents=1)


@pytest.fixture
def store() -> RunStore:
    return RunStore.seeded(seed=22, runs=30, agents=2)


class TestSync:
    @pytest.mark.parametrize("limit", PAGE_SIZES)
    def test_auto_pagination_sees_every_run_once_in_order(
        self, thousand: RunStore, limit: int
    ) -> None:
        agent = thousand.agents()[0]
        with MockAPI(thousand) as mock:
            client = sync_client(mock)
            ids = [
                run.id
                for run in client.extraction.runs.list(extraction_agent_id=agent, limit=limit)
            ]
        assert ids == thousand.ids(agent)
        assert len(ids) == len(set(ids)) == 1000
        assert len(mock.calls("list_runs")) == -(-1000 // limit)  # the client stops at total

    def test_one_page(self, store: RunStore) -> None:
        agent = store.agents()[1]
        with MockAPI(store) as mock:
            page = sync_client(mock).extraction.runs.list(
                extraction_agent_id=agent, skip=2, limit=4
            )
        assert [run.id for run in page.items] == store.ids(agent)[2:6]
        assert (page.total, page.skip) == (store.count(agent), 2)
        assert all(run.extraction_agent_id == agent for run in page.items)

    def test_get_and_get_by_job(self, store: RunStore) -> None:
        wanted = store.runs()[5]
        with MockAPI(store) as mock:
            client = sync_client(mock)
            run = client.extraction.runs.get(wanted["id"])
            by_job = client.extraction.runs.get_by_job(wanted["job_id"])
        assert isinstance(run, llama_cloud.types.extraction.ExtractRun)
        assert run.model_dump(mode="json") == by_job.model_dump(mode="json")
        assert run.to_dict(mode="json") == wanted

    def test_delete_then_get_is_not_found(self, store: RunStore) -> None:
        run = store.runs()[0]
        with MockAPI(store) as mock:
            client = sync_client(mock)
            assert client.extraction.runs.delete(run["id"]) == {}
            with pytest.raises(llama_cloud.NotFoundError) as caught:
                client.extraction.runs.get(run["id"])
            assert caught.value.body == {"detail": "Extraction run not found"}
            with pytest.raises(llama_cloud.NotFoundError):
                client.extraction.runs.get_by_job(run["job_id"])
            with pytest.raises(llama_cloud.NotFoundError):
                client.extraction.runs.delete(run["id"])
            page = client.extraction.runs.list(extraction_agent_id=run["extraction_agent_id"])
        assert run["id"] not in [r.id for r in page.items]
        assert page.total == store.count(run["extraction_agent_id"])
        mock.assert_called("delete_run", run_id=run["id"], times=2)

    def test_422_names_the_field(self, store: RunStore) -> None:
        with MockAPI(store) as mock:
            client = sync_client(mock)
            with pytest.raises(llama_cloud.UnprocessableEntityError) as caught:
                client.extraction.runs.list(extraction_agent_id="agent-7")
            assert caught.value.body["detail"][0]["loc"] == ["query", "extraction_agent_id"]
            with pytest.raises(llama_cloud.UnprocessableEntityError) as caught:
                client.extraction.runs.get("run-7")
            assert caught.value.body["detail"][0]["loc"] == ["path", "run_id"]

    def test_429_is_retried_then_succeeds(self, store: RunStore) -> None:
        run_id = store.ids()[0]
        with MockAPI(store) as mock:
            mock.faults.add("rate_limit", operation="get_run", times=2, retry_after=0.01)
            run = sync_client(mock, max_retries=2).extraction.runs.get(run_id)
        assert run.id == run_id
        calls = mock.calls("get_run")
        assert [(c.status, c.headers["x-stainless-retry-count"]) for c in calls] == [
            (429, "0"),
            (429, "1"),
            (200, "2"),
        ]

    def test_500_is_internal_server_error(self, store: RunStore) -> None:
        with MockAPI(store) as mock:
            mock.faults.add("server_error", times=1)
            with pytest.raises(llama_cloud.InternalServerError) as caught:
                sync_client(mock).extraction.runs.get(store.ids()[0])
        assert caught.value.status_code == 500

    def test_connection_errors(self, store: RunStore) -> None:
        with MockAPI(store) as mock:
            mock.faults.add("connect_error", times=1)
            with pytest.raises(llama_cloud.APIConnectionError):
                sync_client(mock).extraction.runs.get(store.ids()[0])
            mock.faults.add("read_timeout", times=1)
            with pytest.raises(llama_cloud.APITimeoutError):
                sync_client(mock).extraction.runs.get(store.ids()[0])

    def test_the_clients_default_base_url(
        self, store: RunStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("LLAMA_CLOUD_BASE_URL", raising=False)
        with MockAPI(store) as mock:
            client = LlamaCloud(api_key="k", _strict_response_validation=True, max_retries=0)
            assert client.extraction.runs.get(store.ids()[3]).id == store.ids()[3]
        assert mock.calls("get_run")[0].headers["authorization"] == "[redacted]"

    def test_bearer_auth(self, store: RunStore) -> None:
        with MockAPI(store, token="test-key") as mock:
            assert sync_client(mock).extraction.runs.get(store.ids()[0]).id == store.ids()[0]
        with (
            MockAPI(store, token="other") as mock,
            pytest.raises(llama_cloud.AuthenticationError),
        ):
            sync_client(mock).extraction.runs.get(store.ids()[0])


def run(coroutine: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(coroutine())  # type: ignore[arg-type]


class TestAsync:
    @pytest.mark.parametrize("limit", PAGE_SIZES)
    def test_auto_pagination_sees_every_run_once_in_order(
        self, thousand: RunStore, limit: int
    ) -> None:
        agent = thousand.agents()[0]

        async def scenario() -> list[str]:
            async with MockAPI(thousand) as mock:
                client = async_client(mock)
                return [
                    r.id
                    async for r in client.extraction.runs.list(
                        extraction_agent_id=agent, limit=limit
                    )
                ]

        assert run(scenario) == thousand.ids(agent)

    def test_get_get_by_job_delete_and_not_found(self, store: RunStore) -> None:
        wanted = store.runs()[2]

        async def scenario() -> None:
            async with MockAPI(store) as mock:
                client = async_client(mock)
                got = await client.extraction.runs.get(wanted["id"])
                by_job = await client.extraction.runs.get_by_job(wanted["job_id"])
                assert got.id == by_job.id == wanted["id"]
                assert await client.extraction.runs.delete(wanted["id"]) == {}
                with pytest.raises(llama_cloud.NotFoundError):
                    await client.extraction.runs.get(wanted["id"])

        run(scenario)

    def test_422_429_500(self, store: RunStore) -> None:
        async def scenario() -> None:
            async with MockAPI(store) as mock:
                client = async_client(mock)
                with pytest.raises(llama_cloud.UnprocessableEntityError) as caught:
                    await client.extraction.runs.list(extraction_agent_id="x", limit=-1)
                locs = [e["loc"] for e in caught.value.body["detail"]]
                assert locs == [["query", "extraction_agent_id"], ["query", "limit"]]

                mock.faults.add("rate_limit", times=1, retry_after=0.01)
                retried = async_client(mock, max_retries=1)
                assert (await retried.extraction.runs.get(store.ids()[1])).id == store.ids()[1]

                mock.faults.add("server_error", times=1)
                with pytest.raises(llama_cloud.InternalServerError):
                    await client.extraction.runs.get(store.ids()[1])

        run(scenario)


def test_stateless_mode_satisfies_the_strict_client() -> None:
    from mocks import StatelessRuns

    agent, run_id, job_id = (
        "0b3c9a52-5f0e-4d8c-9a4e-2f7c1d6e8b90",
        "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    )
    with MockAPI(StatelessRuns(seed=5, max_total=80)) as mock:
        client = sync_client(mock)
        assert mock.store.total(agent) == 10  # type: ignore[attr-defined]  # four pages of 3
        listed = list(client.extraction.runs.list(extraction_agent_id=agent, limit=3))
        assert len(listed) == len({r.id for r in listed}) == mock.store.total(agent)  # type: ignore[attr-defined]
        assert client.extraction.runs.get(run_id).id == run_id
        assert client.extraction.runs.get_by_job(job_id).job_id == job_id
        assert client.extraction.runs.delete(run_id) == {}
        assert client.extraction.runs.get(run_id).id == run_id  # nothing is remembered


def test_the_clients_own_run_objects_can_fill_the_store(store: RunStore) -> None:
    """Runs a test already holds as client models go in as they are and come back equal."""
    wanted = store.runs()[:3]
    models = [llama_cloud.types.extraction.ExtractRun.model_validate(run) for run in wanted]
    own = RunStore(models)
    with MockAPI(own) as mock:
        got = [sync_client(mock).extraction.runs.get(run["id"]) for run in wanted]
    assert [run.to_dict(mode="json") for run in got] == wanted
