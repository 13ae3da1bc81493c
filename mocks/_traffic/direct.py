"""The proxy's usual exchange carried out by the hardened httptools protocol: no task, no ASGI
messages, no awaiting.

Through :class:`~mocks._traffic.proxy.ProxyApp` served by uvicorn, every exchange costs uvicorn's
``RequestResponseCycle`` run as a task, the app's coroutines awaiting the upstream's answer (a
future and a timer each time), and the two ASGI messages that uvicorn checks and encodes: more
of the proxy's time than the upstream exchange and the judging together (issue 15). So, as the
mock's plain answers are (:mod:`mocks._adapters.direct`), the proxy's usual exchange is carried
out by callbacks when the protocol has read a request (:meth:`ProxyDirect.takes`) that:

- is plain (:func:`~mocks._adapters.direct.plain_head`: no body, kept alive, nothing before it
  unanswered, no access log, not the proxy's own paths...),
- goes to one of the four operations (judged), and
- finds a kept-alive connection to the upstream idle.

Then (:meth:`ProxyDirect.answer`) the protocol makes uvicorn's cycle for it without starting it
(:meth:`~mocks._adapters.protocol.HardenedHttpToolsProtocol.defer_cycle`: requests pipelined
behind it wait for it, as behind any answer), and the request goes upstream at once. When the
upstream's answer is whole, the connection's listener writes it to the client, the bytes
uvicorn writes for the app's two messages (its head, in one write with the body but to a lone
client), ends the cycle as uvicorn does (``on_response``: the keep-alive timer, the next
pipelined request), and then judges, counts and records it with the app's own
:meth:`~mocks._traffic.proxy.ProxyApp.settle` (first, for a strict proxy, which may replace it).

A client asks the same things again: a run polled until it is done, the same page, each time
with the same headers. So the head of a request taken is kept, as its bytes (the last
:data:`_KEPT_HEADS`, of at most :data:`_KEPT_HEAD` bytes each: about 3 MiB at most, whatever a
client sends), with what its parse made (uvicorn's url and headers, the request taken) and,
once repeated, the bytes that go upstream for it. When the same bytes come again as one whole
head read alone (the framer's usual read, so the parser is between messages) on a connection
:func:`~mocks._adapters.direct.ready` for it, the request is carried out without the parser,
its checks or its operation asked again (:meth:`ProxyDirect.repeat`;
:meth:`~mocks._adapters.protocol.HardenedHttpToolsProtocol.known_message` does what feeding
the head would have done): equal bytes are the same request. After an upgrade the parser reads
every head (llhttp resumes from it in a state of its own).

Whatever else happens goes uvicorn's way from where it stands, the cycle started as a task with
the app's own code for the rest: an upstream that failed (a connection found closed is tried
anew, once, as the app tries it), an answer larger than one read buffer or than ``max_body``,
or ending with its connection, a client not reading (writing paused), a header uvicorn would
refuse. A property test holds the two ways byte-identical (``tests/traffic/test_direct.py``).
"""

from __future__ import annotations

import functools
from typing import Any

from contracts import resolve_operation

from .._adapters.direct import header_lines, plain_head, ready
from .._adapters.protocol import HAVE_HTTPTOOLS, attach_direct
from .connection import UpstreamConnection, UpstreamError
from .headers import JSON_HEADER, NOT_ANSWERED, PerHeaders, without
from .proxy import ProxyApp, send_json, send_whole
from .upstream import UpstreamAnswer

if HAVE_HTTPTOOLS:
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

__all__ = ["ProxyDirect", "uvicorn_settings"]


_JOINED = 4096  # bytes of body up to which head and body are joined (else written as a vector)
_KEPT_HEADS = 256  # request heads whose request is kept (see ProxyDirect.repeat) ...
_KEPT_HEAD = 4096  # ... of at most this many bytes each (with what they make: ~3 MiB at most)
_KEPT_PATH = 256  # characters of a path whose operation is kept (4,096 of them: ~1 MiB at most)


Plain = tuple[str, str, bytes, bytes]
"""A request taken: its :func:`~mocks._adapters.direct.plain_head`."""
_Known = tuple[bytes, tuple[tuple[bytes, bytes], ...], Plain, bytes | None]
"""A head taken: uvicorn's url and headers of it, the request, and its bytes upstream (made
when first repeated)."""


