"""The call journal: every request the mock answered, with its operation's name.

Bounded (the oldest calls fall out first; :attr:`Journal.dropped` counts them), safe to share
between threads, and credentials never kept: the handler records each request through
:meth:`Journal.note`, which keeps one :class:`Call` with the secret headers
(:data:`contracts.SECRET_HEADERS`) already redacted. Assertions fail with a
:class:`~mocks._errors.CallAssertionError` that lists what was called instead::

    mock.assert_called("delete_run", run_id=run_id)
    mock.assert_not_called("get_run")
    [call.params["run_id"] for call in mock.calls("get_run")]
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from contracts import redact_headers

from .._errors import CallAssertionError
from .http import Request
from .params import canonical, known_operation

__all__ = ["Call", "Journal"]

_SHOWN = 20  # calls listed in a failure message


@dataclass(frozen=True, slots=True)
class Call:
    """One request and what the mock answered.

    ``operation`` is ``None`` for a path that is none of the four (answered 404). ``params``
    maps each declared parameter to its value, canonical when valid (lower-case UUID, int) and
    the raw text when not. ``fault`` names what shaped the answer, if anything: a fault's
    kind, or ``"prefer"`` (the live server's ``Prefer`` controls), joined by ``+`` when a
    composing fault added to it (``"rate_limit+latency"``, ``"prefer+latency"``).
    """

    operation: str | None
    method: str
    path: str
    params: Mapping[str, Any]
    query: tuple[tuple[str, str], ...] = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    status: int | None
    fault: str | None = None

    def __str__(self) -> str:
        answer = "no answer" if self.status is None else str(self.status)
        fault = f" [fault: {self.fault}]" if self.fault else ""
        if self.operation is None:
            return f"{self.method} {self.path} -> {answer}{fault}"
        given = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if v is not None)
        return f"{self.operation}({given}) -> {answer}{fault}"


class Journal:
    """The last ``maxlen`` calls, oldest first."""

    def __init__(self, maxlen: int = 1000) -> None:
        if maxlen < 1:
            raise ValueError(f"journal maxlen must be >= 1, got {maxlen}")
        self.maxlen = maxlen
        self._calls: deque[Call] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self._recorded = 0

    def note(
        self,
        request: Request,
        operation: str | None,
        params: Mapping[str, Any],
        status: int | None,
        fault: str | None,
    ) -> None:
        """Record that ``request`` was answered ``status`` (None: no answer) as ``operation``
        with ``params``, shaped by ``fault``; the headers are redacted before anything is
        kept."""
        headers = redact_headers(request.headers)
        self._keep(
            Call(
                operation,
                request.method,
                request.path,
                params,
                request.query,
                headers,
                status,
                fault,
            )
        )

    def record(self, call: Call) -> None:
        """Record a ready :class:`Call` (its headers redacted before it is kept)."""
        self._keep(replace(call, headers=redact_headers(call.headers)))

    def _keep(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._recorded += 1

    @property
    def dropped(self) -> int:
        """How many calls fell out of the journal because it was full."""
        with self._lock:
            return self._recorded - len(self._calls)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._recorded = 0

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        with self._lock:
            return iter(tuple(self._calls))

    def calls(self, operation: str | None = None, **params: Any) -> list[Call]:
        """The recorded calls of ``operation`` (all calls if ``None``) whose parameters equal
        ``params``; values are compared in canonical form, so any UUID spelling matches."""
        if operation is None:
            if params:
                raise TypeError("name the operation to filter calls by parameter")
            return list(self)
        op = known_operation(operation)
        wanted = {name: canonical(op, name, value) for name, value in params.items()}
        return [
            call
            for call in self
            if call.operation == operation
            and all(call.params.get(k) == v for k, v in wanted.items())
        ]

    def assert_called(
        self, operation: str, *, times: int | None = None, **params: Any
    ) -> list[Call]:
        """Fail unless ``operation`` was called with ``params`` (exactly ``times`` times, if
        given); returns the matching calls."""
        found = self.calls(operation, **params)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        expected = _describe(operation, params)
        how_often = "at least once" if times is None else f"{times} time(s)"
        raise CallAssertionError(
            f"expected {expected} to be called {how_often}, but it was called "
            f"{len(found)} time(s).\n{self._listing()}"
        )

    def assert_not_called(self, operation: str, **params: Any) -> None:
        """Fail if ``operation`` was called with ``params``."""
        found = self.calls(operation, **params)
        if found:
            raise CallAssertionError(
                f"expected no call to {_describe(operation, params)}, but it was called "
                f"{len(found)} time(s).\n{self._listing()}"
            )

    def _listing(self) -> str:
        calls = list(self)
        if not calls:
            return "No calls were made to the mock."
        shown = calls[-_SHOWN:]
        head = f"Calls made ({len(calls)}"
        head += f", last {len(shown)} shown):" if len(shown) < len(calls) else "):"
        dropped = self.dropped
        if dropped:
            head += f" ({dropped} older call(s) fell out of the journal)"
        return head + "".join(f"\n  {call}" for call in shown)


def _describe(operation: str, params: Mapping[str, Any]) -> str:
    given = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return f"{operation}({given})"
