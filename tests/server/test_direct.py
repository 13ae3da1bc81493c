"""The protocol's direct answers (``mocks._adapters.direct``) are the bytes the ASGI path sends.

Two real servers in threads, the same options and store, one with ``direct_answers`` and one
without, get the same random sequences of raw requests (gets, lists, by-job, deletes with valid
and invalid parameters, ``HEAD``, HTTP/1.0, ``Connection: close``, ``Prefer``, a trailing slash,
with and without bodies; pipelined in one write or one at a time) and must send the same bytes
back, but for the value of ``date``. A latency fault on by-job makes some answers slow (the
app's task sends them, after a direct answer or before one). Then: what must keep uvicorn's
way keeps it and behaves as before, and plain requests do go the direct way.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks import RunStore, live_server
from mocks._adapters.direct import DirectAnswers
from mocks._core.faults import read_fault
from mocks._server.live import RunningMock

API = "/api/v1/extraction/runs"
STORE = RunStore.seeded(seed=0, runs=8)  # what each server holds at first
RUN_IDS = STORE.ids()
AGENT = STORE.agents()[0]
JOB = STORE.get(RUN_IDS[0])["job_id"]
UNKNOWN = "00000000-0000-4000-8000-0000000000aa"
OPTIONS: dict[str, Any] = {
    "runs": 8,
    "seed": 0,
    "faults": (read_fault("latency:seconds=0.01,operation=get_run_by_job"),),
}

Serve = Callable[..., Any]


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[RunningMock, RunningMock]]:
    """(direct answers on, off): the same options, each its own store."""
    with ExitStack() as stack:
        on = stack.enter_context(live_server(**OPTIONS))
        off = stack.enter_context(live_server(**OPTIONS, direct_answers=False))
        yield on, off


@contextmanager
def no_access_log() -> Iterator[None]:
    """The access logger as ``serve`` has it (``access_log`` off: no handler). In each phase of
    a test, pytest's log capture hangs its handlers on every logger that does not propagate, so
    uvicorn would log each request (and the protocol leaves it to uvicorn)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(logging.getLogger("uvicorn.access"), "handlers", [])
        yield


@contextmanager
def counting() -> Iterator[dict[str, int]]:
    """How many requests the protocols took, and answered, directly meanwhile."""
    counts = {"taken": 0, "answered": 0, "handed on": 0}
    takes, answer = DirectAnswers.takes, DirectAnswers.answer

    def counted_takes(self: DirectAnswers, protocol: Any) -> Any:
        taken = takes(self, protocol)
        counts["taken"] += taken is not None
        return taken

    def counted_answer(self: DirectAnswers, protocol: Any, taken: Any) -> bool:
        done = answer(self, protocol, taken)
        counts["answered" if done else "handed on"] += 1
        return done

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DirectAnswers, "takes", counted_takes)
        patch.setattr(DirectAnswers, "answer", counted_answer)
        yield counts


# -- raw requests ---------------------------------------------------------------------------

_TARGETS = st.sampled_from(
    [
        f"{API}/{RUN_IDS[1]}",
        f"{API}/{RUN_IDS[2]}",
        f"{API}/{UNKNOWN}",
        f"{API}/not-a-uuid",
        f"{API}/{RUN_IDS[1]}/",  # a trailing slash: 307, whose location the app makes
        f"{API}?extraction_agent_id={AGENT}",
        f"{API}?extraction_agent_id={AGENT}&limit=2&skip=1",
        f"{API}?extraction_agent_id={AGENT}&limit=abc",
        f"{API}?extraction_agent_id=not-a-uuid",
        f"{API}?limit=2",
        f"{API}/by-job/{JOB}",
        f"{API}/by-job/{UNKNOWN}",
        f"{API}/%7Bx%7D",
        "/nope",
        "/__extract_contract__/health",
    ]
)
_EXTRA = st.sampled_from(
    [
        [],
        [],
        ["Accept: */*"],
        ["Prefer: code=404"],
        ["Prefer: dynamic=true"],
        ["Content-Length: 0"],
        ["X-Filler: " + "f" * 500],
    ]
)


@st.composite
def _request(draw: st.DrawFn, last: bool) -> tuple[bytes, bool]:
    """One request (the last of a sequence may close the connection) and whether it is HEAD."""
    method = draw(st.sampled_from(["GET", "GET", "GET", "HEAD", "DELETE", "POST"]))
    target = draw(_TARGETS)
    if method == "DELETE" and RUN_IDS[1] in target:  # deletes the other one, once
        target = f"{API}/{RUN_IDS[3]}"
    headers = ["Host: 127.0.0.1", *draw(_EXTRA)]
    body = b""
    body_kind = draw(st.sampled_from(["none", "none", "none", "length", "chunked"]))
    if body_kind != "none" and "Content-Length: 0" not in headers:
        body = draw(st.sampled_from([b"x", b'{"a": 1}', b"GET / HTTP/1.1\r\n\r\n"]))
        if body_kind == "length":
            headers.append(f"Content-Length: {len(body)}")
        else:
            headers.append("Transfer-Encoding: chunked")
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    version = "HTTP/1.1"
    if last:
        ending = draw(st.sampled_from(["close", "1.0", "1.0 keep-alive"]))
        if ending == "close":
            headers.append("Connection: close")
        else:
            version = "HTTP/1.0"
            if ending == "1.0 keep-alive":  # uvicorn closes an HTTP/1.0 connection anyway
                headers.append("Connection: keep-alive")
    head = "\r\n".join([f"{method} {target} {version}", *headers, "", ""])
    return head.encode("latin-1") + body, method == "HEAD"


