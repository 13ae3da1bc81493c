"""The one request handler of the mock API: framework-free, behind every adapter.

The respx router (:mod:`mocks._adapters.router`) and the ASGI app (:mod:`mocks._adapters.asgi`)
are thin adapters: each turns its own request into a :class:`~mocks._core.http.Request`, calls
:meth:`Handler.handle`, and turns the :class:`~mocks._core.http.Response` back into its own
kind. So both answer byte for byte alike.

What an adapter must do with a :class:`~mocks._core.http.Response`:

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

What the handler does, in order, for each request (each step written here once):

1. routing (the contract's :func:`~contracts._operations.route_request`, then the route of
   :mod:`mocks._core.routes`): 404 ``{"detail":"Not Found"}`` for an unknown path,
   307 for a trailing slash, 405 ``{"detail":"Method Not Allowed"}`` with ``allow`` for a known
   path and a wrong method (FastAPI's ``allow`` lists the methods of the first route whose path
   matches; HEAD and OPTIONS get 405 too, as FastAPI without CORS answers);
2. the operation's path and query parameters, read as FastAPI reads them
   (:mod:`mocks._core.params`);
3. bearer auth when a token is set, as FastAPI's ``HTTPBearer`` reads it (the scheme in any
   case, one space, the token as sent); a request with two ``Authorization`` headers is not
   authorised by either;
4. the policy (the ``Prefer`` controls of the live server), when there is one, may answer a
   matched, authorised and valid request its own way;
5. otherwise a fault, if one fires for this operation (:mod:`mocks._core.faults`), shapes the
   answer (a composing one, ``latency``, delays whatever answers, the policy's answer too), and
   without one: 401 ``{"detail":"Not authenticated"}`` with ``www-authenticate:
   Bearer`` when not authorised, 422 with FastAPI's body if any parameter is wrong (all errors
   together), else the operation itself against the run source: 200 with the run / page, 404
   with the operation's ``not_found`` detail, delete answering 200 ``{}``. ``project_id`` and
   ``organization_id`` are checked (422 unless UUIDs) and otherwise ignored: the mock has one
   tenant;
6. the call goes into the journal (operation, parameters, redacted headers, status, and the
   fault or policy that shaped the answer), and, when the handler counts API coverage
   (:mod:`mocks._core.tally`), into its tally (a 405 counted against the path's operation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlencode

from contracts import OPERATIONS
from contracts._operations import route_request

from . import tally
from .auth import UNAUTHENTICATED, bearer_matches, expected_bearer
from .fault_kinds import answered
from .faults import Faults
from .http import JSON_HEADERS, Request, Response, json_answer
from .journal import Journal
from .params import Parsed
from .routes import ROUTE_OF, Route
from .store import RunSource, RunStore

__all__ = ["Handler", "Policy"]

_NOT_FOUND = json_answer(404, {"detail": "Not Found"})
_DELETED = json_answer(200, {})


class Policy(Protocol):
    """Answers a matched, authorised and valid request its own way, or not (``None``: the
    handler answers as usual). The handler journals what it answers, with :attr:`name` as the
    call's fault."""

    name: str

    def answer(
        self, handler: Handler, route: Route, values: Mapping[str, Any], request: Request
    ) -> Response | None: ...


# -- the four operations --------------------------------------------------------------------------
# Each gets the run source, its route, and the operation's parameters by name (as the contract
# names them); a parameter an operation does not use is taken by ``**scope`` and ignored.


def _list_runs(
    source: RunSource, route: Route, *, extraction_agent_id: str, skip: int, limit: int
) -> Response:
    return Response(200, source.page_json(extraction_agent_id, skip, limit), JSON_HEADERS)


def _get_run(source: RunSource, route: Route, *, run_id: str, **scope: Any) -> Response:
    return route.found(source.run_json(run_id))


def _delete_run(source: RunSource, route: Route, *, run_id: str, **scope: Any) -> Response:
    return _DELETED if source.delete(run_id) else route.found(None)


def _get_run_by_job(source: RunSource, route: Route, *, job_id: str, **scope: Any) -> Response:
    return route.found(source.run_json_by_job(job_id))


_OPERATIONS: Mapping[str, Callable[..., Response]] = {
    "list_runs": _list_runs,
    "get_run": _get_run,
    "delete_run": _delete_run,
    "get_run_by_job": _get_run_by_job,
}
"""Operation name -> what carries it out (a registry, not an if-chain)."""

_UNSERVED = [op.name for op in OPERATIONS if op.name not in _OPERATIONS]
if _UNSERVED:  # the contract grew an operation: say so at once, not at the first call
    raise NotImplementedError(f"the mock does not serve {', '.join(_UNSERVED)} yet")


