"""The admin API of the live mock: ``extract-contract serve --admin`` (off by default).

Everything lives under ``/__extract_contract__/admin`` (:data:`mocks._asgi.ADMIN_PREFIX`), a
prefix the real API never uses. Bodies and answers are JSON.

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
GET      ``/faults``  the active faults
POST     ``/faults``  add a fault: ``{"kind": "rate_limit", "operation": "get_run",
                      "times": 1, "rate": null, "seed": 0, ...kind options}``: 201
DELETE   ``/faults``  remove every fault
GET      ``/journal`` the calls answered, oldest first, ``Authorization`` redacted
DELETE   ``/journal`` empty the journal
=======  ===========  ===================================================================

A wrong method is a 405 with ``Allow``; an unknown admin path a 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._core.http import Request, Response
from .asgi import ADMIN_PREFIX

if TYPE_CHECKING:
    from .._server.build import ServerOptions

__all__ = ["AdminAPI"]

_JSON = (("content-type", "application/json"),)

Action = Callable[[bytes], Response]


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _ok(value: Any, status: int = 200) -> Response:
    return Response(status, _dump(value), _JSON)


def _error(status: int, detail: str) -> Response:
    return _ok({"detail": detail}, status)


class AdminAPI:
    """Answers the admin paths for one handler (see the module docstring)."""

    def __init__(self, handler: Any, options: ServerOptions) -> None:
        self.handler = handler
        self.options = options
        self._routes: Mapping[str, Mapping[str, Action]] = {
            "": {"GET": self._index},
            "/reset": {"POST": self._reset},
            "/runs": {"POST": self._add_runs, "DELETE": self._clear_runs},
            "/faults": {"GET": self._faults, "POST": self._add_fault, "DELETE": self._clear_faults},
            "/journal": {"GET": self._journal, "DELETE": self._clear_journal},
        }

    def __call__(self, request: Request, body: bytes) -> Response:
        sub = request.path[len(ADMIN_PREFIX) :].rstrip("/")
        methods = self._routes.get(sub)
        if methods is None:
            return _error(404, "Not Found")
        action = methods.get(request.method.upper())
        if action is None:
            answer = _error(405, "Method Not Allowed")
            return Response(405, answer.body, (*_JSON, ("allow", ", ".join(methods))))
        return action(body)

    # -- actions ------------------------------------------------------------------------------

    def _index(self, body: bytes) -> Response:
        return _ok(
            {
                "prefix": ADMIN_PREFIX,
                "routes": {path or "/": sorted(methods) for path, methods in self._routes.items()},
                "mode": self.options.mode,
                "runs": _count(self.handler.store),
            }
        )

    def _reset(self, body: bytes) -> Response:
        from .._server.build import ServeError, add_faults, make_source

        try:
            self.handler.store = make_source(self.options)
        except ServeError as exc:  # e.g. the --data file changed on disk since start
            return _error(409, f"cannot reset: {exc}")
        self.handler.faults.clear()
        add_faults(self.handler.faults, self.options.faults)
        self.handler.journal.clear()
        return _ok({"reset": True, "runs": _count(self.handler.store)})

    def _add_runs(self, body: bytes) -> Response:
        from .._core.loading import LoadError, add_runs, parse_runs

        store = self.handler.store
        if not hasattr(store, "add"):
            return _error(409, "runs can be added in stateful mode only")
        try:
            text = body.decode("utf-8")
            runs, labels = parse_runs(text, "body")
            if not isinstance(runs, list):
                return _error(422, "body: expected a JSON array of runs or JSON Lines")
            ids = add_runs(store, runs, labels)
        except UnicodeDecodeError:
            return _error(422, "body: not UTF-8 text")
        except LoadError as exc:
            return _error(422, str(exc))
        return _ok({"added": len(ids), "ids": ids}, 201)

    def _clear_runs(self, body: bytes) -> Response:
        store = self.handler.store
        if not hasattr(store, "clear"):
            return _error(409, "runs can be removed in stateful mode only")
        store.clear()
        return _ok({"runs": 0})

    def _faults(self, body: bytes) -> Response:
        return _ok({"faults": [repr(fault) for fault in self.handler.faults]})

    def _add_fault(self, body: bytes) -> Response:
        from .._server.build import FaultSpec, ServeError, add_faults

        try:
            given = json.loads(body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return _error(422, f"body: not valid JSON ({exc})")
        if not isinstance(given, dict) or not isinstance(given.get("kind"), str):
            return _error(
                422, 'body: expected a JSON object with a "kind", e.g. {"kind": "server_error"}'
            )
        fields = {
            k: given.pop(k) for k in ("kind", "operation", "times", "rate", "seed") if k in given
        }
        try:
            spec = FaultSpec(**fields, options=given)
            add_faults(self.handler.faults, (spec,))
        except (ServeError, TypeError) as exc:
            return _error(422, str(exc).removeprefix("--fault "))
        return _ok({"faults": [repr(fault) for fault in self.handler.faults]}, 201)

    def _clear_faults(self, body: bytes) -> Response:
        self.handler.faults.clear()
        return _ok({"faults": []})

    def _journal(self, body: bytes) -> Response:
        journal = self.handler.journal
        calls = [
            {
                "operation": call.operation,
                "method": call.method,
                "path": call.path,
                "params": dict(call.params),
                "query": [list(pair) for pair in call.query],
                "headers": dict(call.headers),
                "status": call.status,
                "fault": call.fault,
            }
            for call in journal
        ]
        return _ok({"calls": calls, "dropped": journal.dropped})

    def _clear_journal(self, body: bytes) -> Response:
        self.handler.journal.clear()
        return _ok({"calls": []})


def _count(store: Any) -> int | None:
    try:
        return len(store)
    except TypeError:  # stateless runs have no count
        return None
