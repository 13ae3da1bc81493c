"""The two adapters agree byte for byte: random requests sent through the respx router
(``MockAPI``) and through the ASGI app (``create_app``, driven over raw ASGI by httpx's
``ASGITransport``) get the same status, the same headers that matter and the same body, and
leave the same journal. Repeated query parameters and headers (``Authorization`` and ``Prefer``
included) are read once, in ``request_from``, for both."""

from __future__ import annotations

import asyncio
from urllib.parse import quote, urlencode

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks import Handler, MockAPI, RunStore, create_app
from mocks._adapters.prefer import PreferControls

BASE = "http://mock.test"
API = "/api/v1/extraction/runs"
TOKEN = "s3cret"
UNKNOWN = "00000000-0000-4000-8000-00000000beef"
RUNS = RunStore.seeded(seed=5, runs=12, agents=2).runs()
AGENT = RUNS[0]["extraction_agent_id"]
RUN_ID, JOB_ID = RUNS[0]["id"], RUNS[0]["job_id"]
MATTER = (
    "content-type",
    "content-length",
    "allow",
    "www-authenticate",
    "location",
    "retry-after",
    "preference-applied",
)


def _handler() -> Handler:
    return Handler(RunStore(RUNS), token=TOKEN, policy=PreferControls(seed=3))


def _exchange_respx(request: httpx.Request) -> tuple[httpx.Response, Handler]:
    handler = _handler()
    with MockAPI(handler=handler, base_url=BASE), httpx.Client() as client:
        response = client.send(request)
        response.read()
    return response, handler


def _exchange_asgi(request: httpx.Request) -> tuple[httpx.Response, Handler]:
    handler = _handler()

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(handler))
        async with httpx.AsyncClient(transport=transport) as client:
            response = await client.send(request)
            await response.aread()
            return response

    return asyncio.run(send()), handler


def _request(
    method: str, path: str, query: list[tuple[str, str]], headers: list[tuple[str, str]]
) -> httpx.Request:
    url = BASE + quote(path, safe="/%") + (f"?{urlencode(query)}" if query else "")
    raw = [(name.encode(), value.encode()) for name, value in headers]  # UTF-8 on the wire
    return httpx.Request(method, url, headers=raw)


def _same(request: httpx.Request) -> None:
    mine, mine_handler = _exchange_respx(request)
    theirs, their_handler = _exchange_asgi(request)
    assert mine.status_code == theirs.status_code
    assert mine.content == theirs.content
    assert [(n, mine.headers.get_list(n)) for n in MATTER] == [
        (n, theirs.headers.get_list(n)) for n in MATTER
    ]
    assert list(mine_handler.journal) == list(their_handler.journal)


_IDS = st.sampled_from([RUN_ID, RUN_ID.upper(), UNKNOWN, "not-a-uuid", "", "%00", "é"])
_PATHS = st.one_of(
    st.sampled_from([API, API, API, API + "/", "/api/v1/nothing"]),
    _IDS.map(lambda run_id: f"{API}/{run_id}"),
    st.sampled_from([JOB_ID, UNKNOWN, "123"]).map(lambda job: f"{API}/by-job/{job}"),
    st.text(alphabet="abc/-_", max_size=12).map(lambda tail: f"{API}/{tail}"),
)
# most queries name a known agent first, so that most lists are valid
_QUERY = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from([[("extraction_agent_id", AGENT)]] * 3 + [[]]),
    st.lists(
        st.tuples(
            st.sampled_from(["extraction_agent_id", "skip", "limit", "project_id", "other"]),
            st.sampled_from([AGENT, AGENT.upper(), UNKNOWN, "0", "3", "-1", "abc", "", "+2"]),
        ),
        max_size=4,
    ),
)
_AUTH = st.sampled_from(
    [
        f"Bearer {TOKEN}",
        f"bearer {TOKEN}",
        f"Bearer  {TOKEN}",
        f"Bearer {TOKEN} ",
        "Bearer wrong",
        f"Basic {TOKEN}",
        TOKEN,
    ]
)
_PREFER = st.sampled_from(
    [
        "code=404",
        "code=422",
        "code=200",
        "code=500",
        "code=abc",
        "dynamic=true",
        "dynamic=false",
        "seed=7",
        "dynamic=true; seed=8",
        "example=x",
        "return=minimal",
    ]
)
# most requests carry the right token first, so that most get past auth to the operation
_HEADERS = st.builds(
    lambda first, prefer, rest: first + prefer + rest,
    st.sampled_from([[("Authorization", f"Bearer {TOKEN}")]] * 3 + [[]]),
    st.one_of(st.just([]), _PREFER.map(lambda value: [("Prefer", value)])),
    st.lists(
        st.one_of(
            st.tuples(st.sampled_from(["Authorization", "authorization"]), _AUTH),
            st.tuples(st.sampled_from(["Prefer", "prefer"]), _PREFER),
            st.tuples(st.sampled_from(["Prefer", "prefer"]), _PREFER),
            st.tuples(st.just("X-Thing"), st.sampled_from(["1", "2", "é"])),
        ),
        max_size=3,
    ),
)
_METHODS = st.sampled_from(["GET"] * 6 + ["DELETE"] * 2 + ["POST", "PUT", "HEAD", "OPTIONS"])


@settings(max_examples=150, deadline=None)
@given(
    method=_METHODS,
    path=_PATHS,
    query=_QUERY,
    headers=_HEADERS,
)
def test_both_adapters_answer_random_requests_alike(
    method: str, path: str, query: list[tuple[str, str]], headers: list[tuple[str, str]]
) -> None:
    _same(_request(method, path, query, headers))


AUTHORISED = [("Authorization", f"Bearer {TOKEN}")]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (AUTHORISED, 200),
        ([("Authorization", f"Bearer  {TOKEN}")], 401),  # two spaces: FastAPI's reading
        ([("Authorization", f"Bearer  {TOKEN}"), ("Prefer", "dynamic=true")], 401),
        ([("Authorization", f"Bearer {TOKEN}"), ("Authorization", "Bearer wrong")], 401),
        ([("Authorization", "Bearer wrong"), ("Authorization", f"Bearer {TOKEN}")], 401),
        ([*AUTHORISED, ("Prefer", "code=404"), ("Prefer", "code=200")], 404),  # the first
    ],
)
def test_auth_and_repeated_headers_are_read_once_for_both(
    headers: list[tuple[str, str]], status: int
) -> None:
    request = _request("GET", f"{API}/{RUN_ID}", [], headers)
    _same(request)
    assert _exchange_asgi(request)[0].status_code == status


def test_a_repeated_query_parameter_takes_its_last_value_in_both() -> None:
    query = [("extraction_agent_id", AGENT), ("limit", "1"), ("limit", "2")]
    request = _request("GET", API, query, AUTHORISED)
    _same(request)
    assert _exchange_respx(request)[0].json()["limit"] == 2
