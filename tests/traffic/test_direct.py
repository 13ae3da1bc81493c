"""The proxy's direct exchanges (``mocks._traffic.direct``) are the bytes of the ASGI app's way.

Two proxies in threads, one carrying the usual exchanges out directly and one sending each
through the ASGI app, each in front of its own bundled mock (the same seed; a latency fault
makes some answers slow), get the same random sequences of raw requests (those of the mock's
own direct-answer test: gets, lists, by-job, deletes with valid and invalid parameters,
``HEAD``, HTTP/1.0, ``Connection: close``, bodies; pipelined in one write or one at a time)
and must send the same bytes back and judge the same. Then: which requests go directly, and
what an upstream that misbehaves on a kept-alive connection gets (the direct way hands it to
the app's way, which answers 504 or 502 as ever).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks import RunStore, live_server
from mocks._adapters.protocol import HardenedHttpToolsProtocol
from mocks._core.faults import read_fault
from mocks._traffic.direct import ProxyDirect

from ..conformance._hostile import Served, drops, raw_server
from ..server.test_direct import OPTIONS, RUN_IDS, _exchange, _read_answer, _sequence
from .conftest import Proxied, no_access_log, proxy
from .test_bad_upstreams import BAD

API = "/api/v1/extraction/runs"
RUN = RunStore.seeded(seed=0, runs=8).get(RUN_IDS[1])
RUN_AT_6 = RunStore.seeded(seed=0, runs=8).get(RUN_IDS[6])


@pytest.fixture(scope="module")
def proxies() -> Iterator[tuple[Proxied, Proxied, list[str]]]:
    """(direct, through the ASGI app, the two upstreams' URLs)."""
    with contextlib.ExitStack() as stack:
        up_direct = stack.enter_context(live_server(**OPTIONS))
        up_asgi = stack.enter_context(live_server(**OPTIONS))
        direct = stack.enter_context(proxy(up_direct.url, direct=True))
        asgi = stack.enter_context(proxy(up_asgi.url, direct=False))
        yield direct, asgi, [up_direct.url, up_asgi.url]


class _Url:
    def __init__(self, url: str) -> None:
        self.url = url


def _normalized(data: bytes, upstreams: list[str]) -> bytes:
    for url in upstreams:  # the health answer and 502s name the upstream; a 307 its host
        data = data.replace(url.encode(), b"UPSTREAM")
        data = data.replace(url.removeprefix("http://").encode(), b"UPSTREAM-HOST")
    return data


@contextlib.contextmanager
def counting() -> Iterator[dict[str, int]]:
    """How many requests proxies took directly meanwhile."""
    counts = {"taken": 0}
    takes, repeat = ProxyDirect.takes, ProxyDirect.repeat

    def counted(self: ProxyDirect, protocol: Any) -> Any:
        taken = takes(self, protocol)
        counts["taken"] += taken is not None
        return taken

    def repeated(self: ProxyDirect, protocol: Any, head: bytes) -> bool:
        known = repeat(self, protocol, head)
        counts["taken"] += known
        return known

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ProxyDirect, "takes", counted)
        patch.setattr(ProxyDirect, "repeat", repeated)
        yield counts


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(requests=_sequence(), pipelined=st.booleans())
def test_direct_exchanges_are_the_bytes_of_the_asgi_way(
    proxies: tuple[Proxied, Proxied, list[str]],
    requests: list[tuple[bytes, bool]],
    pipelined: bool,
) -> None:
    direct, asgi, upstreams = proxies
    for _ in range(2):  # the second time, the heads taken are known (ProxyDirect.repeat)
        with no_access_log():  # as the proxy runs (pytest's log capture hangs a handler there)
            got = _normalized(_exchange(_Url(direct.url), requests, pipelined), upstreams)
        wanted = _normalized(_exchange(_Url(asgi.url), requests, pipelined), upstreams)
        assert got == wanted
    judged = []
    for proxied in (direct, asgi):
        log = proxied.app.log.as_json()
        log.pop("repeated")  # which exchange repeats one differs with the memo's history
        judged.append(_normalized(json.dumps(log).encode(), upstreams))  # curl lines name it
    assert judged[0] == judged[1]


