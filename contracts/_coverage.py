"""API coverage: what a suite (or a conformance run) exercised of the contract.

:class:`ApiCoverage` tallies answers as they happen (the mock's handler, or a conformance
run's guard, calls :meth:`ApiCoverage.record` once per answer), so it depends on no journal
being kept. Its cells:

- per operation, the **statuses** answered: ``200``, ``404``, ``422``, ``401``, ``405``,
  ``429`` and ``5xx`` (every 500-599), and any other (``307``, ``418``, ``no answer`` for a
  dropped connection) as it is;
- per operation, the **faults** that shaped an answer, by kind (the mock's fault kinds, or
  ``prefer`` for its ``Prefer`` controls);
- the **pagination edges** of ``list_runs`` 200 answers to valid requests: the first page
  (``skip=0``), a middle page, the last page (it holds the last run; a first page holding
  every run is the last page too), past the end (``skip >= total``, ``skip > 0``) and
  ``limit=0``;
- requests to a path that is no operation (``unmatched``), and the operations never called.

The figure a suite is held to is the share of the contract's **declared** (operation, status)
pairs that were answered at least once: each operation's 200 and its documented error statuses
(:attr:`Operation.errors <contracts.Operation.errors>`), eleven pairs in all. A 405 is counted
against the first operation of its path (the one whose method the ``Allow`` header names).

Tallies merge (:meth:`ApiCoverage.merge`: pytest-xdist workers' into the controller's) and
travel as plain data (:meth:`ApiCoverage.to_dict`, which is also the JSON report).
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ._operations import OPERATIONS, resolve_operation

__all__ = ["EDGES", "STATUS_COLUMNS", "ApiCoverage", "declared_pairs", "page_edges"]

STATUS_COLUMNS = ("200", "404", "422", "401", "405", "429", "5xx")
"""The status cells every table shows, in this order (others go under ``other``)."""

EDGES = ("first page", "middle page", "last page", "past the end", "limit=0")
"""The pagination edges of ``list_runs``, in table order."""

NO_ANSWER = "no answer"
_REPORT_VERSION = 1
_TAIL = re.compile(rb'"total":(\d+),"skip":\d+,"limit":\d+\}\s*\Z')
_INT = re.compile(r"[+-]?\d+")


def declared_pairs() -> list[tuple[str, str]]:
    """The contract's (operation, status) pairs: each operation's 200 and documented errors."""
    return [
        (op.name, status)
        for op in OPERATIONS
        for status in ["200", *(str(code) for code in sorted(op.errors))]
    ]


def status_key(status: int | None) -> str:
    """The cell a status counts in: ``5xx`` for 500-599, ``no answer`` for None, else it."""
    if status is None:
        return NO_ANSWER
    return "5xx" if 500 <= status <= 599 else str(status)


def page_edges(skip: int, limit: int, total: int) -> list[str]:
    """The pagination edges a ``list_runs`` page of ``skip``, ``limit`` and ``total`` is."""
    if limit == 0:
        return ["limit=0"]
    edges = []
    if skip == 0:
        edges.append("first page")
    if 0 < skip < total and skip + limit < total:
        edges.append("middle page")
    if skip < total <= skip + limit:
        edges.append("last page")
    if skip >= total and skip > 0:
        edges.append("past the end")
    return edges


def _page_total(body: bytes) -> int | None:
    """The ``total`` of a list page's JSON body (the mock's own layout read from its tail;
    any other parsed whole), or None when it has none."""
    match = _TAIL.search(body[-96:])
    if match is not None:
        return int(match.group(1))
    try:
        page = json.loads(body)
    except (ValueError, RecursionError):
        return None
    total = page.get("total") if isinstance(page, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def _query_int(text: str | None, default: int) -> int | None:
    """A ``skip`` / ``limit`` value as FastAPI reads it (absent: its default), None if bad."""
    if text is None:
        return default
    if not _INT.fullmatch(text.strip()):
        return None
    value = int(text)
    return value if value >= 0 else None


class ApiCoverage:
    """The tally of one suite or run (thread-safe; see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: dict[str, Counter[str]] = {op.name: Counter() for op in OPERATIONS}
        self.faults: dict[str, Counter[str]] = {op.name: Counter() for op in OPERATIONS}
        self.edges: Counter[str] = Counter()
        self.unmatched: Counter[str] = Counter()

    # -- counting -------------------------------------------------------------------------------

    def record(
        self,
        operation: str | None,
        status: int | None,
        *,
        fault: str | None = None,
        skip: object = None,
        limit: object = None,
        body: bytes = b"",
    ) -> None:
        """Count one answer: to ``operation`` (None: a path that is no operation), ``status``
        (None: no answer), shaped by ``fault``. For a 200 to ``list_runs``, ``skip`` and
        ``limit`` (as read: ints when valid) and the page's JSON ``body`` give its edges."""
        key = status_key(status)
        edges: list[str] = []
        if operation == "list_runs" and status == 200 and _whole(skip) and _whole(limit):
            total = _page_total(body)
            if total is not None:
                edges = page_edges(skip, limit, total)  # type: ignore[arg-type]
        with self._lock:
            if operation is None or operation not in self.statuses:
                self.unmatched[key] += 1
                return
            self.statuses[operation][key] += 1
            if fault is not None:
                self.faults[operation][fault] += 1
            for edge in edges:
                self.edges[edge] += 1

    def record_http(self, method: str, url: str, status: int | None, body: bytes = b"") -> None:
        """Count one answer to a raw HTTP request (a conformance run's): the operation is
        resolved from the method and path as FastAPI routes them; ``skip`` / ``limit`` are read
        from the query (the last value of a repeated one)."""
        parts = urlsplit(url)
        op, matched = resolve_operation(method.upper(), parts.path)
        if op is None:
            self.record(None, status)
            return
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.record(
            op.name,
            status,
            skip=_query_int(query.get("skip"), 0) if matched else None,
            limit=_query_int(query.get("limit"), 50) if matched else None,
            body=body,
        )

    def merge(self, other: ApiCoverage | Mapping[str, Any]) -> None:
        """Add another tally (an :class:`ApiCoverage`, or its :meth:`to_dict`) to this one."""
        theirs = other if isinstance(other, ApiCoverage) else ApiCoverage.from_dict(other)
        with self._lock:
            for name, counts in theirs.statuses.items():
                self.statuses.setdefault(name, Counter()).update(counts)
            for name, counts in theirs.faults.items():
                self.faults.setdefault(name, Counter()).update(counts)
            self.edges.update(theirs.edges)
            self.unmatched.update(theirs.unmatched)

    # -- reading --------------------------------------------------------------------------------

    def calls(self, operation: str) -> int:
        return sum(self.statuses.get(operation, Counter()).values())

    def exercised(self) -> list[tuple[str, str]]:
        """The declared pairs answered at least once."""
        return [(op, status) for op, status in declared_pairs() if self.statuses[op][status]]

    def never_seen(self) -> list[tuple[str, str]]:
        """The declared pairs never answered."""
        return [(op, status) for op, status in declared_pairs() if not self.statuses[op][status]]

    def never_called(self) -> list[str]:
        return [op.name for op in OPERATIONS if not self.calls(op.name)]

    @property
    def percent(self) -> float:
        """The share of declared (operation, status) pairs exercised, in percent."""
        declared = declared_pairs()
        return 100.0 * len(self.exercised()) / len(declared)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the JSON report (``operations``, ``pagination``, ``unmatched`` are the
        tally; ``declared``, ``exercised``, ``never_seen``, ``never_called`` and ``percent``
        are read from it)."""
        with self._lock:
            operations = {
                name: {
                    "calls": sum(self.statuses[name].values()),
                    "statuses": dict(sorted(self.statuses[name].items())),
                    "faults": dict(sorted(self.faults[name].items())),
                }
                for name in self.statuses
            }
            pagination = {edge: self.edges[edge] for edge in EDGES}
            unmatched = dict(sorted(self.unmatched.items()))
        return {
            "version": _REPORT_VERSION,
            "percent": round(self.percent, 2),
            "declared": [list(pair) for pair in declared_pairs()],
            "exercised": [list(pair) for pair in self.exercised()],
            "never_seen": [list(pair) for pair in self.never_seen()],
            "never_called": self.never_called(),
            "operations": operations,
            "pagination": pagination,
            "unmatched": unmatched,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApiCoverage:
        """The tally of a :meth:`to_dict` (the derived fields are ignored)."""
        coverage = cls()
        for name, cells in dict(data.get("operations") or {}).items():
            coverage.statuses.setdefault(name, Counter()).update(_counts(cells.get("statuses")))
            coverage.faults.setdefault(name, Counter()).update(_counts(cells.get("faults")))
        coverage.edges.update(_counts(data.get("pagination")))
        coverage.unmatched.update(_counts(data.get("unmatched")))
        return coverage

    def table(self, title: str = "API coverage") -> str:
        """The plain-text table: one row per operation (calls, the status cells, other
        statuses, faults), then the pagination edges, what was never seen and the figure.

        A declared cell never answered reads ``0``; a cell the contract does not declare reads
        ``.`` when never answered."""
        declared = set(declared_pairs())
        header = ("operation", "calls", *STATUS_COLUMNS, "other", "faults")
        rows: list[tuple[str, ...]] = [header]
        with self._lock:
            for name, counts in self.statuses.items():
                cells = [
                    str(counts[col]) if counts[col] or (name, col) in declared else "."
                    for col in STATUS_COLUMNS
                ]
                other = _listing((k, v) for k, v in counts.items() if k not in STATUS_COLUMNS)
                faults = _listing(self.faults[name].items())
                rows.append((name, str(sum(counts.values())), *cells, other or "-", faults or "-"))
            unmatched = _listing(self.unmatched.items())
            edges = ", ".join(f"{edge} {self.edges[edge]}" for edge in EDGES)
            edges_missed = [edge for edge in EDGES if not self.edges[edge]]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        exercised, percent = len(self.exercised()), self.percent
        lines = [
            f"{title}: {exercised} of {len(declared)} declared (operation, status) pairs "
            f"exercised ({percent:.1f}%)"
        ]
        for row in rows:
            cells = [
                cell.rjust(width) if 0 < i < len(header) - 2 else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            lines.append("  ".join(cells).rstrip())
        lines.append(f"pagination (list_runs 200): {edges}")
        if edges_missed:
            lines.append(f"  not exercised: {', '.join(edges_missed)}")
        never = self.never_seen()
        if never:
            lines.append("declared, never answered: " + ", ".join(f"{o} {s}" for o, s in never))
        called = self.never_called()
        if called:
            lines.append("never called: " + ", ".join(called))
        if unmatched:
            lines.append(f"paths that are no operation: {unmatched}")
        return "\n".join(lines)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _counts(cells: object) -> Counter[str]:
    counts: Counter[str] = Counter()
    if isinstance(cells, Mapping):
        for key, value in cells.items():
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                counts[str(key)] += value
    return counts


def _listing(items: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{key} x{count}" for key, count in sorted(items) if count)
