"""Upstreams that misbehave: each gets a 504 or a 502 with a JSON ``detail``, the proxy holds no
more than its bounds, and it goes on serving."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx
import pytest

from ..conformance._hostile import (
    Served,
    answer,
    drip,
    drops,
    endless_body,
    never_answers,
    raw_server,
)
from ..mocks.runs import make_run, uid
from .conftest import proxy

API = "/api/v1/extraction/runs"

pytestmark = pytest.mark.usefixtures("both_ways")  # the direct way, and the app's
RUN = make_run(1)
Behaviour = Callable[[socket.socket, bytes, Served], None]


def _good(conn: socket.socket, head: bytes, served: Served) -> None:
    import json

    answer("200 OK", json.dumps(RUN).encode())(conn, head, served)


def _garbage(conn: socket.socket, head: bytes, served: Served) -> None:
    conn.sendall(b"this is not HTTP at all\r\n\r\n")


def _cut_short(conn: socket.socket, head: bytes, served: Served) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"
    )


def _by_path(bad: Behaviour) -> Behaviour:
    """``bad`` for the run asked for in the test, a good answer for any other."""

    def behave(conn: socket.socket, head: bytes, served: Served) -> None:
        (bad if uid(2).encode() in head else _good)(conn, head, served)

    return behave


BAD = {
    "hangs": (never_answers, 504, "no complete answer within 1 s"),
    "drips its body": (drip(0.05, 400), 504, "no complete answer within 1 s"),
    "sends an endless body": (endless_body, 502, "the answer is larger than 64 KiB"),
    "drops the connection": (drops, 502, "closed the connection before it answered"),
    "cuts its answer short": (_cut_short, 502, "closed the connection before its answer was whole"),
    "does not speak HTTP": (_garbage, 502, "the upstream's answer is not HTTP"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_upstream_gets_a_json_error_and_the_proxy_goes_on(name: str) -> None:
    behaviour, status, detail = BAD[name]
    with (
        raw_server(_by_path(behaviour)) as served,
        proxy(served.url, timeout=1.0, max_body=4096) as proxied,
        httpx.Client(base_url=proxied.url, timeout=10) as client,
    ):
        started = time.monotonic()
        bad = client.get(f"{API}/{uid(2)}")
        took = time.monotonic() - started
        good = client.get(f"{API}/{uid(1)}")
        again = client.get(f"{API}/{uid(2)}")
        log = proxied.app.log
    assert bad.status_code == status, bad.text
    assert bad.headers["content-type"] == "application/json"
    assert detail in bad.json()["detail"]
    assert took < 5
    assert (good.status_code, good.json()) == (200, RUN)
    assert again.status_code == status
    assert sum(log.errors.values()) == 2
    assert proxied.lines[0].startswith(f"GET {API}/{uid(2)}: {status}: ")


def test_an_unreachable_upstream_is_a_502() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: refused
        with proxy(f"http://127.0.0.1:{port}") as proxied:
            answer_ = httpx.get(f"{proxied.url}{API}/{uid(1)}")
            health = httpx.get(f"{proxied.url}/__extract_contract__/health")
    assert answer_.status_code == 502
    assert answer_.json()["detail"].startswith(f"upstream http://127.0.0.1:{port}: cannot connect")
    assert health.status_code == 200


def test_a_non_json_answer_is_passed_on_unless_strict() -> None:
    html = answer("200 OK", b"<html>maintenance</html>", ("Content-Type: text/html",))
    with raw_server(html) as served:
        with proxy(served.url) as proxied:
            loose = httpx.get(f"{proxied.url}{API}/{uid(1)}")
        with proxy(served.url, strict=True) as strict:
            refused = httpx.get(f"{strict.url}{API}/{uid(1)}")
    assert (loose.status_code, loose.text) == (200, "<html>maintenance</html>")
    assert [v.check for v in proxied.app.log.violations] == ["content_type_conformance"] * 2
    assert refused.status_code == 502
    assert refused.json()["violations"][0]["message"] == (
        "the answer says 'text/html', not application/json"
    )


def test_a_kept_alive_connection_the_upstream_closed_is_replaced() -> None:
    """The upstream answers once per connection and closes it right after: the pooled
    connection is found closed, and the next request goes out on a new one."""
    with (
        raw_server(_good) as served,
        proxy(served.url) as proxied,
        httpx.Client(base_url=proxied.url) as client,
    ):
        statuses = [client.get(f"{API}/{uid(1)}").status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert len(served.requests) == 5
