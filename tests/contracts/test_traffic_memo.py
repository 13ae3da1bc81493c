"""The memo of judgements: an exchange equal byte for byte (in all that the judge reads) to one
judged lately gets the same judgement; anything else is judged afresh; it stays bounded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.conformance import CHECKS, NOT_JSON
from contracts.traffic import JudgementMemo, Referee, judge
from mocks import Handler, Request, RunStore

from ..mocks.runs import AGENT, OTHER_AGENT, make_run, uid

API = "/api/v1/extraction/runs"
STORE = RunStore([make_run(n) for n in range(5)] + [make_run(9, agent=OTHER_AGENT)])
HANDLER = Handler(STORE)
MAX = 10 * 1024 * 1024


def _same(a: Any, b: Any) -> bool:
    """Equal judgements, but for the body's JSON value, which a kept one does not hold."""
    return (a.operation, a.violations, a.judged, a.unjudged) == (
        b.operation,
        b.violations,
        b.judged,
        b.unjudged,
    )


def _answer(method: str, path: str, query: list[tuple[str, str]]) -> tuple[int, Any, bytes]:
    answer = HANDLER.handle(Request(method, path, tuple(query)))
    return answer.status, list(answer.headers), answer.body


def test_every_check_the_judge_runs_is_a_function_of_one_exchange() -> None:
    # what makes a judgement reusable: no response check keeps state between exchanges
    assert [c.name for c in CHECKS if c.kind == "response" and c.needs_state] == []


requests = st.one_of(
    st.tuples(
        st.just(API),
        st.lists(
            st.tuples(
                st.sampled_from(["skip", "limit", "extraction_agent_id"]),
                st.sampled_from(["0", "1", "2", "-1", "x", AGENT, OTHER_AGENT]),
            ),
            max_size=3,
        ).map(lambda q: [("extraction_agent_id", AGENT), *q]),
    ),
    st.tuples(
        st.sampled_from([uid(1), uid(3), uid(99), "nope"]).map(lambda s: f"{API}/{s}"),
        st.just([]),
    ),
)
extra_headers = st.lists(
    st.tuples(st.sampled_from(["date", "x-request-id", "server"]), st.text(max_size=8)),
    max_size=3,
)
tampering = st.sampled_from(["none", "body", "status", "content-type", "gzip-claimed", "query"])


@settings(max_examples=150, deadline=None)
@given(exchanges=st.lists(st.tuples(requests, extra_headers, tampering), min_size=1, max_size=12))
def test_a_memo_judges_as_the_judge_does(exchanges: list[Any]) -> None:
    memo = JudgementMemo(entries=4)  # small, so that entries also leave
    for (path, query), extra, tamper in exchanges:
        status, headers, body = _answer("GET", path, query)
        if tamper == "body" and body:
            body = body[:-1] + (b"]" if body.endswith(b"}") else b"}")
        elif tamper == "status":
            status = 200 if status != 200 else 404
        elif tamper == "content-type":
            headers = [(k, "text/plain" if k == "content-type" else v) for k, v in headers]
        elif tamper == "gzip-claimed":
            headers = [*headers, ("content-encoding", "gzip")]
        elif tamper == "query":
            query = [*query, ("limit", "0")]
        headers = [*headers, *extra]
        got, _ = memo.judge("GET", path, query, status, headers, body, max_body=MAX)
        assert _same(got, judge("GET", path, query, status, headers, body, max_body=MAX))
    assert len(memo._kept) <= 4


def test_a_repeated_exchange_is_a_hit_and_a_changed_one_is_not() -> None:
    memo = JudgementMemo()
    query = [("extraction_agent_id", AGENT), ("limit", "2")]
    status, headers, body = _answer("GET", API, query)
    first, hit = memo.judge("GET", API, query, status, headers, body, max_body=MAX)
    assert (hit, first.violations) == (False, ())
    again, hit = memo.judge(
        "GET", API, query, status, [*headers, ("date", "x")], body, max_body=MAX
    )
    assert hit
    assert _same(again, first)
    assert again.body is NOT_JSON  # the parsed value is not kept alive
    assert first.body != NOT_JSON
    # the same bytes answering another request: the page does not echo the limit asked for
    other = [("extraction_agent_id", AGENT), ("limit", "3")]
    judged, hit = memo.judge("GET", API, other, status, headers, body, max_body=MAX)
    assert not hit
    assert {v.check for v in judged.violations} == {"page_respects_limit", "page_has_no_gap"}
    # one byte changed: judged afresh, and found
    page = json.loads(body)
    page["items"][0]["status"] = "NOPE"
    bad = json.dumps(page).encode()
    judged, hit = memo.judge("GET", API, query, status, headers, bad, max_body=MAX)
    assert not hit
    assert "response_schema_conformance" in {v.check for v in judged.violations}
    assert (memo.hits, memo.misses) == (1, 3)


def test_only_the_same_bytes_are_a_hit() -> None:
    memo = JudgementMemo()
    path = f"{API}/{uid(1)}"
    status, headers, body = _answer("GET", path, [])
    memo.judge("GET", path, [], status, headers, body, max_body=MAX)
    run = json.loads(body)
    run["id"] = uid(2)
    other = json.dumps(run, separators=(",", ":")).encode()
    assert len(other) == len(body)
    assert other != body
    judged, hit = memo.judge("GET", path, [], status, headers, other, max_body=MAX)
    assert not hit
    assert "run_matches_request" in {v.check for v in judged.violations}
    # the newer body is the one kept for that request now
    judged, hit = memo.judge("GET", path, [], status, headers, other, max_body=MAX)
    assert hit
    assert "run_matches_request" in {v.check for v in judged.violations}
    judged, hit = memo.judge("GET", path, [], status, headers, body, max_body=MAX)
    assert (hit, judged.violations) == (False, ())


