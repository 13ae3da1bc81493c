"""Whatever arrives, the handler answers with a status FastAPI would use and a body that fits
the contract: never a 500, never an exception."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import OPERATIONS, ErrorResponse, HTTPValidationError, assert_valid
from mocks import Handler, Request, RunStore, StatelessRuns

from .runs import AGENT, make_run, uid

STORE = RunStore([make_run(n) for n in range(6)])
HANDLERS = (Handler(STORE), Handler(StatelessRuns(seed=1)))
NAMES = sorted({p.name for op in OPERATIONS for p in op.parameters} | {"other"})

values = st.one_of(
    st.sampled_from(["", "0", "-1", "7", "1.5", "abc", AGENT, AGENT.upper(), uid(3), "%00"]),
    st.text(max_size=40),
    st.integers(-(10**30), 10**30).map(str),
    st.uuids().map(str),
)
segments = st.one_of(st.sampled_from(["by-job", uid(2), AGENT, ""]), st.text(max_size=20))
paths = st.one_of(
    st.builds(lambda s: f"/api/v1/extraction/runs/{s}", segments),
    st.builds(lambda s: f"/api/v1/extraction/runs/by-job/{s}", segments),
    st.just("/api/v1/extraction/runs"),
    st.text(max_size=30).map(lambda s: "/" + s),
)


@settings(max_examples=300, deadline=None)
@given(
    which=st.sampled_from(HANDLERS),
    method=st.sampled_from(["GET", "DELETE", "POST", "PUT", "PATCH", "HEAD", "OPTIONS", "get"]),
    path=paths,
    query=st.lists(st.tuples(st.sampled_from(NAMES), values), max_size=6),
)
def test_every_request_gets_a_well_formed_answer(which, method, path, query) -> None:
    answer = which.handle(Request(method, path, tuple(query)))
    assert answer.status in (200, 307, 404, 405, 422)
    if answer.status == 307:
        assert dict(answer.headers)["location"].startswith("/api/v1/extraction/runs")
        return
    assert dict(answer.headers)["content-type"] == "application/json"
    body = json.loads(answer.body)
    if answer.status == 422:
        HTTPValidationError.model_validate(body)
    elif answer.status != 200:
        ErrorResponse.model_validate(body)
    elif "items" in body:
        assert_valid(body, "page")
    elif body != {}:
        assert_valid(body, "run")
