"""The respx adapter: the mock API inside the test process, for sync and async httpx clients.

:class:`MockAPI` activates respx for one base URL (the real service's by default) and answers
every request under it with the one :class:`~mocks._core.handler.Handler`, reading each request
with :func:`~mocks._core.http.request_from` as the ASGI app does::

    from llama_cloud import LlamaCloud
    from mocks import MockAPI, RunStore

    with MockAPI(RunStore.seeded(seed=7, runs=20)) as mock:
        client = LlamaCloud(api_key="test")
        agent = mock.store.agents()[0]
        runs = list(client.extraction.runs.list(extraction_agent_id=agent))
        mock.assert_called("list_runs", extraction_agent_id=agent)

A path under the base URL that is none of the four operations gets the service's own 404
``{"detail": "Not Found"}``, never respx's "not mocked". Requests to other hosts are left to
respx's usual rules: ``assert_all_mocked`` (on by default) makes them fail, and routes you add
to :attr:`MockAPI.router` (a ``respx.MockRouter``) answer them. Other active respx mocks keep
working beside this one.

Activation nests: when several mocks are active for the same base URL (a ``with MockAPI()``
inside another), the one started last answers until it stops, then the outer one again.
``start`` and ``stop`` pair up like ``with`` blocks (a mock started twice answers until it is
stopped twice); a ``stop`` more than the starts does nothing.

After ``stop`` (the end of the ``with`` block), nothing is intercepted any more: a request goes
where httpx sends it, with the default base URL to the real service. That is deliberate, and
respx's rule too: a stopped mock that still answered or refused requests would change the
traffic of code outside the test. Keep the client's calls inside the block; to forbid the
network in a test suite, use a network guard (``respx.mock(assert_all_mocked=True)`` around the
test, or pytest-socket).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Any, TypeVar

import httpx
import respx

from contracts import DEFAULT_BASE_URL

from .._core.faults import Faults
from .._core.handler import Handler
from .._core.http import Response, request_from
from .._core.store import RunSource

__all__ = ["MockAPI"]

F = TypeVar("F", bound=Callable[..., Any])

_IN_ASYNC: ContextVar[bool] = ContextVar("extract_contract_in_async", default=False)

_ACTIVE: tuple[MockAPI, ...] = ()
"""The started mocks, oldest first (a new tuple on each change, read without a lock)."""
_ACTIVE_LOCK = threading.Lock()


class _Router(respx.MockRouter):
    """respx's router, telling the side effect whether an async client is asking (so a delay
    is awaited instead of blocking the event loop)."""

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        token = _IN_ASYNC.set(True)
        try:
            response: httpx.Response = await super().async_handler(request)
            return response
        finally:
            _IN_ASYNC.reset(token)


class MockAPI:
    """The Extraction Runs API served in-process through respx.

    ``MockAPI(store=None, *, base_url=contracts.DEFAULT_BASE_URL, token=None, faults=None,
    journal_size=1000, handler=None, assert_all_mocked=True)``

    ``store`` is a :class:`~mocks.RunStore` (stateful; default ``RunStore.seeded()``) or a
    :class:`~mocks.StatelessRuns`; ``token`` requires ``Authorization: Bearer <token>``;
    ``handler`` shares an existing :class:`~mocks.Handler` (then the other handler options must
    be left out). Use it as a context manager (``with`` / ``async with``), as a decorator of
    sync or async functions, or with :meth:`start` / :meth:`stop`.

    Attributes: ``store``, ``faults`` (add faults: ``mock.faults.add("rate_limit", times=1)``),
    ``journal``, ``calls(operation, **params)``, ``assert_called(...)``,
    ``assert_not_called(...)``, ``handler``, ``router`` (the ``respx.MockRouter``), ``base_url``.
    """

    def __init__(
        self,
        store: RunSource | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        token: str | None = None,
        faults: Faults | None = None,
        journal_size: int = 1000,
        handler: Handler | None = None,
        assert_all_mocked: bool = True,
    ) -> None:
        if handler is None:
            handler = Handler(store, faults=faults, journal_size=journal_size, token=token)
        elif store is not None or faults is not None or token is not None:
            raise TypeError("MockAPI: give either handler= or store/faults/token, not both")
        self.handler = handler
        self.store = handler.store
        self.faults = handler.faults
        self.journal = handler.journal
        self.calls = self.journal.calls
        self.assert_called = self.journal.assert_called
        self.assert_not_called = self.journal.assert_not_called

        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"MockAPI: base_url must be an http(s) URL, got {base_url!r}")
        self._origin = (url.scheme, url.host, url.port)
        self._prefix = url.path.rstrip("/")
        self.base_url = str(url.copy_with(path=self._prefix or "/", query=None)).rstrip("/")
        self.router = _Router(assert_all_called=False, assert_all_mocked=assert_all_mocked)
        self.router.route(name="extract-contract").mock(side_effect=self._side_effect)
        self._starts = 0

    # -- activation ---------------------------------------------------------------------------

    def start(self) -> MockAPI:
        """Start intercepting (``stop`` undoes it; starts and stops pair up, as ``with``
        blocks do). The mock started last answers for its base URL."""
        global _ACTIVE
        with _ACTIVE_LOCK:
            if self._starts == 0:
                self.router.start()
                _ACTIVE = (*_ACTIVE, self)
            self._starts += 1
        return self

    def stop(self) -> None:
        """Stop intercepting once every ``start`` is matched (a ``stop`` too many does
        nothing). Afterwards requests go where httpx sends them: see the module docstring."""
        global _ACTIVE
        with _ACTIVE_LOCK:
            if self._starts == 0:
                return
            self._starts -= 1
            if self._starts:
                return
            _ACTIVE = tuple(mock for mock in _ACTIVE if mock is not self)
            self.router.stop(quiet=True)

    def __enter__(self) -> MockAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> MockAPI:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Decorate a sync or async function so it runs with the mock active."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                async with self:
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]

    # -- the adapter --------------------------------------------------------------------------

    def _side_effect(self, request: httpx.Request) -> httpx.Response | Awaitable[Any] | None:
        url = request.url
        owner = self
        active = _ACTIVE
        if len(active) > 1:  # nested mocks: the innermost one for this URL answers
            for mock in reversed(active):
                if mock._path_of(url) is not None:
                    owner = mock
                    break
        path = owner._path_of(url)
        if path is None:
            return None  # another host: respx's other routes and rules decide
        answer = owner.handler.handle(
            request_from(request.method, path, url.query, request.headers.raw)
        )
        if _IN_ASYNC.get():
            return owner._answer_async(request, answer)
        if answer.delay:
            time.sleep(answer.delay)
        return owner._to_httpx(request, answer)

    def _path_of(self, url: httpx.URL) -> str | None:
        """The path the handler is asked for, if ``url`` is under this mock's base URL."""
        if (url.scheme, url.host, url.port) != self._origin:
            return None
        path = url.path
        if self._prefix:
            if path != self._prefix and not path.startswith(self._prefix + "/"):
                return None
            path = path[len(self._prefix) :] or "/"
        return path

    async def _answer_async(self, request: httpx.Request, answer: Response) -> httpx.Response:
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return self._to_httpx(request, answer)

    def _to_httpx(self, request: httpx.Request, answer: Response) -> httpx.Response:
        if answer.disconnect == "connect_error":
            raise httpx.ConnectError(
                "EXTRACT-CONTRACT: connect_error fault (the mock refused the connection)",
                request=request,
            )
        if answer.disconnect == "read_timeout":
            raise httpx.ReadTimeout(
                "EXTRACT-CONTRACT: read_timeout fault (the mock never answered)", request=request
            )
        headers = answer.headers
        if answer.status == 307:
            headers = tuple(
                (k, str(request.url.copy_with(raw_path=(self._prefix + v).encode())))
                if k == "location"
                else (k, v)
                for k, v in headers
            )
        # the length of the answer's body, as a server announces it (for HEAD too, whose body
        # is dropped), so both adapters send the same headers
        headers = (*headers, ("content-length", str(len(answer.body))))
        body = b"" if request.method == "HEAD" else answer.body
        stream = httpx.ByteStream(body)
        response = httpx.Response(answer.status, headers=headers, stream=stream, request=request)
        # read, as Response(content=body) would be (respx's call log shows .content), without
        # httpx reading our bytes again through its decoders: a sixth of the adapter's time
        response._content = body
        return response
