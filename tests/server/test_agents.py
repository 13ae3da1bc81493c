"""``GET /__extract_contract__/agents``: the agents that have runs, without ``--admin``, behind
the API's token; and the same list from Python, ``LiveMock.agents()`` (issue #13, item 1)."""

from __future__ import annotations

import httpx
import pytest

from mocks import RunStore, ServerOptions, build_server, live_server

API = "/api/v1/extraction/runs"
AGENTS = "/__extract_contract__/agents"


def test_a_stateful_mock_lists_its_agents_and_their_runs() -> None:
    with live_server(runs=10, agents=3, seed=6) as running:
        store = running.store
        answer = httpx.get(running.url + AGENTS)
        assert answer.status_code == 200
        assert answer.json() == {
            "agents": [{"id": agent, "runs": store.count(agent)} for agent in store.agents()],
            "total": 3,
        }
        assert [a["runs"] for a in answer.json()["agents"]] == [4, 3, 3]
        first = answer.json()["agents"][0]
        page = httpx.get(running.url + API, params={"extraction_agent_id": first["id"]}).json()
        assert page["total"] == first["runs"]  # the ids are the ones the API lists
        paged = httpx.get(running.url + AGENTS, params={"skip": 1, "limit": 1}).json()
        assert paged == {"agents": answer.json()["agents"][1:2], "total": 3}
        # after deletes, the list follows the store
        for run_id in store.ids(first["id"]):
            httpx.delete(f"{running.url}{API}/{run_id}")
        after = httpx.get(running.url + AGENTS).json()
        assert first["id"] not in [a["id"] for a in after["agents"]]
        assert after["total"] == 2


def test_a_stateless_mock_says_every_agent_is_answered_and_gives_examples() -> None:
    with live_server(mode="stateless", seed=6) as running:
        answer = httpx.get(running.url + AGENTS).json()
        assert answer["every_agent"] is True
        assert answer["total"] is None
        assert "every agent id is answered" in answer["note"]
        assert 90 <= len(answer["agents"]) <= 100
        for agent in answer["agents"][:3]:
            page = httpx.get(running.url + API, params={"extraction_agent_id": agent["id"]})
            assert page.json()["total"] == agent["runs"] > 0


def test_with_a_token_the_agents_want_it_as_the_api_does() -> None:
    with live_server(runs=3, token="t0ken") as running:
        refused = httpx.get(running.url + AGENTS)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        allowed = httpx.get(running.url + AGENTS, headers={"Authorization": "Bearer t0ken"})
        assert allowed.json()["total"] == 3


@pytest.mark.parametrize(
    ("method", "query", "status"),
    [
        ("POST", "", 405),
        ("DELETE", "", 405),
        ("GET", "?limit=0", 422),
        ("GET", "?limit=5000", 422),
        ("GET", "?skip=-2", 422),
        ("GET", "?limit=%C3%A9", 422),
    ],
)
def test_wrong_methods_and_paging(method: str, query: str, status: int) -> None:
    with live_server(runs=3) as running:
        response = httpx.request(method, running.url + AGENTS + query)
        assert response.status_code == status
        if status == 422:
            assert response.json()["detail"].startswith("query ")


def test_live_mock_agents_gives_the_same_list_in_python() -> None:
    live = build_server(ServerOptions(runs=7, agents=2, seed=2))
    summary = live.agents()
    store = RunStore.seeded(seed=2, runs=7, agents=2)
    assert summary.agents == tuple((agent, store.count(agent)) for agent in store.agents())
    assert (summary.total, summary.every_agent) == (2, False)
    assert live.agents(limit=1).agents == summary.agents[:1]
    stateless = build_server(ServerOptions(mode="stateless", seed=2)).agents(limit=3)
    assert stateless.every_agent
    assert stateless.total is None
    assert len(stateless.agents) == 3
    assert all(runs > 0 for _, runs in stateless.agents)
