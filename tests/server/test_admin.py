"""The admin API (``--admin``): reset, runs, faults, journal; off unless asked for."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from mocks import RunStore, live_server

API = "/api/v1/extraction/runs"
ADMIN = "/__extract_contract__/admin"


@pytest.fixture
def admin() -> Iterator[httpx.Client]:
    with (
        live_server(runs=12, seed=4, admin=True) as running,
        httpx.Client(base_url=running.url, timeout=10) as http,
    ):
        yield http


def test_admin_is_off_by_default() -> None:
    with live_server(runs=3) as running:
        for method in ("GET", "POST", "DELETE"):
            response = httpx.request(method, running.url + ADMIN + "/journal")
            assert response.status_code == 404
            assert response.content == b'{"detail":"Not Found"}'


def test_index_lists_the_routes(admin: httpx.Client) -> None:
    index = admin.get(ADMIN).json()
    assert index["runs"] == 12
    assert set(index["routes"]) == {"/", "/reset", "/runs", "/faults", "/journal"}


def test_reset_brings_back_deleted_runs_and_empties_the_journal(admin: httpx.Client) -> None:
    run_id = RunStore.seeded(seed=4, runs=12).ids()[0]
    assert admin.delete(f"{API}/{run_id}").status_code == 200
    assert admin.get(f"{API}/{run_id}").status_code == 404
    assert admin.post(ADMIN + "/reset").json() == {"reset": True, "runs": 12}
    assert admin.get(f"{API}/{run_id}").status_code == 200
    calls = admin.get(ADMIN + "/journal").json()["calls"]
    assert [call["operation"] for call in calls] == ["get_run"]


def test_load_runs_then_clear(admin: httpx.Client) -> None:
    runs = RunStore.seeded(seed=99, runs=3, agents=1).runs()
    added = admin.post(ADMIN + "/runs", content=json.dumps(runs))
    assert added.status_code == 201
    assert added.json()["added"] == 3
    got = admin.get(f"{API}/{runs[0]['id']}")
    assert got.json() == runs[0]
    assert admin.delete(ADMIN + "/runs").json() == {"runs": 0}
    assert admin.get(f"{API}/{runs[0]['id']}").status_code == 404


def test_loading_a_bad_run_names_the_record_and_field(admin: httpx.Client) -> None:
    runs = RunStore.seeded(seed=98, runs=2, agents=1).runs()
    runs[1]["created_at"] = "yesterday"
    lines = "\n".join(json.dumps(run) for run in runs)
    response = admin.post(ADMIN + "/runs", content=lines)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("body:2")
    assert "created_at" in detail
    assert admin.get(f"{API}/{runs[0]['id']}").status_code == 404  # all or nothing


def test_faults_set_list_and_clear(admin: httpx.Client) -> None:
    run_id = RunStore.seeded(seed=4, runs=12).ids()[0]
    added = admin.post(
        ADMIN + "/faults", json={"kind": "unavailable", "operation": "get_run", "times": 2}
    )
    assert added.status_code == 201
    assert len(admin.get(ADMIN + "/faults").json()["faults"]) == 1
    assert admin.get(f"{API}/{run_id}").status_code == 503
    assert admin.delete(ADMIN + "/faults").json() == {"faults": [], "fired": []}
    assert admin.get(f"{API}/{run_id}").status_code == 200


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"kind": "nope"}, "unknown fault kind"),
        ({"kind": "latency"}, "seconds"),
        ({"kind": "server_error", "operation": "list_everything"}, "list_everything"),
        ({"kind": "server_error", "rate": 3}, "rate"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_bad_faults_are_422_naming_the_problem(
    admin: httpx.Client, body: object, needle: str
) -> None:
    response = admin.post(ADMIN + "/faults", json=body)
    assert response.status_code == 422
    assert needle in response.json()["detail"]


def test_journal_redacts_authorization() -> None:
    with live_server(runs=3, admin=True, token="t0ken") as running:
        url = running.url
        auth = {"Authorization": "Bearer t0ken"}
        httpx.get(url + API + "/00000000-0000-4000-8000-000000000000", headers=auth)
        calls = httpx.get(url + ADMIN + "/journal", headers=auth).json()["calls"]
        assert calls[0]["headers"]["authorization"] == "[redacted]"
        assert calls[0]["status"] == 404
        assert "t0ken" not in httpx.get(url + ADMIN + "/journal", headers=auth).text
        cleared = httpx.delete(url + ADMIN + "/journal", headers=auth).json()
        assert cleared == {"calls": [], "total": 0, "dropped": 0}


def test_wrong_admin_method_is_405_with_allow(admin: httpx.Client) -> None:
    response = admin.put(ADMIN + "/faults")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST, DELETE"
    assert admin.get(ADMIN + "/nothing").status_code == 404


def test_admin_bodies_are_capped(admin: httpx.Client) -> None:
    response = admin.post(ADMIN + "/runs", content=b"[" + b" " * (2 * 1024 * 1024) + b"]")
    assert response.status_code == 413
