"""Judgements kept for answers seen again: :class:`JudgementMemo`.

:func:`~contracts.traffic.judge` is a pure function of what it is given: the request's method,
path and query, the answer's status, two of its headers (``Content-Type`` and
``Content-Encoding``: :func:`judged_headers`), its body's bytes and the largest body judged.
Every check it runs is a plain function of that one exchange (none keeps state between
exchanges: a test holds it). So an exchange equal to an earlier one in all of these, byte for
byte, has the judgement the earlier one had; the memo hands that back instead of parsing and
validating the same bytes again. A client polling a run, or a suite asking the same page, sends
the same answers again and again: a proxy then judges them at the cost of a comparison.

The memo keeps, for each request (method, path, query) and each status and judged headers of
its answer, the last body judged and its judgement; a hit is a body equal to that one, compared
whole. A kept judgement holds no ``body`` value (:data:`~contracts.conformance.NOT_JSON`): a
caller that needs the answer's JSON value (a recorder) reads the bytes again. Bounded: at most
``entries`` of them and ``max_bytes`` of their bodies are kept (the oldest leave first), and a
body over ``max_one`` bytes is judged without being kept. Thread-safe.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence

from ..conformance import NOT_JSON
from ._judge import Judgement, judge, judged_headers

__all__ = ["JudgementMemo"]

Pairs = Sequence[tuple[str, str]]

_Key = tuple[object, ...]


class JudgementMemo:
    """:func:`~contracts.traffic.judge`, with the judgements of the last ``entries`` exchanges
    kept (see the module docstring). ``hits`` and ``misses`` count how it answered."""

    def __init__(
        self, *, entries: int = 256, max_bytes: int = 8 * 1024 * 1024, max_one: int = 1024 * 1024
    ) -> None:
        for name, value in (("entries", entries), ("max_bytes", max_bytes), ("max_one", max_one)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        self.entries = entries
        self.max_bytes = max_bytes
        self.max_one = min(max_one, max_bytes)
        self.hits = 0
        self.misses = 0
        self._kept: dict[_Key, tuple[bytes, Judgement]] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        # the headers judged last (a tuple, held: its identity stays its own) and their
        # judged_headers: an upstream answers with a few sets of headers, each kept as one
        # tuple by the proxy (a new one when its date changes)
        self._last_headers: tuple[object, tuple[str | None, tuple[str, ...]]] = (None, (None, ()))

    def judge(
        self,
        method: str,
        path: str,
        query: Pairs,
        status: int,
        headers: Pairs,
        body: bytes | None,
        *,
        max_body: int,
    ) -> tuple[Judgement, bool]:
        """What ``judge(method, path, query, status, headers, body, max_body=max_body)``
        returns, and whether it came from the memo (the same exchange was judged lately)."""
        if body is None or len(body) > self.max_one or self.entries == 0:
            with self._lock:  # the counts too are kept under the lock, as everywhere here
                self.misses += 1
            return judge(method, path, query, status, headers, body, max_body=max_body), False
        last = self._last_headers
        if headers is last[0]:  # the same (immutable) headers as the exchange before
            judged = last[1]
        else:
            judged = judged_headers(headers)
            if type(headers) is tuple:
                self._last_headers = (headers, judged)
        key: _Key = (method, path, tuple(query), status, judged, max_body)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] == body:
                self.hits += 1
                return kept[1], True
            self.misses += 1
        judgement = judge(method, path, query, status, headers, body, max_body=max_body)
        self._keep(key, body, judgement)
        return judgement, False

    def _keep(self, key: _Key, body: bytes, judgement: Judgement) -> None:
        # without the body's JSON value: hundreds of parsed pages kept alive made every full
        # collection of the garbage collector walk them (10 ms pauses in a proxy); a recorder
        # reads the body again when it needs the value
        judgement = dataclasses.replace(judgement, body=NOT_JSON)
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= len(old[0])
            while self._kept and (
                len(self._kept) >= self.entries or self._bytes + len(body) > self.max_bytes
            ):
                oldest = next(iter(self._kept))
                self._bytes -= len(self._kept.pop(oldest)[0])
            self._kept[key] = (body, judgement)
            self._bytes += len(body)
