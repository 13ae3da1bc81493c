"""The request handler: FastAPI's answers byte for byte, the four operations, auth, determinism."""

from __future__ import annotations

import json
from urllib.parse import unquote

import httpx
import pytest

from contracts import OPERATIONS, HTTPValidationError, assert_valid
from mocks import Handler, MockAPI, Request, RunStore, StatelessRuns
from mocks._core.http import parse_query

from .fastapi_answers import FASTAPI_ANSWERS
from .runs import AGENT, OTHER_AGENT, make_run, uid

BASE = "/api/v1/extraction/runs"


def ask(handler: Handler, method: str, path: str, query: str = "", **headers: str):
    return handler.handle(Request(method, unquote(path), parse_query(query), headers))


@pytest.fixture
def handler() -> Handler:
    runs = [make_run(n) for n in range(5)] + [make_run(n, agent=OTHER_AGENT) for n in (10, 11)]
    return Handler(RunStore(runs))


@pytest.mark.parametrize(
    ("method", "path", "query", "status", "headers", "body"),
    [row for row in FASTAPI_ANSWERS if row[0] != "HEAD"],
    ids=[f"{r[0]} {r[1]}?{r[2]}" for r in FASTAPI_ANSWERS if r[0] != "HEAD"],
)
def test_bad_requests_get_fastapis_exact_answer(
    handler: Handler, method, path, query, status, headers, body
) -> None:
    answer = ask(handler, method, path, query)
    assert answer.status == status
    assert answer.body == body
    assert dict(answer.headers) == headers


@pytest.mark.parametrize(
    ("method", "path", "query", "status", "headers", "body"),
    FASTAPI_ANSWERS,
    ids=[f"{r[0]} {r[1]}?{r[2]}" for r in FASTAPI_ANSWERS],
)
def test_bad_requests_through_httpx_get_fastapis_answer(
    method, path, query, status, headers, body
) -> None:
    """The same through the respx adapter: HEAD loses its body, a redirect gets a full URL."""
    with MockAPI(RunStore([make_run(1)])) as mock, httpx.Client() as client:
        url = mock.base_url + path + (f"?{query}" if query else "")
        response = client.request(method, url)
    assert response.status_code == status
    assert response.content == body
    expected = dict(headers)
    if "location" in expected:
        expected["location"] = mock.base_url + expected["location"]
    assert {k: v for k, v in response.headers.items() if k in expected} == expected


def test_every_422_body_fits_the_contract(handler: Handler) -> None:
    for method, path, query, status, _, _ in FASTAPI_ANSWERS:
        if status == 422:
            HTTPValidationError.model_validate_json(ask(handler, method, path, query).body)


@pytest.mark.parametrize(
    ("query", "skip", "limit"),
    [
        (f"extraction_agent_id={AGENT.upper()}", 0, 50),
        (f"extraction_agent_id=urn:uuid:{AGENT}&skip=1&skip=2", 2, 50),
        (f"extraction_agent_id={AGENT.replace('-', '')}&limit=abc&limit=3", 0, 3),
        (f"extraction_agent_id={{{AGENT}}}&limit=+3&unknown=x", 0, 3),
        (f"extraction_agent_id={AGENT}&limit=1.0&skip=1_000", 1000, 1),
        (f"extraction_agent_id={AGENT}&skip=99999999999999999999999", 99999999999999999999999, 50),
    ],
)
def test_lenient_like_fastapi(handler: Handler, query: str, skip: int, limit: int) -> None:
    """Any UUID spelling, the last of a repeated parameter, unknown ones ignored."""
    answer = ask(handler, "GET", BASE, query)
    assert answer.status == 200, answer.body
    page = json.loads(answer.body)
    assert (page["skip"], page["limit"], page["total"]) == (skip, limit, 5)
    assert [run["id"] for run in page["items"]] == [uid(n) for n in (4, 3, 2, 1, 0)][skip:][:limit]


def test_list_page_fits_the_contract_and_is_ordered_newest_first(handler: Handler) -> None:
    answer = ask(handler, "GET", BASE, f"extraction_agent_id={AGENT}&skip=1&limit=2")
    assert answer.status == 200
    assert dict(answer.headers) == {"content-type": "application/json"}
    page = json.loads(answer.body)
    assert_valid(page, "page")
    assert list(page) == ["items", "total", "skip", "limit"]
    assert [run["id"] for run in page["items"]] == [uid(3), uid(2)]
    assert (page["total"], page["skip"], page["limit"]) == (5, 1, 2)


def test_an_unknown_agent_has_an_empty_list(handler: Handler) -> None:
    answer = ask(handler, "GET", BASE, f"extraction_agent_id={uid(99)}")
    assert answer.body == b'{"items":[],"total":0,"skip":0,"limit":50}'


def test_get_and_get_by_job_answer_the_stored_bytes(handler: Handler) -> None:
    run = make_run(3)
    stored = json.dumps(run, separators=(",", ":")).encode()
    assert ask(handler, "GET", f"{BASE}/{uid(3).upper()}").body == stored
    assert ask(handler, "GET", f"{BASE}/by-job/{uid(3, space=1)}").body == stored
    assert ask(handler, "GET", f"{BASE}/{uid(3)}", f"project_id={uid(7)}").status == 200


