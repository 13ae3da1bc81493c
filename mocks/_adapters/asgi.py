"""The ASGI adapter: the mock's one request handler, served over HTTP.

A raw ASGI 3 callable, no framework: it turns the scope into a :class:`~mocks._core.http.Request`
(through :func:`~mocks._core.http.request_from`, as the respx router does), asks the handler,
and sends the :class:`~mocks._core.http.Response` back as it is, so the live server and the
respx router answer byte-identical bodies for the same request and seed.

Around the handler, and only here:

- ``GET /__extract_contract__/health`` answers ``{"status":"ok"}``, and
  ``GET /__extract_contract__/agents`` the agents that have runs when the app is given that
  endpoint (see :mod:`mocks._adapters.paths`; the API lives under ``/api/v1`` and can never
  clash with them);
- ``/__extract_contract__/admin/...`` goes to the admin API when one is given (off otherwise:
  404 like any unknown path);
- **a request's body is in before anything is done or answered**, on every path (the API, the
  mock's own paths, unknown ones): a ``Content-Length`` above ``max_body`` is answered ``413``
  at once, a chunked body is counted as it streams and cut off with ``413`` the moment it goes
  over; below the limit the body is read to its end (kept only for the admin API; a body on a
  GET is ignored). A client that goes away before its whole body arrived gets nothing done and
  no answer: a ``DELETE`` whose body was cut off deletes nothing, an admin load adds nothing.
  So the rest of a body is never read as the next request on a kept-alive connection;
- ``Response.delay`` is an ``asyncio.sleep``; ``Response.disconnect`` drops the connection
  without a byte of answer (through the hardened protocol's abort hook; elsewhere the response
  is started and never finished, which a client also sees as a dropped connection).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import unquote

from .._core.handler import Handler
from .._core.http import JSON_TYPE, Request, Response, json_answer, request_from
from .control import AgentsEndpoint
from .paths import ADMIN_PREFIX, AGENTS_PATH, CONTROL_PREFIX, HEALTH_PATH
from .protocol import ABORT_KEY, ANSWERED_KEY

__all__ = [
    "ASGIApp",
    "BodyHandler",
    "ControlAnswer",
    "MockASGIApp",
    "create_app",
    "encode_headers",
    "encode_headers_cached",
    "is_plain",
    "to_request",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Answer = Callable[[Request], Response]

DEFAULT_MAX_BODY = 1024 * 1024

_HEALTH = json_answer(200, {"status": "ok"})
_HEALTH_NOT_ALLOWED = json_answer(405, {"detail": "Method Not Allowed"}, (("allow", "GET"),))
_NOT_FOUND = json_answer(404, {"detail": "Not Found"})
_TOO_LARGE = json_answer(413, {"detail": "Request body too large"})
_BAD_LENGTH = json_answer(400, {"detail": "Invalid Content-Length header"})
_ONE_BYTE = (b"content-length", b"1")
_JSON_TYPE_BYTES = (JSON_TYPE[0].encode("latin-1"), JSON_TYPE[1].encode("latin-1"))
_NO_EXTENSIONS: dict[str, Any] = {}


class BodyHandler(Protocol):
    """A handler that also reads the request body, off the request path (the admin API)."""

    def __call__(self, request: Request, body: bytes) -> Awaitable[Response]: ...


class ControlAnswer(Protocol):
    """One of the mock's own paths without a body (the agents endpoint)."""

    def __call__(self, request: Request) -> Awaitable[Response]: ...


class _TooLarge(Exception):
    """The body went over ``max_body``."""


class _Gone(Exception):
    """The client went away before the whole body arrived."""


