"""Prism-style ``Prefer`` controls of the live mock (off with ``--strict``).

SDK test suites written for a schema mock server steer it with a ``Prefer`` header
(RFC 7240 syntax: ``Prefer: code=404, dynamic=true``). Supported preferences:

=================  =========================================================================
``code=N``         answer with status N of this operation: 200, 404 (the operation's own
                   ``{"detail": ...}``; nothing is deleted) or 422 (FastAPI's body for the
                   operation's first parameter). A status the contract does not define for
                   the operation gets **400** ``{"detail": "Prefer: code=N: ..."}`` naming the
                   statuses it does define, never a 404 that could pass for "no such route".
``dynamic=true``   the 200 body is made from the request (a run from its id, a page from its
                   agent), as the stateless mode makes it, even for an id the store lacks.
``dynamic=false``  the stored answer (the default).
``seed=N``         the seed of dynamic answers (implies ``dynamic=true``).
``example=NAME``   a named example: the contract defines none, so this is a 400 saying so.
=================  =========================================================================

Unknown preferences (``return=minimal``, ``respond-async``, ...) are ignored, as RFC 7240 asks.
A malformed value (``code=abc``) is a 400 naming it.

The controls are a :class:`~mocks._core.handler.Policy` of the one handler, not a second
handler: the handler matches the route, checks the token and reads the parameters, and asks the
controls only for a matched, authorised and valid request (so an unknown path is still a 404
``{"detail":"Not Found"}``, a wrong method a 405, a missing token a 401, and invalid parameters
the 422 of the request itself). An answer they give is carried out through the handler's own
operations (against the store, or against stateless runs for a dynamic answer), carries
``Preference-Applied``, is not shaped by faults, and is journaled with ``"prefer"`` as its
fault. A request without ``Prefer``, or with only ``dynamic=false``, gets the usual answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._core.handler import Handler
from .._core.http import Request, Response, json_answer
from .._core.routes import Route
from .._core.stateless import StatelessRuns

__all__ = ["PreferControls", "parse_prefer"]

_APPLIED = "preference-applied"
_CONTROLS = frozenset({"code", "dynamic", "seed", "example"})


class PreferError(ValueError):
    """A ``Prefer`` header that cannot be honoured; the message is the 400's detail."""


def parse_prefer(values: str) -> dict[str, str]:
    """The preferences of a ``Prefer`` header value, lower-case names: ``{"code": "404"}``.

    Tokens are separated by commas (or, as Prism also accepts, by semicolons); a token without
    ``=`` is a flag with an empty value; quotes around a value are removed.
    """
    found: dict[str, str] = {}
    for token in re.split(r"[,;]", values):
        name, _, value = token.strip().partition("=")
        name = name.strip().lower()
        if name:
            found.setdefault(name, value.strip().strip('"'))
    return found


class PreferControls:
    """The ``Prefer`` controls, as a policy of the handler: ``Handler(policy=PreferControls())``.

    ``seed`` is the seed of dynamic answers when the request names none. A request without
    ``Prefer`` (or with none of the supported preferences) costs one header lookup.
    """

    name = "prefer"

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self._dynamic: dict[int, StatelessRuns] = {}

    def answer(
        self, handler: Handler, route: Route, values: Mapping[str, Any], request: Request
    ) -> Response | None:
        header = request.headers.get("prefer")
        if not header:
            return None
        prefs = parse_prefer(header)
        if not prefs.keys() & _CONTROLS:
            return None
        try:
            answer = self._answer(handler, route, values, prefs)
        except PreferError as exc:
            return json_answer(400, {"detail": str(exc)})
        if answer is None:
            return None
        return Response(answer.status, answer.body, (*answer.headers, (_APPLIED, _applied(prefs))))

    def _answer(
        self, handler: Handler, route: Route, values: Mapping[str, Any], prefs: Mapping[str, str]
    ) -> Response | None:
        op = route.operation
        if "example" in prefs:
            raise PreferError(
                f"Prefer: example={prefs['example']}: the contract defines no named examples "
                f"for {op.name}; use code=, dynamic= or seed="
            )
        code = _code(prefs)
        allowed = sorted({200, *op.errors})
        if code is not None and code not in allowed:
            raise PreferError(
                f"Prefer: code={code}: {op.name} defines no such status; it defines "
                + ", ".join(map(str, allowed))
            )
        seed = _seed(prefs)
        dynamic = _flag(prefs, "dynamic", default=seed is not None)
        if code == 404:
            assert route.not_found is not None  # an operation that defines 404 looks a run up
            return route.not_found
        if code == 422:
            return _unprocessable(route)
        if dynamic:
            return handler.carry_out(
                route, values, self._source(self.seed if seed is None else seed)
            )
        if code == 200:  # the stored answer, or one made up for an id the store lacks
            stored = handler.carry_out(route, values)
            if stored.status != 404:
                return stored
            return handler.carry_out(route, values, self._source(self.seed))
        return None  # dynamic=false alone: the usual answer

    def _source(self, seed: int) -> StatelessRuns:
        source = self._dynamic.get(seed)
        if source is None:
            # memory stays bounded whatever seeds and ids clients send: 16 seeds x 256 bodies
            if len(self._dynamic) >= 16:
                self._dynamic.clear()
            source = self._dynamic[seed] = StatelessRuns(seed=seed, cache_size=256)
        return source


def _unprocessable(route: Route) -> Response:
    """FastAPI's 422 for this operation's first parameter (missing, or not a valid UUID)."""
    path_values = {p.name: "not-a-uuid" for p in route.operation.path_parameters}
    errors = route.reader.read(path_values, {}).errors
    return json_answer(422, {"detail": errors[:1]})


def _code(prefs: Mapping[str, str]) -> int | None:
    text = prefs.get("code")
    if text is None:
        return None
    if not text.isdigit() or len(text) != 3:
        raise PreferError(f"Prefer: code={text}: expected a three-digit HTTP status")
    return int(text)


def _seed(prefs: Mapping[str, str]) -> int | None:
    text = prefs.get("seed")
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise PreferError(f"Prefer: seed={text}: expected a whole number") from None


def _flag(prefs: Mapping[str, str], name: str, *, default: bool) -> bool:
    text = prefs.get(name)
    if text is None:
        return default
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise PreferError(f"Prefer: {name}={text}: expected true or false")
    return lowered == "true"


def _applied(prefs: Mapping[str, str]) -> str:
    return ", ".join(
        f"{name}={prefs[name]}" for name in ("code", "dynamic", "seed") if name in prefs
    )