class ProxyDirect:
    """The direct exchanges of one :class:`~mocks._traffic.proxy.ProxyApp` (see the module
    docstring), attached to the uvicorn ``Config`` by :func:`uvicorn_settings`."""

    def __init__(self, app: ProxyApp) -> None:
        self.app = app
        self._defaults: object = None  # uvicorn's default headers, as last seen
        self._defaults_lines: bytes | None = b""
        self._lines = PerHeaders(lambda headers: header_lines(without(headers, NOT_ANSWERED)))
        # the heads taken lately, and what they make (see repeat)
        self._known: dict[bytes, _Known] = {}

    @staticmethod
    def usable() -> bool:
        """Whether the installed uvicorn has what a deferred cycle needs (its httptools
        protocol starts each cycle through ``_start_asgi_task``)."""
        return HAVE_HTTPTOOLS and hasattr(HttpToolsProtocol, "_start_asgi_task")

    def takes(self, protocol: Any) -> Plain | None:
        """The request whose head ``protocol`` just read (its
        :func:`~mocks._adapters.direct.plain_head`), when it is carried out directly once its
        message completes; else None: uvicorn's way."""
        plain = plain_head(protocol)
        if plain is None or not judged(plain[0], plain[1]):
            return None
        head = protocol.fed_head
        if head is not None and len(head) <= _KEPT_HEAD:  # known from now on (see repeat)
            known = self._known
            if len(known) >= _KEPT_HEADS:
                known.clear()  # as PerHeaders: a client asks the same few things again
            known[head] = (protocol.url, tuple(protocol.headers), plain, None)
        if not self.app.pool.has_idle():
            return None
        return plain

    def repeat(self, protocol: Any, head: bytes) -> bool:
        """Carry out the request ``head`` (the whole head of a request without a body, read
        alone) without parsing it, when it is a head taken before (:meth:`takes`: the same
        bytes are the same request) and the connection is :func:`ready` for it, with an idle
        upstream connection; else False: the parser reads it. A client asks the same things
        again (a run polled until it is done, the same page): its parse, its checks and its
        operation are kept for the last few heads."""
        known = self._known.get(head)
        if known is None or not ready(protocol) or not self.app.pool.has_idle():
            return False
        url, headers, plain, request = known
        protocol.known_message(url, headers)
        if request is None:  # its bytes upstream, made once
            _, _, raw_path, query = plain
            target, forwarded = self.app.forwarded(raw_path, query, list(headers))
            request = self.app.pool.request_head(plain[0], target, forwarded)
            self._known[head] = (url, headers, plain, request)
        return self.answer(protocol, plain, request)

    def answer(self, protocol: Any, taken: Plain, request: bytes | None = None) -> bool:
        """Send the taken request upstream (its message now complete; ``request``: its bytes
        upstream, when known); its answer is written when it comes (:class:`_Exchange`).
        Always True: from here the cycle is this module's, or started as uvicorn's task."""
        app = self.app
        cycle = protocol.defer_cycle(taken)
        if request is None:
            target, headers, deadline = app.outgoing(cycle.scope)
            request = app.pool.request_head(taken[0], target, headers)
        else:
            deadline = app.deadline()
        exchange = _Exchange(self, protocol, cycle, deadline)
        connection = app.pool.send_now(taken[0], request, deadline, exchange.heard)
        if connection is None:  # no idle connection after all: the app's way, from the start
            protocol._start_asgi_task(cycle, protocol.app)
        exchange.connection = connection
        return True

    def head(
        self,
        protocol: Any,
        cycle: Any,
        status: int,
        headers: list[tuple[bytes, bytes]],
        length: int,
    ) -> bytes | None:
        """The head uvicorn writes for the start message ``ProxyApp`` sends for an answer with
        ``headers`` (as the upstream sent them: those not answered are dropped here, as
        :func:`~mocks._traffic.proxy.pass_on` drops them), then ``content-length``; None for
        one uvicorn would refuse or frame otherwise. The lines of the last few sets of headers
        are kept (an upstream answers with the same few, but for its ``date``)."""
        defaults = protocol.server_state.default_headers
        if defaults is not self._defaults:
            self._defaults_lines = header_lines(defaults)
            self._defaults = defaults
        lines = self._lines(headers)
        status_line = STATUS_LINE.get(status)
        if lines is None or status_line is None or self._defaults_lines is None:
            return None
        end = b"\r\n" if cycle.keep_alive else b"connection: close\r\n\r\n"
        length_line = b"content-length: %d\r\n" % length
        return b"".join((status_line, self._defaults_lines, lines, length_line, end))


def judged(method: str, path: str) -> bool:
    """Whether a request goes to one of the four operations (judged). The answers for the paths
    asked lately are kept (a client asks for the same runs and pages again), for paths of at
    most :data:`_KEPT_PATH` characters: a client's long paths cannot fill memory."""
    if len(path) > _KEPT_PATH:
        return resolve_operation(method, path)[1]
    return _judged_kept(method, path)


@functools.lru_cache(maxsize=4096)
def _judged_kept(method: str, path: str) -> bool:
    return resolve_operation(method, path)[1]