class MockASGIApp:
    """An ASGI 3 app over ``handler``; see the module docstring for what it adds."""

    def __init__(
        self,
        handler: Answer,
        *,
        admin: BodyHandler | None = None,
        agents: ControlAnswer | None = None,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        if max_body < 1:
            raise ValueError(f"max_body must be >= 1, got {max_body}")
        self.handler = handler
        self.admin = admin
        self.agents = agents
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await _lifespan(receive, send)
        # websockets: not part of this API; returning closes the socket (uvicorn answers 403)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        answered = scope.get("extensions", _NO_EXTENSIONS).get(ANSWERED_KEY)
        if answered is not None:  # the protocol asked the handler (mocks._adapters.direct)
            if isinstance(answered, Exception):
                raise answered
            await self._answer(answered, scope, receive, send)
            return
        request = to_request(scope)
        try:
            announced = _content_length(request)
        except ValueError:
            await _send(send, _BAD_LENGTH, close=True)
            return
        if announced is not None and announced > self.max_body:
            await _send(send, _TOO_LARGE, close=True)
            return
        if request.path.startswith(CONTROL_PREFIX):
            await self._control(request, bool(announced), receive, send)
            return
        if announced or "transfer-encoding" in request.headers:
            try:
                await self._read_body(receive, keep=False)
            except _TooLarge:
                await _send(send, _TOO_LARGE, close=True)
                return
            except _Gone:
                return  # nothing is done for a request whose body never arrived
        response = self.handler(request)
        if is_plain(response):  # the usual answer, sent as it is
            await _send(send, response)
        else:
            await self._answer(response, scope, receive, send)

    async def _control(
        self, request: Request, announced: bool, receive: Receive, send: Send
    ) -> None:
        path = request.path
        admin = self.admin is not None and (
            path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")
        )
        body = b""
        if announced or "transfer-encoding" in request.headers:
            try:
                body = await self._read_body(receive, keep=admin)
            except _TooLarge:
                await _send(send, _TOO_LARGE, close=True)
                return
            except _Gone:
                return
        if path == HEALTH_PATH:
            answer = _HEALTH if request.method in ("GET", "HEAD") else _HEALTH_NOT_ALLOWED
        elif path == AGENTS_PATH and self.agents is not None:
            answer = await self.agents(request)
        elif admin:
            assert self.admin is not None
            answer = await self.admin(request, body)
        else:
            answer = _NOT_FOUND
        await _send(send, answer)

    async def _read_body(self, receive: Receive, *, keep: bool) -> bytes:
        """Read the body to its end, chunk by chunk; :class:`_TooLarge` as soon as it passes
        the limit, :class:`_Gone` if the client goes away first."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _Gone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            if keep and chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _answer(self, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        if response.delay > 0:
            await asyncio.sleep(response.delay)
        if response.disconnect is None:
            if response.status == 307:
                response = _absolute_location(response, scope)
            await _send(send, response)
            return
        abort = scope.get("extensions", {}).get(ABORT_KEY)
        if abort is not None:
            abort()
            await _until_disconnect(receive)
        else:  # another server: start the answer and never finish it, so it drops the connection
            start = {"type": "http.response.start", "status": 200, "headers": [_ONE_BYTE]}
            await send(start)


def create_app(
    handler: Handler | Answer,
    *,
    admin: BodyHandler | None = None,
    max_body: int = DEFAULT_MAX_BODY,
) -> MockASGIApp:
    """An ASGI app over the mock's request handler, for any ASGI server.

    ``handler`` is a :class:`~mocks.Handler` (its ``handle`` is served, and
    ``GET /__extract_contract__/agents`` lists its agents) or any callable from
    :class:`~mocks.Request` to :class:`~mocks.Response`. ``admin`` is served under
    :data:`~mocks._adapters.paths.ADMIN_PREFIX` when given; a request body over ``max_body``
    bytes is answered 413. (The app ``extract-contract serve`` serves, Prefer controls and admin
    API included, is ``mocks.build_server(options).app``.)
    """
    if isinstance(handler, Handler):
        return MockASGIApp(
            handler.handle, admin=admin, agents=AgentsEndpoint(handler), max_body=max_body
        )
    if not callable(handler):
        raise TypeError(
            f"create_app: expected a Handler or a callable from Request to Response, "
            f"got {handler!r}"
        )
    return MockASGIApp(handler, admin=admin, max_body=max_body)


def is_plain(response: Response) -> bool:
    """Whether ``response`` is sent as it is, at once: no delay, no disconnect, no redirect
    (whose location the app makes absolute from the scope)."""
    return not (response.delay or response.disconnect is not None or response.status == 307)


def to_request(scope: Scope) -> Request:
    """The handler's :class:`Request` for an ASGI HTTP scope (as Starlette reads one)."""
    path = scope.get("path")
    if path is None:
        path = unquote(scope.get("raw_path", b"/").decode("latin-1"))
    return request_from(
        scope["method"], path, scope.get("query_string", b""), scope.get("headers", ())
    )


def _absolute_location(response: Response, scope: Scope) -> Response:
    """A redirect's ``location`` path made absolute from the request's scheme and host, as
    Starlette's ``RedirectResponse`` for a trailing slash is."""
    host = ""
    for name, value in scope.get("headers", ()):
        if name == b"host":
            host = value.decode("latin-1")
            break
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    prefix = f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}"
    headers = tuple(
        (name, prefix + value if name == "location" else value) for name, value in response.headers
    )
    return Response(response.status, response.body, headers)


def _content_length(request: Request) -> int | None:
    text = request.headers.get("content-length")
    if text is None:
        return None
    value = int(text.strip())  # ValueError for garbage (the parser usually refuses it first)
    if value < 0:
        raise ValueError(text)
    return value


def encode_headers(
    headers: tuple[tuple[str, str], ...], has_body: bool
) -> tuple[tuple[bytes, bytes], ...]:
    """A response's headers as ASGI wants them: bytes, lower-case names, and a content type
    for a body that names none (JSON, as everything the mock sends)."""
    encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    if has_body and not any(name == b"content-type" for name, _ in encoded):
        encoded.append(_JSON_TYPE_BYTES)
    return tuple(encoded)


encode_headers_cached = lru_cache(maxsize=256)(encode_headers)
""":func:`encode_headers`, remembered: the handler answers from a few shared header tuples."""


async def _send(send: Send, response: Response, *, close: bool = False) -> None:
    body = response.body
    try:
        encoded = encode_headers_cached(response.headers, bool(body))
    except TypeError:  # headers no cache can key on (a list from a hand-written handler)
        encoded = encode_headers(response.headers, bool(body))
    headers = [*encoded, (b"content-length", b"%d" % len(body))]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
