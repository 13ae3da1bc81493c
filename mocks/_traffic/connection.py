"""One connection of the proxy to the upstream (:class:`UpstreamConnection`): an asyncio
protocol reading one answer at a time with httptools' parser (the one uvicorn reads requests
with), straight from the socket's callbacks, bounded in what it holds (``high_water`` bytes the
consumer has not taken: past that it stops reading the socket until they are taken). Its
consumer waits for news (:meth:`UpstreamConnection.wait`, by a deadline) or is told of them (a
``listener``: :meth:`~mocks._traffic.upstream.UpstreamPool.send_now`). Every failure is an
:class:`UpstreamError`; the pool (:mod:`mocks._traffic.upstream`) hands connections out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

import httptools

__all__ = ["UpstreamConnection", "UpstreamError", "UpstreamErrorKind"]

UpstreamErrorKind = Literal["timeout", "unreachable", "dropped", "invalid", "too large"]

_HIGH_WATER = 1024 * 1024
_NO_BODY_STATUSES = frozenset({204, 304})


class UpstreamError(Exception):
    """An exchange with the upstream that gave no usable answer; ``kind`` says how."""

    def __init__(self, kind: UpstreamErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: UpstreamErrorKind = kind

    @property
    def status(self) -> int:
        """The status the proxy answers with: 504 for a timeout, else 502."""
        return 504 if self.kind == "timeout" else 502


_KEPT_ANSWERS = 256  # answer heads whose parse is kept (see UpstreamConnection) ...
_KEPT_HEAD = 4096  # ... of at most this many bytes each (with what they make: ~2 MiB at most)
_KEPT_BODY = 64 * 1024  # ... for answers whose body is at most this long

KnownAnswer = tuple[int, tuple[tuple[bytes, bytes], ...], int]
"""What an answer's head says, as the parser read it: its status, its headers and the length of
its body (it keeps the connection alive: no other answer is kept)."""


class UpstreamConnection(asyncio.Protocol):
    """One connection to the upstream, reading one answer at a time.

    ``known`` (shared by the pool's connections) keeps what the parser read of the last answer
    heads it read alone, each in one read with its whole body (framed by its length): an
    upstream answers with the same few heads (which change with their ``date``, each second).
    An answer that comes again so, the same head and a body of its length in one read, is taken
    without the parser, which it leaves where it found it, between answers."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, known: dict[bytes, KnownAnswer] | None = None
    ) -> None:
        self.loop = loop
        self.known: dict[bytes, KnownAnswer] = {} if known is None else known
        self.transport: Any = None  # an asyncio.Transport, or uvloop's (not a subclass)
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.reused = False
        self._waiter: asyncio.Future[None] | None = None
        self._feeding = False  # within the parser's feed: news for a listener waits till after
        self._news = False
        self._write_paused = False  # the socket's buffer is full: wait before writing more
        self.start()

    def start(self) -> None:
        """Ready for the next answer."""
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.buffered = 0
        self.head_done = False
        self.complete = False
        self.got_bytes = False
        self.paused = False
        self.error: UpstreamError | None = None
        self.until_close = False
        self.head_only = False
        self.keep_alive = False
        self.wake_on_head = True
        self.listener: Callable[[], None] | None = None  # told of news instead of a waiter

    # -- asyncio's callbacks -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        fresh = not self.got_bytes and self.error is None and not self.head_only
        self.got_bytes = True
        if fresh:  # the first bytes of an answer: maybe one known whole, maybe one to know
            end = data.find(b"\r\n\r\n") + 4
            if 3 < end <= _KEPT_HEAD:
                known = self.known.get(data[:end])
                if known is not None and len(data) - end == known[2]:
                    self._known_answer(known, data[end:] if known[2] else None)
                    return
        self._feeding = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(UpstreamError("invalid", "the upstream switched protocols"))
        except httptools.HttpParserError as exc:
            self._fail(UpstreamError("invalid", f"the upstream's answer is not HTTP ({exc})"))
        finally:
            self._feeding = False
        if fresh and self.complete and self.keep_alive and self.error is None:
            self._learn(data)
        if self._news:  # a listener hears of it once the parser is done with the bytes
            self._news = False
            listener = self.listener
            if listener is not None:
                listener()

    def _learn(self, data: bytes) -> None:
        """Keep what the parser read of an answer that ``data`` held whole, alone from its
        first byte, when its body was framed by its length (bounded: see the class)."""
        length = self.buffered
        end = len(data) - length
        if end > _KEPT_HEAD or length > _KEPT_BODY or data.find(b"\r\n\r\n") + 4 != end:
            return  # another head (an interim 1xx before it, lone line feeds)
        framing = [name.lower() for name, _ in self.headers]
        if b"transfer-encoding" in framing or framing.count(b"content-length") != 1:
            return
        known = self.known
        if len(known) >= _KEPT_ANSWERS:
            known.clear()  # as PerHeaders: an upstream answers with a few heads at a time
        known[data[:end]] = (self.status, tuple(self.headers), length)

    def _known_answer(self, known: KnownAnswer, body: bytes | None) -> None:
        """What the parser's callbacks make of an answer whose head is ``known`` and whose whole
        ``body`` follows it in the read."""
        self.status, headers, length = known
        self.headers = list(headers)
        self.head_done = self.complete = self.keep_alive = True
        if body is not None:
            self.chunks.append(body)
            self.buffered = length
        self._wake()

    def eof_received(self) -> bool | None:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.complete or self.error is not None:
            self._wake()
            return
        if self.head_done and self.until_close:  # a body that ends when the connection does
            self.complete = True
            self._wake()
            return
        where = "its answer was whole" if self.head_done else "it answered"
        self._fail(UpstreamError("dropped", f"the upstream closed the connection before {where}"))

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake()

    # -- httptools' callbacks --------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # an interim answer (103 Early Hints): the real one follows
            self.headers = []
            return
        self.status = status
        self.head_done = True
        if self.head_only:  # a HEAD's answer has no body, whatever its length says
            self.complete = True
        elif status not in _NO_BODY_STATUSES:
            framed = False  # by a length, or chunked: else the body ends with the connection
            for name, value in self.headers:
                name = name.lower()
                if name == b"content-length" or (
                    name == b"transfer-encoding" and b"chunked" in value.lower()
                ):
                    framed = True
                    break
            self.until_close = not framed
        if self.wake_on_head or self.complete or self.until_close:
            self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > _HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
            self._wake()
        elif self.wake_on_head:
            self._wake()

    def on_message_complete(self) -> None:
        if self.head_done:
            self.keep_alive = self.parser.should_keep_alive()  # known only here
            self.complete = True
            self._wake()

    # -- the consumer's side ---------------------------------------------------------------

    def _fail(self, error: UpstreamError) -> None:
        if self.error is None and not self.complete:
            self.error = error
        self.closed = True
        if self.transport is not None:
            self.transport.abort()
        self._wake()

    def _wake(self) -> None:
        if self.listener is not None:
            if self._feeding:
                self._news = True
            else:
                self.listener()
            return
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _expire(self, timeout: float) -> None:
        self._fail(UpstreamError("timeout", f"no complete answer within {timeout:g} s"))

    async def wait(self, deadline: float, timeout: float) -> None:
        """Wait until something new happened (or raise the exchange's error)."""
        if self.error is not None:
            raise self.error
        waiter = self._waiter = self.loop.create_future()
        timer = self.loop.call_at(deadline, self._expire, timeout)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None
        if self.error is not None:
            raise self.error

    def take(self) -> list[bytes]:
        """The body's chunks read so far (then forgotten here)."""
        chunks, self.chunks, self.buffered = self.chunks, [], 0
        if self.paused and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return chunks

    async def drained(self, deadline: float, timeout: float) -> None:
        """Wait until the socket takes more of the request body."""
        while self._write_paused and not self.closed:
            await self.wait(deadline, timeout)
