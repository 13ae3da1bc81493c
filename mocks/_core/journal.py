"""The call journal: every request the mock answered, with its operation's name.

Bounded in calls and in bytes (the oldest calls fall out first; :attr:`Journal.dropped` counts
them), safe to share between threads, and credentials never kept: the handler records each
request through :meth:`Journal.note`, which keeps one :class:`Call` with the secret headers
(:data:`contracts.SECRET_HEADERS`) already redacted. A call with a large head (a long path,
query or header, or many of them) is kept as a truncated copy, marked ``truncated``: each text
cut to 1,024 characters, at most 64 query pairs and 64 headers and 8 KiB of text in all, so a
client cannot fill the server's memory through the journal. Assertions fail with a
:class:`~mocks._errors.CallAssertionError` that lists what was called instead::

    mock.assert_called("delete_run", run_id=run_id)
    mock.assert_not_called("get_run")
    [call.params["run_id"] for call in mock.calls("get_run")]
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from contracts import redact_headers

from .._errors import CallAssertionError
from .http import Request
from .params import canonical, known_operation

__all__ = ["DEFAULT_MAX_BYTES", "Call", "Journal"]

_SHOWN = 20  # calls listed in a failure message

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
"""What the calls of a journal may cost in all, by default (an estimate of their memory)."""
_TEXT_KEPT = 1024  # characters kept of one text: the path, a query or header name or value
_ITEMS_KEPT = 64  # query pairs, and headers, kept of one call
_CALL_TEXT_KEPT = 8 * 1024  # characters kept of one call's query and headers together
_ITEM_COST = 96  # what a kept pair costs beyond its characters (two strings and a slot)
_CALL_COST = 512  # what a call costs beyond its texts (the record, its tuples and dicts)


@dataclass(frozen=True, slots=True)
class Call:
    """One request and what the mock answered.

    ``operation`` is ``None`` for a path that is none of the four (answered 404). ``params``
    maps each declared parameter to its value, canonical when valid (lower-case UUID, int) and
    the raw text when not (cut to 1,024 characters in a truncated copy). ``fault`` names what
    shaped the answer, if anything: a fault's kind, or ``"prefer"`` (the live server's
    ``Prefer`` controls), joined by ``+`` when a composing fault added to it
    (``"rate_limit+latency"``, ``"prefer+latency"``).
    """

    operation: str | None
    method: str
    path: str
    params: Mapping[str, Any]
    query: tuple[tuple[str, str], ...] = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    status: int | None
    fault: str | None = None
    truncated: bool = False
    """True if this is a truncated copy of a large request (see the module docstring)."""

    def __str__(self) -> str:
        answer = "no answer" if self.status is None else str(self.status)
        fault = f" [fault: {self.fault}]" if self.fault else ""
        if self.operation is None:
            return f"{self.method} {self.path} -> {answer}{fault}"
        given = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if v is not None)
        return f"{self.operation}({given}) -> {answer}{fault}"


class Journal:
    """The last ``maxlen`` calls, oldest first, costing at most ``max_bytes`` (an estimate of
    their memory: their texts and a fixed cost per record and per pair).

    ``maxlen=0`` keeps no call at all, for a server whose journal nobody can read (``serve``
    without ``--admin``): noting a call is then free, and asking for calls is an error that
    says so, never an empty answer that looks like "nothing was called"."""

    def __init__(self, maxlen: int = 1000, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if maxlen < 0:
            raise ValueError(f"journal maxlen must be >= 0 (0 keeps no call), got {maxlen}")
        if max_bytes < 64 * 1024:
            raise ValueError(f"journal max_bytes must be >= 65536, got {max_bytes}")
        self.maxlen = maxlen
        self.max_bytes = max_bytes
        self._calls: deque[Call] = deque()
        self._costs: deque[int] = deque()
        self._bytes = 0
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
        kept, and a large request is kept as a truncated copy."""
        if not self.maxlen:
            return
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
        """Record a ready :class:`Call` (its headers redacted, and truncated if large, before
        it is kept)."""
        if not self.maxlen:
            return
        self._keep(replace(call, headers=redact_headers(call.headers)), careful=True)

    def _keep(self, call: Call, *, careful: bool = False) -> None:
        # what the call's texts cost. Noted by the handler, its parameters' values come from
        # its path and query (percent-decoding only shortens them): those count twice, and the
        # parameters are not walked; a call recorded ready-made is measured with care
        if careful:
            call, text = _truncated(call)
        else:
            text = len(call.path)
            for name, value in call.query:
                text += len(name) + len(value)
            headers = call.headers
            text = 2 * text + sum(map(len, headers)) + sum(map(len, headers.values()))
            if text > _TEXT_KEPT:  # then one text may be too long: the slow, careful path
                call, text = _truncated(call)
        cost = _CALL_COST + text + _ITEM_COST * (len(call.headers) + len(call.query))
        with self._lock:
            calls, costs = self._calls, self._costs
            calls.append(call)
            costs.append(cost)
            self._bytes += cost
            self._recorded += 1
            while len(calls) > self.maxlen:  # a full journal: the oldest call falls out
                calls.popleft()
                self._bytes -= costs.popleft()
            if self._bytes > self.max_bytes:
                self._drop_oldest()

    def _drop_oldest(self) -> None:
        """Let the oldest calls fall out until the journal is within its bytes (the newest
        call always stays). Called with the lock held."""
        calls, costs = self._calls, self._costs
        while self._bytes > self.max_bytes and len(calls) > 1:
            calls.popleft()
            self._bytes -= costs.popleft()

    def page(self, skip: int = 0, limit: int | None = None) -> list[Call]:
        """The calls from the ``skip``-th oldest, at most ``limit`` of them (all by default)."""
        with self._lock:
            end = None if limit is None else skip + limit
            return list(itertools.islice(self._calls, skip, end))

    @property
    def bytes(self) -> int:
        """What the calls kept now cost (the estimate ``max_bytes`` bounds)."""
        return self._bytes

    @property
    def dropped(self) -> int:
        """How many calls fell out of the journal because it was full."""
        with self._lock:
            return self._recorded - len(self._calls)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._costs.clear()
            self._bytes = 0
            self._recorded = 0

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        with self._lock:
            return iter(tuple(self._calls))

    def calls(self, operation: str | None = None, **params: Any) -> list[Call]:
        """The recorded calls of ``operation`` (all calls if ``None``) whose parameters equal
        ``params``; values are compared in canonical form, so any UUID spelling matches."""
        if not self.maxlen:
            raise CallAssertionError(
                "this mock keeps no journal (journal_size=0), so its calls cannot be asked for"
            )
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


