"""Exact HTTP framing on the real server, over raw sockets (issue #12, items 3, 4 and 5), for
both parsers: the rest of a body is never read as the next request, a request whose body never
arrives is not carried out, bodies have a timeout and a minimum rate, and a refusal comes after
the answers to the requests before it.

The server runs with ``--header-timeout 1 --body-timeout 1 --max-body 65536`` (the
``transport_server`` fixture)."""

from __future__ import annotations

import socket
import time

import pytest

from mocks import RunStore

from ._process import API, Served, raw_exchange

RUN_IDS = RunStore.seeded(seed=0, runs=5).ids()  # what the transport server holds


def statuses(answer: bytes) -> list[int]:
    """The status of every answer in a stream of answers."""
    found, at = [], answer.find(b"HTTP/1.1 ")
    while at >= 0:
        found.append(int(answer[at + 9 : at + 12]))
        at = answer.find(b"HTTP/1.1 ", at + 1)
    return found


def _head(method: str, path: str, *extra: str) -> bytes:
    return "\r\n".join([f"{method} {path} HTTP/1.1", "Host: x", *extra, "", ""]).encode()


def _get_last(path: str = "/__extract_contract__/health") -> bytes:
    return _head("GET", path, "Connection: close")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/__extract_contract__/health", 200),
        ("/__extract_contract__/nothing", 404),
        ("/nope", 404),
        (f"{API}/{RUN_IDS[0]}", 200),
        (f"{API}/not-a-uuid", 422),
    ],
)
def test_the_rest_of_a_body_is_never_read_as_the_next_request(
    transport_server: Served, path: str, status: int
) -> None:
    # a body without a newline, longer than a request line the server takes: read as the next
    # head (as the rest of a body sent to /health once was), it is a 414 and a reset
    body = b"a" * 60_000
    head = _head("GET", path, f"Content-Length: {len(body)}")
    pieces = [head + body[:1000], body[1000:] + _get_last()]
    answer, closed = raw_exchange(transport_server.host_port, pieces, pause=0.2)
    assert statuses(answer) == [status, 200]
    assert closed


def test_a_chunked_body_is_read_to_its_end_before_the_next_request(
    transport_server: Served,
) -> None:
    head = _head("GET", "/__extract_contract__/health", "Transfer-Encoding: chunked")
    chunks = b"5;ext=1\r\nhello\r\n" + b"3\r\nGET\r\n" + b"0\r\nx-trailer: 1\r\n\r\n"
    pieces = [head + chunks[:9], chunks[9:], _get_last(f"{API}/{RUN_IDS[0]}")]
    answer, closed = raw_exchange(transport_server.host_port, pieces, pause=0.1)
    assert statuses(answer) == [200, 200]
    assert closed


def test_pipelined_requests_with_and_without_bodies_all_answered_in_order(
    transport_server: Served,
) -> None:
    sent = (
        _head("GET", "/__extract_contract__/health", "Content-Length: 4")
        + b"\r\n\r\n"  # a body that looks like the end of a head
        + _head("GET", f"{API}/{RUN_IDS[0]}", "Transfer-Encoding: chunked")
        + b"2\r\nab\r\n0\r\n\r\n"
        + _head("GET", "/nope")
        + _get_last()
    )
    answer, closed = raw_exchange(transport_server.host_port, sent)
    assert statuses(answer) == [200, 200, 404, 200]
    assert closed


def test_a_delete_whose_body_never_arrives_deletes_nothing(transport_server: Served) -> None:
    run_id = RUN_IDS[1]
    head = _head("DELETE", f"{API}/{run_id}", "Content-Length: 100")
    with socket.create_connection(transport_server.host_port, timeout=5) as sock:
        sock.sendall(head + b"0123456789")  # 10 of 100 bytes, then the connection drops
        time.sleep(0.2)
    time.sleep(0.3)
    answer, _ = raw_exchange(transport_server.host_port, _get_last(f"{API}/{run_id}"))
    assert statuses(answer) == [200]  # still there


def test_a_delete_whose_whole_body_arrives_is_carried_out(transport_server: Served) -> None:
    run_id = RUN_IDS[2]
    head = _head("DELETE", f"{API}/{run_id}", "Content-Length: 10")
    answer, _ = raw_exchange(
        transport_server.host_port, [head + b"01234", b"56789" + _get_last(f"{API}/{run_id}")]
    )
    assert statuses(answer) == [200, 404]


