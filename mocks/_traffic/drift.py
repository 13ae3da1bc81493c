"""Drift: replay a recording against the mock and say where its answers differ from the real
service's.

:func:`drift` reads a recording (:func:`contracts.traffic.read_recording`) and replays every
exchange, in order, against the bundled mock loaded with the runs the recording holds (or
against a server at ``base_url``), then compares each answer with the recorded one
(:func:`~mocks._traffic.compare.differences`).

Against the bundled mock, "over the same runs": the mock starts with every run the recording
shows (each as first seen), and before each exchange takes the runs that exchange shows as
they were then, so a run whose status moved on is compared as it was; a run the replay deleted
stays deleted (a delete the real service did not honour is drift). The replay deletes what the
recording deleted, in the same order. What the recording cannot tell is said, not guessed:

- a list page whose ``total`` counts runs the recording never showed is "not compared" (list
  every page while recording to compare it);
- a delete of a run the recording never showed is "not compared";
- a run the mock cannot serve, because it breaks the contract, is a finding of its own.

Against ``base_url`` nothing is loaded: its data is its own. A ``DELETE`` is replayed there only
if the host is loopback as written, or with ``allow_writes``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts import validate
from contracts.conformance import NOT_JSON, is_loopback_as_written
from contracts.traffic import SCRUBBED, RecordedExchange, read_recording

from .._core.handler import Handler
from .._core.http import Request
from .._core.params import canonical, known_operation
from .._core.store import RunStore
from .._errors import InvalidRun
from .compare import Answer, Difference, differences, short

__all__ = ["DriftReport", "Replayed", "drift"]


@dataclass(frozen=True)
class Replayed:
    """One recorded exchange, replayed: its ``differences`` (none: the same answer), or why
    it was not compared (``not_compared``); ``partly`` says what of it was not compared."""

    exchange: RecordedExchange
    differences: tuple[Difference, ...] = ()
    not_compared: str | None = None
    partly: str | None = None


@dataclass
class DriftReport:
    """What :func:`drift` found. ``against`` says what was replayed against; ``unservable``
    lists runs of the recording the mock cannot serve (the file that showed each, its id, why)."""

    directory: str
    against: str
    results: list[Replayed] = field(default_factory=list)
    unservable: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def drifted(self) -> list[Replayed]:
        return [r for r in self.results if r.differences]

    @property
    def exit_code(self) -> int:
        """0: no drift; 1: drift (an answer differs, or a run the mock cannot serve)."""
        return 1 if self.drifted or self.unservable else 0

    def table(self) -> str:
        """The report as text: one row per difference, then the runs the mock cannot serve,
        then what was not compared and the totals."""
        rows = [("#", "operation", "request", "aspect", "recorded", "mock")]
        notes: dict[int, list[str]] = {}
        for result in self.drifted:
            exchange = result.exchange
            for difference in result.differences:
                rows.append(
                    (
                        f"{exchange.sequence:06d}",
                        exchange.operation or "",
                        short(f"{exchange.method} {_target(exchange)}", 48),
                        difference.aspect,
                        difference.recorded,
                        difference.mock,
                    )
                )
                if difference.note:
                    notes.setdefault(len(rows) - 1, []).append(difference.note)
        lines = [f"drift of {self.directory} against {self.against}:"]
        if len(rows) > 1:
            widths = [min(max(len(row[i]) for row in rows), 60) for i in range(6)]
            for number, row in enumerate(rows):
                lines.append(
                    "  "
                    + "  ".join(
                        cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                    ).rstrip()
                )
                lines += [f"  {'':<{widths[0]}}  note: {note}" for note in notes.get(number, [])]
        if self.unservable:
            lines.append("runs the mock cannot serve (they break the contract):")
            lines += [f"  {file}: run {run_id}: {why}" for file, run_id, why in self.unservable]
        unexercised = [r for r in self.results if r.not_compared or r.partly]
        if unexercised:
            lines.append("not compared:")
            for result in unexercised:
                why = result.not_compared or f"partly: {result.partly}"
                lines.append(
                    f"  {result.exchange.sequence:06d} {result.exchange.method} "
                    f"{short(_target(result.exchange), 60)}: {why}"
                )
        compared = [r for r in self.results if r.not_compared is None]
        same = len(compared) - len(self.drifted)
        lines.append(
            f"{len(self.results)} exchange(s): {same} the same, {len(self.drifted)} with drift, "
            f"{len(self.results) - len(compared)} not compared; "
            f"{len(self.unservable)} run(s) the mock cannot serve"
        )
        if not compared:
            lines.append("nothing was compared: no verdict on the mock (see 'not compared')")
        return "\n".join(lines)


def _target(exchange: RecordedExchange) -> str:
    """The request's path and query, without the prefix every path of the API shares."""
    query = "&".join(f"{k}={v}" for k, v in exchange.query)
    path = exchange.path.removeprefix("/api/v1/extraction")
    return path + (f"?{query}" if query else "")


