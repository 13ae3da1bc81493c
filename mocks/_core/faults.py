"""Faults: make the mock fail the way a real service and network do.

The kinds of fault (a registry of plain functions) and what each does are in
:mod:`mocks._core.fault_kinds`. Here: a fault as data (:class:`FaultSpec`), the one reader of a
fault from text or a mapping (:func:`read_fault`), one added fault (:class:`Fault`) and the
faults of one mock (:class:`Faults`).

A fault applies to one operation, a few, or all (``operation=None``), to the next ``times``
matching calls or to every one, each with probability ``rate`` drawn from its own
``random.Random(seed)``. On each call, the first fault of a replacing kind that fires shapes the
answer (at most one does), and every fault of a composing kind (``latency``) that fires adds to
whatever answers: so ``latency`` delays a ``rate_limit``'s 429 as it delays a 200.

:func:`read_fault` reads a fault from text (``"rate_limit:times=1,retry_after=2"``, the command
line's ``--fault``) or a mapping (``{"kind": "rate_limit", "times": 1}``, the admin API's ``POST
/faults`` and the marker's ``faults=``), and checks it as :meth:`Faults.add` would: the kind, the
operations, the settings and every option's type and range (numbers finite). A
:class:`Fault`'s :meth:`~Fault.as_mapping` is the mapping it reads back (what the admin API's
``GET /faults`` answers, so a client can read faults and post them again).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import InvalidFault, UnknownName
from .fault_kinds import FAULT_KINDS, REQUIRED, FaultKind, Respond, answered
from .http import Response
from .params import known_operation

__all__ = [
    "SETTINGS",
    "Fault",
    "FaultSpec",
    "Faults",
    "Shaping",
    "read_fault",
]


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
        self.seed = seed
        self.fired = 0
        self._rng = random.Random(seed)

    @property
    def name(self) -> str:
        return self.kind.name

    def apply(self, respond: Respond) -> Response:
        return self.kind.apply(self.options, respond)

    def as_mapping(self) -> dict[str, Any]:
        """The fault as :func:`read_fault` reads it (and the admin API's ``POST /faults``
        takes it): its kind, operations (a sorted list), ``times`` still remaining, ``rate``,
        ``seed`` and options. Posted again, it adds the same fault, its rate drawn afresh."""
        given: dict[str, Any] = {"kind": self.name}
        if self.operations is not None:
            given["operation"] = sorted(self.operations)
        if self.remaining is not None:
            given["times"] = self.remaining
        if self.rate is not None:
            given["rate"] = self.rate
        given["seed"] = self.seed
        return {**given, **self.options}

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


class Shaping:
    """The faults that fired on one call, applied in order: a replacing fault (if one fired)
    first, then the composing ones (``latency``) over its answer. ``name`` joins their kinds
    with ``+`` (``"rate_limit+latency"``), as the journal records them."""

    __slots__ = ("faults", "name")

    def __init__(self, faults: list[Fault]) -> None:
        self.faults = faults
        self.name = "+".join(fault.name for fault in faults)

    def apply(self, respond: Respond) -> Response:
        answer = self.faults[0].apply(respond)
        for fault in self.faults[1:]:
            answer = fault.apply(answered(answer))
        return answer


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
        """Add a fault of ``kind`` (see :data:`~mocks._core.fault_kinds.FAULT_KINDS`) and
        return it.

        ``operation``: one operation name, several, or ``None`` for all four. ``times``: fire
        on the next N matching calls only. ``rate``: fire with this probability (0 < rate <= 1),
        drawn from ``random.Random(seed)``. Other keyword arguments are the kind's options,
        checked for type and range (a number must be finite).
        """
        if operation is not None and not isinstance(operation, (str, tuple)):
            operation = tuple(operation) if isinstance(operation, Iterable) else operation
        return self.add_spec(FaultSpec(kind, operation, times, rate, seed, options))

    def add_spec(self, spec: FaultSpec) -> Fault:
        """Add the fault ``spec`` describes (checked as :meth:`add` checks it) and return it."""
        kind, options, operations = _check(spec)
        seed = 0 if spec.seed is None else spec.seed
        fault = Fault(kind, options, operations, spec.times, spec.rate, seed)
        with self._lock:
            self._faults.append(fault)
        return fault

    def replace(self, specs: Iterable[FaultSpec]) -> None:
        """Remove every fault and add those of ``specs``, as one change (all are checked
        first: a bad one leaves the faults as they were)."""
        made = []
        for spec in specs:
            kind, options, operations = _check(spec)
            seed = 0 if spec.seed is None else spec.seed
            made.append(Fault(kind, options, operations, spec.times, spec.rate, seed))
        with self._lock:
            self._faults[:] = made

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

    def pick(self, operation: str, *, composing_only: bool = False) -> Fault | Shaping | None:
        """What shapes this call of ``operation``, if anything: the first replacing fault that
        fires (unless ``composing_only``: the call is answered already) and every composing
        fault that fires; a lone fault as itself. Spent faults drop out."""
        if not self._faults:
            return None
        with self._lock:
            shaping: Fault | None = None
            composing: list[Fault] = []
            for fault in self._faults:
                if fault.kind.composes:
                    if fault._fires(operation):
                        composing.append(fault)
                elif shaping is None and not composing_only and fault._fires(operation):
                    shaping = fault
            fired = composing if shaping is None else [shaping, *composing]
            if not fired:
                return None
            for fault in fired:
                if fault.remaining == 0:
                    self._faults.remove(fault)
        return fired[0] if len(fired) == 1 else Shaping(fired)


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
    if rate is not None and not (
        isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 < rate <= 1
    ):
        raise _bad(kind, "rate", f"rate must be a number in (0, 1], got {rate!r}")
    if spec.seed is not None and (isinstance(spec.seed, bool) or not isinstance(spec.seed, int)):
        raise _bad(kind, "seed", f"seed must be a whole number, got {spec.seed!r}")
    return registered, _options(registered, spec.options), operations


def _operations(kind: str, operation: str | Iterable[str] | None) -> frozenset[str] | None:
    if operation is None:
        return None
    names = (operation,) if isinstance(operation, str) else operation
    if not isinstance(names, (tuple, list, frozenset, set)) or not all(
        isinstance(name, str) for name in names
    ):
        raise _bad(
            kind, "operation", f"operation must be a name or a list of names, got {operation!r}"
        )
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
    for name, option in kind.options.items():
        value = given.get(name, option.default)
        if value is REQUIRED:
            raise _bad(kind.name, name, f"the option {name!r} is required")
        problem = option.problem(name, value)
        if problem is not None:
            raise _bad(kind.name, name, problem)
        options[name] = value
    return options