def test_the_usual_exchanges_go_directly_and_the_rest_the_apps_way(
    proxies: tuple[Proxied, Proxied, list[str]],
) -> None:
    direct = proxies[0]
    run = RunStore.seeded(seed=0, runs=8).get(RUN_IDS[5])  # one the property test never deletes
    usual = [
        f"{API}/{RUN_IDS[5]}",
        f"{API}?extraction_agent_id={run['extraction_agent_id']}&limit=2",
        f"{API}/by-job/{run['job_id']}",
        f"{API}/not-a-uuid",  # a 422, judged as well
    ]
    with no_access_log(), httpx.Client(base_url=direct.url) as client:
        client.get(usual[0])  # a connection to the upstream, kept alive and idle
        with counting() as counts:
            answers = [client.get(path) for path in usual]
        assert counts["taken"] == len(usual)
        assert [a.status_code for a in answers] == [200, 200, 200, 422]
        with counting() as counts:
            client.get("/nope")  # not one of the four operations: not judged
            client.get("/__extract_contract__/health")  # the proxy's own
            client.head(usual[0])
            client.post(API, json={"a": 1})
            client.get(usual[0], headers={"Connection": "close"})
        assert counts["taken"] == 0


def _one_at_a_time(url: str, requests: list[bytes]) -> list[bytes]:
    """Each request sent on one connection once the answer before it is read: the answers,
    ``date`` values blanked."""
    host, port = url.removeprefix("http://").split(":")
    answers, pending = [], b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        for request in requests:
            sock.sendall(request)
            answer, pending = _read_answer(sock, pending, head_only=False)
            answers.append(re.sub(rb"\r\ndate: [^\r]*\r\n", b"\r\ndate: -\r\n", answer))
    return answers


