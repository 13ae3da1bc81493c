"""Bad input against the real ``extract-contract serve`` process: clear 4xx answers, never 5xx."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from mocks import RunStore

from ._process import API, Served, raw_exchange, status_of


@pytest.fixture(scope="module")
def client(served: Served) -> Any:
    with httpx.Client(base_url=served.url, timeout=10) as http:
        yield http


def _agent(store: RunStore) -> str:
    return store.agents()[0]


def _loc(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 422, (response.status_code, response.text)
    return [entry["loc"] for entry in response.json()["detail"]]


LIST_CASES = {
    "missing agent id": ("", ["query", "extraction_agent_id"]),
    "not a uuid": ("extraction_agent_id=not-a-uuid", ["query", "extraction_agent_id"]),
    "%00 agent id": ("extraction_agent_id=%00", ["query", "extraction_agent_id"]),
    "unicode agent id": (
        "extraction_agent_id=%C3%A9t%C3%A9-%E2%9C%93",
        ["query", "extraction_agent_id"],
    ),
    "skip=-1": ("extraction_agent_id={agent}&skip=-1", ["query", "skip"]),
    "limit=abc": ("extraction_agent_id={agent}&limit=abc", ["query", "limit"]),
    "limit=1.5": ("extraction_agent_id={agent}&limit=1.5", ["query", "limit"]),
    "empty limit": ("extraction_agent_id={agent}&limit=", ["query", "limit"]),
    "duplicated, last bad": ("extraction_agent_id={agent}&limit=5&limit=abc", ["query", "limit"]),
    "huge skip text": ("extraction_agent_id={agent}&skip=" + "9" * 5000, ["query", "skip"]),
}


@pytest.mark.parametrize(("query", "loc"), LIST_CASES.values(), ids=LIST_CASES.keys())
def test_bad_list_parameters_get_422_naming_the_field(
    client: httpx.Client, seeded_store: RunStore, query: str, loc: list[str]
) -> None:
    response = client.get(f"{API}?{query.format(agent=_agent(seeded_store))}")
    assert loc in _loc(response)


PATH_CASES = {
    "not a uuid": ("not-a-uuid", "run_id"),
    "10 KB id": ("a" * 10240, "run_id"),
    "%00": ("%00", "run_id"),
    "unicode": ("%C3%A9t%C3%A9", "run_id"),
    "by job, not a uuid": ("by-job/123", "job_id"),
    "by job, 10 KB": ("by-job/" + "f" * 10240, "job_id"),
}


PATH_PARAMS = [
    pytest.param(method, tail, name, id=f"{method} {label}")
    for label, (tail, name) in PATH_CASES.items()
    for method in ("GET", "DELETE")
    if not (method == "DELETE" and tail.startswith("by-job/"))  # by-job has no DELETE
]


@pytest.mark.parametrize(("method", "tail", "name"), PATH_PARAMS)
def test_bad_path_parameters_get_422_naming_the_field(
    client: httpx.Client, method: str, tail: str, name: str
) -> None:
    response = client.request(method, f"{API}/{tail}")
    assert ["path", name] in _loc(response)


def test_upper_case_uuid_is_accepted(client: httpx.Client, seeded_store: RunStore) -> None:
    run_id = seeded_store.ids()[0]
    response = client.get(f"{API}/{run_id.upper()}")
    assert response.status_code == 200
    assert response.json()["id"] == run_id


def test_unknown_query_parameters_are_ignored(client: httpx.Client, seeded_store: RunStore) -> None:
    agent = _agent(seeded_store)
    plain = client.get(API, params={"extraction_agent_id": agent, "limit": 3})
    extra = client.get(f"{API}?extraction_agent_id={agent}&limit=3&page=9&foo=%00&bar=%C3%A9")
    assert plain.status_code == extra.status_code == 200
    assert plain.content == extra.content


def test_duplicated_parameters_take_the_last_value_as_fastapi_does(
    client: httpx.Client, seeded_store: RunStore
) -> None:
    response = client.get(f"{API}?extraction_agent_id={_agent(seeded_store)}&limit=abc&limit=2")
    assert response.status_code == 200
    assert response.json()["limit"] == 2


@pytest.mark.parametrize(
    "path", ["/", "/nope", "/api/v1/extraction", f"{API}/a/b/c", "/api/v2/extraction/runs"]
)
def test_unknown_paths_get_fastapis_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.content == b'{"detail":"Not Found"}'


@pytest.mark.parametrize(
    ("method", "tail", "allow"),
    [
        ("POST", "", "GET"),
        ("DELETE", "", "GET"),
        ("PUT", "/00000000-0000-4000-8000-000000000000", "GET"),
        ("PATCH", "/00000000-0000-4000-8000-000000000000", "GET"),
        ("POST", "/by-job/00000000-0000-4000-8000-000000000000", "GET"),
        ("OPTIONS", "", "GET"),
        ("OPTIONS", "/00000000-0000-4000-8000-000000000000", "GET"),
    ],
)
def test_wrong_methods_get_405_with_allow(
    client: httpx.Client, method: str, tail: str, allow: str
) -> None:
    response = client.request(method, API + tail)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json() == {"detail": "Method Not Allowed"}


def test_head_is_405_without_a_body_as_fastapi_answers(client: httpx.Client) -> None:
    # FastAPI's routes declare GET only, so HEAD is "Method Not Allowed"; no body over HTTP
    response = client.head(f"{API}/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.content == b""


def test_a_body_on_get_is_ignored(client: httpx.Client, seeded_store: RunStore) -> None:
    run_id = seeded_store.ids()[0]
    plain = client.get(f"{API}/{run_id}")
    with_body = client.request("GET", f"{API}/{run_id}", content=b'{"ignored": true}' * 100)
    assert plain.status_code == with_body.status_code == 200
    assert plain.content == with_body.content


def test_no_5xx_for_a_mix_of_odd_requests(client: httpx.Client) -> None:
    odd = [
        f"{API}/%FF%FE",
        f"{API}/..%2F..%2Fetc%2Fpasswd",
        f"{API}?extraction_agent_id=%FF",
        f"{API}//",
        f"{API}/by-job/",
        f"{API}/by-job",
        f"{API}/ /",
        f"{API}?" + "&".join(f"k{i}=v" for i in range(500)),
    ]
    for path in odd:
        response = client.get(path)
        # 307: FastAPI's trailing-slash redirect (``runs//`` -> ``runs/``), never a 200 or 5xx
        assert response.status_code in (307, 404, 405, 422), (path, response.status_code)


# -- the transport: sizes, malformed requests, slow clients -----------------------------------


def test_an_oversized_request_line_gets_414(transport_server: Served) -> None:
    request = b"GET " + API.encode() + b"/" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    answer, closed = raw_exchange(transport_server.host_port, request)
    assert status_of(answer) == 414
    assert closed


def test_oversized_headers_get_431(transport_server: Served) -> None:
    headers = b"".join(b"x-filler-%d: %s\r\n" % (i, b"v" * 1000) for i in range(80))
    request = b"GET " + API.encode() + b" HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n"
    answer, closed = raw_exchange(transport_server.host_port, request)
    assert status_of(answer) == 431
    assert closed


def test_one_huge_header_gets_431(transport_server: Served) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\nx-big: " + b"v" * 100_000 + b"\r\n\r\n"
    answer, _ = raw_exchange(transport_server.host_port, request)
    assert status_of(answer) == 431


def test_an_announced_oversized_body_gets_413_before_it_is_sent(transport_server: Served) -> None:
    head = (
        b"DELETE " + API.encode() + b"/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\n"
        b"Host: x\r\nContent-Length: 10000000\r\n\r\n"
    )
    answer, closed = raw_exchange(transport_server.host_port, [head, b"x" * 1000])
    assert status_of(answer) == 413
    assert answer.endswith(b'{"detail":"Request body too large"}')
    assert closed


def test_a_chunked_oversized_body_is_cut_off_with_413(transport_server: Served) -> None:
    head = (
        b"GET " + API.encode() + b"/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\n"
        b"Host: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"4000\r\n" + b"y" * 0x4000 + b"\r\n"  # 16 KiB per chunk; the limit is 64 KiB
    answer, closed = raw_exchange(transport_server.host_port, [head] + [chunk] * 8)
    assert status_of(answer) == 413
    assert closed


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET / HTTP/1.1\r\nbad header line\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello to a plain HTTP port
    ],
    ids=["garbage", "bad version", "bad content-length", "bad header", "tls hello"],
)
def test_malformed_http_gets_400_and_a_closed_connection(
    transport_server: Served, request_bytes: bytes
) -> None:
    answer, closed = raw_exchange(transport_server.host_port, request_bytes)
    assert status_of(answer) == 400
    assert closed


def test_a_client_sending_headers_too_slowly_is_cut_off(transport_server: Served) -> None:
    # the fixture's server runs with --header-timeout 1
    head = b"GET " + API.encode() + b" HTTP/1.1\r\nHost: x\r\n"
    trickle = [head] + [b"x-slow-%d: 1\r\n" % i for i in range(40)]
    started = time.monotonic()
    answer, closed = raw_exchange(transport_server.host_port, trickle, pause=0.1, timeout=8)
    assert closed
    assert time.monotonic() - started < 4.5
    assert status_of(answer) == 408


def test_an_idle_connection_is_closed_after_the_header_timeout(transport_server: Served) -> None:
    started = time.monotonic()
    answer, closed = raw_exchange(transport_server.host_port, b"", timeout=8)
    assert closed
    assert answer == b""
    assert time.monotonic() - started < 4


def test_the_server_still_answers_after_the_abuse(transport_server: Served) -> None:
    response = httpx.get(transport_server.url + "/__extract_contract__/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# -- CORS -----------------------------------------------------------------------------------


def test_cors_is_off_and_never_echoes_an_origin(
    client: httpx.Client, seeded_store: RunStore
) -> None:
    origin = "https://evil.example"
    get = client.get(f"{API}/{seeded_store.ids()[0]}", headers={"Origin": origin})
    preflight = client.options(
        API,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert get.status_code == 200
    assert preflight.status_code == 405
    for response in (get, preflight):
        assert not any(name.startswith("access-control-") for name in response.headers)
        assert origin not in str(response.headers)


def test_pipelined_requests_are_all_answered_in_order(transport_server: Served) -> None:
    one = b"GET /__extract_contract__/health HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer, closed = raw_exchange(transport_server.host_port, one * 3 + last)
    assert answer.count(b"HTTP/1.1 200 OK") == 3
    assert answer.rstrip().endswith(b'{"detail":"Not Found"}')
    assert closed


def test_a_head_in_many_quick_pieces_is_fine(transport_server: Served) -> None:
    request = b"GET /__extract_contract__/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    pieces = [request[i : i + 5] for i in range(0, len(request), 5)]
    answer, closed = raw_exchange(transport_server.host_port, pieces, pause=0.01)
    assert status_of(answer) == 200
    assert closed


def test_keep_alive_requests_each_get_a_fresh_head_timeout(transport_server: Served) -> None:
    # three requests on one connection, 0.6 s apart: each head is quick, so none is cut off
    one = b"GET /__extract_contract__/health HTTP/1.1\r\nHost: x\r\n\r\n"
    answer, _ = raw_exchange(transport_server.host_port, [one, one, one], pause=0.6, timeout=3)
    assert answer.count(b"HTTP/1.1 200 OK") == 3
    assert b"408" not in answer
