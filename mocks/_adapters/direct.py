"""Plain answers written by the hardened httptools protocol itself: no task, no ASGI messages.

uvicorn answers every request through a ``RequestResponseCycle`` run as an asyncio task: the app
gets a scope and sends two messages, which the cycle encodes and writes. For the mock's usual
request that machinery is much of what a request costs beyond the handler (issue 14). So the
hardened protocol (:mod:`mocks._adapters.protocol`) asks :class:`DirectAnswers` when a request's
head is read, before uvicorn makes its cycle (:meth:`DirectAnswers.takes`), and the protocol
answers the request itself when its message completes if all of these hold:

- the app served is the mock's :class:`~mocks._adapters.asgi.MockASGIApp`: the one attached to
  the uvicorn ``Config`` (:func:`~mocks._adapters.protocol.attach_direct`; the live server
  attaches the app it serves, a ``--workers`` process the app it builds);
- the request has no body (no ``Content-Length`` but ``0``, no ``Transfer-Encoding``), no
  upgrade, no ``Expect: 100-continue``, its path is not one of the mock's own
  (:data:`~mocks._adapters.paths.CONTROL_PREFIX`), and it keeps the connection alive (HTTP/1.1
  without ``Connection: close``: a closing answer is uvicorn's, which reads nothing after it);
- nothing before it on the connection is still being answered or waits, the transport is not
  paused for writing, no concurrency limit is set, and no access log is kept (uvicorn's own
  test: a handler on its access logger; pytest's log capture hangs one there during each test,
  so under pytest every request goes uvicorn's way and is logged as before);
- the handler's answer is plain (:func:`~mocks._adapters.asgi.is_plain`: no delay, no
  disconnect, not a 307), the answer ``MockASGIApp`` sends at once.

Then the answer leaves in one write (the head and body together; to a lone client, the only
connection the server has, the head first and then the body, as
:mod:`~mocks._adapters.coalesce` writes a lone answer: its head wakes the client while the body
is written, 8-10% more pages of 20 a second at one connection), the bytes uvicorn writes for
``MockASGIApp``'s two messages: the status line, uvicorn's default headers (``date``), the
answer's headers as the app encodes them (:func:`~mocks._adapters.asgi.encode_headers_cached`),
``content-length``, no body to ``HEAD``; then uvicorn's end of an answer
(``on_response_complete``: the keep-alive timer, reading again, the hardened protocol's refusal
in order). Any other request goes uvicorn's way, unchanged. An answer the handler gave that is
not plain goes to the app in the scope (:data:`~mocks._adapters.protocol.ANSWERED_KEY`), so that
the handler is asked once. A property test holds both ways byte-identical
(``tests/server/test_direct.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from .._core.http import Request, Response, request_from
from .asgi import MockASGIApp, encode_headers_cached, is_plain
from .paths import CONTROL_PREFIX
from .protocol import ANSWERED_KEY, HAVE_HTTPTOOLS

if HAVE_HTTPTOOLS:  # only the httptools protocol answers directly (without it: nothing to do)
    import httptools
    from uvicorn.protocols.http.httptools_impl import HEADER_RE, HEADER_VALUE_RE, STATUS_LINE

__all__ = ["DirectAnswers", "header_lines", "plain_head", "ready"]

_FRAMING = frozenset({b"content-length", b"transfer-encoding", b"connection"})


class DirectAnswers:
    """The plain answers of one :class:`~mocks._adapters.asgi.MockASGIApp` (``app``: given, or
    set by the app factory of a ``--workers`` process, where the config arrives pickled)."""

    def __init__(self, app: MockASGIApp | None = None) -> None:
        self.app = app
        self._defaults: object = None  # uvicorn's default headers (a new list every second)
        self._defaults_lines: bytes | None = b""  # ... as header lines (None: not ours to send)

    def takes(self, protocol: Any) -> Request | None:
        """The request whose head ``protocol`` just read, when the protocol answers it itself
        once its message completes (see the module docstring); else None: uvicorn's way."""
        if self.app is None:
            return None
        plain = plain_head(protocol)
        if plain is None:
            return None
        method, path, _, query = plain
        return request_from(method, path, query, protocol.headers)

    def answer(self, protocol: Any, request: Request) -> bool:
        """Answer ``request`` (taken, its message now complete) as uvicorn would, in one write
        (two to a lone client); False when the answer is not plain: it waits in the scope for
        the app."""
        assert self.app is not None
        extensions = protocol.scope["extensions"]
        try:
            response = self.app.handler(request)
        except Exception as exc:  # the app raises it again: uvicorn logs it and answers 500
            extensions[ANSWERED_KEY] = exc
            return False
        head = None
        if is_plain(response):
            head = self._head(response, protocol.server_state.default_headers)
        if head is None:
            extensions[ANSWERED_KEY] = response
            return False
        transport = protocol.transport
        if request.method == "HEAD" or not response.body:
            transport.write(head)
        elif len(protocol.server_state.connections) == 1:  # a lone client: see the docstring
            transport.write(head)
            transport.write(response.body)
        else:
            transport.write(head + response.body)
        protocol.on_response_complete()
        return True

    def _head(self, response: Response, defaults: Any) -> bytes | None:
        """The head uvicorn writes for the start message ``_send`` makes of ``response``; None
        for one uvicorn would refuse or frame otherwise (a header of its own: the app sends it)."""
        if defaults is not self._defaults:
            self._defaults_lines = header_lines(defaults)
            self._defaults = defaults
        body = response.body
        try:
            lines = _answer_lines(response.headers, bool(body))
        except TypeError:  # headers no cache can key on (a list from a hand-written handler)
            return None
        status = STATUS_LINE.get(response.status)
        if lines is None or status is None or self._defaults_lines is None:
            return None
        length = b"content-length: %d\r\n\r\n" % len(body)
        return b"".join((status, self._defaults_lines, lines, length))


