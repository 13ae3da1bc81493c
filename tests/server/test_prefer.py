"""Prism-style ``Prefer`` controls, served live (uvicorn in a thread, the serve configuration)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from contracts import validate
from mocks import RunningMock, live_server

API = "/api/v1/extraction/runs"
UNKNOWN = "00000000-0000-4000-8000-0000000000aa"


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with live_server(runs=30, seed=2) as running:
        yield running


@pytest.fixture(scope="module")
def strict() -> Iterator[RunningMock]:
    with live_server(runs=30, seed=2, strict=True) as running:
        yield running


def _get(
    mock: RunningMock, path: str, prefer: str | None = None, method: str = "GET"
) -> httpx.Response:
    headers = {} if prefer is None else {"Prefer": prefer}
    return httpx.request(method, mock.url + path, headers=headers, timeout=10)


def test_code_404_answers_the_operations_own_404_and_deletes_nothing(mock: RunningMock) -> None:
    run_id = mock.store.ids()[0]
    response = _get(mock, f"{API}/{run_id}", "code=404", method="DELETE")
    assert response.status_code == 404
    assert response.json() == {"detail": "Extraction run not found"}
    assert response.headers["preference-applied"] == "code=404"
    assert _get(mock, f"{API}/{run_id}").status_code == 200  # still there


def test_code_422_is_fastapis_body_for_the_first_parameter(mock: RunningMock) -> None:
    listed = _get(mock, f"{API}?extraction_agent_id={mock.store.agents()[0]}", "code=422")
    assert listed.status_code == 422
    assert listed.json()["detail"][0]["loc"] == ["query", "extraction_agent_id"]
    got = _get(mock, f"{API}/{mock.store.ids()[0]}", "code=422")
    assert got.json()["detail"][0]["loc"] == ["path", "run_id"]


@pytest.mark.parametrize(
    ("path", "codes"), [(API + "/" + UNKNOWN, "200, 404, 422"), (API, "200, 422")]
)
def test_a_status_the_contract_lacks_is_a_400_naming_the_allowed_ones(
    mock: RunningMock, path: str, codes: str
) -> None:
    query = f"?extraction_agent_id={UNKNOWN}" if path == API else ""
    response = _get(mock, path + query, "code=500")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("Prefer: code=500:")
    assert detail.endswith(f"it defines {codes}")


def test_unknown_paths_stay_404_not_found_whatever_the_prefer(mock: RunningMock) -> None:
    response = _get(mock, "/api/v1/nothing-here", "code=200")
    assert response.status_code == 404
    assert response.content == b'{"detail":"Not Found"}'


def test_code_200_for_an_id_the_store_lacks_makes_a_valid_run(mock: RunningMock) -> None:
    response = _get(mock, f"{API}/{UNKNOWN}", "code=200")
    assert response.status_code == 200
    run = response.json()
    assert run["id"] == UNKNOWN
    assert validate(run, "run") == []


def test_dynamic_answers_depend_on_the_seed_only(mock: RunningMock) -> None:
    first = _get(mock, f"{API}/{UNKNOWN}", "dynamic=true, seed=7")
    again = _get(mock, f"{API}/{UNKNOWN}", "seed=7")
    other = _get(mock, f"{API}/{UNKNOWN}", "dynamic=true; seed=8")
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.content == again.content
    assert first.content != other.content
    page = _get(mock, f"{API}?extraction_agent_id={UNKNOWN}&limit=3", "dynamic=true")
    assert validate(page.json(), "page") == []


def test_dynamic_false_is_the_stored_answer(mock: RunningMock) -> None:
    run_id = mock.store.ids()[1]
    assert (
        _get(mock, f"{API}/{run_id}", "dynamic=false").content
        == _get(mock, f"{API}/{run_id}").content
    )
    assert _get(mock, f"{API}/{UNKNOWN}", "dynamic=false").status_code == 404


@pytest.mark.parametrize(
    ("prefer", "needle"),
    [
        ("code=abc", "code=abc: expected a three-digit HTTP status"),
        ("seed=x", "seed=x: expected a whole number"),
        ("dynamic=maybe", "dynamic=maybe: expected true or false"),
        ("example=ok", "defines no named examples"),
    ],
)
def test_malformed_preferences_are_400_naming_them(
    mock: RunningMock, prefer: str, needle: str
) -> None:
    response = _get(mock, f"{API}/{UNKNOWN}", prefer)
    assert response.status_code == 400
    assert needle in response.json()["detail"]


def test_invalid_parameters_still_get_their_422(mock: RunningMock) -> None:
    response = _get(mock, f"{API}/not-a-uuid", "code=200")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "run_id"]


def test_unknown_preferences_are_ignored(mock: RunningMock) -> None:
    run_id = mock.store.ids()[2]
    plain = _get(mock, f"{API}/{run_id}")
    assert _get(mock, f"{API}/{run_id}", "return=minimal, respond-async").content == plain.content


def test_strict_ignores_every_control(strict: RunningMock) -> None:
    run_id = strict.store.ids()[0]
    assert _get(strict, f"{API}/{run_id}", "code=404").status_code == 200
    assert _get(strict, f"{API}/{UNKNOWN}", "code=200").status_code == 404
    assert _get(strict, f"{API}/{UNKNOWN}", "code=500").status_code == 404
    assert _get(strict, f"{API}/{UNKNOWN}", "code=abc").status_code == 404


def test_prefer_answers_are_journaled(mock: RunningMock) -> None:
    _get(mock, f"{API}/{UNKNOWN}", "code=422")
    last = list(mock.handler.journal)[-1]
    assert last.operation == "get_run"
    assert last.status == 422
    assert last.fault == "prefer"


def test_latency_delays_a_prefer_answer_too_and_no_other_fault_shapes_it() -> None:
    from mocks import Handler, Request, RunStore
    from mocks._adapters.prefer import PreferControls

    handler = Handler(RunStore.seeded(seed=2, runs=3), policy=PreferControls())
    handler.faults.add("latency", seconds=0.5)
    handler.faults.add("server_error")
    run_id = handler.store.ids()[0]  # type: ignore[attr-defined]
    answer = handler.handle(Request("GET", f"{API}/{run_id}", headers={"prefer": "code=404"}))
    assert (answer.status, answer.delay) == (404, 0.5)
    assert handler.handle(Request("GET", f"{API}/{run_id}")).status == 500
    assert [c.fault for c in handler.journal.calls("get_run")] == [
        "prefer+latency",
        "server_error+latency",
    ]
