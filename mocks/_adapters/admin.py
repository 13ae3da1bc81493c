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
GET      ``/faults``  the active faults
POST     ``/faults``  add a fault: ``{"kind": "rate_limit", "operation": "get_run",
                      "times": 1, "rate": null, "seed": 0, ...kind options}``: 201
DELETE   ``/faults``  remove every fault
GET      ``/journal`` the calls answered, oldest first, ``Authorization`` redacted
DELETE   ``/journal`` empty the journal
=======  ===========  ===================================================================

A wrong method is a 405 with ``Allow``; an unknown admin path a 404. Methods are case-sensitive,
as everywhere in HTTP. A fault is read from the body by the one fault reader,
:func:`~mocks._core.faults.read_fault`; runs by :mod:`mocks._core.loading`. The admin API knows
nothing of the server: it is given the handler, the mode's name, how to rebuild the run source
(``reset``) and the start-up faults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from contracts import UnreadableJson, load_json

from .._core.faults import FaultSpec, read_fault
from .._core.handler import Handler
from .._core.http import Request, Response, json_answer
from .._core.loading import add_runs, parse_runs
from .._core.store import RunSource
from .._errors import InvalidFault, LoadError, ServeError
from .paths import ADMIN_PREFIX

__all__ = ["AdminAPI"]

Action = Callable[[bytes], Response]


def _error(status: int, detail: str) -> Response:
    return json_answer(status, {"detail": detail})


class AdminAPI:
    """Answers the admin paths for one handler (see the module docstring).

    ``mode`` is what the index reports (``"stateful"``); ``reset`` makes the run source anew
    (a :class:`~mocks._errors.ServeError` from it is a 409); ``start_faults`` are the faults a
    reset restores.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        mode: str,
        reset: Callable[[], RunSource],
        start_faults: Sequence[FaultSpec] = (),
    ) -> None:
        self.handler = handler
        self.mode = mode
        self._make_source = reset
        self._start_faults = tuple(start_faults)
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
        action = methods.get(request.method)
        if action is None:
            allow = (("allow", ", ".join(methods)),)
            return json_answer(405, {"detail": "Method Not Allowed"}, allow)
        return action(body)

    # -- actions ------------------------------------------------------------------------------

    def _index(self, body: bytes) -> Response:
        return json_answer(
            200,
            {
                "prefix": ADMIN_PREFIX,
                "routes": {path or "/": sorted(methods) for path, methods in self._routes.items()},
                "mode": self.mode,
                "runs": _count(self.handler.store),
            },
        )

    def _reset(self, body: bytes) -> Response:
        try:
            self.handler.store = self._make_source()
        except ServeError as exc:  # e.g. the data file changed on disk since start
            return _error(409, f"cannot reset: {exc}")
        self.handler.faults.clear()
        for spec in self._start_faults:
            self.handler.faults.add_spec(spec)
        self.handler.journal.clear()
        return json_answer(200, {"reset": True, "runs": _count(self.handler.store)})

    def _add_runs(self, body: bytes) -> Response:
        store = self.handler.store
        if not hasattr(store, "add"):
            return _error(409, "runs can be added in stateful mode only")
        try:
            text = body.decode("utf-8")
            runs, lines = parse_runs(text, "body")
            ids = add_runs(store, runs, lines, "body")
        except UnicodeDecodeError:
            return _error(422, "body: not UTF-8 text")
        except LoadError as exc:
            return _error(422, str(exc))
        return json_answer(201, {"added": len(ids), "ids": ids})

    def _clear_runs(self, body: bytes) -> Response:
        store = self.handler.store
        if not hasattr(store, "clear"):
            return _error(409, "runs can be removed in stateful mode only")
        store.clear()
        return json_answer(200, {"runs": 0})

    def _faults(self, body: bytes) -> Response:
        return json_answer(200, {"faults": [repr(fault) for fault in self.handler.faults]})

    def _add_fault(self, body: bytes) -> Response:
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
        return json_answer(201, {"faults": [repr(fault) for fault in self.handler.faults]})

    def _clear_faults(self, body: bytes) -> Response:
        self.handler.faults.clear()
        return json_answer(200, {"faults": []})

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
        return json_answer(200, {"calls": calls, "dropped": journal.dropped})

    def _clear_journal(self, body: bytes) -> Response:
        self.handler.journal.clear()
        return json_answer(200, {"calls": []})


def _count(store: Any) -> int | None:
    try:
        return len(store)
    except TypeError:  # stateless runs have no count
        return None
