"""The kinds of fault: a registry of plain functions, and the built-in kinds.

Each kind is a function registered with :func:`fault_kind`; the command line's choices and the
error messages come from :data:`FAULT_KINDS`. A kind gets the fault's options and ``respond``,
the mock's normal answer as a function, and returns the :class:`~mocks._core.http.Response` to
send. The built-in kinds:

- ``status``, ``server_error`` (500), ``unavailable`` (503), ``rate_limit`` (429 with
  ``Retry-After``): a FastAPI-shaped body ``{"detail": "..."}``; the request is *not* carried
  out (a delete deletes nothing);
- ``latency``: the answer with ``Response.delay`` seconds added. It *composes*: it delays
  whatever answers the call (the normal answer, another fault's, a ``Prefer`` control's),
  where the other kinds each replace the answer and at most one of them fires on a call;
- ``connect_error``: ``Response.disconnect == "connect_error"``, request not carried out (the
  respx adapter raises ``httpx.ConnectError``, a live server drops the connection);
- ``read_timeout``: ``Response.disconnect == "read_timeout"`` after ``seconds``; the request
  *is* carried out and its answer lost (the respx adapter raises ``httpx.ReadTimeout``);
- ``truncated``: the normal answer with its body cut short (not valid JSON any more);
- ``not_json``: an HTML body instead of JSON, as a proxy in front of a service sends.

Every option is an :class:`Option`: the types it takes, its default, and for a number the range
it must lie in (always finite: ``NaN`` and infinities are refused wherever a fault is given).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any

from .http import Response, json_answer

__all__ = [
    "FAULT_KINDS",
    "MAX_SECONDS",
    "REQUIRED",
    "FaultKind",
    "Option",
    "Respond",
    "answered",
    "fault_kind",
]

Respond = Callable[[], Response]
REQUIRED: Any = object()
"""The default of an option that must be given."""

MAX_SECONDS = 3600.0
"""The longest delay a fault may add (``latency``, ``read_timeout``), in seconds."""
_MAX_RETRY_AFTER = 86400.0


def answered(answer: Response) -> Respond:
    """``respond`` for an answer already made (what a composing fault is given to add to)."""
    return lambda: answer


@dataclass(frozen=True)
class Option:
    """One option of a fault kind: the ``types`` it takes (``bool`` never counts as a number),
    its ``default`` (:data:`REQUIRED`: none), and for a number the range ``[low, high]`` it must
    lie in (``high_open``: ``[low, high)``). A number is always finite."""

    types: tuple[type, ...]
    default: Any = REQUIRED
    low: float | None = None
    high: float | None = None
    high_open: bool = False

    def problem(self, name: str, value: Any) -> str | None:
        """What is wrong with ``value`` for the option ``name``, or None."""
        if isinstance(value, bool) or not isinstance(value, self.types):
            wanted = " or ".join("None" if t is type(None) else t.__name__ for t in self.types)
            return f"{name} must be {wanted}, got {value!r}"
        if not isinstance(value, (int, float)):
            return None
        if not math.isfinite(value):
            return f"{name} must be a finite number, got {value!r}"
        below = self.low is not None and value < self.low
        above = self.high is not None and (
            value >= self.high if self.high_open else value > self.high
        )
        if below or above:
            return f"{name} must be in {self._range()}, got {value!r}"
        return None

    def _range(self) -> str:
        def shown(bound: float) -> str:
            return str(int(bound)) if float(bound).is_integer() else str(bound)

        if self.high is None:
            return f"[{shown(self.low or 0)}, ...)"
        close = ")" if self.high_open else "]"
        return f"[{shown(self.low or 0)}, {shown(self.high)}{close}"


@dataclass(frozen=True)
class FaultKind:
    """A registered kind of fault: its name, options, effect, and whether it ``composes``
    (adds to whatever answers the call, as ``latency`` does) or replaces the answer."""

    name: str
    description: str
    options: Mapping[str, Option]
    apply: Callable[[Mapping[str, Any], Respond], Response]
    composes: bool = False


FAULT_KINDS: dict[str, FaultKind] = {}
"""Every fault kind by name; :meth:`~mocks._core.faults.Faults.add` and the command line read
it."""


def fault_kind(
    name: str, description: str, *, composes: bool = False, **options: Option | tuple[Any, ...]
) -> Callable[[Callable[[Mapping[str, Any], Respond], Response]], FaultKind]:
    """Register the decorated function as the fault kind ``name``; each keyword is an option,
    an :class:`Option` or a tuple of its arguments (``(types, default)``)."""
    declared = {
        option: given if isinstance(given, Option) else Option(*given)
        for option, given in options.items()
    }

    def register(apply: Callable[[Mapping[str, Any], Respond], Response]) -> FaultKind:
        kind = FaultKind(name, description, declared, apply, composes)
        FAULT_KINDS[name] = kind
        return kind

    return register


# -- the built-in kinds ---------------------------------------------------------------------------

_NUMBER = (int, float)
_OPT_STR = (str, type(None))
_OPT_NUMBER = (int, float, type(None))
_DETAIL = Option(_OPT_STR, None)
_RETRY_AFTER = Option(_OPT_NUMBER, None, 0, _MAX_RETRY_AFTER)


def _status_answer(status: int, detail: str | None, retry_after: float | None) -> Response:
    headers: tuple[tuple[str, str], ...] = ()
    if retry_after is not None:
        text = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        headers = (("retry-after", text),)
    return json_answer(
        status, {"detail": detail if detail is not None else _phrase(status)}, headers
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@fault_kind(
    "status",
    "answer with any 4xx/5xx status and a FastAPI-shaped body",
    status=Option((int,), REQUIRED, 400, 599),
    detail=_DETAIL,
    retry_after=_RETRY_AFTER,
)
def _status(options: Mapping[str, Any], respond: Respond) -> Response:
    return _status_answer(options["status"], options["detail"], options["retry_after"])


@fault_kind("server_error", "500 Internal Server Error", detail=_DETAIL)
def _server_error(options: Mapping[str, Any], respond: Respond) -> Response:
    return _status_answer(500, options["detail"], None)


@fault_kind(
    "unavailable",
    "503 Service Unavailable (optionally with Retry-After)",
    detail=_DETAIL,
    retry_after=_RETRY_AFTER,
)
def _unavailable(options: Mapping[str, Any], respond: Respond) -> Response:
    return _status_answer(503, options["detail"], options["retry_after"])


@fault_kind(
    "rate_limit",
    "429 Too Many Requests with Retry-After (seconds, default 1)",
    detail=_DETAIL,
    retry_after=Option(_NUMBER, 1, 0, _MAX_RETRY_AFTER),
)
def _rate_limit(options: Mapping[str, Any], respond: Respond) -> Response:
    return _status_answer(429, options["detail"], options["retry_after"])


@fault_kind(
    "latency",
    "every answer (faulted or not) after `seconds` more",
    composes=True,
    seconds=Option(_NUMBER, REQUIRED, 0, MAX_SECONDS),
)
def _latency(options: Mapping[str, Any], respond: Respond) -> Response:
    answer = respond()
    return replace(answer, delay=answer.delay + options["seconds"])


@fault_kind("connect_error", "no connection: the request never reaches the service")
def _connect_error(options: Mapping[str, Any], respond: Respond) -> Response:
    return Response(0, disconnect="connect_error")


@fault_kind(
    "read_timeout",
    "the request is carried out but no answer comes (after `seconds`, default 0)",
    seconds=Option(_NUMBER, 0, 0, MAX_SECONDS),
)
def _read_timeout(options: Mapping[str, Any], respond: Respond) -> Response:
    respond()
    return Response(0, delay=options["seconds"], disconnect="read_timeout")


@fault_kind(
    "truncated",
    "the normal answer with its body cut to `keep` of its length (default 0.5)",
    keep=Option(_NUMBER, 0.5, 0, 1, high_open=True),
)
def _truncated(options: Mapping[str, Any], respond: Respond) -> Response:
    answer = respond()
    cut = min(int(len(answer.body) * options["keep"]), max(len(answer.body) - 1, 0))
    return replace(answer, body=answer.body[:cut])


_GATEWAY_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center></body></html>"
)


@fault_kind(
    "not_json",
    "an HTML page instead of JSON (status 502 unless `status` is given)",
    status=Option((int,), 502, 200, 599),  # an HTML page may come with any final status
    body=Option((str,), _GATEWAY_PAGE),
)
def _not_json(options: Mapping[str, Any], respond: Respond) -> Response:
    return Response(
        options["status"],
        options["body"].encode(),
        (("content-type", "text/html; charset=utf-8"),),
    )
