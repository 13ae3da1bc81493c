"""The call journal: every request the mock answered, with its operation's name.

Bounded (the oldest calls fall out first; :attr:`Journal.dropped` counts them), safe to share
between threads, and the ``Authorization`` header is stored redacted. The request handler
records through :meth:`Journal.note`, which keeps a plain tuple (headers already redacted) and
makes the :class:`Call` only when the journal is read: a call costs the server a tuple, not a
dataclass. Assertions fail with a
:class:`~mocks._errors.CallAssertionError` that lists what was called instead::

    mock.assert_called("delete_run", run_id=run_id)
    mock.assert_not_called("get_run")
    [call.params["run_id"] for call in mock.calls("get_run")]
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import CallAssertionError
from .params import canonical, known_operation

__all__ = ["REDACTED", "Call", "Journal", "redact"]

REDACTED = "[redacted]"
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
_SHOWN = 20  # calls listed in a failure message


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` (lower-case names) with credentials replaced by ``[redacted]``."""
    if _SECRET_HEADERS.isdisjoint(headers):  # the usual request: nothing to hide
        return dict(headers)
    return {k: (REDACTED if k in _SECRET_HEADERS else v) for k, v in headers.items()}


@dataclass(frozen=True)
class Call:
    """One request and what the mock answered.

    ``operation`` is ``None`` for a path that is none of the four (answered 404). ``params``
    maps each declared parameter to its value, canonical when valid (lower-case UUID, int) and
    the raw text when not. ``fault`` names the fault that shaped the answer, if any.
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
        # a Call, or the tuple of a Call's fields (from :meth:`note`), made a Call when read
        self._calls: deque[Call | tuple[Any, ...]] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self._recorded = 0

    def record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._recorded += 1

    def note(
        self,
        operation: str | None,
        method: str,
        path: str,
        params: Mapping[str, Any],
        query: tuple[tuple[str, str], ...],
        headers: Mapping[str, str],
        status: int | None,
        fault: str | None,
    ) -> None:
        """Record a call from its fields (what :class:`Call` takes, in order); ``headers`` are
        redacted here, before anything is kept."""
        entry = (operation, method, path, params, query, redact(headers), status, fault)
        with self._lock:
            self._calls.append(entry)
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
            entries = tuple(self._calls)
        return iter([entry if isinstance(entry, Call) else Call(*entry) for entry in entries])

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