def test_unknown_run_and_job_get_the_operations_404(handler: Handler) -> None:
    by_name = {op.name: op for op in OPERATIONS}
    answer = ask(handler, "GET", f"{BASE}/{uid(42)}")
    assert (answer.status, json.loads(answer.body)) == (
        404,
        {"detail": by_name["get_run"].not_found},
    )
    answer = ask(handler, "GET", f"{BASE}/by-job/{uid(42)}")
    assert (answer.status, json.loads(answer.body)) == (
        404,
        {"detail": by_name["get_run_by_job"].not_found},
    )
    answer = ask(handler, "DELETE", f"{BASE}/{uid(42)}")
    assert (answer.status, json.loads(answer.body)) == (
        404,
        {"detail": by_name["delete_run"].not_found},
    )


def test_delete_then_everything_agrees(handler: Handler) -> None:
    answer = ask(handler, "DELETE", f"{BASE}/{uid(2)}")
    assert (answer.status, answer.body) == (200, b"{}")
    assert ask(handler, "GET", f"{BASE}/{uid(2)}").status == 404
    assert ask(handler, "GET", f"{BASE}/by-job/{uid(2, space=1)}").status == 404
    page = json.loads(ask(handler, "GET", BASE, f"extraction_agent_id={AGENT}").body)
    assert page["total"] == 4
    assert uid(2) not in [run["id"] for run in page["items"]]
    assert ask(handler, "DELETE", f"{BASE}/{uid(2)}").status == 404


class TestAuth:
    @pytest.fixture
    def guarded(self) -> Handler:
        return Handler(RunStore([make_run(1)]), token="s3cret")

    @pytest.mark.parametrize(
        "authorization",
        [None, "", "Bearer", "Bearer wrong", "Basic s3cret", "s3cret", "Bearer s3cret2"],
    )
    def test_missing_or_wrong_token_is_401(self, guarded: Handler, authorization) -> None:
        headers = {} if authorization is None else {"authorization": authorization}
        answer = ask(guarded, "GET", f"{BASE}/{uid(1)}", **headers)
        assert answer.status == 401
        assert answer.body == b'{"detail":"Not authenticated"}'
        assert dict(answer.headers)["www-authenticate"] == "Bearer"

    @pytest.mark.parametrize("token", ["", "two words", 42])
    def test_a_token_must_be_one_word(self, token) -> None:
        with pytest.raises(ValueError, match="token must be a non-empty string"):
            Handler(RunStore(), token=token)

    @pytest.mark.parametrize("authorization", ["Bearer s3cret", "bearer s3cret"])
    def test_right_token_passes(self, guarded: Handler, authorization: str) -> None:
        answer = ask(guarded, "GET", f"{BASE}/{uid(1)}", authorization=authorization)
        assert answer.status == 200

    def test_auth_comes_before_validation_but_after_routing(self, guarded: Handler) -> None:
        assert ask(guarded, "GET", f"{BASE}/not-a-uuid").status == 401
        assert ask(guarded, "GET", "/elsewhere").status == 404
        assert ask(guarded, "POST", BASE).status == 405

    def test_the_journal_never_keeps_the_token(self, guarded: Handler) -> None:
        ask(guarded, "GET", f"{BASE}/{uid(1)}", authorization="Bearer s3cret")
        (call,) = guarded.journal.calls("get_run")
        assert call.headers["authorization"] == "[redacted]"
        assert "s3cret" not in repr(call)


def _replay(handler: Handler, agent: str, run_id: str) -> list[bytes]:
    requests = [
        ("GET", BASE, f"extraction_agent_id={agent}&limit=7"),
        ("GET", BASE, f"extraction_agent_id={agent}&skip=3&limit=2"),
        ("GET", f"{BASE}/{run_id}", ""),
        ("DELETE", f"{BASE}/{run_id}", ""),
        ("GET", f"{BASE}/{run_id}", ""),
        ("GET", f"{BASE}/by-job/{uid(5)}", ""),
        ("GET", BASE, "extraction_agent_id=oops&limit=-4"),
    ]
    return [ask(handler, m, p, q).body for m, p, q in requests]


def test_same_seed_gives_byte_identical_answers() -> None:
    first, second = (
        Handler(RunStore.seeded(seed=11, runs=40)),
        Handler(RunStore.seeded(seed=11, runs=40)),
    )
    agent = first.store.agents()[1]  # type: ignore[attr-defined]
    run_id = first.store.ids(agent)[4]  # type: ignore[attr-defined]
    assert _replay(first, agent, run_id) == _replay(second, agent, run_id)
    other = Handler(RunStore.seeded(seed=12, runs=40))
    assert (
        _replay(other, agent, run_id)[0]
        != _replay(Handler(RunStore.seeded(seed=11, runs=40)), agent, run_id)[0]
    )


def test_stateless_answers_are_byte_identical_across_handlers() -> None:
    agent, run_id = uid(1), uid(2)
    assert _replay(Handler(StatelessRuns(seed=3)), agent, run_id) == _replay(
        Handler(StatelessRuns(seed=3)), agent, run_id
    )


def test_default_store_is_seeded_with_seed_zero() -> None:
    assert Handler().store.run_json(RunStore.seeded().ids()[0]) is not None  # type: ignore[attr-defined]