class Handler:
    """Answers :class:`~mocks._core.http.Request` objects as the Extraction Runs API would.

    ``Handler(store=None, *, faults=None, journal=None, journal_size=1000, token=None,
    policy=None)``

    - ``store``: where the runs come from: a :class:`~mocks._core.store.RunStore` (stateful;
      the default is ``RunStore.seeded()``, seed 0) or a
      :class:`~mocks._core.stateless.StatelessRuns` (stateless), or anything with the
      :class:`~mocks._core.store.RunSource` methods.
    - ``faults``: a :class:`~mocks._core.faults.Faults` registry (a new empty one by default),
      also reachable as ``handler.faults`` to add faults later.
    - ``journal``: a :class:`~mocks._core.journal.Journal`; by default a new one keeping the
      last ``journal_size`` calls.
    - ``token``: if set, every request must carry ``Authorization: Bearer <token>``.
    - ``policy``: a :class:`Policy` that may answer valid requests its own way (the live
      server's ``Prefer`` controls).

    ``coverage``: the :class:`contracts.ApiCoverage` each answer is counted into (None: none;
    a handler made while :func:`mocks._core.tally.counting_into` is on counts into its tally).

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
        policy: Policy | None = None,
    ) -> None:
        self.store: RunSource = RunStore.seeded() if store is None else store
        self.faults = Faults() if faults is None else faults
        self.journal = Journal(journal_size) if journal is None else journal
        self._expected_auth = expected_bearer(token)
        self.token = token
        self.policy = policy
        self.coverage = tally.active()

    # -- the entry point ----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """The answer to ``request`` (see the module docstring for what adapters do with it)."""
        # the method is case-sensitive, as in HTTP and Starlette
        op, values = route_request(request.method, request.path)
        if op is None:
            answer = self._redirect(request) or _NOT_FOUND
        elif values is None:  # the path is one operation's, the method none of its
            answer = json_answer(405, {"detail": "Method Not Allowed"}, (("allow", op.method),))
        else:
            return self._call(ROUTE_OF[op.name], values, request)
        self._note(request, None, {}, answer, None, op.name if op else None)
        return answer

    def carry_out(
        self, route: Route, values: Mapping[str, Any], source: RunSource | None = None
    ) -> Response:
        """The operation of ``route`` with its parameters ``values`` (by name, as read), against
        ``source`` (the handler's store by default): no auth, no fault, no journal."""
        return _OPERATIONS[route.name](self.store if source is None else source, route, **values)

    # -- steps --------------------------------------------------------------------------------

    def _redirect(self, request: Request) -> Response | None:
        """FastAPI's trailing-slash redirect: 307 to the path without it, if that one exists."""
        if not request.path.endswith("/"):
            return None
        stripped = request.path.rstrip("/")
        if route_request(request.method, stripped)[0] is None:  # no operation's path
            return None
        location = stripped + (f"?{urlencode(request.query)}" if request.query else "")
        return Response(307, b"", (("location", location),))

    def _call(self, route: Route, path_values: dict[str, str], request: Request) -> Response:
        parsed = route.reader.read(path_values, dict(request.query))
        authorised = self.authorised(request)
        answer: Response | None = None
        shaped_by: str | None = None
        if self.policy is not None and authorised and not parsed.errors:
            answer = self.policy.answer(self, route, parsed.values, request)
            if answer is not None:
                shaped_by = self.policy.name
        if answer is None:
            fault = self.faults.pick(route.name)
            if fault is None:
                answer = self._respond(route, parsed, authorised)
            else:
                answer = fault.apply(lambda: self._respond(route, parsed, authorised))
                shaped_by = fault.name
        elif self.faults:  # the policy answered: only a composing fault (latency) adds to it
            extra = self.faults.pick(route.name, composing_only=True)
            if extra is not None:
                answer = extra.apply(answered(answer))
                shaped_by = f"{shaped_by}+{extra.name}"
        self._note(request, route.name, parsed.values, answer, shaped_by)
        return answer

    def _respond(self, route: Route, parsed: Parsed, authorised: bool) -> Response:
        if not authorised:
            return UNAUTHENTICATED
        if parsed.errors:
            return json_answer(422, {"detail": parsed.errors})
        return self.carry_out(route, parsed.values)

    def authorised(self, request: Request) -> bool:
        """Whether ``request`` carries this handler's bearer token (any request, when it has
        none), read as FastAPI's ``HTTPBearer`` reads it
        (:func:`~mocks._core.auth.bearer_matches`)."""
        expected = self._expected_auth
        return expected is None or bearer_matches(request, expected)

    def _note(
        self,
        request: Request,
        operation: str | None,
        params: Mapping[str, Any],
        answer: Response,
        shaped_by: str | None,
        path_operation: str | None = None,
    ) -> None:
        status = None if answer.disconnect else answer.status
        self.journal.note(request, operation, params, status, shaped_by)
        if self.coverage is not None:
            self.coverage.record(
                operation or path_operation,
                status,
                fault=shaped_by,
                skip=params.get("skip"),
                limit=params.get("limit"),
                body=answer.body,
            )
