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
A malformed value (``code=abc``) is a 400 naming it. Path, method, auth and parameter checks
come first: an unknown path is still a 404 ``{"detail":"Not Found"}``, a wrong method a 405,
a missing token a 401, and invalid parameters the 422 of the request itself.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from contracts import OPERATIONS, Operation

from .._core.http import Request, Response
from .._core.params import ParameterReader, Parsed

__all__ = ["PreferControls", "parse_prefer"]

_JSON = (("content-type", "application/json"),)
_APPLIED = "preference-applied"


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


class _Route:
    __slots__ = ("operation", "pattern", "reader")

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(operation.path))
        self.pattern = re.compile(regex)
        self.reader = ParameterReader(operation)


class PreferControls:
    """Wraps a :class:`~mocks._handler.Handler`, honouring ``Prefer`` before asking it.

    A request without ``Prefer`` (or with none of the supported preferences) goes to the
    handler untouched, so the controls cost one header lookup per request.
    """

    def __init__(self, handler: Any, *, seed: int = 0) -> None:
        self.handler = handler
        self.seed = seed
        self._routes = tuple(_Route(op) for op in OPERATIONS)
        self._dynamic: dict[int, Any] = {}
        token = getattr(handler, "token", None)
        self._expected_auth = None if token is None else f"bearer {token}".encode()

    def __call__(self, request: Request) -> Response:
        header = request.headers.get("prefer")
        if not header:
            return self.handler.handle(request)  # type: ignore[no-any-return]
        prefs = parse_prefer(header)
        if not prefs.keys() & {"code", "dynamic", "seed", "example"}:
            return self.handler.handle(request)  # type: ignore[no-any-return]
        found = self._match(request)
        if found is None:  # unknown path or wrong method: the handler's own 404 / 405
            return self.handler.handle(request)  # type: ignore[no-any-return]
        route, path_values = found
        if self._expected_auth is not None and not self._authorised(request):
            return self.handler.handle(request)  # type: ignore[no-any-return]
        parsed = route.reader.read(path_values, dict(request.query))
        if parsed.errors:
            return self.handler.handle(request)  # type: ignore[no-any-return]
        try:
            answer = self._answer(route.operation, parsed, prefs, request)
        except PreferError as exc:
            answer = Response(400, _dump({"detail": str(exc)}), _JSON)
            self._record(request, route.operation.name, parsed, answer)
        return answer

    def _match(self, request: Request) -> tuple[_Route, dict[str, str]] | None:
        method = request.method.upper()
        for route in self._routes:
            match = route.pattern.fullmatch(request.path)
            if match is not None and route.operation.method == method:
                return route, match.groupdict()
        return None

    def _authorised(self, request: Request) -> bool:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        candidate = f"{scheme.lower()} {credentials.strip()}".encode()
        assert self._expected_auth is not None
        return hmac.compare_digest(candidate, self._expected_auth)

    def _answer(
        self, op: Operation, parsed: Parsed, prefs: Mapping[str, str], request: Request
    ) -> Response:
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
            answer = Response(404, _dump({"detail": op.not_found}), _JSON)
        elif code == 422:
            answer = _unprocessable(op)
        elif dynamic:
            answer = self._dynamic_answer(op, parsed, self.seed if seed is None else seed)
        else:
            answer = self.handler.handle(request)
            if code == 200 and answer.status == 404:  # not in the store: make one up
                answer = self._dynamic_answer(op, parsed, self.seed)
            return answer
        self._record(request, op.name, parsed, answer)
        return Response(answer.status, answer.body, (*answer.headers, (_APPLIED, _applied(prefs))))

    def _dynamic_answer(self, op: Operation, parsed: Parsed, seed: int) -> Response:
        source = self._source(seed)
        values = parsed.values
        answers: Mapping[str, Callable[[], bytes | None]] = {
            "list_runs": lambda: source.page_json(
                values["extraction_agent_id"], values["skip"], values["limit"]
            ),
            "get_run": lambda: source.run_json(values["run_id"]),
            "get_run_by_job": lambda: source.run_json_by_job(values["job_id"]),
            "delete_run": lambda: b"{}",
        }
        body = answers[op.name]()
        assert body is not None  # stateless runs exist for every id
        return Response(200, body, _JSON)

    def _source(self, seed: int) -> Any:
        source = self._dynamic.get(seed)
        if source is None:
            from .._core.stateless import StatelessRuns

            # memory stays bounded whatever seeds and ids clients send: 16 seeds x 256 bodies
            if len(self._dynamic) >= 16:
                self._dynamic.clear()
            source = self._dynamic[seed] = StatelessRuns(seed=seed, cache_size=256)
        return source

    def _record(self, request: Request, name: str, parsed: Parsed, answer: Response) -> None:
        self.handler.journal.note(
            name,
            request.method,
            request.path,
            parsed.values,
            request.query,
            request.headers,
            answer.status,
            "prefer",
        )


def _unprocessable(op: Operation) -> Response:
    """FastAPI's 422 for this operation's first parameter (missing, or not a valid UUID)."""
    reader = ParameterReader(op)
    path_values = {p.name: "not-a-uuid" for p in op.path_parameters}
    errors = reader.read(path_values, {}).errors
    return Response(422, _dump({"detail": errors[:1]}), _JSON)


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


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
