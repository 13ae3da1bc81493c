"""Faults: make the mock fail the way a real service and network do.

Each fault kind is a plain function in the :data:`FAULT_KINDS` registry (add one with
:func:`fault_kind`); the command line's choices and error messages come from the same registry.
A kind gets the fault's options and ``respond``, the mock's normal answer as a function, and
returns the :class:`~mocks._http.Response` to send. Faults surface through that response:

- ``status``, ``server_error`` (500), ``unavailable`` (503), ``rate_limit`` (429 with
  ``Retry-After``): a FastAPI-shaped body ``{"detail": "..."}``; the request is *not* carried
  out (a delete deletes nothing);
- ``latency``: the normal answer with ``Response.delay`` seconds added;
- ``connect_error``: ``Response.disconnect == "connect_error"``, request not carried out (the
  respx adapter raises ``httpx.ConnectError``, a live server drops the connection);
- ``read_timeout``: ``Response.disconnect == "read_timeout"`` after ``seconds``; the request
  *is* carried out and its answer lost (the respx adapter raises ``httpx.ReadTimeout``);
- ``truncated``: the normal answer with its body cut short (not valid JSON any more);
- ``not_json``: an HTML body instead of JSON, as a proxy in front of a service sends.

A fault applies to one operation, a few, or all (``operation=None``), to the next ``times``
matching calls or to every one, each with probability ``rate`` drawn from its own
``random.Random(seed)``. The first active fault that fires shapes a call; at most one does.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any

from .._errors import InvalidFault
from .http import Response
from .params import known_operation

__all__ = ["FAULT_KINDS", "Fault", "FaultKind", "Faults", "fault_kind", "json_error"]

Respond = Callable[[], Response]
_REQUIRED: Any = object()
_JSON = (("content-type", "application/json"),)


def json_error(status: int, detail: Any, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """A FastAPI-shaped error answer: ``{"detail": ...}`` as compact JSON."""
    body = json.dumps({"detail": detail}, ensure_ascii=False, separators=(",", ":"))
    return Response(status, body.encode(), headers + _JSON)  # Starlette's header order


@dataclass(frozen=True)
class FaultKind:
    """A registered kind of fault: its name, options (name -> (types, default)) and effect."""

    name: str
    description: str
    options: Mapping[str, tuple[tuple[type, ...], Any]]
    apply: Callable[[Mapping[str, Any], Respond], Response]


FAULT_KINDS: dict[str, FaultKind] = {}
"""Every fault kind by name; :meth:`Faults.add` and the command line read it."""


def fault_kind(
    name: str, description: str, **options: tuple[tuple[type, ...], Any]
) -> Callable[[Callable[[Mapping[str, Any], Respond], Response]], FaultKind]:
    """Register the decorated function as the fault kind ``name``."""

    def register(apply: Callable[[Mapping[str, Any], Respond], Response]) -> FaultKind:
        kind = FaultKind(name, description, options, apply)
        FAULT_KINDS[name] = kind
        return kind

    return register


_NUMBER = (int, float)
_OPT_STR = (str, type(None))
_OPT_NUMBER = (int, float, type(None))


def _status_answer(status: int, detail: str | None, retry_after: float | None) -> Response:
    headers: tuple[tuple[str, str], ...] = ()
    if retry_after is not None:
        text = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        headers = (("retry-after", text),)
    return json_error(status, detail if detail is not None else _phrase(status), headers)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@fault_kind(
    "status",
    "answer with any 4xx/5xx status and a FastAPI-shaped body",
    status=((int,), _REQUIRED),
    detail=(_OPT_STR, None),
    retry_after=(_OPT_NUMBER, None),
)
def _status(options: Mapping[str, Any], respond: Respond) -> Response:
    return _status_answer(options["status"], options["detail"], options["retry_after"])


@fault_kind(
    "server_error",
    "500 Internal Server Error",
    detail=(_OPT_STR, None),
)
def _server_error(options: Mapping[str, Any], respond: Respond) -> Response:
    return _status_answer(500, options["detail"], None)


@fault_kind(
    "unavailable",
    "503 Service Unavailable (optionally with Retry-After)",
    detail=(_OPT_STR, None),
    retry_after=(_OPT_NUMBER, None),
)
def _unavailable(options: Mapping[str, Any], respond: Respond) -> Response:
    return _status_answer(503, options["detail"], options["retry_after"])


@fault_kind(
    "rate_limit",
    "429 Too Many Requests with Retry-After (seconds, default 1)",
    detail=(_OPT_STR, None),
    retry_after=(_NUMBER, 1),
)
def _rate_limit(options: Mapping[str, Any], respond: Respond) -> Response:
    return _status_answer(429, options["detail"], options["retry_after"])


@fault_kind("latency", "the normal answer, after `seconds` more", seconds=(_NUMBER, _REQUIRED))
def _latency(options: Mapping[str, Any], respond: Respond) -> Response:
    answer = respond()
    return replace(answer, delay=answer.delay + options["seconds"])


@fault_kind("connect_error", "no connection: the request never reaches the service")
def _connect_error(options: Mapping[str, Any], respond: Respond) -> Response:
    return Response(0, disconnect="connect_error")


@fault_kind(
    "read_timeout",
    "the request is carried out but no answer comes (after `seconds`, default 0)",
    seconds=(_NUMBER, 0),
)
def _read_timeout(options: Mapping[str, Any], respond: Respond) -> Response:
    respond()
    return Response(0, delay=options["seconds"], disconnect="read_timeout")


@fault_kind(
    "truncated",
    "the normal answer with its body cut to `keep` of its length (default 0.5)",
    keep=(_NUMBER, 0.5),
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
    status=((int,), 502),
    body=((str,), _GATEWAY_PAGE),
)
def _not_json(options: Mapping[str, Any], respond: Respond) -> Response:
    return Response(
        options["status"],
        options["body"].encode(),
        (("content-type", "text/html; charset=utf-8"),),
    )


class Fault:
    """One added fault; ``fired`` counts the calls it shaped, ``remaining`` what is left."""

    def __init__(
        self,
        kind: FaultKind,
        options: Mapping[str, Any],
        operations: frozenset[str] | None,
        times: int | None,
        rate: float | None,
        seed: int,
    ) -> None:
        self.kind = kind
        self.options = dict(options)
        self.operations = operations
        self.remaining = times
        self.rate = rate
        self.fired = 0
        self._rng = random.Random(seed)

    @property
    def name(self) -> str:
        return self.kind.name

    def apply(self, respond: Respond) -> Response:
        return self.kind.apply(self.options, respond)

    def _fires(self, operation: str) -> bool:
        if self.operations is not None and operation not in self.operations:
            return False
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.rate is not None and self._rng.random() >= self.rate:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        self.fired += 1
        return True

    def __repr__(self) -> str:
        where = "all operations" if self.operations is None else ", ".join(sorted(self.operations))
        return (
            f"<Fault {self.name} on {where}, options={self.options}, "
            f"remaining={self.remaining}, rate={self.rate}, fired={self.fired}>"
        )


class Faults:
    """The faults of one mock; thread-safe. ``mock.faults.add("rate_limit", times=1)``."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        kind: str,
        *,
        operation: str | Iterable[str] | None = None,
        times: int | None = None,
        rate: float | None = None,
        seed: int = 0,
        **options: Any,
    ) -> Fault:
        """Add a fault of ``kind`` (see :data:`FAULT_KINDS`) and return it.

        ``operation``: one operation name, several, or ``None`` for all four. ``times``: fire
        on the next N matching calls only. ``rate``: fire with this probability (0 < rate <= 1),
        drawn from ``random.Random(seed)``. Other keyword arguments are the kind's options.
        """
        registered = FAULT_KINDS.get(kind)
        if registered is None:
            raise InvalidFault(
                f"unknown fault kind {kind!r}; the kinds are: {', '.join(sorted(FAULT_KINDS))}"
            )
        operations = _operations(operation)
        if times is not None and (isinstance(times, bool) or not isinstance(times, int)):
            raise InvalidFault(f"fault {kind}: times must be a whole number, got {times!r}")
        if times is not None and times < 1:
            raise InvalidFault(f"fault {kind}: times must be >= 1, got {times}")
        if rate is not None and not (isinstance(rate, _NUMBER) and 0 < rate <= 1):
            raise InvalidFault(f"fault {kind}: rate must be a number in (0, 1], got {rate!r}")
        fault = Fault(registered, _options(registered, options), operations, times, rate, seed)
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        with self._lock:
            self._faults.remove(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(tuple(self._faults))

    def __len__(self) -> int:
        return len(self._faults)

    def pick(self, operation: str) -> Fault | None:
        """The fault that shapes this call of ``operation``, if any (spent faults drop out)."""
        if not self._faults:
            return None
        with self._lock:
            for fault in self._faults:
                if fault._fires(operation):
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None


def _operations(operation: str | Iterable[str] | None) -> frozenset[str] | None:
    if operation is None:
        return None
    names = (operation,) if isinstance(operation, str) else tuple(operation)
    try:
        for name in names:
            known_operation(name)
    except ValueError as exc:
        raise InvalidFault(str(exc)) from None
    return frozenset(names)


def _options(kind: FaultKind, given: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(given) - set(kind.options))
    if unknown:
        known = ", ".join(kind.options) or "none"
        raise InvalidFault(
            f"fault {kind.name}: unknown option(s) {', '.join(unknown)}; its options are: {known}"
        )
    options: dict[str, Any] = {}
    for name, (types, default) in kind.options.items():
        value = given.get(name, default)
        if value is _REQUIRED:
            raise InvalidFault(f"fault {kind.name}: the option {name!r} is required")
        if isinstance(value, bool) or not isinstance(value, types):
            wanted = " or ".join("None" if t is type(None) else t.__name__ for t in types)
            raise InvalidFault(f"fault {kind.name}: {name} must be {wanted}, got {value!r}")
        options[name] = value
    _check_ranges(kind.name, options)
    return options


def _check_ranges(kind: str, options: Mapping[str, Any]) -> None:
    status = options.get("status")
    low = 200 if kind == "not_json" else 400  # an HTML page may come with any final status
    if status is not None and not low <= status <= 599:
        raise InvalidFault(f"fault {kind}: status must be in {low}-599, got {status}")
    for name in ("seconds", "retry_after"):
        value = options.get(name)
        if value is not None and value < 0:
            raise InvalidFault(f"fault {kind}: {name} must be >= 0, got {value}")
    keep = options.get("keep")
    if keep is not None and not 0 <= keep < 1:
        raise InvalidFault(f"fault {kind}: keep must be in [0, 1), got {keep}")