@contextlib.contextmanager
def parsed() -> Iterator[list[bytes]]:
    """What the hardened protocols' parsers are fed meanwhile."""
    fed: list[bytes] = []
    feed = HardenedHttpToolsProtocol._feed

    def counted(self: HardenedHttpToolsProtocol, data: bytes) -> None:
        fed.append(data)
        feed(self, data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(HardenedHttpToolsProtocol, "_feed", counted)
        yield fed


def test_a_head_taken_before_is_carried_out_without_parsing_it_again(
    proxies: tuple[Proxied, Proxied, list[str]],
) -> None:
    direct = proxies[0]
    head = f"GET {API}/{RUN_IDS[6]} HTTP/1.1\r\nHost: x\r\nX-Poll: 1\r\n\r\n".encode()
    other = head.replace(b"X-Poll: 1", b"X-Poll: 2")  # another head: parsed, then known too
    before = direct.app.log.exchanges
    with no_access_log(), parsed() as fed:
        first = _one_at_a_time(direct.url, [head, head, other, head, other])
        again = _one_at_a_time(direct.url, [head])  # known on any connection
    assert fed.count(head) == 1
    assert fed.count(other) == 1
    assert len(set(first + again)) == 1  # X-Poll is not answered: the same answer each time
    status, _, body = first[0].partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 200 ")
    assert json.loads(body) == RUN_AT_6
    assert direct.app.log.exchanges - before == 6  # each one judged


def test_after_an_upgrade_every_head_is_parsed(
    proxies: tuple[Proxied, Proxied, list[str]],
) -> None:
    """llhttp resumes after an ``Upgrade`` (uvicorn answers it as a plain request) in a state
    of its own: the heads after it are parsed, known or not."""
    direct = proxies[0]
    head = f"GET {API}/{RUN_IDS[6]} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    upgrade = head.replace(b"\r\n\r\n", b"\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
    with no_access_log(), parsed() as fed:
        known = _one_at_a_time(direct.url, [head, head])
        answers = _one_at_a_time(direct.url, [upgrade, head, head])
    assert fed.count(head) == 3  # once to know it, then both after the upgrade
    assert answers == [known[0]] * 3


def test_the_heads_kept_stay_within_bounds(proxies: tuple[Proxied, Proxied, list[str]]) -> None:
    from mocks._traffic.direct import _KEPT_HEAD, _KEPT_HEADS

    direct = proxies[0]
    made: list[ProxyDirect] = []
    with pytest.MonkeyPatch.context() as patch:  # the proxies' ProxyDirect, as it is asked
        takes = ProxyDirect.takes
        patch.setattr(ProxyDirect, "takes", lambda self, p: made.append(self) or takes(self, p))
        with no_access_log():
            path = f"{API}/{RUN_IDS[6]}"
            heads = [f"GET {path} HTTP/1.1\r\nX-N: {n}\r\n\r\n".encode() for n in range(300)]
            large = f"GET {path} HTTP/1.1\r\nX-Filler: {'f' * _KEPT_HEAD}\r\n\r\n".encode()
            answers = _one_at_a_time(direct.url, [*heads, large, large])
    assert {a.split(b"\r\n", 1)[0] for a in answers} == {b"HTTP/1.1 200 OK"}
    kept = made[-1]._known
    assert 0 < len(kept) <= _KEPT_HEADS
    assert large not in kept
    assert all(len(head) <= _KEPT_HEAD for head in kept)


# -- an upstream that misbehaves on a kept-alive connection -----------------------------------

Behaviour = Callable[[socket.socket, bytes, Served], None]


def _asks_run_2(index: int, request: bytes) -> bool:
    return RUN_IDS[2].encode() in request


@contextlib.contextmanager
def kept_alive_server(
    bad: Behaviour, when: Callable[[int, bytes], bool] = _asks_run_2
) -> Iterator[Served]:
    """An upstream keeping connections alive: a good answer to every request but those
    ``when`` picks (by their index on the connection, and their head: by default, those
    asking for the run ``RUN_IDS[2]``), which get ``bad`` (as a bad upstream of
    ``test_bad_upstreams`` behaves) and the connection's end."""
    good = json.dumps(RUN).encode()
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"

    def one(conn: socket.socket, served: Served) -> None:
        with conn, contextlib.suppress(OSError):
            data = b""
            index = 0
            while not served.stop.is_set():
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                request, data = data.split(b"\r\n\r\n", 1)
                served.requests.append(request)
                if when(index, request):
                    bad(conn, request, served)
                    return
                conn.sendall(head % len(good) + good)
                index += 1

    with raw_server(connection=one) as served:
        yield served


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_answer_on_a_kept_alive_connection_is_a_json_error(name: str) -> None:
    behaviour, status, detail = BAD[name]
    with (
        kept_alive_server(behaviour) as served,
        proxy(served.url, timeout=1.0, max_body=4096, direct=True) as proxied,
        httpx.Client(base_url=proxied.url, timeout=10) as client,
        counting() as counts,
    ):
        first = client.get(f"{API}/{RUN_IDS[1]}")  # opens the connection, kept alive
        started = time.monotonic()
        bad = client.get(f"{API}/{RUN_IDS[2]}")
        took = time.monotonic() - started
        after = client.get(f"{API}/{RUN_IDS[1]}")
    assert (first.status_code, after.status_code) == (200, 200)
    assert counts["taken"] == 1  # the bad one (the others found no idle connection)
    assert bad.status_code == status, bad.text
    assert bad.headers["content-type"] == "application/json"
    assert detail in bad.json()["detail"]
    assert took < 3
    assert sum(proxied.app.log.errors.values()) == 1
    assert proxied.lines[0].startswith(f"GET {API}/{RUN_IDS[2]}: {status}: ")


def test_a_connection_the_upstream_closed_while_idle_is_tried_anew() -> None:
    """Each connection answers its first request, reads the next and closes without a word:
    the direct way finds the kept connection dropped before any answer, and carries the
    exchange out again on a new one, as the app does."""
    second = lambda index, request: index == 1  # noqa: E731
    with (
        kept_alive_server(drops, second) as served,
        proxy(served.url, direct=True) as proxied,
        httpx.Client(base_url=proxied.url) as client,
        counting() as counts,
    ):
        statuses = [client.get(f"{API}/{RUN_IDS[1]}").status_code for _ in range(4)]
    assert statuses == [200] * 4
    assert counts["taken"] == 3
    assert len(served.requests) == 7  # 4, and 3 that were dropped
    assert proxied.app.log.exchanges == 4
    assert not proxied.app.log.errors


def test_a_client_gone_before_its_answer_leaves_the_proxy_serving() -> None:
    with (
        live_server(runs=8, seed=0, faults=(read_fault("latency:seconds=0.3"),)) as upstream,
        proxy(upstream.url, direct=True) as proxied,
    ):
        httpx.get(f"{proxied.url}{API}/{RUN_IDS[1]}")  # a kept connection upstream
        host, port = proxied.url.removeprefix("http://").split(":")
        with counting() as counts, socket.create_connection((host, int(port))) as sock:
            sock.sendall(f"GET {API}/{RUN_IDS[1]} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            waited = time.monotonic() + 5
            while not counts["taken"] and time.monotonic() < waited:
                time.sleep(0.01)
        assert counts["taken"] == 1  # gone while its exchange with the upstream goes on
        time.sleep(0.6)  # its answer came, for nobody
        again = httpx.get(f"{proxied.url}{API}/{RUN_IDS[1]}")
        log = proxied.app.log
    assert again.status_code == 200
    assert log.exchanges == 3
    assert log.violation_count == 0


def test_strict_replaces_a_bad_answer_directly() -> None:
    html = b"<html>maintenance</html>"
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: %d\r\n\r\n"

    def maintenance(conn: socket.socket, request: bytes, served: Served) -> None:
        conn.sendall(head % len(html) + html)
        while True:  # and more of the same on the kept connection
            data = conn.recv(65536)
            if not data:
                return
            conn.sendall(head % len(html) + html)

    with (
        kept_alive_server(maintenance) as served,
        proxy(served.url, strict=True, direct=True) as proxied,
        httpx.Client(base_url=proxied.url) as client,
        counting() as counts,
    ):
        answers = [client.get(f"{API}/{RUN_IDS[2]}") for _ in range(3)]
    assert counts["taken"] == 2
    assert [a.status_code for a in answers] == [502] * 3
    assert {a.content for a in answers} == {answers[0].content}
    assert answers[0].json()["violations"][0]["check"] == "content_type_conformance"
    assert re.search("text/html", answers[0].text)


def test_a_proxy_stopping_answers_the_exchange_in_flight_and_closes() -> None:
    """uvicorn's graceful stop: the answer on its way is written, marked as the connection's
    last (``connection: close``), and the connection closed."""
    with live_server(runs=8, seed=0, faults=(read_fault("latency:seconds=0.5"),)) as upstream:
        with proxy(upstream.url, direct=True) as proxied:
            httpx.get(f"{proxied.url}{API}/{RUN_IDS[1]}")  # a kept connection upstream
            host, port = proxied.url.removeprefix("http://").split(":")
            sock = socket.create_connection((host, int(port)), timeout=10)
            with counting() as counts:
                sock.sendall(f"GET {API}/{RUN_IDS[1]} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                waited = time.monotonic() + 5
                while not counts["taken"] and time.monotonic() < waited:
                    time.sleep(0.01)
            assert counts["taken"] == 1
        # the proxy has stopped: its last answer was written before
        with sock:
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nconnection: close" in head
    assert json.loads(body)["id"] == RUN_IDS[1]
    assert proxied.app.log.exchanges == 2


# -- what is kept stays bounded ---------------------------------------------------------------


def test_what_the_same_headers_make_is_kept_within_bounds() -> None:
    from mocks._traffic.headers import PerHeaders

    made: list[int] = []

    def make(headers: list[tuple[bytes, bytes]]) -> int:
        made.append(len(headers))
        return len(made)

    kept = PerHeaders(make, size=3, max_bytes=100)
    small = [(b"host", b"x"), (b"accept", b"*/*")]
    assert kept(small) == kept(list(small)) == 1  # equal headers: made once
    large = [(b"x-filler", b"f" * 200)]
    assert kept(large) != kept(large)  # over max_bytes: made each time, never kept
    for n in range(10):  # many different small sets: at most `size` kept at once
        kept([(b"x-n", str(n).encode())])
        assert len(kept._kept) <= 3


def test_the_operation_of_a_long_path_is_not_kept() -> None:
    from mocks._traffic.direct import _judged_kept, judged

    _judged_kept.cache_clear()
    long_path = f"{API}/" + "a" * 10_000  # a 10 KB id: the API's 422, judged
    assert judged("GET", long_path) is True
    assert judged("GET", f"{API}/{RUN_IDS[1]}") is True
    assert judged("GET", "/nope") is False
    assert _judged_kept.cache_info().currsize == 2  # the short ones only
