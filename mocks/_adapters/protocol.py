"""uvicorn's HTTP/1.1 protocol, hardened: exact head limits, head and body timeouts, refusals in
order, the parser's reason in every 400, and an abort hook.

uvicorn leaves open what a mock server on a developer's machine should close:

- **Size of the request head.** httptools (llhttp) buffers a request line or header of any
  size. :class:`Limits` caps the request line (answered ``414 URI Too Long``) and the whole head
  (answered ``431 Request Header Fields Too Large``), counted on the raw bytes before they reach
  the parser, so an oversized head is never buffered. The count is exact: a
  :class:`~mocks._adapters.framing.Framer` knows which bytes are heads and which are bodies, so
  the rest of a body is never counted as a head, and a head that follows another in the same
  read (pipelining) is counted from its own first byte. The parser is given a head only once it
  is whole (the framer holds it, bounded), so what it refuses does not depend on the reads.
- **Slow heads and bodies.** uvicorn's keep-alive timer runs only between requests; a client
  that trickles its head, or declares a body and sends it slowly or never, holds the connection
  forever. Here a head must be complete within ``head_timeout`` seconds of its first byte (or of
  the connection being made); a body must go on within ``body_timeout`` seconds of its last
  byte, and keep an average of ``body_min_rate`` bytes a second after its first
  ``body_timeout`` seconds. Otherwise the answer is ``408 Request Timeout`` (when the client
  sent something) and the connection closes. While the server itself stops reading (pipelined
  requests wait for earlier answers), no clock runs against the client. One timer per
  connection serves every clock, and a request whose head and body arrive in one read starts
  none.
- **Refusals in order.** A refused request (414/431/408, or a 400 from the parser) is
  answered after the answers of the requests before it on the connection, never instead of
  them; then the connection closes, lingering a moment so that bytes the client still sends do
  not reset it and destroy those answers.
- **Why a 400.** uvicorn logs a bare ``Invalid HTTP request received.`` for every malformed
  request. Here the 400's body and a warning say what the parser refused (its reason, cut
  before any quoted bytes of the request, so no header value reaches a log), and each kind of
  refusal is logged once per server, at the default level.
- **One write per answer** when busy: the connection's transport holds an answer's head for
  its body (:class:`~mocks._adapters.coalesce.CoalescingTransport`).
- **Dropping a connection on purpose.** A fault that means "no answer" needs the transport,
  which ASGI does not give: each request's scope carries ``scope["extensions"][ABORT_KEY]``, a
  callable that aborts the connection without a byte of response.

- **Plain answers without a task** (httptools): a request without a body whose answer is plain
  is answered by the protocol itself, when the config carries the mock's app or the proxy's
  (:func:`attach_direct`; see :mod:`mocks._adapters.direct`, :mod:`mocks._traffic.direct`).
  The proxy's also carries out a request whose head it knows without parsing it again
  (:meth:`HardenedHttpToolsProtocol.known_message`).

The limits travel on the uvicorn ``Config`` (:func:`attach_limits`), which uvicorn pickles into
each worker process, so ``--workers`` gets them too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .._errors import ServeError
from .coalesce import CoalescingTransport
from .framing import Framer, FramingLimits
from .limits import Limits
from .refusals import UVICORN_400, Quiet400, ReasonedConnection, parser_reason, status_bytes

try:  # httptools is the fast parser; h11 is the pure-Python fallback uvicorn always has
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    HAVE_HTTPTOOLS = True
except ImportError:  # pragma: no cover - depends on the installation
    HttpToolsProtocol = None  # type: ignore[assignment,misc]
    HAVE_HTTPTOOLS = False

__all__ = [
    "ABORT_KEY",
    "ANSWERED_KEY",
    "HAVE_HTTPTOOLS",
    "Limits",
    "attach_direct",
    "attach_limits",
    "protocol_class",
]

ABORT_KEY = "extract_contract.abort"
"""The scope extension holding a no-argument callable that drops the connection."""
ANSWERED_KEY = "extract_contract.answered"
"""The scope extension holding the handler's answer (or exception) when the protocol asked the
handler already (:mod:`mocks._adapters.direct`): the app sends it without asking again."""

_LIMITS_ATTRIBUTE = "extract_contract_limits"
_LOGGED_ATTRIBUTE = "extract_contract_logged"
_DIRECT_ATTRIBUTE = "extract_contract_direct"
_LINGER = 1.0  # seconds a refused connection drops what the client still sends before closing
_KINDS_LOGGED = 64  # kinds of refusal a server logs (each once); the set stays bounded


def attach_limits(config: Any, limits: Limits) -> None:
    """Store ``limits`` on a uvicorn ``Config`` (read by the protocol in every worker), with the
    set of refusals already logged by this server."""
    setattr(config, _LIMITS_ATTRIBUTE, limits)
    setattr(config, _LOGGED_ATTRIBUTE, set())


def attach_direct(config: Any, direct: Any) -> None:
    """Store ``direct`` (a :class:`~mocks._adapters.direct.DirectAnswers`) on a uvicorn
    ``Config``: the httptools protocol answers the plain requests of its app itself."""
    setattr(config, _DIRECT_ATTRIBUTE, direct)


class _HardenedMixin:
    """The framing, clocks, ordered refusals and abort hook, for both uvicorn protocols."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    config: Any
    logger: Any
    cycle: Any
    _framer: Framer
    _limits: Limits
    _logged: set[tuple[int, str]]
    _timer: asyncio.TimerHandle | None
    _refusal: tuple[int, str] | None
    _parsed: int
    _abort_hook: Callable[[], None]

    # -- the connection's life ----------------------------------------------------------------

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = getattr(self.config, _LIMITS_ATTRIBUTE, None) or Limits()
        self._limits = limits
        logged = getattr(self.config, _LOGGED_ATTRIBUTE, None)
        if logged is None:  # a config without attach_limits: the set lives on it from now on
            logged = set()
            setattr(self.config, _LOGGED_ATTRIBUTE, logged)
        self._logged: set[tuple[int, str]] = logged
        self._framer = Framer(FramingLimits(limits.max_request_line, limits.max_head))
        self._timer = None
        self._refusal = None
        self._parsed = 0  # requests the parser has made cycles of
        self._abort_hook = self._abort  # one bound method per connection, not per request

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # one write per answer: its head leaves with its body (see mocks._adapters.coalesce)
        super().connection_made(CoalescingTransport(transport, self))  # type: ignore[misc]
        self._framer.stamp(self.loop.time())  # the first head is awaited from now
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing() or self._refusal is not None:
            return  # refused: nothing more is read
        framer = self._framer
        scanned = framer.scan(data)
        if scanned is None:  # the usual read: one whole head, all of it, as it is
            self._feed_head(data)
        else:
            pieces, refused = scanned
            for piece in pieces:  # what the framer has judged (earlier requests, whole units)
                self._feed(piece)
                if self._refusal is not None or self.transport.is_closing():
                    return  # the parser refused something in it
            if refused is not None:
                self._refuse(refused.status, refused.reason)
                return
        if framer.active and self._refusal is None:  # a head or body goes on: its clock runs
            framer.stamp(self.loop.time())
            timer = self._timer
            if timer is None or timer.when() > self._deadline():
                if timer is not None:
                    timer.cancel()
                self._arm()

    def _feed(self, data: bytes) -> None:
        """Hand ``data`` to the parser (uvicorn's ``data_received``)."""
        raise NotImplementedError

    def _feed_head(self, data: bytes) -> None:
        """Hand the parser ``data``: one whole request head that frames no body (the framer's
        usual read)."""
        self._feed(data)

    def on_response_complete(self) -> None:
        # the head of an answer without a body (to HEAD) leaves now
        self.transport.flush()  # type: ignore[attr-defined]  # a CoalescingTransport
        super().on_response_complete()  # type: ignore[misc]
        if self._refusal is not None:
            self._refuse_when_due()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's 400 for what the parser refused: with the parser's reason, in order."""
        self._refuse(400, self._parser_reason() or msg)

    def _parser_reason(self) -> str | None:
        return None

    # -- clocks -------------------------------------------------------------------------------

    def _deadline(self) -> float:
        limits = self._limits
        return self._framer.deadline(limits.head_timeout, limits.body_timeout, limits.body_min_rate)

    def _arm(self) -> None:
        self._timer = self.loop.call_at(self._deadline(), self._tick)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        """The running clock's deadline came: time out, or wait for the new deadline (a clock
        started again), or let the timer lapse (no clock runs: the next one makes a timer)."""
        self._timer = None
        framer = self._framer
        if self.transport.is_closing() or self._refusal is not None or not framer.active:
            return
        now = self.loop.time()
        if not self.transport.is_reading():  # we wait for earlier answers, not the client
            framer.excuse(now)
            self._arm()
            return
        limits = self._limits
        deadline = self._deadline()
        if now < deadline:
            self._timer = self.loop.call_at(deadline, self._tick)
            return
        if not framer.saw_bytes:  # a connection that never sent a byte: just close it
            self.transport.close()
            return
        if framer.in_body:
            quiet = now >= framer.last_byte + limits.body_timeout
            reason = (
                f"request body stalled: no byte for {limits.body_timeout:g}s"
                if quiet
                else f"request body slower than {limits.body_min_rate} bytes/s"
            )
        else:
            reason = f"request head not complete within {limits.head_timeout:g}s"
        self._refuse(408, reason)

    # -- refusals, in order -------------------------------------------------------------------

    def _refuse(self, status: int, reason: str) -> None:
        """Refuse the connection's current request with ``status``: once the requests before it
        are answered, send the refusal and close; read nothing more meanwhile."""
        if self._refusal is not None or self.transport.is_closing():
            return
        self._refusal = (status, reason)
        self._cancel_timer()
        self._log_refusal(status, reason)
        self._refuse_when_due()

    def _refuse_when_due(self) -> None:
        if self._refusal is None or self.transport.is_closing() or self._answers_pending():
            return
        status, reason = self._refusal
        detail = f"Invalid HTTP request: {reason}" if status == 400 else reason
        transport = self.transport
        transport.write(status_bytes(status, detail))
        if not transport.can_write_eof():
            transport.close()
            return
        # a lingering close: closing with the client's bytes unread would reset the connection
        # and could destroy the answers on their way; so stop sending, read (and drop) what
        # still comes for a moment, and close when the client does, or after _LINGER seconds
        transport.write_eof()
        transport.resume_reading()
        self.loop.call_later(_LINGER, transport.close)

    def _answers_pending(self) -> bool:
        """Whether a request before the refused one still awaits its answer (one that waits
        for the refused body never gets it, so it awaits nothing)."""
        if getattr(self, "pipeline", None):  # httptools: parsed requests queued behind one
            return True
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return False
        framer = self._framer
        return not (framer.in_body and framer.heads == self._parsed)

    def _log_refusal(self, status: int, reason: str) -> None:
        kind = (status, reason)
        if kind in self._logged or len(self._logged) >= _KINDS_LOGGED:
            return
        self._logged.add(kind)
        what = "Invalid HTTP request received" if status == 400 else "Request refused"
        self.logger.warning(
            "%s: %s (answered %d %s; further requests refused for this reason are not logged)",
            what,
            reason,
            status,
            HTTPStatus(status).phrase,
        )

    # -- the abort hook -------------------------------------------------------------------------

    def _abort(self) -> None:
        self._cancel_timer()
        self.transport.abort()

    def _add_abort(self, scope: Any) -> None:
        scope.setdefault("extensions", {})[ABORT_KEY] = self._abort_hook


if HAVE_HTTPTOOLS:

    class HardenedHttpToolsProtocol(_HardenedMixin, HttpToolsProtocol):
        """uvicorn's httptools protocol with the limits of :class:`Limits`."""

        _reason: str | None = None
        _direct_request: Any = None  # the request answered when its message completes

        fed_head: bytes | None = None
        """The bytes of the parser's current request head while it parses a whole one alone (the
        framer's usual read; see :meth:`_feed_head`), else None."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._direct: Any = getattr(self.config, _DIRECT_ATTRIBUTE, None)
            # whether a head the direct answers know (read before on this server, taken) is
            # carried out without the parser (see known_message): for the proxy's, until an
            # upgrade leaves the parser in a state of its own
            self._repeats = hasattr(self._direct, "repeat")

        def _feed_head(self, data: bytes) -> None:
            if not self._repeats:  # the mock's direct answers (or none; or after an upgrade)
                self._feed(data)
                return
            if self._direct.repeat(self, data):
                return
            self.fed_head = data  # for the direct answers to know it (ProxyDirect.takes)
            try:
                self._feed(data)
            finally:
                self.fed_head = None

        def known_message(self, url: bytes, headers: Any) -> None:
            """What feeding the parser a known head (``url``, ``headers`` as uvicorn keeps
            them) would do, up to its message's end, for a request the direct answers then
            carry out: the head of a request without a body leaves the parser where it found it
            (between messages: a head the framer passes whole, after an upgrade never)."""
            self._unset_keepalive_if_required()
            self.on_message_begin()
            self.url = url
            self.headers.extend(headers)
            self._parsed += 1

        def _feed(self, data: bytes) -> None:
            # uvicorn's data_received, keeping the parser's reason for its 400
            self._unset_keepalive_if_required()
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserError as exc:
                self._reason = parser_reason(str(exc))
                self.send_400_response(UVICORN_400)
            except httptools.HttpParserUpgrade:
                self._repeats = False  # llhttp resumed after an upgrade: parse every head
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                else:
                    self._unsupported_upgrade_warning()

        def _parser_reason(self) -> str | None:
            return self._reason

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._add_abort(self.scope)

        def on_headers_complete(self) -> None:
            self._parsed += 1
            if self._direct is not None:
                self._direct_request = self._direct.takes(self)
                if self._direct_request is not None:
                    return  # answered when its message completes, without a cycle
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            request = self._direct_request
            if request is None:
                super().on_message_complete()
                return
            self._direct_request = None
            if not self._direct.answer(self, request):  # not plain: uvicorn's cycle and task
                super().on_headers_complete()
                super().on_message_complete()

        def defer_cycle(self, plain: tuple[str, str, bytes, bytes]) -> Any:
            """uvicorn's cycle for the taken request just completed (``plain``: its
            :func:`~mocks._adapters.direct.plain_head`), made as uvicorn's
            ``on_headers_complete`` makes it but not started: the caller answers it (writes,
            sets ``response_complete``, calls ``on_response``) or starts it
            (``_start_asgi_task``). Pipelined requests wait for it meanwhile."""
            scope = self.scope
            scope["method"], scope["path"], scope["raw_path"], scope["query_string"] = plain
            cycle = self.cycle = RequestResponseCycle(
                scope=scope,
                transport=self.transport,
                flow=self.flow,
                logger=self.logger,
                access_logger=self.access_logger,
                access_log=self.access_log,
                default_headers=self.server_state.default_headers,
                message_event=asyncio.Event(),
                expect_100_continue=self.expect_100_continue,
                keep_alive=True,  # HTTP/1.1, kept alive (plain_head)
                on_response=self.on_response_complete,
            )
            cycle.more_body = False  # no body (uvicorn's on_message_complete)
            cycle.message_event.set()
            return cycle


class HardenedH11Protocol(_HardenedMixin, H11Protocol):
    """uvicorn's h11 protocol with the limits of :class:`Limits` (used without httptools)."""

    conn: ReasonedConnection

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # h11's own bound on an incomplete head is a backstop: the framer's exact count of each
        # head answers 431 first
        self.conn = ReasonedConnection(h11.SERVER, 2 * self._limits.max_head)
        self.logger = Quiet400(self.logger, {})

    def _feed(self, data: bytes) -> None:
        H11Protocol.data_received(self, data)

    def _parser_reason(self) -> str | None:
        return self.conn.reason

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before and self.cycle is not None:
            self._parsed += 1
            self._add_abort(self.cycle.scope)


def protocol_class(http: str = "auto") -> type[Any]:
    """The hardened protocol for ``http`` (``auto``: httptools when installed, else h11); a
    :class:`~mocks._errors.ServeError` (option ``http``) for a parser that is not there."""
    if http == "h11" or (http == "auto" and not HAVE_HTTPTOOLS):
        return HardenedH11Protocol
    if http in ("auto", "httptools"):
        if not HAVE_HTTPTOOLS:
            reason = "needs the httptools package (pip install httptools)"
            raise ServeError(reason, option="http", value=http)
        return HardenedHttpToolsProtocol
    raise ServeError(
        "unknown HTTP implementation; choose auto, httptools or h11", option="http", value=http
    )