def _recorded_answer(exchange: RecordedExchange) -> Answer:
    headers = {name.lower(): value for name, value in reversed(exchange.response_headers)}
    return Answer(exchange.status, headers, exchange.body, exchange.body_text)


def _answer(status: int, headers: Any, body: bytes) -> Answer:
    named = {name.lower(): value for name, value in reversed(list(headers))}
    try:
        value: Any = json.loads(body) if body else NOT_JSON
    except (ValueError, UnicodeDecodeError):
        value = NOT_JSON
    text = None if value is not NOT_JSON else body.decode("utf-8", "replace")
    return Answer(status, named, value, text)


def _sent_headers(exchange: RecordedExchange) -> dict[str, str]:
    """The recorded request's headers that can be sent again: not the scrubbed ones."""
    sent: dict[str, str] = {}
    for name, value in exchange.headers:
        if value != SCRUBBED and name.lower() not in ("accept-encoding", "content-length"):
            sent.setdefault(name.lower(), value)
    return sent


def drift(
    directory: Path | str,
    *,
    base_url: str | None = None,
    allow_writes: bool = False,
    timeout: float = 10.0,
) -> DriftReport:
    """Replay the recording in ``directory`` and compare (see the module docstring).

    Raises :class:`contracts.traffic.RecordingError` for a directory that is not a recording
    (or holds no exchange); a server at ``base_url`` that does not answer is a result, per
    exchange, not an exception.
    """
    exchanges = [e for e in read_recording(directory) if e.operation is not None]
    if not exchanges:
        from contracts.traffic import RecordingError

        raise RecordingError(directory, "no recorded exchange with the API in it")
    if base_url is not None:
        return _against_server(str(directory), exchanges, base_url, allow_writes, timeout)
    return _against_mock(str(directory), exchanges)


# -- against the bundled mock -----------------------------------------------------------------


class _Runs:
    """The replay's store, kept to the runs each exchange shows."""

    def __init__(self, exchanges: list[RecordedExchange], report: DriftReport) -> None:
        self.report = report
        self.refused: set[str] = set()
        self.refused_by_agent: dict[str, int] = {}
        first: dict[str, tuple[dict[str, Any], RecordedExchange]] = {}
        for exchange in exchanges:
            for run in exchange.runs():
                first.setdefault(run["id"].lower(), (run, exchange))
        self.store = RunStore()
        for run_id, (run, exchange) in first.items():
            self._add(run_id, run, exchange)

    def _add(self, run_id: str, run: dict[str, Any], exchange: RecordedExchange) -> bool:
        violations = validate(run, "run")
        if violations:
            if run_id not in self.refused:
                self.refused.add(run_id)
                agent = str(run.get("extraction_agent_id", "")).lower()
                self.refused_by_agent[agent] = self.refused_by_agent.get(agent, 0) + 1
                why = "; ".join(str(v) for v in violations[:3])
                self.report.unservable.append((exchange.file.name, run_id, why))
            return False
        try:
            self.store.add(run)
        except InvalidRun:  # pragma: no cover - validated above, and never present twice
            return False
        return True

    def catch_up(self, exchange: RecordedExchange) -> None:
        """Take the runs ``exchange`` shows, as it shows them (a run deleted stays deleted)."""
        for run in exchange.runs():
            run_id = run["id"].lower()
            held = self.store.get(run_id)
            if held is not None and held != run:
                self.store.delete(run_id)
                if not self._add(run_id, run, exchange):
                    self.store.add(held)


