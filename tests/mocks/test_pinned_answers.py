"""The handler's answers, pinned byte for byte (a digest of each body): a change to the request
path made for speed must leave every answer as it was, for the same store and query."""

from __future__ import annotations

import hashlib

import pytest

from mocks import Handler, Request, RunStore, StatelessRuns

API = "/api/v1/extraction/runs"
AGENT = "db812652-bf8a-4492-b966-25732e11c4bc"  # seed 0's first agent
NO_RUN = "00000000-0000-4000-8000-00000000dead"

# name -> (status, body length, first 16 hex digits of the body's sha256), as main answered
# them before the request path's speed work (issue 14)
PINNED = {
    "stateful get": (200, 1135, "dc7787411854cc29"),
    "stateful list-1": (200, 1256, "58301945e902a98e"),
    "stateful list-20": (200, 19989, "4823e9bd11f0d316"),
    "stateful list-empty": (200, 48, "94de06b730d68e61"),
    "stateful 422": (422, 210, "8e1f5bd5eafedbab"),
    "stateful 404": (404, 37, "e17552661ba180c0"),
    "stateless get": (200, 1137, "85494be0b11fca0c"),
    "stateless list-1": (200, 1691, "be11b0d51f0e7885"),
    "stateless list-20": (200, 26981, "997e1c95889a96b1"),
    "stateless list-empty": (200, 48, "435685beffa9393c"),
    "stateless 422": (422, 210, "8e1f5bd5eafedbab"),
    "stateless 404": (404, 22, "37ec4665a8102d11"),
}


def _requests(run_id: str, missing: Request) -> dict[str, Request]:
    return {
        "get": Request("GET", f"{API}/{run_id}"),
        "list-1": Request("GET", API, (("extraction_agent_id", AGENT), ("limit", "1"))),
        "list-20": Request(
            "GET", API, (("extraction_agent_id", AGENT), ("limit", "20"), ("skip", "3"))
        ),
        "list-empty": Request("GET", API, (("extraction_agent_id", AGENT), ("skip", "100000"))),
        "422": Request("GET", API, (("extraction_agent_id", "x"), ("limit", "0"))),
        "404": missing,
    }


@pytest.mark.parametrize("mode", ["stateful", "stateless"])
def test_the_answers_are_the_bytes_they_were(mode: str) -> None:
    if mode == "stateful":
        store = RunStore.seeded(seed=0, runs=60)
        assert store.agents()[0] == AGENT
        handler = Handler(store)
        requests = _requests(store.ids(AGENT)[3], Request("GET", f"{API}/{NO_RUN}"))
    else:
        handler = Handler(StatelessRuns(seed=0))
        requests = _requests("00000000-0000-4000-8000-000000000001", Request("GET", "/nope"))
    for name, request in requests.items():
        answer = handler.handle(request)
        digest = hashlib.sha256(answer.body).hexdigest()[:16]
        assert (answer.status, len(answer.body), digest) == PINNED[f"{mode} {name}"], name
        assert answer.headers == (("content-type", "application/json"),)
