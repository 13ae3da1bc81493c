"""The one request handler of the mock API: framework-free, behind every adapter.

The respx router (:mod:`mocks._router`) and the live ASGI server are thin adapters: each turns
its own request into a :class:`~mocks._http.Request`, calls :meth:`Handler.handle`, and turns
the :class:`~mocks._http.Response` back into its own kind. So both answer byte for byte alike.

What an adapter must do with a :class:`~mocks._http.Response`:

- ``status``, ``headers`` (lower-case names, ``content-type`` included; the adapter adds
  ``content-length``) and ``body`` are the answer. A ``HEAD`` request gets a 405 with a body,
  as FastAPI's app produces it; the server/adapter drops the body of a HEAD answer.
- ``delay`` (seconds, from a ``latency`` or ``read_timeout`` fault) is waited before answering
  (``time.sleep`` in sync code, ``asyncio.sleep`` in async code).
- ``disconnect`` is ``None`` for a normal answer. ``"connect_error"`` means the request never
  reached the service (respx: raise ``httpx.ConnectError``; a live server closes the connection
  without answering); ``"read_timeout"`` means the service carried the request out and never
  answered (respx: raise ``httpx.ReadTimeout``; a live server closes the connection after
  ``delay``). ``status`` is 0 then.
- A 307 (FastAPI's trailing-slash redirect: ``/runs/`` -> ``/runs``) carries a ``location``
  that is an absolute *path* with the query; the adapter prefixes the scheme, host and any base
  path the request came to, as Starlette does.

What the handler does, in order, for each request:

1. routing from :data:`contracts.OPERATIONS` (paths compiled once; no path spelled here):
   404 ``{"detail":"Not Found"}`` for an unknown path, 307 for a trailing slash, 405
   ``{"detail":"Method Not Allowed"}`` with ``allow`` for a known path and a wrong method
   (FastAPI's ``allow`` lists the methods of the first route whose path matches; HEAD and
   OPTIONS get 405 too, as FastAPI without CORS answers);
2. the operation's path and query parameters, read as FastAPI reads them (:mod:`mocks._params`);
3. a fault, if one fires for this operation (:mod:`mocks._faults`), shapes the answer;
4. bearer auth when a token is set: 401 ``{"detail":"Not authenticated"}`` with
   ``www-authenticate: Bearer`` for a missing, malformed or wrong token;
5. 422 with FastAPI's body if any parameter is wrong (all errors together);
6. the operation itself against the run source: 200 with the run / page, 404 with the
   operation's ``not_found`` detail, delete answering 200 ``{}``. ``project_id`` and
   ``organization_id`` are checked (422 unless UUIDs) and otherwise ignored: the mock has one
   tenant;
7. the call goes into the journal (operation, parameters, redacted headers, status, fault).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from contracts import OPERATIONS, Operation

from .faults import Faults, json_error
from .http import Request, Response
from .journal import Journal
from .params import ParameterReader, Parsed
from .store import RunSource, RunStore, dump_json

__all__ = ["Handler", "parse_query"]

_JSON = (("content-type", "application/json"),)
_NOT_FOUND = json_error(404, "Not Found")
_UNAUTHENTICATED = json_error(401, "Not authenticated", (("www-authenticate", "Bearer"),))
_DELETED = Response(200, b"{}", _JSON)


def parse_query(raw: str | bytes) -> tuple[tuple[str, str], ...]:
    """A raw query string as Starlette reads it: every pair in order, blank values kept."""
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    return tuple(parse_qsl(text, keep_blank_values=True))


class _Route:
    __slots__ = ("method", "name", "not_found", "operation", "pattern", "reader", "run")

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        self.name = operation.name
        self.method = operation.method
        self.run: Callable[..., Response] | None = None  # the handler's operation, bound later
        self.not_found = (
            None if operation.not_found is None else json_error(404, operation.not_found)
        )
        # Starlette's ``{name}`` convertor matches one non-empty path segment
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(operation.path))
        self.pattern = re.compile(regex)
        self.reader = ParameterReader(operation)


class Handler:
    """Answers :class:`~mocks._http.Request` objects as the Extraction Runs API would.

    ``Handler(store=None, *, faults=None, journal=None, journal_size=1000, token=None)``

    - ``store``: where the runs come from: a :class:`~mocks._store.RunStore` (stateful; the
      default is ``RunStore.seeded()``, seed 0) or a :class:`~mocks._stateless.StatelessRuns`
      (stateless), or anything with the :class:`~mocks._store.RunSource` methods.
    - ``faults``: a :class:`~mocks._faults.Faults` registry (a new empty one by default), also
      reachable as ``handler.faults`` to add faults later.
    - ``journal``: a :class:`~mocks._journal.Journal`; by default a new one keeping the last
      ``journal_size`` calls.
    - ``token``: if set, every request must carry ``Authorization: Bearer <token>``.

    :meth:`handle` is thread-safe and never raises for any request; the same request against
    the same store gives the same bytes.
    """

    def __init__(
        self,
        store: RunSource | None = None,
        *,
        faults: Faults | None = None,
        journal: Journal | None = None,
        journal_size: int = 1000,
        token: str | None = None,
    ) -> None:
        self.store: RunSource = RunStore.seeded() if store is None else store
        self.faults = Faults() if faults is None else faults
        self.journal = Journal(journal_size) if journal is None else journal
        if token is not None and (not isinstance(token, str) or not token or " " in token):
            raise ValueError(f"token must be a non-empty string without spaces, got {token!r}")
        self.token = token
        self._expected_auth = None if token is None else f"bearer {token}".encode()
        self._routes = tuple(_Route(op) for op in OPERATIONS)
        # operation name -> what carries it out (a registry, not an if-chain)
        self._operations: Mapping[str, Callable[..., Response]] = {
            "list_runs": self._list_runs,
            "get_run": self._get_run,
            "delete_run": self._delete_run,
            "get_run_by_job": self._get_run_by_job,
        }
        unserved = [op.name for op in OPERATIONS if op.name not in self._operations]
        if unserved:  # the contract grew an operation: say so at once, not at the first call
            raise NotImplementedError(f"the mock does not serve {', '.join(unserved)} yet")
        for route in self._routes:
            route.run = self._operations[route.name]

    # -- the entry point ----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """The answer to ``request`` (see the module docstring for what adapters do with it)."""
        method = request.method  # case-sensitive, as in HTTP and Starlette
        partial: _Route | None = None
        for route in self._routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            if route.method == method:
                return self._call(route, match.groupdict(), request)
            if partial is None:
                partial = route
        if partial is not None:
            answer = json_error(405, "Method Not Allowed", (("allow", partial.method),))
        else:
            answer = self._redirect(request) or _NOT_FOUND
        self._record(request, None, {}, answer, None)
        return answer

    # -- steps --------------------------------------------------------------------------------

    def _redirect(self, request: Request) -> Response | None:
        """FastAPI's trailing-slash redirect: 307 to the path without it, if that one exists."""
        if not request.path.endswith("/"):
            return None
        stripped = request.path.rstrip("/")
        if not any(route.pattern.fullmatch(stripped) for route in self._routes):
            return None
        location = stripped + (f"?{urlencode(request.query)}" if request.query else "")
        return Response(307, b"", (("location", location),))

    def _call(self, route: _Route, path_values: dict[str, str], request: Request) -> Response:
        parsed = route.reader.read(path_values, dict(request.query))
        fault = self.faults.pick(route.name)
        if fault is None:
            answer = self._respond(route, parsed, request)
        else:
            answer = fault.apply(lambda: self._respond(route, parsed, request))
        self.journal.note(
            route.name,
            request.method,
            request.path,
            parsed.values,
            request.query,
            request.headers,
            None if answer.disconnect else answer.status,
            None if fault is None else fault.name,
        )
        return answer

    def _respond(self, route: _Route, parsed: Parsed, request: Request) -> Response:
        if self._expected_auth is not None and not self._authorised(request):
            return _UNAUTHENTICATED
        if parsed.errors:
            return Response(422, dump_json({"detail": parsed.errors}), _JSON)
        assert route.run is not None
        return route.run(route, *parsed.values.values())

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        scheme, _, credentials = given.partition(" ")
        candidate = f"{scheme.lower()} {credentials}".encode()
        assert self._expected_auth is not None
        return hmac.compare_digest(candidate, self._expected_auth)

    def _record(
        self,
        request: Request,
        operation: str | None,
        params: dict[str, Any],
        answer: Response,
        fault: str | None,
    ) -> None:
        self.journal.note(
            operation,
            request.method,
            request.path,
            params,
            request.query,
            request.headers,
            None if answer.disconnect else answer.status,
            fault,
        )

    # -- the four operations ------------------------------------------------------------------

    # Each gets the operation's parameters positionally, in the order the contract declares
    # them (path parameters first), so no parameter name is spelled here a second time.

    def _list_runs(self, route: _Route, agent_id: str, skip: int, limit: int) -> Response:
        return Response(200, self.store.page_json(agent_id, skip, limit), _JSON)

    def _get_run(self, route: _Route, run_id: str, *scope: str | None) -> Response:
        return _found(route, self.store.run_json(run_id))

    def _delete_run(self, route: _Route, run_id: str, *scope: str | None) -> Response:
        return _DELETED if self.store.delete(run_id) else _found(route, None)

    def _get_run_by_job(self, route: _Route, job_id: str, *scope: str | None) -> Response:
        return _found(route, self.store.run_json_by_job(job_id))


def _found(route: _Route, body: bytes | None) -> Response:
    if body is not None:
        return Response(200, body, _JSON)
    assert route.not_found is not None  # every operation that looks a run up has a 404
    return route.not_found