class _Exchange:
    """One request carried out directly: ``heard`` is the upstream connection's listener."""

    __slots__ = ("connection", "cycle", "deadline", "direct", "protocol")

    def __init__(self, direct: ProxyDirect, protocol: Any, cycle: Any, deadline: float) -> None:
        self.direct = direct
        self.protocol = protocol
        self.cycle = cycle
        self.deadline = deadline
        self.connection: UpstreamConnection | None = None

    def heard(self) -> None:
        """The upstream's answer is whole, or failed, or needs more than a callback can do."""
        connection = self.connection
        assert connection is not None
        connection.listener = None  # once: what follows awaits, or is done
        self.direct.app.pool.unwatch(connection)
        cycle = self.cycle
        try:
            self._heard(connection)
        except Exception as exc:  # a bug, a recording that cannot be written
            app = self.direct.app
            failure = app.failed_itself(cycle.scope, exc)
            if not cycle.response_started:  # else the answer left whole, in one go: nothing to undo
                detail = {"detail": f"the proxy failed ({failure})"}
                self._later(lambda scope, receive, send: send_json(send, 502, detail))

    def _heard(self, connection: UpstreamConnection) -> None:
        app = self.direct.app
        pool = app.pool
        scope = self.cycle.scope
        error = connection.error
        if error is not None:
            pool._discard(connection)
            stale = connection.reused and not connection.got_bytes and error.kind == "dropped"
            if stale:  # the upstream closed it while idle: the whole exchange anew, as the app
                self._later(None)
            else:
                self._failed(error)
            return
        answer = UpstreamAnswer(pool, connection, app.timeout)
        if not connection.complete or connection.buffered > app.referee.max_body:
            deadline = self.deadline  # the rest is read (or spooled) by the app's own code
            self._later(
                lambda scope, receive, send: app._judge_and_answer(scope, send, answer, deadline)
            )
            return
        chunks = connection.take()
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        answer.release()
        protocol, cycle = self.protocol, self.cycle
        if protocol.flow.write_paused:  # the client reads slowly: uvicorn's send waits for it
            self._later(lambda scope, receive, send: app.answer(scope, send, answer, body))
            return
        status, headers, sent = answer.status, answer.headers, body
        strict = app.referee.strict
        if strict:
            replacement = app.settle(scope, answer, body)
            if replacement is not None:
                status, headers, sent = replacement[0], [JSON_HEADER], replacement[1]
        head = self.direct.head(protocol, cycle, status, headers, len(sent))
        if head is None:  # a header uvicorn refuses: its way, with its error
            if strict:
                passed = without(headers, NOT_ANSWERED)
                self._later(lambda scope, receive, send: send_whole(send, status, passed, sent))
            else:
                self._later(lambda scope, receive, send: app.answer(scope, send, answer, body))
            return
        if not cycle.disconnected:
            transport = protocol.transport
            if sent and len(protocol.server_state.connections) == 1:
                transport.write(head)  # a lone client: head first (as mocks._adapters.coalesce)
                transport.write(sent)
            elif len(sent) > _JOINED:
                transport.writelines([head, sent])  # one writev: the body is not copied
            else:
                transport.write(head + sent)
            cycle.response_started = cycle.response_complete = True
            if not cycle.keep_alive:
                transport.close()
            cycle.on_response()
        if not strict:
            app.settle(scope, answer, body)

    def _failed(self, error: UpstreamError) -> None:
        app = self.direct.app
        scope = self.cycle.scope
        method, path = scope["method"], scope["path"]
        self._later(lambda s, receive, send: app.failed(send, method, path, error))

    def _later(self, step: Any) -> None:
        """Go on uvicorn's way: the cycle started as a task running ``step`` (None: the whole
        exchange from the start), guarded as the app guards its own."""
        app = self.direct.app
        guarded = functools.partial(app._guarded, step=step)
        self.protocol._start_asgi_task(self.cycle, guarded)


def uvicorn_settings(config: Any) -> None:
    """What the proxy changes in the hardened uvicorn ``Config``: the lifespan on (to close the
    upstream's connections at shutdown); no ``date`` header of its own (the upstream's passes
    through); no reading of ``X-Forwarded-*`` (a client's headers go upstream untouched); and,
    for a :class:`ProxyApp` with ``direct_answers``, its usual exchanges carried out by the
    hardened httptools protocol without a task (this module). (Each answer is
    written at once by the hardened protocol itself: :mod:`~mocks._adapters.coalesce`.)"""
    config.lifespan = "on"
    config.date_header = False
    config.proxy_headers = False
    app = config.app
    if isinstance(app, ProxyApp) and app.direct_answers and ProxyDirect.usable():
        attach_direct(config, ProxyDirect(app))