@st.composite
def _sequence(draw: st.DrawFn) -> list[tuple[bytes, bool]]:
    """Requests on one connection; the last one closes it."""
    kept = draw(st.lists(_request(last=False), max_size=6))
    return [*kept, draw(_request(last=True))]


def _read_answer(sock: socket.socket, pending: bytes, head_only: bool) -> tuple[bytes, bytes]:
    """One answer read off ``sock`` (after what is ``pending``): (the answer, what follows)."""
    data = pending
    while b"\r\n\r\n" not in data:
        data += _recv(sock)
    end = data.index(b"\r\n\r\n") + 4
    length = re.search(rb"\r\ncontent-length: (\d+)\r\n", data[:end])
    size = 0 if head_only or length is None else int(length.group(1))
    while len(data) < end + size:
        data += _recv(sock)
    return data[: end + size], data[end + size :]


def _recv(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("the server closed before the answer was whole")
    return chunk


def _exchange(server: RunningMock, requests: list[tuple[bytes, bool]], pipelined: bool) -> bytes:
    """Everything the server sends back, until it closes; ``date`` values blanked."""
    host, port = server.url.removeprefix("http://").split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        if pipelined:
            sock.sendall(b"".join(raw for raw, _ in requests))
        else:
            pending = b""
            for raw, head_only in requests[:-1]:
                sock.sendall(raw)
                answer, pending = _read_answer(sock, pending, head_only)
                received += answer
            received += pending
            sock.sendall(requests[-1][0])
        while chunk := sock.recv(65536):
            received += chunk
    return re.sub(rb"\r\ndate: [^\r]*\r\n", b"\r\ndate: -\r\n", received)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(requests=_sequence(), pipelined=st.booleans())
def test_direct_answers_are_the_bytes_of_the_asgi_path(
    servers: tuple[RunningMock, RunningMock], requests: list[tuple[bytes, bool]], pipelined: bool
) -> None:
    on, off = servers
    with no_access_log():
        assert _exchange(on, requests, pipelined) == _exchange(off, requests, pipelined)


# -- which way a request goes ---------------------------------------------------------------


def _get(server: RunningMock, raw: bytes) -> tuple[bytes, float]:
    """The answer to ``raw`` (on a kept-alive connection: read to its end, or until the server
    drops the connection), ``date`` blanked, and how long it took."""
    host, port = server.url.removeprefix("http://").split(":")
    started = time.monotonic()
    received = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        while not _whole(received, raw.startswith(b"HEAD ")):
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
    took = time.monotonic() - started
    return re.sub(rb"\r\ndate: [^\r]*\r\n", b"\r\ndate: -\r\n", received), took


def _whole(data: bytes, head_only: bool) -> bool:
    if b"\r\n\r\n" not in data:
        return False
    end = data.index(b"\r\n\r\n") + 4
    length = re.search(rb"\r\ncontent-length: (\d+)\r\n", data[:end])
    return len(data) >= end + (0 if head_only or length is None else int(length.group(1)))


def test_plain_requests_are_answered_directly(servers: tuple[RunningMock, RunningMock]) -> None:
    on, off = servers
    raw = f"GET {API}/{RUN_IDS[6]} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    with no_access_log(), counting() as counts:
        direct, _ = _get(on, raw)
        assert counts == {"taken": 1, "answered": 1, "handed on": 0}
        assert _get(off, raw)[0] == direct  # the other server has no direct answers
        assert counts == {"taken": 1, "answered": 1, "handed on": 0}
    assert direct.startswith(b"HTTP/1.1 200 OK\r\ndate: -\r\ncontent-type: application/json\r\n")
    body = STORE.run_json(RUN_IDS[6]) or b""
    assert direct.endswith(b"\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))


@pytest.mark.parametrize(
    "raw",
    [
        f"GET {API}/{RUN_IDS[6]} HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
        f"DELETE {API}/{UNKNOWN} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
        "GET /__extract_contract__/health HTTP/1.1\r\n\r\n",
        f"GET {API}/{RUN_IDS[6]} HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
    ],
    ids=["body", "chunked body", "control path", "expect"],
)
def test_what_is_not_plain_takes_uvicorns_way(
    servers: tuple[RunningMock, RunningMock], raw: str
) -> None:
    on, off = servers
    request = raw.replace(" HTTP/1.1\r\n", " HTTP/1.1\r\nHost: x\r\n", 1)
    with no_access_log(), counting() as counts:
        answer, _ = _get(on, request.encode())
    assert counts == {"taken": 0, "answered": 0, "handed on": 0}
    assert answer == _get(off, request.encode())[0]
    assert answer.startswith(b"HTTP/1.1 404 " if "DELETE" in raw else b"HTTP/1.1 200 OK\r\n")


def _journaled(server: RunningMock) -> int:
    return len(server.live.journal)


@pytest.mark.parametrize(
    ("fault", "first_line"),
    [
        ("latency:seconds=0.3,operation=get_run", b"HTTP/1.1 200 OK\r\n"),
        ("read_timeout:seconds=0.3,operation=get_run", b""),
        ("connect_error:operation=get_run", b""),
        (None, b"HTTP/1.1 307 Temporary Redirect\r\n"),
    ],
    ids=["delayed", "read timeout", "dropped", "redirect"],
)
def test_an_answer_that_is_not_plain_goes_to_the_app_and_the_handler_is_asked_once(
    servers: tuple[RunningMock, RunningMock], fault: str | None, first_line: bytes
) -> None:
    on, off = servers
    target = f"{API}/{RUN_IDS[4]}" + ("/" if fault is None else "")
    raw = f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    answers = []
    for server in (on, off):
        added = None if fault is None else server.live.faults.add_spec(read_fault(fault))
        before = _journaled(server)
        try:
            with no_access_log(), counting() as counts:
                answer, took = _get(server, raw)
        finally:
            if added is not None:
                server.live.faults.remove(added)
        assert _journaled(server) == before + 1  # asked once, on either way
        if server is on:
            assert counts == {"taken": 1, "answered": 0, "handed on": 1}
        else:
            assert not any(counts.values())
        if fault and "seconds" in fault:
            assert took >= 0.3
        answers.append(answer)
    assert answers[0] == answers[1]
    assert answers[0].startswith(first_line)
    if fault is None:
        assert f"\r\nlocation: http://x{API}/{RUN_IDS[4]}\r\n".encode() in answers[0]
    else:
        assert bool(answers[0]) == (fault.startswith("latency"))


def test_a_handler_that_fails_answers_500_as_before(
    servers: tuple[RunningMock, RunningMock], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: Any) -> Any:
        raise RuntimeError("a bug in a handler")

    raw = f"GET {API}/{RUN_IDS[6]} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    answers = []
    for server in servers:
        monkeypatch.setattr(server.live.app, "handler", broken)
        with no_access_log(), counting() as counts:
            answers.append(_get(server, raw)[0])
        assert counts["handed on"] == (server is servers[0])
        monkeypatch.undo()
    assert answers[0] == answers[1]
    assert answers[0].startswith(b"HTTP/1.1 500 Internal Server Error\r\n")


def test_with_an_access_log_every_request_takes_uvicorns_way(
    servers: tuple[RunningMock, RunningMock], caplog: pytest.LogCaptureFixture
) -> None:
    on, off = servers
    raw = f"GET {API}/{RUN_IDS[6]} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    with counting() as counts, caplog.at_level(logging.INFO, "uvicorn.access"):
        answer = _get(on, raw)[0]
    assert counts == {"taken": 0, "answered": 0, "handed on": 0}
    assert answer == _get(off, raw)[0]
    assert f'"GET {API}/{RUN_IDS[6]} HTTP/1.1" 200' in caplog.text


def test_pipelined_requests_behind_a_closing_answer_are_not_carried_out(
    servers: tuple[RunningMock, RunningMock],
) -> None:
    """uvicorn never starts the requests read behind an answer that closes the connection (a
    closing request is not answered directly): nothing deleted, nothing journaled."""
    first = f"GET {API}/{RUN_IDS[5]} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    second = f"DELETE {API}/{RUN_IDS[5]} HTTP/1.1\r\nHost: x\r\n\r\n"
    for server in servers:
        before = _journaled(server)
        with no_access_log():
            answer = _exchange(server, [((first + second).encode(), False)], pipelined=True)
        assert answer.count(b"HTTP/1.1 ") == 1
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert _journaled(server) == before + 1
        assert server.store.get(RUN_IDS[5]) is not None


class _Writes:
    """A stand-in for the protocol's side of one direct answer: what was written, in how many
    writes."""

    def __init__(self, connections: int) -> None:
        self.writes: list[bytes] = []
        self.scope: dict[str, Any] = {"extensions": {}}
        self.server_state = type(
            "State", (), {"default_headers": [], "connections": set(range(connections))}
        )()
        self.transport = self
        self.completed = 0

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def on_response_complete(self) -> None:
        self.completed += 1


@pytest.mark.parametrize(("connections", "writes"), [(1, 2), (2, 1), (32, 1)])
def test_a_lone_client_gets_the_head_first_and_a_busy_server_writes_once(
    connections: int, writes: int
) -> None:
    from mocks import Handler, Request, create_app

    direct = DirectAnswers(create_app(Handler(STORE)))
    protocol = _Writes(connections)
    assert direct.answer(protocol, Request("GET", f"{API}/{RUN_IDS[1]}", ()))
    body = STORE.run_json(RUN_IDS[1]) or b""
    assert (len(protocol.writes), protocol.completed) == (writes, 1)
    assert b"".join(protocol.writes).endswith(b"\r\n\r\n" + body)
    assert protocol.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
