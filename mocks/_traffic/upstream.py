"""The proxy's way to the upstream: a lean HTTP/1.1 client on asyncio, with a keep-alive pool.

Each exchange takes an idle connection (or opens one, TLS for ``https``), writes the request
head and body, and reads the answer with httptools' parser (the one uvicorn reads requests
with) straight from the socket's callbacks: no request or response objects are built, and the
body's bytes are handed on as they arrived, never re-encoded. ``bench/proxy.py`` measures what
this saves over a general client.

Bounded, whatever the upstream does:

- time: every wait ends by a deadline the caller gives (a whole exchange, or each chunk of a
  streamed one); past it the connection is dropped and the exchange is an
  :class:`UpstreamError` of kind ``timeout``;
- bytes: the reader holds at most ``high_water`` bytes the consumer has not taken; past that
  it stops reading the socket until they are taken;
- every other failure is an :class:`UpstreamError` too: ``unreachable`` (no connection),
  ``dropped`` (the connection closed before the answer was whole), ``invalid`` (not HTTP).

A kept-alive connection the upstream closed while idle is found out on use; a request whose
body can be sent again is then retried once on a new connection.

The proxy's direct exchanges (:mod:`mocks._traffic.direct`) send without waiting
(:meth:`UpstreamPool.send_now`: a request without a body, on an idle connection, whose listener
hears of the answer); their deadlines are kept by one timer that looks every
:data:`_SWEEP` seconds, so such an exchange times out within that much after its deadline. The
connection itself (its protocol, bounds and errors) is :mod:`mocks._traffic.connection`.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .connection import KnownAnswer, UpstreamConnection, UpstreamError, UpstreamErrorKind
from .headers import PerHeaders

__all__ = ["Upstream", "UpstreamAnswer", "UpstreamError", "UpstreamErrorKind", "UpstreamPool"]

_SWEEP = 0.05  # seconds between looks at the deadlines of exchanges sent without waiting


@dataclass(frozen=True)
class Upstream:
    """Where the proxy forwards to: ``Upstream.parse("https://api.example.com/base")``."""

    url: str
    scheme: str
    host: str
    port: int
    base_path: str
    host_header: bytes

    @classmethod
    def parse(cls, url: str) -> Upstream:
        """An upstream URL (``http`` or ``https``, a host, no user info, query or fragment);
        ``ValueError`` saying what is wrong otherwise."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"not a URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("expected an http:// or https:// URL with a host")
        if parts.username is not None or parts.password is not None:
            raise ValueError("no user:password@ (the client's own Authorization is forwarded)")
        if parts.query or parts.fragment:
            raise ValueError("no query or fragment")
        default = 443 if parts.scheme == "https" else 80
        try:
            host = parts.hostname if parts.hostname.isascii() else parts.hostname.encode("idna")
        except UnicodeError:
            raise ValueError(f"not a host name: {parts.hostname!r}") from None
        host = host if isinstance(host, str) else host.decode("ascii")
        shown = f"[{host}]" if ":" in host else host
        header = shown if port in (None, default) else f"{shown}:{port}"
        return cls(
            url.rstrip("/"),
            parts.scheme,
            host,
            port or default,
            parts.path.rstrip("/"),
            header.encode("ascii"),
        )


class UpstreamAnswer:
    """The upstream's answer: ``status`` and ``headers`` (raw), then its body, read with
    :meth:`read` (whole, bounded) or :meth:`stream`; :meth:`release` when done."""

    def __init__(self, pool: UpstreamPool, connection: UpstreamConnection, timeout: float) -> None:
        self._pool = pool
        self._connection = connection
        self._timeout = timeout
        self.status = connection.status
        self.headers = connection.headers

    async def read(self, limit: int, deadline: float) -> tuple[list[bytes], bool]:
        """The body's chunks, read until it is whole or holds more than ``limit`` bytes (then
        the flag is False and the rest is for :meth:`stream`), all by ``deadline``."""
        connection = self._connection
        chunks: list[bytes] = []
        size = 0
        while True:
            taken = connection.take()
            chunks += taken
            size += sum(map(len, taken))
            if size > limit:
                return chunks, False
            if connection.complete:
                return chunks, True
            await connection.wait(deadline, self._timeout)

    async def stream(self, *, deadline: float | None = None) -> AsyncIterator[bytes]:
        """The rest of the body, chunk by chunk; each chunk must come within the timeout (or
        all of them by ``deadline``, when given)."""
        connection = self._connection
        loop = connection.loop
        while True:
            for chunk in connection.take():
                yield chunk
            if connection.complete:
                return
            limit = loop.time() + self._timeout if deadline is None else deadline
            await connection.wait(limit, self._timeout)

    def release(self) -> None:
        """Give the connection back to the pool if the answer was read whole and the upstream
        keeps it alive; else close it."""
        connection = self._connection
        whole = connection.complete and connection.error is None and not connection.until_close
        if whole and not connection.head_only and connection.keep_alive:
            self._pool._give_back(connection)
        else:
            self._pool._discard(connection)


