"""The respx adapter: base URLs, other hosts, activation styles, sync and async clients."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx

from contracts import DEFAULT_BASE_URL
from mocks import Handler, MockAPI, RunStore

from .runs import AGENT, make_run, uid

RUNS = "/api/v1/extraction/runs"


@pytest.fixture
def store() -> RunStore:
    return RunStore([make_run(1), make_run(2)])


def test_default_base_url_is_the_real_services(store: RunStore) -> None:
    with MockAPI(store) as mock:
        assert mock.base_url == DEFAULT_BASE_URL
        response = httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
    assert response.status_code == 200
    assert response.json()["id"] == uid(1)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))


def test_unmocked_paths_of_the_api_get_the_services_404(store: RunStore) -> None:
    with MockAPI(store):
        for path in ("/api/v1/parsing/job", "/", "/api/v1/extraction/agents"):
            response = httpx.post(f"{DEFAULT_BASE_URL}{path}")
            assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_a_base_url_with_a_path_prefix(store: RunStore) -> None:
    with MockAPI(store, base_url="http://localhost:8123/proxy/") as mock:
        assert mock.base_url == "http://localhost:8123/proxy"
        ok = httpx.get(f"http://localhost:8123/proxy{RUNS}", params={"extraction_agent_id": AGENT})
        assert ok.json()["total"] == 2
        moved = httpx.get(f"http://localhost:8123/proxy{RUNS}/?extraction_agent_id={AGENT}")
        assert moved.status_code == 307
        assert moved.headers["location"] == (
            f"http://localhost:8123/proxy{RUNS}?extraction_agent_id={AGENT}"
        )
        assert httpx.get("http://localhost:8123/proxy").status_code == 404
        with pytest.raises(respx.models.AllMockedAssertionError):
            httpx.get(f"http://localhost:8123{RUNS}")  # outside the prefix
        with pytest.raises(respx.models.AllMockedAssertionError):
            httpx.get(f"http://localhost:8124/proxy{RUNS}")  # another port


def test_redirects_are_followed_to_the_right_answer(store: RunStore) -> None:
    with MockAPI(store):
        response = httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}/", follow_redirects=True)
    assert response.json()["id"] == uid(1)


def test_other_hosts_follow_respx_rules(store: RunStore) -> None:
    with MockAPI(store) as mock:
        with pytest.raises(respx.models.AllMockedAssertionError, match=r"RESPX: .* not mocked"):
            httpx.get("https://example.org/")
        mock.router.get("https://example.org/").respond(204)
        assert httpx.get("https://example.org/").status_code == 204
    with MockAPI(store, assert_all_mocked=False):
        assert httpx.get("https://example.org/").status_code == 200  # respx's auto answer


def test_lives_beside_another_respx_mock(store: RunStore) -> None:
    with respx.mock(assert_all_called=False) as other, MockAPI(store):
        other.get("https://example.org/x").respond(json={"other": True})
        assert httpx.get("https://example.org/x").json() == {"other": True}
        assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(2)}").json()["id"] == uid(2)


def test_exposes_store_faults_and_journal(store: RunStore) -> None:
    mock = MockAPI(store, token="t", journal_size=5)
    assert mock.store is store
    assert mock.handler.token == "t"
    assert mock.journal.maxlen == 5
    with mock:
        mock.faults.add("unavailable", times=1)
        assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 503
        headers = {"Authorization": "Bearer t"}
        assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}", headers=headers).status_code == 200
    assert [c.status for c in mock.calls("get_run")] == [503, 200]
    mock.assert_called("get_run", run_id=uid(1), times=2)
    mock.assert_not_called("delete_run")


def test_a_shared_handler() -> None:
    handler = Handler(RunStore([make_run(1)]))
    with MockAPI(handler=handler), MockAPI(handler=handler, base_url="http://mirror.test"):
        httpx.delete(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
        assert httpx.get(f"http://mirror.test{RUNS}/{uid(1)}").status_code == 404
    with pytest.raises(TypeError, match="either handler= or store"):
        MockAPI(RunStore(), handler=handler)


@pytest.mark.parametrize("url", ["ftp://x", "not a url", "/relative"])
def test_bad_base_url(url: str) -> None:
    with pytest.raises(ValueError, match="base_url must be an http"):
        MockAPI(RunStore(), base_url=url)


def test_decorates_sync_functions(store: RunStore) -> None:
    mock = MockAPI(store)

    @mock
    def fetch(run_id: str) -> int:
        return httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{run_id}").status_code

    assert fetch(uid(1)) == 200
    assert fetch.__name__ == "fetch"
    mock.assert_called("get_run", run_id=uid(1))


def test_decorates_async_functions(store: RunStore) -> None:
    mock = MockAPI(store)

    @mock
    async def fetch(run_id: str) -> int:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{DEFAULT_BASE_URL}{RUNS}/{run_id}")).status_code

    assert asyncio.run(fetch(uid(2))) == 200
    mock.assert_called("get_run", run_id=uid(2))


def test_start_and_stop(store: RunStore) -> None:
    mock = MockAPI(store).start()
    try:
        assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 200
    finally:
        mock.stop()
    with mock:  # and again, with the same state
        assert httpx.delete(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 200
        assert httpx.delete(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 404


def test_respx_call_log_holds_each_answer_read(store: RunStore) -> None:
    # the answer handed to respx is read already, as httpx.Response(content=...) would be
    with MockAPI(store) as mock:
        response = httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
        logged = mock.router.calls.last.response
    assert logged.content == response.content
    assert logged.json()["id"] == uid(1)
    assert logged.headers["content-length"] == str(len(response.content))


def test_head_answers_have_no_body(store: RunStore) -> None:
    with MockAPI(store):
        response = httpx.head(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
    assert (response.status_code, response.content, response.headers["allow"]) == (405, b"", "GET")


class TestFaultsThroughHttpx:
    def test_connect_error_and_read_timeout_raise_httpx_errors(self, store: RunStore) -> None:
        with MockAPI(store) as mock:
            mock.faults.add("connect_error", times=1)
            with pytest.raises(httpx.ConnectError, match="EXTRACT-CONTRACT: connect_error"):
                httpx.delete(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
            assert uid(1) in store
            mock.faults.add("read_timeout", times=1)
            with pytest.raises(httpx.ReadTimeout, match="EXTRACT-CONTRACT: read_timeout"):
                httpx.delete(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
            assert uid(1) not in store

    def test_async_clients_get_the_same_errors(self, store: RunStore) -> None:
        async def scenario() -> None:
            async with MockAPI(store) as mock, httpx.AsyncClient() as client:
                mock.faults.add("connect_error", times=1)
                with pytest.raises(httpx.ConnectError):
                    await client.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
                mock.faults.add("read_timeout", times=1)
                with pytest.raises(httpx.ReadTimeout):
                    await client.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
                assert (await client.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")).status_code == 200

        asyncio.run(scenario())

    def test_latency_sleeps_in_sync_code(
        self, store: RunStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        slept: list[float] = []
        monkeypatch.setattr("mocks._adapters.router.time.sleep", slept.append)
        with MockAPI(store) as mock:
            mock.faults.add("latency", seconds=1.5, times=1)
            assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 200
        assert slept == [1.5]

    def test_latency_is_awaited_in_async_code(
        self, store: RunStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        awaited: list[float] = []

        async def fake_sleep(seconds: float) -> None:
            awaited.append(seconds)

        monkeypatch.setattr("mocks._adapters.router.time.sleep", pytest.fail)
        monkeypatch.setattr("mocks._adapters.router.asyncio.sleep", fake_sleep)

        async def scenario() -> int:
            async with MockAPI(store) as mock, httpx.AsyncClient() as client:
                mock.faults.add("latency", seconds=2.5, times=1)
                return (await client.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")).status_code

        assert asyncio.run(scenario()) == 200
        assert awaited == [2.5]

    def test_truncated_and_not_json_bodies(self, store: RunStore) -> None:
        with MockAPI(store) as mock:
            mock.faults.add("truncated", times=1)
            response = httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
            with pytest.raises(json.JSONDecodeError):
                response.json()
            mock.faults.add("not_json", times=1)
            response = httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
            assert response.status_code == 502
            assert response.text.startswith("<html>")


def test_nested_mocks_on_one_base_url_are_answered_by_the_innermost() -> None:
    outer_store, inner_store = RunStore([make_run(1)]), RunStore([make_run(2)])
    with MockAPI(outer_store) as outer:
        assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 200
        with MockAPI(inner_store) as inner:
            assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 404
            assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(2)}").status_code == 200
            with MockAPI(outer_store, base_url="http://other.test"):  # another URL: no change
                assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(2)}").status_code == 200
        assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(2)}").status_code == 404  # outer again
    assert [c.status for c in inner.calls("get_run")] == [404, 200, 200]
    assert [c.status for c in outer.calls("get_run")] == [200, 404]


def test_nested_async_mocks_answer_from_the_innermost() -> None:
    async def scenario() -> tuple[int, int]:
        async with MockAPI(RunStore([make_run(1)])), httpx.AsyncClient() as client:
            async with MockAPI(RunStore([make_run(2)])):
                inner = (await client.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(2)}")).status_code
            outer = (await client.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(2)}")).status_code
            return inner, outer

    assert asyncio.run(scenario()) == (200, 404)


def test_stop_twice_then_start_still_answers(store: RunStore) -> None:
    mock = MockAPI(store)
    mock.start()
    mock.stop()
    mock.stop()  # one too many: nothing happens
    mock.start()
    try:
        assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 200
    finally:
        mock.stop()


def test_starts_and_stops_pair_up_like_with_blocks(store: RunStore) -> None:
    mock = MockAPI(store)
    with mock:
        with mock:
            assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 200
        assert httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}").status_code == 200  # still on
    mock.assert_called("get_run", times=2)
    # after the last stop the mock intercepts nothing (another mock keeps the network away)
    with (
        MockAPI(store, base_url="http://watch.test"),
        pytest.raises(respx.models.AllMockedAssertionError),
    ):
        httpx.get(f"{DEFAULT_BASE_URL}{RUNS}/{uid(1)}")
    mock.assert_called("get_run", times=2)