def _cut(text: str) -> str:
    return text if len(text) <= _TEXT_KEPT else text[:_TEXT_KEPT]


def _truncated(call: Call) -> tuple[Call, int]:
    """``call`` with every text cut to ``_TEXT_KEPT`` characters, at most ``_ITEMS_KEPT`` query
    pairs and headers and ``_CALL_TEXT_KEPT`` characters of them in all (marked ``truncated``
    if anything was cut), and the characters it keeps."""
    budget = _CALL_TEXT_KEPT
    cut = False

    def pairs(given: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        nonlocal budget, cut
        kept: list[tuple[str, str]] = []
        for name, value in given:
            if len(kept) == _ITEMS_KEPT or budget <= 0:
                cut = True
                break
            short_name, short_value = _cut(name), _cut(value)
            cut = cut or short_name is not name or short_value is not value
            budget -= len(short_name) + len(short_value)
            kept.append((short_name, short_value))
        return kept

    query = tuple(pairs(call.query))
    headers = dict(pairs(call.headers.items()))
    path = _cut(call.path)
    params = {
        name: _cut(value) if type(value) is str else value for name, value in call.params.items()
    }
    cut = cut or path is not call.path
    cut = cut or any(params[name] is not value for name, value in call.params.items())
    text = len(path) + (_CALL_TEXT_KEPT - budget)
    text += sum(len(value) for value in params.values() if type(value) is str)
    if not cut:
        return call, text
    kept = replace(call, path=path, query=query, headers=headers, params=params, truncated=True)
    return kept, text
