"""One write per answer: an answer's head waits for its body, or for the answer's end."""

from __future__ import annotations

import httpx

from mocks import live_server
from mocks._adapters.coalesce import CoalescingTransport

from ._process import raw_exchange


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def writelines(self, data: list[bytes]) -> None:
        self.writes.append(b"|".join(data))  # one system call (writev), its pieces marked

    def write_eof(self) -> None:
        self.writes.append(b"<eof>")

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str) -> str:
        return f"info {name}"


class _Cycle:
    """An answer in progress, as uvicorn's cycle says it."""

    def __init__(self) -> None:
        self.response_started = self.response_complete = False


class _Protocol:
    def __init__(self) -> None:
        self.cycle: _Cycle | None = None
        self.tasks = {"this answer", "another answer"}  # a busy server


def _connection() -> tuple[_Transport, _Protocol, CoalescingTransport]:
    inner, protocol = _Transport(), _Protocol()
    return inner, protocol, CoalescingTransport(inner, protocol)


def test_the_head_of_an_answer_leaves_with_its_body() -> None:
    inner, protocol, transport = _connection()
    transport.write(b"before any answer ")  # (a refusal, say): at once
    protocol.cycle = cycle = _Cycle()
    transport.write(b"100 continue ")  # the answer has not started: at once
    assert inner.writes == [b"before any answer ", b"100 continue "]
    cycle.response_started = True
    transport.write(b"head ")  # held ...
    assert len(inner.writes) == 2
    transport.write(b"body ")  # ... and taken along by the body
    transport.write(b"more body")  # the rest of the body: at once
    cycle.response_complete = True
    transport.flush()  # the answer's end: nothing was held
    assert inner.writes[2:] == [b"head body ", b"more body"]
    assert transport.get_extra_info("peername") == "info peername"


def test_a_head_without_a_body_leaves_when_the_answer_ends() -> None:
    inner, protocol, transport = _connection()
    protocol.cycle = cycle = _Cycle()
    cycle.response_started = True
    transport.write(b"head of a HEAD answer")
    assert inner.writes == []
    cycle.response_complete = True
    transport.flush()  # the protocol's on_response_complete
    assert inner.writes == [b"head of a HEAD answer"]
    protocol.cycle = second = _Cycle()  # the next answer's head is held again
    second.response_started = True
    transport.write(b"second head ")
    transport.write(b"second body")
    assert inner.writes[1:] == [b"second head second body"]


def test_close_and_write_eof_send_what_is_held_first_and_abort_drops_it() -> None:
    for end, expected in (("close", [b"head"]), ("write_eof", [b"head", b"<eof>"])):
        inner, protocol, transport = _connection()
        protocol.cycle = cycle = _Cycle()
        cycle.response_started = True
        transport.write(b"head")
        getattr(transport, end)()
        assert inner.writes == expected
    inner, protocol, transport = _connection()
    protocol.cycle = cycle = _Cycle()
    cycle.response_started = True
    transport.write(b"never")
    transport.abort()
    assert inner.writes == []
    assert inner.aborted


def test_a_lone_answer_keeps_its_two_writes() -> None:
    inner, protocol, transport = _connection()
    protocol.tasks = {"this answer"}  # no other answer in progress: the client waits alone
    protocol.cycle = cycle = _Cycle()
    cycle.response_started = True
    transport.write(b"head")  # at once: it wakes the client while the body is written
    transport.write(b"body")
    assert inner.writes == [b"head", b"body"]


def test_the_mock_answers_whole_in_one_write_and_at_a_close() -> None:
    with live_server(runs=2, log_level="error") as server:
        run_id = server.store.ids()[0]
        target = f"/api/v1/extraction/runs/{run_id}"
        expected = httpx.get(f"{server.url}{target}").content
        host, port = server.url.removeprefix("http://").split(":")
        for request in (
            f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            f"GET {target} HTTP/1.0\r\n\r\n",
            f"HEAD {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ):
            received, closed = raw_exchange((host, int(port)), request.encode())
            assert closed
            assert received.startswith((b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 405 "))
            if request.startswith("GET"):
                assert received.endswith(b"\r\n\r\n" + expected)
            else:  # a HEAD answer: the head alone, sent at the end of the loop's step
                assert received.endswith(b"\r\n\r\n")


def test_a_vector_written_leaves_at_once_after_what_is_held() -> None:
    inner, protocol, transport = _connection()
    transport.writelines([b"head ", b"body"])  # nothing held: at once, as one vector
    protocol.cycle = cycle = _Cycle()
    cycle.response_started = True
    transport.write(b"held head ")  # a busy server holds a head for its body
    transport.writelines([b"next ", b"pieces"])  # the held head goes first, in the same call
    assert inner.writes == [b"head |body", b"held head |next |pieces"]
    inner.closed = True
    transport.writelines([b"too late"])  # a closing transport takes nothing more
    assert len(inner.writes) == 2
