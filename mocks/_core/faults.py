"""Faults: make the mock fail the way a real service and network do.

Each fault kind is a plain function in the :data:`FAULT_KINDS` registry (add one with
:func:`fault_kind`); the command line's choices and error messages come from the same registry.
A kind gets the fault's options and ``respond``, the mock's normal answer as a function, and
returns the :class:`~mocks._core.http.Response` to send. Faults surface through that response:

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

A fault as data is a :class:`FaultSpec`; :func:`read_fault` is the one reader of a fault from
text (``"rate_limit:times=1,retry_after=2"``, the command line's ``--fault``) or a mapping
(``{"kind": "rate_limit", "times": 1}``, the admin API's ``POST /faults`` and the marker's
``faults=``), and checks it as :meth:`Faults.add` would.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import Any

from .._errors import InvalidFault, UnknownName
from .http import Response, json_answer
from .params import known_operation

__all__ = [
    "FAULT_KINDS",
    "SETTINGS",
    "Fault",
    "FaultKind",
    "FaultSpec",
    "Faults",
    "fault_kind",
    "read_fault",
]

Respond = Callable[[], Response]
_REQUIRED: Any = object()


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


SETTINGS = ("operation", "times", "rate", "seed")
"""A fault's own settings (which calls it shapes); every other name is an option of its kind."""


@dataclass(frozen=True)
class FaultSpec:
    """One fault as plain data: :meth:`Faults.add` arguments (``Faults.add_spec`` adds it).

    ``operation`` is one operation's name, several (a tuple), or None for all; ``seed`` None
    is the default seed (0), which the command line fills in with ``--fault-seed``; ``options``
    are the kind's options. Read one from text or a mapping with :func:`read_fault`.
    """

    kind: str
    operation: str | tuple[str, ...] | None = None
    times: int | None = None
    rate: float | None = None
    seed: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def as_mapping(self) -> dict[str, Any]:
        """The mapping :func:`read_fault` reads back to this spec (settings left at their
        default are left out)."""
        given: dict[str, Any] = {"kind": self.kind}
        for name in SETTINGS:
            value = getattr(self, name)
            if value is not None:
                given[name] = list(value) if isinstance(value, tuple) else value
        return {**given, **self.options}


def read_fault(given: str | Mapping[str, Any]) -> FaultSpec:
    """One fault, read from text or a mapping and checked as :meth:`Faults.add` checks it.

    - text: ``KIND[:NAME=VALUE,...]``, e.g. ``"status:status=503,operation=get_run,times=3"``;
      a value is read as a whole number, a number, ``null``/``none``, ``true``/``false``, or
      else kept as text (``operation`` is always text);
    - a mapping: ``{"kind": "rate_limit", "operation": "get_run", "times": 1, ...}``
      (``operation`` may also be a list of names).

    ``operation``, ``times``, ``rate`` and ``seed`` are the fault's settings; every other name
    is an option of its kind. A setting that is not given stays None (``seed`` too, so a caller
    can tell an absent seed from ``seed=0``). A wrong fault raises
    :class:`~mocks._errors.InvalidFault` carrying its ``kind`` and the ``option`` at fault.
    """
    if isinstance(given, str):
        kind, values = _from_text(given)
    elif isinstance(given, Mapping):
        named = given.get("kind")
        if not isinstance(named, str) or not named:
            raise InvalidFault(
                f"a fault needs a 'kind' (one of: {', '.join(sorted(FAULT_KINDS))}), "
                f"got {dict(given)!r}",
                option="kind",
            )
        kind = named
        values = {str(name): value for name, value in given.items() if name != "kind"}
    else:
        raise InvalidFault(
            f"expected a fault as text ('KIND:NAME=VALUE,...') or a mapping with a 'kind', "
            f"got {given!r}"
        )
    operation = values.pop("operation", None)
    if isinstance(operation, (list, tuple)):
        operation = tuple(operation)
    spec = FaultSpec(
        kind=kind,
        operation=operation,
        times=values.pop("times", None),
        rate=values.pop("rate", None),
        seed=values.pop("seed", None),
        options=values,
    )
    _check(spec)
    return spec


def _from_text(text: str) -> tuple[str, dict[str, Any]]:
    kind, _, rest = text.partition(":")
    kind = kind.strip()
    if not kind:
        raise InvalidFault(f"expected KIND[:NAME=VALUE,...], got {text!r}")
    values: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise InvalidFault(f"expected NAME=VALUE, got {item!r}", kind=kind)
        values[name] = value.strip() if name == "operation" else _value(value.strip())
    return kind, values