def _not_comparable(
    exchange: RecordedExchange, store: RunStore, refused: Mapping[str, int]
) -> str | None:
    """Why the recording cannot tell what the mock should answer, if it cannot."""
    if exchange.status != 200:
        return None
    if exchange.operation == "list_runs" and isinstance(exchange.body, dict):
        total = exchange.body.get("total")
        agent = dict(exchange.query).get("extraction_agent_id", "")
        op = known_operation("list_runs")
        agent = str(canonical(op, "extraction_agent_id", agent)).lower()
        held = store.count(agent) + refused.get(agent, 0)  # shown, though the mock lacks them
        if isinstance(total, int) and total > held:
            return (
                f"the recording shows {held} of the agent's {total} runs "
                "(list every page while recording to compare this page)"
            )
    if exchange.operation == "delete_run":
        run_id = exchange.path.rstrip("/").rpartition("/")[2]
        op = known_operation("delete_run")
        if str(canonical(op, "run_id", run_id)).lower() not in store:
            return f"the recording never showed run {run_id} before its delete"
    return None


def _against_mock(directory: str, exchanges: list[RecordedExchange]) -> DriftReport:
    report = DriftReport(directory, "the bundled mock")
    runs = _Runs(exchanges, report)
    report.against = f"the bundled mock, loaded with the {len(runs.store)} run(s) it shows"
    handler = Handler(runs.store)
    for exchange in exchanges:
        runs.catch_up(exchange)
        reason = _not_comparable(exchange, runs.store, runs.refused_by_agent)
        request = Request(exchange.method, exchange.path, exchange.query, _sent_headers(exchange))
        answer = handler.handle(request)  # the replay happens even when it is not compared
        if reason is not None:
            report.results.append(Replayed(exchange, not_compared=reason))
            continue
        mock = _answer(answer.status, answer.headers, answer.body)
        report.results.append(_compared(exchange, mock))
    return report


def _compared(exchange: RecordedExchange, mock: Answer) -> Replayed:
    found = differences(exchange.operation or "", _recorded_answer(exchange), mock)
    partly = None
    if exchange.body_omitted is not None:
        partly = f"the body was not recorded ({exchange.body_omitted})"
        found = [d for d in found if not d.aspect.startswith("body")]
    return Replayed(exchange, tuple(found), partly=partly)


# -- against a server -------------------------------------------------------------------------


def _against_server(
    directory: str,
    exchanges: list[RecordedExchange],
    base_url: str,
    allow_writes: bool,
    timeout: float,
) -> DriftReport:
    import httpx

    report = DriftReport(directory, base_url)
    writes = allow_writes or is_loopback_as_written(base_url)
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout) as client:
        for exchange in exchanges:
            if exchange.method not in ("GET", "HEAD", "OPTIONS") and not writes:
                why = (
                    f"read-only: {exchange.method} is replayed only against a loopback host "
                    "or with --allow-writes"
                )
                report.results.append(Replayed(exchange, not_compared=why))
                continue
            try:
                response = client.request(
                    exchange.method,
                    httpx.URL(path=exchange.path).raw_path.decode("ascii"),
                    params=list(exchange.query),
                    headers=_sent_headers(exchange),
                )
            except httpx.HTTPError as exc:
                why = f"{base_url} gave no answer ({type(exc).__name__}: {exc})"
                report.results.append(Replayed(exchange, not_compared=why))
                continue
            headers: Mapping[str, str] = response.headers
            mock = _answer(response.status_code, headers.items(), response.content)
            report.results.append(_compared(exchange, mock))
    return report
