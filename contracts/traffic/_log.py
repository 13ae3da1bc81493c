"""What a stream of judged exchanges adds up to: :class:`TrafficLog`, shared by the validating
transports and the proxy.

It counts the exchanges (of the API, and others passed through unjudged), what each check
judged and how many violations it found, the answers whose body was not judged and why, and
keeps the last violations (bounded: older ones are counted, not kept). Its summary says of a
check that judged nothing that it was "not exercised", never that it passed.

:func:`strict_answer` is the one answer a strict transport or proxy gives instead of a bad one:
``502 {"detail": "...", "violations": [...]}``.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from collections.abc import Sequence
from typing import Any

from ._judge import TRAFFIC_CHECKS, Judgement, TrafficViolation

__all__ = ["DEFAULT_KEPT", "TrafficLog", "strict_answer"]

DEFAULT_KEPT = 1000
"""Violations a log keeps (the newest); older ones are counted in ``dropped``."""


class TrafficLog:
    """The tally of judged exchanges (thread-safe); ``keep`` violations are kept."""

    def __init__(self, keep: int = DEFAULT_KEPT) -> None:
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
            raise ValueError(f"keep must be a whole number >= 1, got {keep!r}")
        self._lock = threading.Lock()
        self._kept: deque[TrafficViolation] = deque(maxlen=keep)
        self.exchanges = 0
        """Exchanges with one of the four operations."""
        self.passed_through = 0
        """Other requests: forwarded, not judged."""
        self.repeated = 0
        """Exchanges equal, byte for byte, to one judged lately, and given its judgement
        (:class:`~contracts.traffic._memo.JudgementMemo`)."""
        self.violation_count = 0
        self._judged_by: Counter[tuple[str, ...]] = Counter()  # each exchange's checks, as a tuple
        self.failed: Counter[str] = Counter()
        self.unjudged: Counter[str] = Counter()
        """Why a body was not judged (``the body is larger than 10 MiB``), and how often."""
        self.errors: Counter[str] = Counter()
        """Exchanges that got no usable answer (``upstream timeout``, ...), by kind."""

    def add(self, judgement: Judgement, *, repeated: bool = False) -> None:
        """Count one judged exchange (or one passed through, when it has no operation);
        ``repeated``: its judgement is that of an equal exchange judged lately."""
        with self._lock:
            if judgement.operation is None:
                self.passed_through += 1
                return
            self.exchanges += 1
            self.repeated += repeated
            # one count per exchange, not one per check (at a proxy's rate, a Counter.update
            # per exchange was most of the cost of this method); the tuples are few
            self._judged_by[judgement.judged] += 1
            if judgement.violations:
                self.failed.update(v.check for v in judgement.violations)
            self.violation_count += len(judgement.violations)
            self._kept.extend(judgement.violations)
            if judgement.unjudged is not None:
                self.unjudged[judgement.unjudged] += 1

    def add_error(self, kind: str) -> None:
        """Count an exchange that got no usable answer (a timeout, a dropped connection)."""
        with self._lock:
            self.errors[kind] += 1

    @property
    def judged(self) -> Counter[str]:
        """How many exchanges each check judged."""
        with self._lock:
            return self._judged()

    def _judged(self) -> Counter[str]:
        judged: Counter[str] = Counter()
        for checks, count in self._judged_by.items():
            for check in checks:
                judged[check] += count
        return judged

    @property
    def violations(self) -> list[TrafficViolation]:
        """The kept violations, oldest first."""
        with self._lock:
            return list(self._kept)

    @property
    def dropped(self) -> int:
        """Violations counted but no longer kept."""
        with self._lock:
            return self.violation_count - len(self._kept)

    def as_json(self) -> dict[str, Any]:
        """Everything, as JSON: counts, each check's tally, the kept violations."""
        with self._lock:
            judged = self._judged()
            return {
                "exchanges": self.exchanges,
                "passed_through": self.passed_through,
                "repeated": self.repeated,
                "violations": [v.as_dict() for v in self._kept],
                "violation_count": self.violation_count,
                "dropped": self.violation_count - len(self._kept),
                "checks": {
                    check.name: {
                        "judged": judged[check.name],
                        "violations": self.failed[check.name],
                    }
                    for check in TRAFFIC_CHECKS
                },
                "unjudged": dict(self.unjudged),
                "errors": dict(self.errors),
            }

    def summary(self) -> str:
        """A few lines: exchanges, then each check's tally ("not exercised" when it judged
        none, with what it looks at), then the bodies not judged and the errors."""
        with self._lock:
            lines = [
                f"{self.exchanges} exchange(s) with the API, {self.passed_through} other "
                f"request(s) passed through unjudged, {self.violation_count} violation(s)"
            ]
            if self.repeated:
                lines.append(
                    f"  ({self.repeated} of the exchanges repeated one judged lately byte for "
                    "byte, and were given its judgement)"
                )
            width = max(len(check.name) for check in TRAFFIC_CHECKS)
            tally = self._judged()
            for check in TRAFFIC_CHECKS:
                judged, failed = tally[check.name], self.failed[check.name]
                if judged == 0:
                    outcome = f"not exercised (it judges {check.judges})"
                elif failed:
                    outcome = f"{failed} violation(s) in {judged} judged"
                else:
                    outcome = f"passed ({judged} judged)"
                lines.append(f"  {check.name:<{width}}  {outcome}")
            for reason, count in sorted(self.unjudged.items()):
                lines.append(f"  not judged: {count} answer(s): {reason}")
            for kind, count in sorted(self.errors.items()):
                lines.append(f"  no usable answer: {count} exchange(s): {kind}")
        return "\n".join(lines)


def strict_answer(violations: Sequence[TrafficViolation]) -> tuple[int, bytes]:
    """The status and JSON body that replace an answer that breaks the contract."""
    count = len(violations)
    body = {
        "detail": f"the upstream's answer breaks the contract ({count} violation"
        f"{'s' if count != 1 else ''}): "
        + "; ".join(f"{v.json_path}: {v.message} [{v.check}]" for v in violations[:5]),
        "violations": [v.as_dict() for v in violations],
    }
    return 502, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
