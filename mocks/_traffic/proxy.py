"""The validating, recording reverse proxy: an ASGI app in front of a server of the API.

:class:`ProxyApp` forwards every request to the upstream (the real service) and hands its
answer back. Requests to the four operations are judged on the way back by a
:class:`~contracts.traffic.Referee` (the same one the validating transports use): each answer is
read whole (up to ``max_body`` bytes, held in memory, and judged; a larger one up to 16 times
that, held on disk, passed on unjudged), passed on, then judged, counted and recorded (the
client does not wait for the judge); a strict proxy judges first, and replaces an answer that
breaks the contract by ``502`` with the violations. Other paths are
streamed through untouched and not judged.

- Hop-by-hop headers (and those a ``Connection`` header names) are dropped both ways; the
  client's ``Authorization`` is forwarded, and never logged.
- No usable answer from the upstream is ``504 {"detail": ...}`` for a timeout and ``502`` for
  anything else (refused, dropped, not HTTP, endless); the proxy goes on serving.
- Its own paths, under :data:`~mocks._adapters.paths.CONTROL_PREFIX`: ``GET
  /__extract_contract__/health`` and ``GET /__extract_contract__/violations`` (the
  :class:`~contracts.traffic.TrafficLog` as JSON).

Each violation and each failed exchange is reported as one line through ``report``.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import IO, Any
from urllib.parse import quote

from contracts import resolve_operation
from contracts.conformance._limits import size
from contracts.traffic import Referee, Scrubber

from .._adapters.paths import CONTROL_PREFIX, HEALTH_PATH
from .._adapters.protocol import ABORT_KEY
from .._core.http import read_query
from .headers import (
    HOP_BY_HOP,
    JSON_HEADER,
    NOT_ANSWERED,
    NOT_FORWARDED,
    Headers,
    LazyTextPairs,
    PerHeaders,
    text_pairs,
    without,
)
from .upstream import Upstream, UpstreamAnswer, UpstreamError, UpstreamPool

__all__ = [
    "PASSED_FACTOR",
    "VIOLATIONS_PATH",
    "ProxyApp",
    "pass_on",
    "send_json",
    "send_whole",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

VIOLATIONS_PATH = CONTROL_PREFIX + "/violations"
"""``GET``: what the proxy has seen, as JSON (counts, each check's tally, the violations)."""

PASSED_FACTOR = 16
"""An answer over ``max_body`` is passed on unjudged up to this many times ``max_body``."""

_REQUEST_BODY_LIMIT = 1024 * 1024  # what a request to one of the four operations may carry
Step = Callable[[Scope, Receive, Send], Awaitable[None]]


async def send_json(send: Send, status: int, value: Any) -> None:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    await send_whole(send, status, [JSON_HEADER], body)


async def send_whole(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    headers = [*headers, (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class ProxyApp:
    """An ASGI 3 app forwarding to ``upstream`` (``http(s)://host[:port][/base]``), judging
    the four operations with ``referee`` (see the module docstring). ``timeout``: seconds for
    a whole judged exchange, and for each chunk of a streamed one. ``ssl_context``: how to
    verify an ``https`` upstream (certifi's roots by default). At most ``max_connections``
    exchanges are with the upstream at once (others wait their turn, within ``timeout``), so
    the answers held in memory to be judged never pass ``max_connections`` x ``max_body``.
    ``direct_answers``: served by the hardened httptools protocol
    (:func:`~mocks._traffic.direct.uvicorn_settings`),
    the usual judged exchange runs without a task (:mod:`mocks._traffic.direct`)."""

    def __init__(
        self,
        upstream: str,
        *,
        referee: Referee | None = None,
        timeout: float = 30.0,
        report: Callable[[str], None] = lambda line: None,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 64,
        direct_answers: bool = True,
    ) -> None:
        self.upstream = Upstream.parse(upstream)
        self.referee = Referee() if referee is None else referee
        self.log = self.referee.log
        self.timeout = timeout
        self.report = report
        self._ssl = ssl_context
        self._max_connections = max_connections
        self._pool: UpstreamPool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # what the same few sets of headers make, kept: what is forwarded of a request's, an
        # answer's as text
        self._forwarded = PerHeaders(lambda headers: without(headers, NOT_FORWARDED, lower=False))
        self._texts = PerHeaders(lambda headers: tuple(text_pairs(headers)))
        self.direct_answers = direct_answers

    @property
    def pool(self) -> UpstreamPool:
        if self._pool is None:  # made in the serving loop, on first use
            self._loop = asyncio.get_running_loop()
            self._pool = UpstreamPool(
                self.upstream,
                timeout=self.timeout,
                max_connections=self._max_connections,
                ssl_context=self._ssl,
            )
        return self._pool

    def close(self) -> None:
        """Close the idle connections to the upstream."""
        if self._pool is not None:
            self._pool.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            if scope["path"].startswith(CONTROL_PREFIX):
                await self._control(scope, send)
            else:
                await self._guarded(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    async def _control(self, scope: Scope, send: Send) -> None:
        path = scope["path"]
        if path not in (HEALTH_PATH, VIOLATIONS_PATH):
            await send_json(send, 404, {"detail": "Not Found"})
        elif scope["method"] not in ("GET", "HEAD"):
            body = json.dumps({"detail": "Method Not Allowed"}).encode()
            await send_whole(send, 405, [JSON_HEADER, (b"allow", b"GET")], body)
        elif path == HEALTH_PATH:
            await send_json(send, 200, {"status": "ok", "upstream": self.upstream.url})
        else:
            await send_json(send, 200, self.log.as_json())

    # -- forwarding ----------------------------------------------------------------------

    async def _guarded(
        self, scope: Scope, receive: Receive, send: Send, step: Step | None = None
    ) -> None:
        """:meth:`_forward` (or ``step``), and should it fail (a bug, a recording that cannot be
        written), a 502 naming the failure, not uvicorn's bare 500 (or, after the answer, a
        line)."""
        sent = {"started": False, "done": False}

        async def tracked(message: Message) -> None:
            sent["started"] = True
            sent["done"] = message["type"] == "http.response.body" and not message.get(
                "more_body", False
            )
            await send(message)

        try:
            await (self._forward if step is None else step)(scope, receive, tracked)
        except Exception as exc:
            failure = self.failed_itself(scope, exc)
            if not sent["started"]:
                await send_json(send, 502, {"detail": f"the proxy failed ({failure})"})
            elif not sent["done"]:  # half an answer: the client must see it cut off
                abort = scope.get("extensions", {}).get(ABORT_KEY)
                if abort is not None:
                    abort()

    def failed_itself(self, scope: Scope, exc: Exception) -> str:
        """Count and report a failure of the proxy's own (a bug, a recording that cannot be
        written); the failure as a phrase."""
        failure = f"{type(exc).__name__}: {exc}"
        self.log.add_error("the proxy failed")
        self.report(f"{scope['method']} {scope['path']}: the proxy failed ({failure})")
        return failure

    def outgoing(self, scope: Scope) -> tuple[bytes, Headers, float]:
        """What goes upstream for a request: its target and headers (:meth:`forwarded`), and
        the exchange's deadline (:meth:`deadline`)."""
        path: str = scope["path"]
        raw_path = scope.get("raw_path") or quote(path).encode("ascii")
        target, headers = self.forwarded(raw_path, scope.get("query_string", b""), scope["headers"])
        return target, headers, self.deadline()

    def forwarded(
        self, raw_path: bytes, raw_query: bytes, headers: Headers
    ) -> tuple[bytes, Headers]:
        """The target (the raw path and query) and the headers (hop-by-hop ones dropped; shared
        by requests with the same headers: read only) that go upstream for a request."""
        target = raw_path + (b"?" + raw_query if raw_query else b"")
        return target, self._forwarded(headers)

    def deadline(self) -> float:
        """The deadline of an exchange starting now, on the serving loop's clock."""
        self.pool  # noqa: B018 - made on first use, in the serving loop
        assert self._loop is not None
        # the serving loop's clock (asyncio.get_running_loop() asks the kernel for the pid
        # on every call, on Python 3.11: a system call per request)
        return self._loop.time() + self.timeout

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        method: str = scope["method"]
        path: str = scope["path"]
        target, headers, deadline = self.outgoing(scope)
        pool = self.pool
        judged = resolve_operation(method, path)[1]
        try:
            body: bytes | AsyncIterator[bytes] = _body_stream(scope, receive)
            if judged and not isinstance(body, bytes):
                body = await _whole_body(body)
            answer = await pool.send(
                method, target, headers, body, deadline, wake_on_head=not judged
            )
        except _TooLarge:
            limit = size(_REQUEST_BODY_LIMIT)
            await send_json(send, 413, {"detail": f"the request body is larger than {limit}"})
            return
        except UpstreamError as exc:
            await self.failed(send, method, path, exc)
            return
        if judged:
            await self._judge_and_answer(scope, send, answer, deadline)
        else:
            self.referee.passed_through()
            await self._stream(scope, send, answer)

    async def failed(self, send: Send, method: str, path: str, exc: UpstreamError) -> None:
        """Count and report an exchange the upstream gave no usable answer to, and answer it
        (504 or 502, with a JSON ``detail``)."""
        self.log.add_error(f"{exc.kind} ({exc.status})")
        self.report(f"{method} {path}: {exc.status}: {exc}")
        await send_json(send, exc.status, {"detail": f"upstream {self.upstream.url}: {exc}"})

    async def _judge_and_answer(
        self, scope: Scope, send: Send, answer: UpstreamAnswer, deadline: float
    ) -> None:
        method, path = scope["method"], scope["path"]
        max_body = self.referee.max_body
        spool: IO[bytes] | None = None
        try:
            chunks, whole = await answer.read(max_body, deadline)
            if not whole:
                spool = await self._spool(answer, chunks, max_body * PASSED_FACTOR, deadline)
        except UpstreamError as exc:
            answer.release()
            await self.failed(send, method, path, exc)
            return
        answer.release()
        body = b"".join(chunks) if spool is None else None
        await self.answer(scope, send, answer, body, spool)

    async def answer(
        self,
        scope: Scope,
        send: Send,
        answer: UpstreamAnswer,
        body: bytes | None,
        spool: IO[bytes] | None = None,
    ) -> None:
        """Pass on an answer read (``body``, or held in ``spool`` when too large to judge) and
        settle it: judged first, and maybe replaced, by a strict proxy; else judged after."""
        try:
            if self.referee.strict:  # the answer depends on the judgement
                replacement = self.settle(scope, answer, body)
                if replacement is not None:
                    await send_whole(send, replacement[0], [JSON_HEADER], replacement[1])
                    return
                await pass_on(send, answer, body, spool)
            else:  # the client has its answer first; the judging happens after
                await pass_on(send, answer, body, spool)
                self.settle(scope, answer, body)
        finally:
            if spool is not None:
                spool.close()

    def settle(
        self, scope: Scope, answer: UpstreamAnswer, body: bytes | None
    ) -> tuple[int, bytes] | None:
        """Judge, count, record and report one exchange; the strict replacement, if any."""
        method, path = scope["method"], scope["path"]
        query = read_query(scope.get("query_string", b""))
        request_headers = LazyTextPairs(scope["headers"])
        settled = self.referee.settle(
            method=method,
            url=self.upstream.url + path,
            path=path,
            query=query,
            headers=request_headers,
            status=answer.status,
            response_headers=self._texts(answer.headers),
            body=body,
        )
        if settled.judgement.violations:
            secrets = self.referee.scrubber.secrets(request_headers, query)
            for violation in settled.judgement.violations:
                shown = (
                    f"violation: {violation.operation} {violation.path} "
                    f"{violation.json_path}: {violation.message} [{violation.check}]"
                )
                self.report(Scrubber.text(shown, secrets))
        return settled.replacement

    async def _spool(
        self, answer: UpstreamAnswer, chunks: list[bytes], cap: int, deadline: float
    ) -> IO[bytes]:
        """Hold an answer too large to judge on disk, whole, up to ``cap`` bytes."""
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed on open, closed by the caller
        held = 0

        def hold(chunk: bytes) -> None:
            nonlocal held
            held += len(chunk)
            if held > cap:
                raise UpstreamError("too large", f"the answer is larger than {size(cap)}")
            spool.write(chunk)

        try:
            for chunk in chunks:
                hold(chunk)
            async for chunk in answer.stream(deadline=deadline):
                hold(chunk)
        except BaseException:
            spool.close()
            raise
        return spool

    async def _stream(self, scope: Scope, send: Send, answer: UpstreamAnswer) -> None:
        """Pass an answer on as it arrives (a path that is not judged)."""
        headers = without(answer.headers, HOP_BY_HOP)
        started = False
        try:
            async for chunk in answer.stream():
                if not started:
                    start = {"type": "http.response.start", "status": answer.status}
                    await send({**start, "headers": headers})
                    started = True
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except UpstreamError as exc:
            answer.release()
            if not started:
                await self.failed(send, scope["method"], scope["path"], exc)
                return
            self.log.add_error(f"{exc.kind} (cut off)")
            self.report(f"{scope['method']} {scope['path']}: cut off: {exc}")
            abort = scope.get("extensions", {}).get(ABORT_KEY)
            if abort is not None:
                abort()
            return
        answer.release()
        if not started:
            start = {"type": "http.response.start", "status": answer.status}
            await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


async def _whole_body(chunks: AsyncIterator[bytes]) -> bytes:
    """A request body read whole, up to the limit of a request to the four operations."""
    held: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > _REQUEST_BODY_LIMIT:
            raise _TooLarge
        held.append(chunk)
    return b"".join(held)


def _body_stream(scope: Scope, receive: Receive) -> bytes | AsyncIterator[bytes]:
    """The request body as it arrives, or ``b""`` when the request announces none."""
    for name, value in scope["headers"]:  # lower-case names (ASGI)
        if name == b"transfer-encoding" or (
            name == b"content-length" and value.strip() not in (b"0", b"")
        ):
            break
    else:
        return b""

    async def chunks() -> AsyncIterator[bytes]:
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            yield message.get("body", b"")
            if not message.get("more_body", False):
                return

    return chunks()


async def pass_on(
    send: Send, answer: UpstreamAnswer, body: bytes | None, spool: IO[bytes] | None
) -> None:
    """The upstream's answer, as it came (its body whole in ``body``, or on disk)."""
    headers = without(answer.headers, NOT_ANSWERED)
    if spool is None:
        assert body is not None
        await send_whole(send, answer.status, headers, body)
    else:
        await _send_spool(send, answer.status, headers, spool)


async def _send_spool(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], spool: IO[bytes]
) -> None:
    length = spool.tell()
    spool.seek(0)
    headers = [*headers, (b"content-length", b"%d" % length)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    while True:
        chunk = spool.read(256 * 1024)
        if not chunk:
            break
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
