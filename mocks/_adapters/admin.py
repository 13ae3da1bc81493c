"""The admin API of the live mock: ``extract-contract serve --admin`` (off by default).

Everything lives under ``/__extract_contract__/admin``
(:data:`~mocks._adapters.paths.ADMIN_PREFIX`), a prefix the real API never uses. Bodies and
answers are JSON.

=======  ===========  ===================================================================
method   path         what it does
=======  ===========  ===================================================================
GET      ``/``        this table, as JSON
POST     ``/reset``   back to the start: the store rebuilt from the options (seed or
                      ``--data``), the start-up faults restored, the journal emptied
POST     ``/runs``    add runs (a JSON array or JSON Lines body; checked as ``--data``
                      is; all or none): 201 ``{"added": N, "ids": [...]}``, 422 naming the
                      bad record and field
DELETE   ``/runs``    remove every run (stateful mode)
GET      ``/faults``  the active faults, each as the JSON object ``POST /faults`` takes
                      (``times``: what remains), and how often each ``fired``
POST     ``/faults``  add a fault: ``{"kind": "rate_limit", "operation": "get_run",
                      "times": 1, "rate": null, "seed": 0, ...kind options}``: 201
DELETE   ``/faults``  remove every fault
GET      ``/journal`` the calls answered, oldest first, by pages (``?skip=0&limit=100``,
                      at most 1,000), ``Authorization`` redacted, large heads truncated
DELETE   ``/journal`` empty the journal
=======  ===========  ===================================================================

**Auth.** With a token (``--admin-token``, else the API's ``--require-auth``), every admin
request wants ``Authorization: Bearer TOKEN``, read as the API reads it; without it the answer
is the API's 401. **The event loop.** Rebuilding the store (a reset) and reading a body of runs
happen in a worker thread, so other clients (``/health``, the API) are answered meanwhile; the
result is swapped in at once, on the event loop, and one such change runs at a time. A wrong
method is a 405 with ``Allow``; an unknown admin path a 404. A fault is read from the body by the
one fault reader, :func:`~mocks._core.faults.read_fault`; runs by :mod:`mocks._core.loading`.
The admin API knows nothing of the server: it is given the handler, the mode's name, how to
rebuild the run source (``reset``), the start-up faults and the token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from contracts import UnreadableJson, load_json

from .._core.auth import UNAUTHENTICATED, bearer_matches, expected_bearer
from .._core.faults import FaultSpec, read_fault
from .._core.handler import Handler
from .._core.http import Request, Response, json_answer
from .._core.journal import Call
from .._core.loading import add_runs, parse_runs
from .._core.store import RunSource
from .._errors import InvalidFault, LoadError, ServeError
from .control import query_int
from .paths import ADMIN_PREFIX

__all__ = ["AdminAPI"]

Action = Callable[[Request, bytes], Awaitable[Response]]

MAX_PAGE = 1000
"""The most calls one page of the journal holds."""


def _error(status: int, detail: str) -> Response:
    return json_answer(status, {"detail": detail})


class AdminAPI:
    """Answers the admin paths for one handler (see the module docstring).

    ``mode`` is what the index reports (``"stateful"``); ``reset`` makes the run source anew
    (a :class:`~mocks._errors.ServeError` from it is a 409); ``start_faults`` are the faults a
    reset restores; ``token``, when given, is wanted as a bearer token on every admin request.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        mode: str,
        reset: Callable[[], RunSource],
        start_faults: Sequence[FaultSpec] = (),
        token: str | None = None,
    ) -> None:
        self.handler = handler
        self.mode = mode
        self._make_source = reset
        self._start_faults = tuple(start_faults)
        self._expected = expected_bearer(token)
        self._changing = asyncio.Lock()  # one store change (reset, a load) at a time
        self._routes: Mapping[str, Mapping[str, Action]] = {
            "": {"GET": self._index},
            "/reset": {"POST": self._reset},
            "/runs": {"POST": self._add_runs, "DELETE": self._clear_runs},
            "/faults": {"GET": self._faults, "POST": self._add_fault, "DELETE": self._clear_faults},
            "/journal": {"GET": self._journal, "DELETE": self._clear_journal},
        }

    async def __call__(self, request: Request, body: bytes) -> Response:
        if self._expected is not None and not bearer_matches(request, self._expected):
            return UNAUTHENTICATED
        sub = request.path[len(ADMIN_PREFIX) :].rstrip("/")
        methods = self._routes.get(sub)
        if methods is None:
            return _error(404, "Not Found")
        action = methods.get(request.method)
        if action is None:
            allow = (("allow", ", ".join(methods)),)
            return json_answer(405, {"detail": "Method Not Allowed"}, allow)
        return await action(request, body)

    # -- actions ------------------------------------------------------------------------------

    async def _index(self, request: Request, body: bytes) -> Response:
        return json_answer(
            200,
            {
                "prefix": ADMIN_PREFIX,
                "routes": {path or "/": sorted(methods) for path, methods in self._routes.items()},
                "mode": self.mode,
                "runs": _count(self.handler.store),
            },
        )

    async def _reset(self, request: Request, body: bytes) -> Response:
        async with self._changing:
            try:  # the build (seeding, or reading --data) in a thread: the loop keeps serving
                source = await asyncio.to_thread(self._make_source)
            except ServeError as exc:  # e.g. the data file changed on disk since start
                return _error(409, f"cannot reset: {exc}")
            # then swapped in at once, on the loop: no request sees half of the change
            self.handler.faults.replace(self._start_faults)
            self.handler.store = source
            self.handler.journal.clear()
        return json_answer(200, {"reset": True, "runs": _count(source)})

    async def _add_runs(self, request: Request, body: bytes) -> Response:
        async with self._changing:
            store = self.handler.store
            if not hasattr(store, "add"):
                return _error(409, "runs can be added in stateful mode only")
            try:  # reading and checking the runs in a thread; the store takes them all or none
                ids = await asyncio.to_thread(_load, store, body)
            except LoadError as exc:
                return _error(422, str(exc))
        return json_answer(201, {"added": len(ids), "ids": ids})

    async def _clear_runs(self, request: Request, body: bytes) -> Response:
        store = self.handler.store
        if not hasattr(store, "clear"):
            return _error(409, "runs can be removed in stateful mode only")
        store.clear()
        return json_answer(200, {"runs": 0})

    async def _faults(self, request: Request, body: bytes) -> Response:
        return json_answer(200, self._fault_list())

    async def _add_fault(self, request: Request, body: bytes) -> Response:
        try:
            given = load_json(body or b"null", source="body")
        except UnreadableJson as exc:
            return _error(422, str(exc))
        if not isinstance(given, dict):
            return _error(
                422, 'body: expected a JSON object with a "kind", e.g. {"kind": "server_error"}'
            )
        try:
            self.handler.faults.add_spec(read_fault(given))
        except InvalidFault as exc:
            return _error(422, str(exc))
        return json_answer(201, self._fault_list())

    def _fault_list(self) -> dict[str, Any]:
        faults = list(self.handler.faults)
        return {
            "faults": [fault.as_mapping() for fault in faults],
            "fired": [fault.fired for fault in faults],
        }

    async def _clear_faults(self, request: Request, body: bytes) -> Response:
        self.handler.faults.clear()
        return json_answer(200, {"faults": [], "fired": []})

    async def _journal(self, request: Request, body: bytes) -> Response:
        journal = self.handler.journal
        skip = query_int(request, "skip", default=0, low=0, high=10**9)
        if isinstance(skip, Response):
            return skip
        limit = query_int(request, "limit", default=100, low=1, high=MAX_PAGE)
        if isinstance(limit, Response):
            return limit
        calls = journal.page(skip, limit)
        page = {
            "total": len(journal),
            "skip": skip,
            "limit": limit,
            "dropped": journal.dropped,
        }
        # a page is bounded (1,000 calls of at most ~16 KiB each); rendered off the loop anyway
        return await asyncio.to_thread(_journal_page, page, calls)

    async def _clear_journal(self, request: Request, body: bytes) -> Response:
        self.handler.journal.clear()
        return json_answer(200, {"calls": [], "total": 0, "dropped": 0})


def _load(store: Any, body: bytes) -> list[str]:
    """The runs of a body added to ``store``, all or none (a :class:`LoadError` says why not)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError("not UTF-8 text", source="body") from None
    runs, lines = parse_runs(text, "body")
    return add_runs(store, runs, lines, "body")


def _journal_page(page: dict[str, Any], calls: list[Call]) -> Response:
    page["calls"] = [
        {
            "operation": call.operation,
            "method": call.method,
            "path": call.path,
            "params": dict(call.params),
            "query": [list(pair) for pair in call.query],
            "headers": dict(call.headers),
            "status": call.status,
            "fault": call.fault,
            "truncated": call.truncated,
        }
        for call in calls
    ]
    return json_answer(200, page)


def _count(store: Any) -> int | None:
    try:
        return len(store)
    except TypeError:  # stateless runs have no count
        return None
