"""Reading a request (the one normalisation both adapters call), JSON answers, header lines,
and the fast paths beside the plain readings they must equal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks import Handler, RunStore, StatelessRuns
from mocks._core.http import (
    header_name,
    header_name_cached,
    json_answer,
    parse_query,
    read_header_lines,
    read_query,
    request_from,
)
from mocks._errors import InvalidHeader


def test_a_request_is_read_as_starlette_reads_it() -> None:
    raw = [
        (b"Host", b"h"),
        (b"X-Thing", b"1"),
        (b"x-thing", b"2"),
        (b"Authorization", b"Bearer t"),
        (b"X-Latin", "é".encode()),
    ]
    request = request_from("get", "/a b", b"limit=1&limit=2&x", raw)
    assert request.method == "get"  # methods are case-sensitive: not upper-cased
    assert request.path == "/a b"
    assert request.query == (("limit", "1"), ("limit", "2"), ("x", ""))
    assert request.headers == {
        "host": "h",
        "x-thing": "1",  # the first of a repeated header
        "authorization": "Bearer t",
        "x-latin": "Ã©",  # latin-1, as Starlette decodes
    }
    assert request.repeated == frozenset({"x-thing"})
    assert request_from("GET", "/", b"", []).repeated == frozenset()


def test_a_lower_case_method_is_not_get() -> None:
    handler = Handler(RunStore.seeded(seed=1, runs=2))
    path = f"/api/v1/extraction/runs/{handler.store.ids()[0]}"  # type: ignore[attr-defined]
    assert handler.handle(request_from("GET", path, b"", [])).status == 200
    answer = handler.handle(request_from("get", path, b"", []))
    assert (answer.status, dict(answer.headers)["allow"]) == (405, "GET")


def test_a_json_answer_is_fastapis() -> None:
    answer = json_answer(405, {"detail": "Méthode"}, (("allow", "GET"),))
    assert answer.body == '{"detail":"Méthode"}'.encode()
    assert answer.headers == (("allow", "GET"), ("content-type", "application/json"))
    with pytest.raises(ValueError, match="Out of range float"):
        json_answer(200, float("nan"))


def test_header_lines_are_read_in_order_and_a_bad_one_is_carried() -> None:
    assert read_header_lines(["X-Team: runs", "Authorization:Bearer  t "]) == {
        "X-Team": "runs",
        "Authorization": "Bearer  t",
    }
    for bad in ("Authorization Bearer x", " X: y", "X Y: z", ": v"):
        with pytest.raises(InvalidHeader) as caught:
            read_header_lines(["A: b", bad])
        assert caught.value.value == bad
        assert str(caught.value) == f"{bad!r}: expected 'Name: value'"


@given(
    st.lists(
        st.sampled_from(["a", "b", "=", "&", "%", "+", "2", "F", "é", " ", ";", "x=y"]), max_size=20
    ).map("".join)
)
@settings(max_examples=300, deadline=None)
def test_the_query_fast_path_reads_as_parse_query_does(text: str) -> None:
    raw = text.encode("utf-8")
    assert read_query(raw) == parse_query(raw)


@given(st.binary(max_size=12) | st.sampled_from([b"Host", b"ACCEPT", b"x-\xe9", b"Prefer"]))
def test_the_header_name_cache_gives_the_plain_reading(raw: bytes) -> None:
    assert header_name_cached(raw) == header_name(raw)
    assert header_name_cached(raw) == header_name(raw)  # and again, from the cache


@given(
    run_id=st.uuids().map(str),
    agent=st.none() | st.uuids().map(str),
    job=st.none() | st.uuids().map(str),
)
@settings(max_examples=50, deadline=None)
def test_the_stateless_body_cache_gives_the_made_body(
    run_id: str, agent: str | None, job: str | None
) -> None:
    runs = StatelessRuns(seed=4, cache_size=8)
    made = runs._make_body(run_id, agent, job)
    assert runs._cached_body(run_id, agent, job) == made
    assert runs._cached_body(run_id, agent, job) == made  # and again, from the cache


@given(
    items=st.lists(st.binary(max_size=40), max_size=6),
    total=st.integers(min_value=0, max_value=10**6),
    skip=st.integers(min_value=0, max_value=10**6),
    limit=st.integers(min_value=1, max_value=100),
)
def test_the_page_in_one_join_is_the_plain_page(
    items: list[bytes], total: int, skip: int, limit: int
) -> None:
    from mocks._core.store import page_json, page_json_joined

    plain = page_json(items, total, skip, limit)
    given_items = list(items)
    assert page_json_joined(given_items, total, skip, limit) == plain
