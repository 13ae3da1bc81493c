"""Judging a stream of exchanges one by one: :class:`Referee`, shared by the validating
transports and the proxy, so both judge, scrub, count, record and answer strictly alike."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..conformance._limits import MAX_BODY
from ._judge import Judgement
from ._log import DEFAULT_KEPT, TrafficLog, strict_answer
from ._memo import JudgementMemo
from ._recording import Recorder
from ._scrub import Scrubber

__all__ = ["Referee", "Settled"]

Pairs = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Settled:
    """What :meth:`Referee.settle` decided: the ``judgement`` (its texts scrubbed), and the
    ``(status, body)`` that replaces the answer when the referee is strict and it broke the
    contract (else None)."""

    judgement: Judgement
    replacement: tuple[int, bytes] | None


class Referee:
    """Judges exchanges into ``log`` (a new :class:`TrafficLog` keeping ``keep`` violations
    by default), records them into ``record`` (a directory or a :class:`Recorder`), and, if
    ``strict``, says what replaces an answer that breaks the contract. ``scrub`` names more
    secret headers and query parameters; ``max_body`` is the largest answer judged. An
    exchange equal byte for byte to one judged lately gets its judgement from ``memo`` (by
    default a new :class:`JudgementMemo`; ``JudgementMemo(entries=0)`` judges every one
    afresh)."""

    def __init__(
        self,
        *,
        record: Recorder | Path | str | None = None,
        strict: bool = False,
        scrub: Iterable[str] = (),
        max_body: int = MAX_BODY,
        keep: int = DEFAULT_KEPT,
        log: TrafficLog | None = None,
        memo: JudgementMemo | None = None,
    ) -> None:
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 1:
            raise ValueError(f"max_body must be a whole number >= 1, got {max_body!r}")
        scrub = tuple(scrub)
        self.scrubber = Scrubber.of(scrub)
        if record is None or isinstance(record, Recorder):
            self.recorder = record
        else:
            self.recorder = Recorder(record, scrub=scrub)
        self.strict = strict
        self.max_body = max_body
        self.log = TrafficLog(keep) if log is None else log
        self.memo = JudgementMemo() if memo is None else memo

    def settle(
        self,
        *,
        method: str,
        url: str,
        path: str,
        query: Pairs,
        headers: Pairs,
        status: int,
        response_headers: Pairs,
        body: bytes | None,
    ) -> Settled:
        """Judge one exchange with one of the four operations (``url``: the request's URL
        without its query, for the curl line; ``body`` as sent, None when it was larger than
        ``max_body``), count it, record it, and decide."""
        judgement, repeated = self.memo.judge(
            method, path, query, status, response_headers, body, max_body=self.max_body
        )
        if judgement.violations:  # their curl line, and no credential echoed into a message
            secrets = self.scrubber.secrets(headers, query)
            curl = self.scrubber.curl(method, url, query, headers)
            judgement = dataclasses.replace(
                judgement,
                violations=tuple(
                    dataclasses.replace(v, message=Scrubber.text(v.message, secrets), curl=curl)
                    for v in judgement.violations
                ),
            )
        self.log.add(judgement, repeated=repeated)
        if self.recorder is not None:
            self.recorder.record(
                method=method,
                path=path,
                query=query,
                headers=headers,
                status=status,
                response_headers=response_headers,
                body=body,
                judgement=judgement,
            )
        replacement = None
        if self.strict and judgement.violations:
            replacement = strict_answer(judgement.violations)
        return Settled(judgement, replacement)

    def passed_through(self) -> None:
        """Count a request that is none of the four operations (not judged)."""
        self.log.add(Judgement(None))