def plain_head(protocol: Any) -> tuple[str, str, bytes, bytes] | None:
    """``(method, path, raw_path, query)`` of the request whose head the hardened httptools
    ``protocol`` just read, when the protocol may answer it itself (the conditions of the
    module docstring, but the answer's: no body, no upgrade, no ``Expect``, not the mock's own
    paths, kept alive, nothing before it unanswered, no concurrency limit, no access log,
    writing not paused); else None. The path, raw path and query as uvicorn's scope has them
    (unquoted, after ``root_path``)."""
    if not ready(protocol) or protocol.expect_100_continue or protocol.parser.should_upgrade():
        return None
    for name, value in protocol.headers:
        if (name == b"content-length" and value != b"0") or name == b"transfer-encoding":
            return None
    url = httptools.parse_url(protocol.url)  # the path and query as uvicorn's scope has them
    raw_path = url.path
    path = raw_path.decode("ascii")
    if "%" in path:
        path = unquote(path)
    root = protocol.root_path
    if root:
        path = root + path
        raw_path = root.encode("ascii") + raw_path
    if path.startswith(CONTROL_PREFIX):
        return None
    parser = protocol.parser
    if parser.get_http_version() == "1.0" or not parser.should_keep_alive():
        return None  # closes the connection: uvicorn's way leaves what follows unread
    return parser.get_method().decode("ascii"), path, raw_path, url.query or b""


def ready(protocol: Any) -> bool:
    """Whether the hardened httptools ``protocol`` may answer its next request itself, as far
    as the connection and the server go (:func:`plain_head` asks the request the rest): no
    access log, no concurrency limit, nothing before it unanswered or waiting, writing not
    paused."""
    cycle = protocol.cycle  # the last request before this one
    return not (
        protocol.access_log
        or protocol.limit_concurrency is not None
        or protocol.pipeline
        or (cycle is not None and not cycle.response_complete)
        or protocol.flow.write_paused
    )


def header_lines(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """``name: value`` lines as uvicorn writes them (names lower-case); None when uvicorn would
    refuse one, or read it as framing (its own ``content-length``, ``connection``...)."""
    lines = []
    for name, value in headers:
        name = name.lower()
        if name in _FRAMING or HEADER_RE.search(name) or HEADER_VALUE_RE.search(value):
            return None
        lines.append(b"%s: %s\r\n" % (name, value))
    return b"".join(lines)


@lru_cache(maxsize=256)
def _answer_lines(headers: tuple[tuple[str, str], ...], has_body: bool) -> bytes | None:
    """An answer's headers as lines: the handler answers from a few shared header tuples."""
    return header_lines(encode_headers_cached(headers, has_body))
