"""uvicorn's HTTP/1.1 protocol, hardened: head size limits, a head timeout, an abort hook.

uvicorn leaves three things open that a mock server on a developer's machine should close:

- **Size of the request head.** httptools (llhttp) buffers a request line or header of any
  size. :class:`Limits` caps the request line (answered ``414 URI Too Long``) and the whole head
  (answered ``431 Request Header Fields Too Large``), counted on the raw bytes before they reach
  the parser, so an oversized head is never buffered.
- **Slow heads (slowloris).** uvicorn's keep-alive timer runs only between requests; a client
  that connects and trickles its headers holds the connection forever. Here every request head
  must be complete within ``Limits.head_timeout`` seconds of its first byte (or of the
  connection being made); otherwise the connection is answered ``408 Request Timeout`` (when
  part of a head arrived) and closed.
- **Dropping a connection on purpose.** A fault that means "no answer" needs the transport,
  which ASGI does not give: each request's scope carries ``scope["extensions"][ABORT_KEY]``, a
  callable that aborts the connection without a byte of response.

The limits travel on the uvicorn ``Config`` (:func:`attach_limits`), which uvicorn pickles into
each worker process, so ``--workers`` gets them too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .._errors import ServeError

try:  # httptools is the fast parser; h11 is the pure-Python fallback uvicorn always has
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    HAVE_HTTPTOOLS = True
except ImportError:  # pragma: no cover - depends on the installation
    HttpToolsProtocol = None  # type: ignore[assignment,misc]
    HAVE_HTTPTOOLS = False

__all__ = [
    "ABORT_KEY",
    "HAVE_HTTPTOOLS",
    "Limits",
    "attach_limits",
    "protocol_class",
]

ABORT_KEY = "extract_contract.abort"
"""The scope extension holding a no-argument callable that drops the connection."""

_LIMITS_ATTRIBUTE = "extract_contract_limits"


@dataclass(frozen=True)
class Limits:
    """What one request may send, and how slowly.

    ``max_request_line`` bytes for the request line (414 beyond), ``max_head`` bytes for the
    request line and all headers (431 beyond), ``head_timeout`` seconds to send a whole head
    (408 and a closed connection beyond). The request line limit is well above the 10 KB ids
    that the API should answer with a 422, not a 414.
    """

    max_request_line: int = 32 * 1024
    max_head: int = 64 * 1024
    head_timeout: float = 10.0
    max_body: int = 1024 * 1024

    def __post_init__(self) -> None:
        """Check the numbers: a :class:`~mocks._errors.ServeError` names the one at fault."""
        for name in ("max_request_line", "max_head", "max_body"):
            if getattr(self, name) < 1:
                raise ServeError("must be >= 1", option=name, value=getattr(self, name))
        if self.max_request_line > self.max_head:
            raise ServeError(
                f"must not exceed max_head ({self.max_head})",
                option="max_request_line",
                value=self.max_request_line,
            )
        if not self.head_timeout > 0:
            raise ServeError("must be > 0", option="head_timeout", value=self.head_timeout)


def attach_limits(config: Any, limits: Limits) -> None:
    """Store ``limits`` on a uvicorn ``Config`` (read by the protocol in every worker)."""
    setattr(config, _LIMITS_ATTRIBUTE, limits)


def _status_bytes(status: int, reason: str) -> bytes:
    body = reason.encode("ascii")
    return (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode("ascii") + body


_REJECT = {
    408: _status_bytes(408, "Request Timeout"),
    414: _status_bytes(414, "URI Too Long"),
    431: _status_bytes(431, "Request Header Fields Too Large"),
}


class _Guard:
    """Head accounting for one connection: shared by the httptools and h11 flavours.

    ``in_head`` is true from a request's first byte (or the connection's start) until the
    parser reports the head complete; only then do bytes count against the limits.
    """

    __slots__ = (
        "head_bytes",
        "in_head",
        "line_bytes",
        "line_done",
        "saw_bytes",
        "started",
        "timer",
    )

    def __init__(self) -> None:
        self.in_head = True
        self.head_bytes = 0
        self.line_bytes = 0
        self.line_done = False
        self.saw_bytes = False
        self.started = 0.0  # loop time at which the head now being read began
        self.timer: asyncio.TimerHandle | None = None

    def start_head(self) -> None:
        self.in_head = True
        self.head_bytes = self.line_bytes = 0
        self.line_done = False
        self.saw_bytes = False

    def check(self, data: bytes, limits: Limits) -> int | None:
        """Account for ``data``; the status to reject with, or None to go on parsing."""
        if not self.in_head:
            return None
        self.saw_bytes = self.saw_bytes or bool(data)
        end = data.find(b"\r\n\r\n")
        head_part = len(data) if end < 0 else end + 4
        if not self.line_done:
            # a request may begin with blank lines, which llhttp skips
            stripped = data.lstrip(b"\r\n") if self.line_bytes == 0 else data
            newline = stripped.find(b"\n")
            self.line_bytes += len(stripped) if newline < 0 else newline
            self.line_done = newline >= 0
            if self.line_bytes > limits.max_request_line:
                return 414
        self.head_bytes += head_part
        if self.head_bytes > limits.max_head:
            return 431
        return None


class _HardenedMixin:
    """Adds the head limits, the head timeout and the abort hook to a uvicorn protocol."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    config: Any
    _guard: _Guard
    _limits: Limits
    _abort_hook: Callable[[], None]

    # The connection's life, the same for both parsers: set up, arm the head timer, cancel it.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_guard()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def _setup_guard(self) -> None:
        self._limits = getattr(self.config, _LIMITS_ATTRIBUTE, None) or Limits()
        self._guard = _Guard()
        self._abort_hook = self._abort  # one bound method per connection, not per request

    def _arm_head_timer(self) -> None:
        """Start the clock of a head. One timer per connection serves every head on it: it is
        made only when none is pending, and when it fires for a head that began later it
        re-arms itself for that head's deadline. So a keep-alive request costs a clock read,
        not a timer made and cancelled."""
        guard = self._guard
        guard.started = self.loop.time()
        if guard.timer is None:
            guard.timer = self.loop.call_at(
                guard.started + self._limits.head_timeout, self._head_timed_out
            )

    def _cancel_head_timer(self) -> None:
        if self._guard.timer is not None:
            self._guard.timer.cancel()
            self._guard.timer = None

    def _head_timed_out(self) -> None:
        guard = self._guard
        guard.timer = None
        if self.transport.is_closing() or not guard.in_head:
            return  # no head in progress: the next one makes a new timer
        deadline = guard.started + self._limits.head_timeout
        if self.loop.time() < deadline:  # this head began after the timer was set
            guard.timer = self.loop.call_at(deadline, self._head_timed_out)
            return
        if guard.saw_bytes:
            self.transport.write(_REJECT[408])
        self.transport.close()

    def _reject(self, status: int) -> None:
        self._cancel_head_timer()
        self._guard.in_head = False
        if not self.transport.is_closing():
            self.transport.write(_REJECT[status])
            self.transport.close()

    def _head_began(self) -> None:
        if not self._guard.in_head:
            self._guard.start_head()
            self._arm_head_timer()

    def _head_done(self) -> None:
        self._guard.in_head = False  # a pending timer finds no head in progress and lapses

    def _abort(self) -> None:
        self._cancel_head_timer()
        self.transport.abort()

    def _add_abort(self, scope: Any) -> None:
        scope.setdefault("extensions", {})[ABORT_KEY] = self._abort_hook


if HAVE_HTTPTOOLS:

    class HardenedHttpToolsProtocol(_HardenedMixin, HttpToolsProtocol):
        """uvicorn's httptools protocol with the limits of :class:`Limits`."""

        def data_received(self, data: bytes) -> None:
            if self.transport.is_closing():
                return
            if not self._guard.in_head and self.cycle is not None and self.cycle.response_complete:
                # the next request on a kept-alive connection starts with these bytes
                self._head_began()
            status = self._guard.check(data, self._limits)
            if status is not None:
                self._reject(status)
                return
            super().data_received(data)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_began()
            self._add_abort(self.scope)

        def on_headers_complete(self) -> None:
            self._head_done()
            super().on_headers_complete()


class HardenedH11Protocol(_HardenedMixin, H11Protocol):
    """uvicorn's h11 protocol with the limits of :class:`Limits` (used without httptools)."""

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        if not self._guard.in_head and (self.cycle is None or self.cycle.response_complete):
            self._head_began()
        status = self._guard.check(data, self._limits)
        if status is not None:
            self._reject(status)
            return
        before = self.cycle
        super().data_received(data)
        if self.cycle is not before and self.cycle is not None:
            self._head_done()
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