def _value(text: str) -> Any:
    """A value given as text: a whole number, a number, null/none, true/false, or the text."""
    lowered = text.lower()
    if lowered in ("null", "none"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


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
        if operation is not None and not isinstance(operation, str):
            operation = tuple(operation)
        return self.add_spec(FaultSpec(kind, operation, times, rate, seed, options))

    def add_spec(self, spec: FaultSpec) -> Fault:
        """Add the fault ``spec`` describes (checked as :meth:`add` checks it) and return it."""
        kind, options, operations = _check(spec)
        seed = 0 if spec.seed is None else spec.seed
        fault = Fault(kind, options, operations, spec.times, spec.rate, seed)
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


# -- checking a fault (for read_fault and Faults.add alike) --------------------------------------


def _bad(kind: str, option: str, problem: str) -> InvalidFault:
    """The error for ``option`` of a fault of ``kind``: ``fault KIND: PROBLEM``."""
    return InvalidFault(f"fault {kind}: {problem}", kind=kind, option=option)


def _check(spec: FaultSpec) -> tuple[FaultKind, dict[str, Any], frozenset[str] | None]:
    """The registered kind, the complete options and the operations of ``spec``, or an
    :class:`InvalidFault` naming the kind and the setting or option at fault."""
    kind, times, rate = spec.kind, spec.times, spec.rate
    registered = FAULT_KINDS.get(kind)
    if registered is None:
        known = ", ".join(sorted(FAULT_KINDS))
        message = f"unknown fault kind {kind!r}; the kinds are: {known}"
        raise InvalidFault(message, kind=kind, option="kind")
    operations = _operations(kind, spec.operation)
    if times is not None and (isinstance(times, bool) or not isinstance(times, int)):
        raise _bad(kind, "times", f"times must be a whole number, got {times!r}")
    if times is not None and times < 1:
        raise _bad(kind, "times", f"times must be >= 1, got {times}")
    if rate is not None and not (isinstance(rate, _NUMBER) and 0 < rate <= 1):
        raise _bad(kind, "rate", f"rate must be a number in (0, 1], got {rate!r}")
    if spec.seed is not None and (isinstance(spec.seed, bool) or not isinstance(spec.seed, int)):
        raise _bad(kind, "seed", f"seed must be a whole number, got {spec.seed!r}")
    return registered, _options(registered, spec.options), operations


def _operations(kind: str, operation: str | Iterable[str] | None) -> frozenset[str] | None:
    if operation is None:
        return None
    names = (operation,) if isinstance(operation, str) else tuple(operation)
    try:
        for name in names:
            known_operation(name)
    except UnknownName as exc:
        raise InvalidFault(str(exc), kind=kind, option="operation") from None
    return frozenset(names)


def _options(kind: FaultKind, given: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(given) - set(kind.options))
    if unknown:
        known = ", ".join(kind.options) or "none"
        listed = ", ".join(unknown)
        raise _bad(kind.name, unknown[0], f"unknown option(s) {listed}; its options are: {known}")
    options: dict[str, Any] = {}
    for name, (types, default) in kind.options.items():
        value = given.get(name, default)
        if value is _REQUIRED:
            raise _bad(kind.name, name, f"the option {name!r} is required")
        if isinstance(value, bool) or not isinstance(value, types):
            wanted = " or ".join("None" if t is type(None) else t.__name__ for t in types)
            raise _bad(kind.name, name, f"{name} must be {wanted}, got {value!r}")
        options[name] = value
    _check_ranges(kind.name, options)
    return options


def _check_ranges(kind: str, options: Mapping[str, Any]) -> None:
    status = options.get("status")
    low = 200 if kind == "not_json" else 400  # an HTML page may come with any final status
    if status is not None and not low <= status <= 599:
        raise _bad(kind, "status", f"status must be in {low}-599, got {status}")
    for name in ("seconds", "retry_after"):
        value = options.get(name)
        if value is not None and value < 0:
            raise _bad(kind, name, f"{name} must be >= 0, got {value}")
    keep = options.get("keep")
    if keep is not None and not 0 <= keep < 1:
        raise _bad(kind, "keep", f"keep must be in [0, 1), got {keep}")
