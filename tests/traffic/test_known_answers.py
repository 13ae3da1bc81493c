"""An upstream connection takes an answer whose head it has read before without the parser, and
reads it exactly as the parser does (``mocks._traffic.connection``).

Each answer is read twice on a connection whose pool keeps the heads read (the second time, a
head read alone with its whole body is known), and once on one that keeps none: what the
consumer sees (status, headers, body, whether it is whole and keeps the connection) must be
the same, whatever the answer (lengths, chunked, 1xx before it, HEAD, ``Connection: close``,
bytes after it) and however it is split into reads.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks._traffic.connection import _KEPT_ANSWERS, _KEPT_HEAD, KnownAnswer, UpstreamConnection


class _Transport:
    def __init__(self) -> None:
        self.closing = False
        self.reading = True

    def is_closing(self) -> bool:
        return self.closing

    def abort(self) -> None:
        self.closing = True

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True


class _Spy:
    def __init__(self, parser: Any, fed: list[bytes]) -> None:
        self._parser = parser
        self._fed = fed

    def feed_data(self, data: bytes) -> None:
        self._fed.append(data)
        self._parser.feed_data(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


Seen = tuple[int, list[tuple[bytes, bytes]], bytes, bool, bool, str | None, int]


def _read(
    loop: asyncio.AbstractEventLoop,
    known: dict[bytes, KnownAnswer],
    reads: list[bytes],
    *,
    head_only: bool = False,
    fed: list[bytes] | None = None,
) -> Seen:
    """What a consumer sees of an answer arriving in ``reads``, and how often it was told;
    ``fed``: what its parser is fed."""
    connection = UpstreamConnection(loop, known)
    if fed is not None:
        connection.parser = _Spy(connection.parser, fed)  # type: ignore[assignment]
    connection.connection_made(_Transport())
    connection.head_only = head_only
    told = []
    connection.listener = lambda: told.append(1)
    for data in reads:
        connection.data_received(data)
    body = b"".join(connection.take())
    error = None if connection.error is None else connection.error.kind
    return (
        connection.status,
        connection.headers,
        body,
        connection.complete,
        connection.keep_alive,
        error,
        len(told),
    )


@st.composite
def _answers(draw: st.DrawFn) -> bytes:
    status = draw(st.sampled_from([200, 404, 422, 204, 304, 500]))
    body = draw(st.binary(max_size=300))
    if status in (204, 304):
        body = b""
    framing = draw(st.sampled_from(["length", "chunked", "close", "none"]))
    lines = [b"HTTP/1.1 %d X" % status, b"date: Mon, 30 Nov 2026 01:00:00 GMT"]
    lines += draw(st.lists(st.sampled_from([b"content-type: application/json", b"x-a: 1"])))
    if framing == "length":
        lines.append(b"content-length: %d" % len(body))
    elif framing == "chunked":
        lines.append(b"transfer-encoding: chunked")
        body = (b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)) if body else b"0\r\n\r\n"
    elif framing == "close":
        lines.append(b"connection: close")
        lines.append(b"content-length: %d" % len(body))
    answer = b"\r\n".join(lines) + b"\r\n\r\n" + body
    if draw(st.booleans()):
        answer = b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n" + answer
    if draw(st.booleans()):
        answer += draw(st.sampled_from([b"HTTP/1.1 200 OK\r\n", b"junk"]))
    return answer


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(data)) for cut in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


@settings(max_examples=300, deadline=None)
@given(
    answer=_answers(),
    cuts=st.lists(st.integers(min_value=1, max_value=400), max_size=2),
    head_only=st.booleans(),
)
def test_a_known_answer_reads_as_the_parser_reads_it(
    loop: asyncio.AbstractEventLoop, answer: bytes, cuts: list[int], head_only: bool
) -> None:
    reads = _split(answer, cuts)
    known: dict[bytes, KnownAnswer] = {}
    more = [answer + b"HTTP/1.1 200 OK\r\n"]  # the same head, and more than its body after it
    for split in ([answer], reads, [answer], more, reads):  # the first read alone teaches it
        wanted = _read(loop, {}, split, head_only=head_only)
        assert _read(loop, known, split, head_only=head_only) == wanted


def test_an_answer_read_alone_and_whole_is_known_from_then_on(
    loop: asyncio.AbstractEventLoop,
) -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n"
    known: dict[bytes, KnownAnswer] = {}
    seen = _read(loop, known, [head + b"{}"])
    assert known == {head: (200, tuple(seen[1]), 2)}
    fed: list[bytes] = []
    assert _read(loop, known, [head + b"{}"], fed=fed) == seen  # known: not parsed
    assert fed == []
    _read(loop, known, [head, b"{}"], fed=fed)  # the head alone, the body later: parsed
    assert fed == [head, b"{}"]
    _read(loop, known, [head + b"{}x"], fed=fed)  # a longer body after it: parsed
    assert fed[-1] == head + b"{}x"


def test_the_heads_known_stay_within_bounds(loop: asyncio.AbstractEventLoop) -> None:
    known: dict[bytes, KnownAnswer] = {}
    for n in range(_KEPT_ANSWERS + 44):
        _read(loop, known, [b"HTTP/1.1 200 OK\r\nx-n: %d\r\ncontent-length: 0\r\n\r\n" % n])
        assert 0 < len(known) <= _KEPT_ANSWERS
    known.clear()
    filler = b"f" * _KEPT_HEAD
    _read(loop, known, [b"HTTP/1.1 200 OK\r\nx-f: %s\r\ncontent-length: 0\r\n\r\n" % filler])
    big = b"b" * (70 * 1024)
    _read(loop, known, [b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(big), big)])
    assert known == {}
