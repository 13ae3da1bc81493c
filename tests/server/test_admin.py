"""The admin API (``--admin``): reset, runs, faults, journal; off unless asked for."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from mocks import RunStore, live_server
from mocks._core.faults import read_fault

from ._process import raw_exchange

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
        ({"kind": "server_error", "operation": 5}, "operation must be a name or a list of names"),
        ({"kind": "server_error", "operation": [1]}, "operation must be a name or a list"),
        ({"kind": "latency", "seconds": 1e9}, "seconds must be in [0, 3600]"),
        ({"kind": "rate_limit", "retry_after": -1}, "retry_after must be in"),
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


# -- auth (issue #12, item 1) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("POST", "/reset"),
        ("DELETE", "/runs"),
        ("POST", "/faults"),
        ("GET", "/journal"),
        ("DELETE", "/journal"),
    ],
)
def test_with_require_auth_the_admin_api_wants_the_token(method: str, path: str) -> None:
    with live_server(runs=3, admin=True, token="t0ken") as running:
        url = running.url + ADMIN + path
        body = b'{"kind": "server_error"}' if path == "/faults" else b""
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": "Bearer  t0ken"},  # two spaces: the API's reading
        ):
            refused = httpx.request(method, url, headers=headers, content=body)
            assert refused.status_code == 401
            assert refused.json() == {"detail": "Not authenticated"}
            assert refused.headers["www-authenticate"] == "Bearer"
        assert len(running.store) == 3  # nothing was wiped
        assert len(running.handler.faults) == 0
        allowed = httpx.request(
            method, url, headers={"Authorization": "Bearer t0ken"}, content=body
        )
        assert allowed.status_code in (200, 201)


def test_an_admin_token_guards_the_admin_api_and_not_the_api() -> None:
    with live_server(runs=3, admin=True, token="api", admin_token="adm") as running:
        run = f"{running.url}{API}/{running.store.ids()[0]}"
        admin = running.url + ADMIN + "/journal"
        assert httpx.get(admin, headers={"Authorization": "Bearer api"}).status_code == 401
        assert httpx.get(admin, headers={"Authorization": "Bearer adm"}).status_code == 200
        assert httpx.get(run, headers={"Authorization": "Bearer adm"}).status_code == 401
        assert httpx.get(run, headers={"Authorization": "Bearer api"}).status_code == 200
    with live_server(runs=3, admin=True, admin_token="adm") as running:  # an open API
        assert httpx.get(f"{running.url}{API}/{running.store.ids()[0]}").status_code == 200
        assert httpx.get(running.url + ADMIN).status_code == 401


def test_two_authorization_headers_open_neither_the_admin_api_nor_the_api() -> None:
    with live_server(runs=3, admin=True, token="t0ken") as running:
        host, port = running.url.removeprefix("http://").split(":")
        for path in (ADMIN, f"{API}/{running.store.ids()[0]}"):
            request = (
                f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken\r\n"
                "Authorization: Bearer wrong\r\nConnection: close\r\n\r\n"
            ).encode()
            answer, _ = raw_exchange((host, int(port)), request)
            assert answer.startswith(b"HTTP/1.1 401 ")


# -- all or nothing (issue #12, item 3) --------------------------------------------------------


def test_a_load_of_runs_cut_off_mid_body_adds_nothing() -> None:
    runs = RunStore.seeded(seed=97, runs=5, agents=1).runs()
    body = "".join(json.dumps(run) + "\n" for run in runs).encode()
    two_lines = body[: body.index(b"\n", body.index(b"\n") + 1) + 1]
    with live_server(runs=3, admin=True) as running:
        host, port = running.url.removeprefix("http://").split(":")
        head = (
            f"POST {ADMIN}/runs HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(head + two_lines)
            time.sleep(0.3)
        time.sleep(0.3)
        assert len(running.store) == 3
        whole = httpx.post(running.url + ADMIN + "/runs", content=body)
        assert whole.json()["added"] == 5
        assert len(running.store) == 8


# -- faults as postable JSON (issue #13, item 8) ------------------------------------------------


def test_faults_read_back_as_the_json_post_takes(admin: httpx.Client) -> None:
    posted = [
        {"kind": "unavailable", "operation": "get_run", "times": 3, "retry_after": 2},
        {"kind": "latency", "seconds": 0.01, "rate": 0.5, "seed": 4},
        {"kind": "status", "status": 418, "operation": ["list_runs", "delete_run"]},
    ]
    for fault in posted:
        assert admin.post(ADMIN + "/faults", json=fault).status_code == 201
    run_id = RunStore.seeded(seed=4, runs=12).ids()[0]
    assert admin.get(f"{API}/{run_id}").status_code == 503  # one of three spent
    listed = admin.get(ADMIN + "/faults").json()
    assert listed["faults"][0] == {
        "kind": "unavailable",
        "operation": ["get_run"],
        "times": 2,
        "seed": 0,
        "detail": None,
        "retry_after": 2,
    }
    assert listed["fired"][0] == 1
    assert all(isinstance(fault, dict) for fault in listed["faults"])
    assert admin.delete(ADMIN + "/faults").status_code == 200
    for fault in listed["faults"]:  # read, then posted back as they are
        assert admin.post(ADMIN + "/faults", json=fault).status_code == 201
    again = admin.get(ADMIN + "/faults").json()
    assert again["faults"] == listed["faults"]
    assert again["fired"] == [0, 0, 0]


# -- the journal, bounded and paged (issue #12, item 2) -----------------------------------------


def test_the_journal_is_read_by_pages_and_large_heads_are_truncated(admin: httpx.Client) -> None:
    admin.delete(ADMIN + "/journal")
    for i in range(5):
        admin.get(f"/nope/{i}", headers={"x-big": "b" * 5000})
    page = admin.get(ADMIN + "/journal", params={"skip": 1, "limit": 2}).json()
    assert (page["total"], page["skip"], page["limit"], page["dropped"]) == (5, 1, 2, 0)
    assert [call["path"] for call in page["calls"]] == ["/nope/1", "/nope/2"]
    assert all(call["truncated"] for call in page["calls"])
    assert all(len(call["headers"]["x-big"]) == 1024 for call in page["calls"])
    first = admin.get(ADMIN + "/journal").json()
    assert (first["skip"], first["limit"], len(first["calls"])) == (0, 100, 5)


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=abc", "skip=-1", "skip=x"])
def test_a_bad_journal_page_is_a_422_naming_the_parameter(admin: httpx.Client, query: str) -> None:
    response = admin.get(f"{ADMIN}/journal?{query}")
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"query {query.split('=')[0]}: expected")


# -- reset and loads off the event loop (issue #12, item 8) -------------------------------------


def test_a_slow_reset_does_not_stall_other_clients() -> None:
    release = threading.Event()
    building = threading.Event()
    with live_server(runs=12, seed=4, admin=True) as running:
        admin_api = running.live.app.admin
        assert admin_api is not None
        make = admin_api._make_source

        def slow_source() -> object:
            building.set()
            assert release.wait(20)
            return make()

        admin_api._make_source = slow_source
        run_id = running.store.ids()[0]
        assert httpx.delete(f"{running.url}{API}/{run_id}").status_code == 200
        reset: list[httpx.Response] = []
        thread = threading.Thread(
            target=lambda: reset.append(httpx.post(running.url + ADMIN + "/reset", timeout=30))
        )
        thread.start()
        try:
            assert building.wait(10)
            # the store is being rebuilt: every other client is answered meanwhile
            for _ in range(5):
                assert httpx.get(running.url + "/__extract_contract__/health").status_code == 200
                assert httpx.get(f"{running.url}{API}/{run_id}").status_code == 404  # old store
            assert httpx.get(running.url + ADMIN + "/journal").status_code == 200
            assert not reset  # still building
        finally:
            release.set()
            thread.join(30)
        assert reset[0].json() == {"reset": True, "runs": 12}
        assert httpx.get(f"{running.url}{API}/{run_id}").status_code == 200  # swapped in


def test_reset_restores_the_start_faults_all_at_once() -> None:
    with live_server(runs=3, admin=True, faults=(read_fault("unavailable:times=1"),)) as running:
        faults = running.handler.faults
        faults.clear()
        faults.add("server_error")
        assert httpx.post(running.url + ADMIN + "/reset").status_code == 200
        assert [fault.name for fault in faults] == ["unavailable"]