def test_the_headers_judged_last_are_read_again_unless_they_are_the_same_tuple() -> None:
    """The memo keeps what the headers it saw last say (a proxy hands it one tuple per set of
    headers): the same tuple is not read again; other headers, or a list (which may change),
    are."""
    memo = JudgementMemo()
    path = f"{API}/{uid(1)}"
    status, listed, body = _answer("GET", path, [])
    json_headers = tuple(listed)
    text = tuple((k, "text/plain" if k == "content-type" else v) for k, v in listed)
    wrong = "content_type_conformance"
    for headers, hit_wanted, wrong_wanted in (
        (json_headers, False, False),
        (json_headers, True, False),
        (text, False, True),
        (json_headers, True, False),
        (listed, True, False),
    ):
        judged, hit = memo.judge("GET", path, [], status, headers, body, max_body=MAX)
        assert (hit, wrong in {v.check for v in judged.violations}) == (hit_wanted, wrong_wanted)
    listed[:] = text  # the same list, changed: read again
    judged, hit = memo.judge("GET", path, [], status, listed, body, max_body=MAX)
    assert (hit, wrong in {v.check for v in judged.violations}) == (True, True)


def test_a_memo_stays_within_its_bounds() -> None:
    memo = JudgementMemo(entries=3, max_bytes=5000, max_one=3000)
    bodies = [json.dumps({"detail": "x" * n}).encode() for n in (100, 2000, 2000, 2000, 100)]
    for n, body in enumerate(bodies):
        path = f"{API}/{uid(n)}"
        memo.judge("GET", path, [], 404, [("content-type", "application/json")], body, max_body=MAX)
        assert len(memo._kept) <= 3
        assert memo._bytes <= 5000
        assert memo._bytes == sum(len(b) for b, _ in memo._kept.values())
    big = b'{"detail":"' + b"y" * 4000 + b'"}'
    memo.judge("GET", API, [], 404, [], big, max_body=MAX)
    assert all(b != big for b, _ in memo._kept.values())  # over max_one: judged, not kept
    none = JudgementMemo(entries=0)
    none.judge("GET", API, [], 404, [], bodies[0], max_body=MAX)
    none.judge("GET", API, [], 404, [], bodies[0], max_body=MAX)
    assert (none.hits, none.misses, none._kept) == (0, 2, {})


@pytest.mark.parametrize("bad", [-1, True, 1.5])
def test_a_memo_refuses_bounds_that_are_not_whole_numbers(bad: Any) -> None:
    with pytest.raises(ValueError, match="entries must be a whole number >= 0"):
        JudgementMemo(entries=bad)


def test_a_referee_counts_repeats_and_scrubs_each_exchange_with_its_own_secrets() -> None:
    referee = Referee(strict=True, scrub=["token"])
    path = f"{API}/{uid(1)}"
    status, headers, body = _answer("GET", path, [])
    run = json.loads(body)
    run["extraction_agent_id"] = "secret-one"  # not a UUID: a violation quoting the value
    bad = json.dumps(run).encode()
    seen = []
    for secret in ("secret-one", "secret-two"):
        settled = referee.settle(
            method="GET",
            url="http://upstream" + path,
            path=path,
            query=[("token", "the-same-query")],
            headers=[("authorization", f"Bearer {secret}")],
            status=status,
            response_headers=headers,
            body=bad,
        )
        assert settled.replacement is not None
        assert settled.replacement[0] == 502
        seen.append(settled.judgement.violations)
    assert referee.log.repeated == 1
    assert referee.log.exchanges == 2
    assert "1 of the exchanges repeated one judged lately" in referee.log.summary()
    assert referee.log.as_json()["repeated"] == 1
    # the judgement is shared, its scrubbed copy is not: each curl masks its own secrets
    for violations, secret in zip(seen, ("secret-one", "secret-two"), strict=True):
        assert violations
        assert all(secret not in v.curl for v in violations)
        assert all("the-same-query" not in v.curl for v in violations)
    # the first exchange's token is a value of the body too: never echoed in its messages
    assert all("secret-one" not in v.message for v in seen[0])


def test_a_repeated_exchange_is_recorded_as_the_first_one_was(tmp_path: Any) -> None:
    from contracts.traffic import read_recording

    referee = Referee(record=tmp_path)
    query = [("extraction_agent_id", AGENT), ("limit", "3")]
    status, headers, body = _answer("GET", API, query)
    for _ in range(2):
        referee.settle(
            method="GET",
            url="http://upstream" + API,
            path=API,
            query=query,
            headers=[("accept", "application/json")],
            status=status,
            response_headers=headers,
            body=body,
        )
    assert referee.log.repeated == 1
    first, second = read_recording(tmp_path)
    assert first.body == second.body == json.loads(body)


_NAMES = st.sampled_from(
    ["Content-Type", "content-type", "CONTENT-ENCODING", "Content-Encoding", "Date", "X-Other"]
)
_VALUES = st.sampled_from(
    ["application/json", "text/html", "gzip", " GZip , br", "identity,", "", "x"]
)


@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=6))
def test_the_memos_key_reads_the_headers_as_the_judge_does(headers: list[tuple[str, str]]) -> None:
    """``judged_headers`` (one pass, for every exchange) is what the judge reads: the first
    ``Content-Type`` and every content coding, in order."""
    from contracts.traffic._judge import codings, header, judged_headers

    assert judged_headers(headers) == (header(headers, "content-type"), tuple(codings(headers)))