class UpstreamPool:
    """Keep-alive connections to one upstream; ``timeout`` bounds every wait, at most
    ``max_connections`` are open at once (more exchanges wait for one)."""

    def __init__(
        self,
        upstream: Upstream,
        *,
        timeout: float,
        max_connections: int = 100,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.upstream = upstream
        self.timeout = timeout
        self._ssl: ssl.SSLContext | None = None
        if upstream.scheme == "https":
            self._ssl = ssl_context if ssl_context is not None else _default_ssl()
        self._idle: list[UpstreamConnection] = []
        self._known: dict[bytes, KnownAnswer] = {}  # answer heads read (see UpstreamConnection)
        self._open = 0
        self._max = max_connections
        self._freed: asyncio.Event | None = None
        self._lines = PerHeaders(_header_lines)  # of the few sets of headers clients send
        self._watched: dict[UpstreamConnection, float] = {}  # exchanges sent without waiting
        self._sweeper: asyncio.TimerHandle | None = None

    async def send(
        self,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes | AsyncIterator[bytes],
        deadline: float,
        *,
        wake_on_head: bool = True,
    ) -> UpstreamAnswer:
        """Send one request (``target``: the path and query, without the base path) and
        return once the answer's head arrived (with ``wake_on_head=False``: once it is whole,
        or holds a full buffer, for a caller that wants it whole anyway). ``body`` is the whole
        body, or its chunks (sent with ``Transfer-Encoding: chunked`` unless ``headers`` give
        its length)."""
        head = self._head(method, target, headers, body)
        for attempt in (0, 1):
            connection = await self._acquire(deadline)
            connection.head_only = method == "HEAD"
            connection.wake_on_head = wake_on_head
            try:
                await self._write(connection, head, body, headers, deadline)
                while not connection.head_done:
                    await connection.wait(deadline, self.timeout)
            except UpstreamError as exc:
                self._discard(connection)
                stale = connection.reused and not connection.got_bytes and exc.kind == "dropped"
                if attempt == 0 and stale and isinstance(body, bytes):
                    continue  # the upstream closed an idle connection: once more, anew
                raise
            except BaseException:
                self._discard(connection)
                raise
            return UpstreamAnswer(self, connection, self.timeout)
        raise AssertionError("unreachable")  # pragma: no cover

    def has_idle(self) -> bool:
        """Whether a kept-alive connection waits idle (it may yet be found closed)."""
        return bool(self._idle)

    def request_head(self, method: str, target: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
        """The bytes of a request without a body to ``target``, as :meth:`send` sends them."""
        return self._head(method, target, headers, b"")

    def send_now(
        self, method: str, request: bytes, deadline: float, listener: Callable[[], None]
    ) -> UpstreamConnection | None:
        """Without waiting: send ``request`` (a :meth:`request_head`) on an idle connection, whose
        ``listener`` is then called (never within the parser's callbacks) when the answer is
        whole, failed (timed out by ``deadline`` too, within :data:`_SWEEP` s), or holds a full
        buffer: the caller then calls :meth:`unwatch` and goes on with an
        :class:`UpstreamAnswer` of the connection (or, for an error, discards it). None, and
        nothing sent, when no connection is idle."""
        connection = None
        while self._idle:
            candidate = self._idle.pop()
            if not candidate.closed and not candidate.transport.is_closing():
                connection = candidate
                break
            self._discard(candidate)
        if connection is None:
            return None
        connection.reused = True  # started when given back
        connection.head_only = method == "HEAD"
        connection.wake_on_head = False
        connection.listener = listener
        connection.transport.write(request)
        self._watch(connection, deadline)
        return connection

    def _watch(self, connection: UpstreamConnection, deadline: float) -> None:
        """Time ``connection``'s exchange out at ``deadline`` (within :data:`_SWEEP` s after),
        unless :meth:`unwatch` comes first: one timer for all of them, not one (made and
        cancelled, 2 us with uvloop) per exchange."""
        self._watched[connection] = deadline
        if self._sweeper is None:
            loop = connection.loop
            self._sweeper = loop.call_at(loop.time() + _SWEEP, self._sweep, loop)

    def unwatch(self, connection: UpstreamConnection) -> None:
        """The exchange on ``connection`` is over (its listener heard): no timeout for it."""
        self._watched.pop(connection, None)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        expired = [c for c, deadline in self._watched.items() if deadline <= now]
        for connection in expired:
            del self._watched[connection]
            connection._expire(self.timeout)
        self._sweeper = None
        if self._watched:
            self._sweeper = loop.call_at(now + _SWEEP, self._sweep, loop)

    def _head(
        self,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes | AsyncIterator[bytes],
    ) -> bytes:
        upstream = self.upstream
        start = b"%s %s%s HTTP/1.1\r\nhost: %s\r\n" % (
            method.encode("ascii"),
            upstream.base_path.encode(),
            target,
            upstream.host_header,
        )
        if isinstance(body, bytes):  # a whole body: its own length, not the client's
            if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
                end = b"content-length: %d\r\n\r\n" % len(body)
            else:
                end = b"\r\n"
            return start + self._lines(headers) + end
        lines = [start]
        for name, value in headers:
            lines += [name, b": ", value, b"\r\n"]
        if not any(name.lower() == b"content-length" for name, _ in headers):
            lines.append(b"transfer-encoding: chunked\r\n")
        lines.append(b"\r\n")
        return b"".join(lines)

    async def _write(
        self,
        connection: UpstreamConnection,
        head: bytes,
        body: bytes | AsyncIterator[bytes],
        headers: list[tuple[bytes, bytes]],
        deadline: float,
    ) -> None:
        transport = connection.transport
        assert transport is not None
        if isinstance(body, bytes):
            transport.write(head + body if body else head)
            return
        transport.write(head)
        chunked = not any(name.lower() == b"content-length" for name, _ in headers)
        async for chunk in body:
            if connection.closed:
                break
            if chunk:
                transport.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                await connection.drained(deadline, self.timeout)
        if chunked and not connection.closed:
            transport.write(b"0\r\n\r\n")

    async def _acquire(self, deadline: float) -> UpstreamConnection:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                connection.reused = True  # started when given back
                return connection
            self._open -= 1
        loop = asyncio.get_running_loop()
        while self._open >= self._max:
            if self._freed is None:
                self._freed = asyncio.Event()
            try:
                await asyncio.wait_for(self._freed.wait(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise UpstreamError(
                    "timeout", f"no connection to the upstream free within {self.timeout:g} s"
                ) from None
            if self._idle:
                return await self._acquire(deadline)
        self._open += 1
        try:
            return await self._connect(loop, deadline)
        except BaseException:
            self._open -= 1
            self._notify()
            raise

    async def _connect(
        self, loop: asyncio.AbstractEventLoop, deadline: float
    ) -> UpstreamConnection:
        upstream = self.upstream
        try:
            _, protocol = await asyncio.wait_for(
                loop.create_connection(
                    lambda: UpstreamConnection(loop, self._known),
                    upstream.host,
                    upstream.port,
                    ssl=self._ssl,
                    server_hostname=upstream.host if self._ssl is not None else None,
                ),
                max(0.0, deadline - loop.time()),
            )
        except asyncio.TimeoutError:
            raise UpstreamError(
                "timeout", f"no connection to {upstream.url} within {self.timeout:g} s"
            ) from None
        except ssl.SSLError as exc:
            reason = exc.reason or exc.strerror or str(exc)
            raise UpstreamError(
                "unreachable", f"TLS with {upstream.url} failed: {reason}"
            ) from None
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise UpstreamError(
                "unreachable", f"cannot connect to {upstream.url}: {reason}"
            ) from None
        assert isinstance(protocol, UpstreamConnection)
        return protocol

    def _give_back(self, connection: UpstreamConnection) -> None:
        connection.start()
        self._idle.append(connection)
        self._notify()

    def _discard(self, connection: UpstreamConnection) -> None:
        if connection.transport is not None and not connection.transport.is_closing():
            connection.transport.close()
        self._open -= 1
        self._notify()

    def _notify(self) -> None:
        if self._freed is not None:
            self._freed.set()
            self._freed = None

    def close(self) -> None:
        """Close every idle connection, and those of exchanges sent without waiting that are
        still unanswered (their listeners are not told: the server is stopping), at once (a TLS
        goodbye needs a loop that is ending)."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for connection in self._watched:
            connection.listener = None
        for connection in [*self._idle, *self._watched]:
            if connection.transport is not None:
                connection.transport.abort()
        self._open -= len(self._idle) + len(self._watched)
        self._idle.clear()
        self._watched.clear()


def _header_lines(headers: list[tuple[bytes, bytes]]) -> bytes:
    """The header lines of a request with a whole body: without the client's
    ``Content-Length`` (the body's own is sent)."""
    kept = [b"%s: %s\r\n" % pair for pair in headers if pair[0].lower() != b"content-length"]
    return b"".join(kept)


def _default_ssl() -> ssl.SSLContext:
    import httpx  # its context: certifi's roots, as the official clients verify them

    context: Any = httpx.create_ssl_context()
    assert isinstance(context, ssl.SSLContext)
    return context