def test_a_body_that_never_comes_is_cut_off_with_408(transport_server: Served) -> None:
    started = time.monotonic()
    head = _head("DELETE", f"{API}/{RUN_IDS[3]}", "Content-Length: 60000")
    answer, closed = raw_exchange(transport_server.host_port, head, timeout=8)
    assert statuses(answer) == [408]
    assert b"request body stalled" in answer
    assert closed
    assert time.monotonic() - started < 5  # --body-timeout 1, with room for a loaded machine
    answer, _ = raw_exchange(transport_server.host_port, _get_last(f"{API}/{RUN_IDS[3]}"))
    assert statuses(answer) == [200]  # not deleted


def test_a_trickled_chunked_body_is_cut_off_by_the_minimum_rate(
    transport_server: Served,
) -> None:
    head = _head("GET", "/__extract_contract__/health", "Transfer-Encoding: chunked")
    with socket.create_connection(transport_server.host_port, timeout=8) as sock:
        sock.sendall(head)
        started = time.monotonic()
        answer = b""
        for _ in range(40):  # one small chunk every 0.25 s: never silent, far too slow
            try:
                sock.sendall(b"1\r\nx\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.25)
            sock.setblocking(False)
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
            if answer:
                break
        elapsed = time.monotonic() - started
    assert statuses(answer) == [408]
    assert b"request body slower than 1024 bytes/s" in answer
    assert elapsed < 6


def test_a_steady_chunked_body_is_not_cut_off(transport_server: Served) -> None:
    head = _head(
        "GET", "/__extract_contract__/health", "Transfer-Encoding: chunked", "Connection: close"
    )
    chunk = b"400\r\n" + b"z" * 1024 + b"\r\n"  # 1 KiB every 0.05 s: about 20 KiB/s
    pieces = [head] + [chunk] * 30 + [b"0\r\n\r\n"]
    answer, closed = raw_exchange(transport_server.host_port, pieces, pause=0.05, timeout=8)
    assert statuses(answer) == [200]
    assert closed


def test_a_pipelined_oversized_head_is_refused_after_the_answers_before_it(
    transport_server: Served,
) -> None:
    # each line is small and the head arrives in the same read as two good requests: counted
    # from its own first byte, it is over 64 KiB (once counted from the middle of the read)
    good = _head("GET", "/__extract_contract__/health")
    fillers = "".join(f"x-f{i}: {'v' * 1000}\r\n" for i in range(80))
    big = f"GET / HTTP/1.1\r\nHost: x\r\n{fillers}\r\n".encode()
    answer, closed = raw_exchange(transport_server.host_port, good + good + big)
    assert statuses(answer) == [200, 200, 431]
    assert closed


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b"GARBAGE\r\n\r\n", b"Invalid HTTP request: "),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"Invalid HTTP request: both Content-Length and Transfer-Encoding",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"Invalid HTTP request: a Transfer-Encoding other than chunked",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n",
            b"Invalid HTTP request: obsolete line folding",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"Invalid HTTP request: Invalid chunk size",
        ),
    ],
    ids=["garbage", "length and chunked", "gzip", "folded", "chunk size"],
)
def test_a_bad_request_after_good_ones_is_refused_after_their_answers(
    transport_server: Served, bad: bytes, reason: bytes
) -> None:
    good = _head("GET", f"{API}/{RUN_IDS[0]}")
    answer, closed = raw_exchange(transport_server.host_port, good + good + bad)
    assert statuses(answer) == [200, 200, 400]
    assert reason in answer
    assert closed


def test_a_refused_request_is_answered_only_after_an_earlier_slow_one(
    transport_server: Served,
) -> None:
    # the first request's body is still arriving when the bad one is already read
    first = _head("GET", "/__extract_contract__/health", "Content-Length: 6")
    pieces = [first + b"abc", b"def" + b"GARBAGE\r\n\r\n"]
    answer, closed = raw_exchange(transport_server.host_port, pieces, pause=0.3)
    assert statuses(answer) == [200, 400]
    assert closed


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Invalid method encountered", "Invalid method encountered"),
        ("illegal header line: bytearray(b'Authorization Bearer s3cret')", "illegal header line"),
        ("Illegal header value b'Bearer s3cret'", "Illegal header value"),
        ("Illegal target characters", "Illegal target characters"),
        ("Data after `Connection: close`", "Data after `Connection: close`"),
        ("\x00\x01", "??"),
        ("'only quoted'", "malformed request"),
        ("x" * 500, "x" * 120),
    ],
)
def test_a_parser_reason_keeps_the_kind_and_drops_the_request_bytes(
    message: str, kind: str
) -> None:
    from mocks._adapters.refusals import parser_reason

    assert parser_reason(message) == kind
