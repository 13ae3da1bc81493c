"""The outcome of a conformance run: per-check results, failures, counters, the verdict; a
summary table and a JUnit XML report.

A check's outcome is ``passed`` only when it judged at least one exchange and none broke it.
One that judged none is ``not exercised``, with the reason; one the run did not run on purpose
(read-only, stateless) is ``skipped``, with the reason. The run's verdict:

- ``untestable``: the server stopped the run (it keeps answering 429, or stops answering);
- ``violations``: a check failed (or the run hit an error);
- ``inconclusive``: no run of the API was seen at all, so nothing about runs was judged;
- ``conforms``: none of those.

Every text the report holds passes :meth:`Secrets.scrub` first: a credential never reaches
its table, its failures or its XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from .._coverage import ApiCoverage
from ._masking import Secrets
from ._registry import Check
from ._replay import Replay

__all__ = ["CheckResult", "ConformanceReport", "Failure", "Verdict"]

MAX_FAILURES_SHOWN = 3
"""Distinct failures kept per check and operation; more are counted, not listed."""

MAX_REPLAYS = 500
"""Replays kept for ``--export-tests`` (every distinct failure's, up to this many)."""

Outcome = Literal["passed", "failed", "skipped", "not exercised"]
Verdict = Literal["conforms", "violations", "untestable", "inconclusive"]
_VERDICT_WORDS = {
    "conforms": "PASSED",
    "violations": "FAILED",
    "untestable": "UNTESTABLE",
    "inconclusive": "INCONCLUSIVE",
}


@dataclass(frozen=True)
class Failure:
    """One way the server breaks the contract, with the request that shows it."""

    check: str
    operation: str
    title: str
    message: str
    curl: str | None = None
    phase: str = ""
    replays: tuple[Replay, ...] = ()
    """How to replay it as a regression test (one per failing request of the matrix)."""

    def text(self) -> str:
        lines = [f"[{self.check}] {self.operation}: {self.title}"]
        lines += [f"    {line}".rstrip() for line in self.message.strip().splitlines()]
        if self.curl:
            lines.append("    reproduce with:")
            lines += [f"      {line}" for line in self.curl.strip().splitlines()]
        return "\n".join(lines)


@dataclass
class CheckResult:
    """How one check fared: exchanges it judged and passed, judged and failed; why it was
    skipped (not run on purpose) or, when it judged nothing, why not (``unexercised``)."""

    check: Check
    passed: int = 0
    failed: int = 0
    skipped: str | None = None
    unexercised: str | None = None

    @property
    def judged(self) -> int:
        return self.passed + self.failed

    @property
    def outcome(self) -> Outcome:
        if self.failed:
            return "failed"
        if self.skipped is not None:
            return "skipped"
        return "passed" if self.passed else "not exercised"

    @property
    def reason(self) -> str:
        """Why it was skipped or not exercised ("" when it passed or failed)."""
        if self.outcome == "skipped":
            return self.skipped or ""
        if self.outcome == "not exercised":
            return self.unexercised or f"nothing it judges was seen ({self.check.judges})"
        return ""

    def shown(self) -> str:
        """The outcome as the table and JUnit show it."""
        outcome = self.outcome
        if outcome == "failed":
            return "FAILED"
        return f"{outcome}: {self.reason}" if self.reason else outcome


@dataclass
class ConformanceReport:
    """Everything a run found; ``verdict`` sums it up and ``ok`` is ``verdict == "conforms"``.

    ``mode`` is the run's write policy in one line, ``pace`` its rate; ``untestable`` /
    ``stopped`` say why the run ended early, ``inconclusive`` why its verdict says nothing.
    ``coverage`` tallies every answer of the run (:class:`contracts.ApiCoverage`): the
    operations, statuses and pagination edges it saw, and the declared ones it never saw.
    """

    base_url: str
    seed: int
    results: dict[str, CheckResult]
    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    counters: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    mode: str = ""
    pace: str = ""
    budget: int | None = None
    stopped: str | None = None
    untestable: str | None = None
    inconclusive: str | None = None
    secrets: Secrets = field(default_factory=Secrets, repr=False)
    coverage: ApiCoverage = field(default_factory=ApiCoverage, repr=False)
    replays: list[Replay] = field(default_factory=list, repr=False)
    """Every distinct failure's replay (up to :data:`MAX_REPLAYS`), shown or only counted."""
    exported: Path | None = None
    """Where the regression tests were written (``export_tests=``), if they were."""

    @property
    def verdict(self) -> Verdict:
        if self.untestable:
            return "untestable"
        if self.failures or self.errors:
            return "violations"
        if self.inconclusive:
            return "inconclusive"
        return "conforms"

    @property
    def ok(self) -> bool:
        return self.verdict == "conforms"

    def failed_checks(self) -> list[str]:
        return [name for name, result in self.results.items() if result.outcome == "failed"]

    def record(self, name: str, *, passed: bool) -> None:
        result = self.results.get(name)
        if result is None:
            return
        if passed:
            result.passed += 1
        else:
            result.failed += 1

    def add_error(self, text: str) -> None:
        self.errors.append(self.secrets.scrub(text))

    def add_failure(self, failure: Failure) -> bool:
        """Keep a failure (its text scrubbed of secrets) unless the same one is known, or the
        check already has :data:`MAX_FAILURES_SHOWN` on that operation (then it is counted)."""
        scrub = self.secrets.scrub
        failure = Failure(
            failure.check,
            scrub(failure.operation),
            scrub(failure.title),
            scrub(failure.message),
            scrub(failure.curl) if failure.curl else failure.curl,
            failure.phase,
            failure.replays,
        )
        key = (failure.check, failure.operation, failure.title, failure.message)
        if any((f.check, f.operation, f.title, f.message) == key for f in self.failures):
            return False
        self._keep_replays(failure.replays)
        same = [f for f in self.failures if (f.check, f.operation) == key[:2]]
        if len(same) >= MAX_FAILURES_SHOWN:
            self.counters["failures_not_shown"] += 1
        else:
            self.failures.append(failure)
        result = self.results.get(failure.check)
        if result is not None and not result.failed:
            result.failed = 1
        return True

    def _keep_replays(self, replays: tuple[Replay, ...]) -> None:
        known = {replay.key() for replay in self.replays}
        for replay in replays:
            replay = replace(replay, found=self.secrets.scrub(replay.found))
            if replay.key() in known:
                continue
            if len(self.replays) >= MAX_REPLAYS:
                self.counters["replays_not_kept"] += 1
                continue
            known.add(replay.key())
            self.replays.append(replay)

    def skip(self, name: str, reason: str) -> None:
        if name in self.results:
            self.results[name].skipped = reason

    def unexercised(self, name: str, reason: str) -> None:
        """Say why a check judged nothing (kept only if it judged nothing in the end)."""
        result = self.results.get(name)
        if result is not None and result.unexercised is None:
            result.unexercised = reason

    def summary_table(self) -> str:
        """A plain-text table: one row per check, then the verdict and the totals."""
        rows = [("check", "kind", "judged", "failed", "result")]
        for result in self.results.values():
            rows.append(
                (
                    result.check.name,
                    result.check.kind,
                    str(result.judged),
                    str(result.failed),
                    result.shown(),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = []
        for index, row in enumerate(rows):
            cells = [
                row[i].ljust(widths[i]) if i < 2 else row[i].rjust(widths[i]) for i in range(4)
            ]
            lines.append("  ".join([*cells, row[4]]).rstrip())
            if index == 0:
                lines.append("  ".join("-" * w for w in [*widths, 6]))
        counts = Counter(r.outcome for r in self.results.values())
        budget = f" of a budget of {self.budget}" if self.budget is not None else ""
        lines.append("")
        if self.mode:
            lines.append(f"mode: {self.mode}")
        if self.pace:
            lines.append(f"pace: {self.pace}")
        lines.append(
            f"{_VERDICT_WORDS[self.verdict]}: {counts['passed']} passed, {counts['failed']} "
            f"failed, {counts['skipped']} skipped, {counts['not exercised']} not exercised; "
            f"{len(self.failures)} failure(s) shown, {len(self.errors)} error(s); "
            f"{self.counters['requests']} requests{budget}, {self.counters['deletes']} DELETE, "
            f"in {self.elapsed:.1f}s (seed {self.seed})"
        )
        for label, text in (
            ("stopped", self.untestable or self.stopped),
            ("inconclusive", self.inconclusive if self.verdict == "inconclusive" else None),
        ):
            if text:
                lines.append(f"{label}: {text}")
        return self.secrets.scrub("\n".join(lines))

    def failure_text(self) -> str:
        """Every failure and error, each with the request that reproduces it (first, for a
        server that cannot be tested, why)."""
        parts = []
        if self.untestable:
            parts.append(f"{self.base_url} cannot be tested: {self.untestable}")
        if self.failures or self.errors or not parts:
            parts.append(
                f"{self.base_url} breaks the contract: {len(self.failures)} failure(s) in "
                f"{', '.join(self.failed_checks()) or 'no check'}"
            )
        parts += [f.text() for f in self.failures]
        parts += [f"[error] {error}" for error in self.errors]
        return self.secrets.scrub("\n\n".join(parts))

    def write_junit(self, path: Path | str) -> Path:
        """Write a JUnit XML report (one test case per check; skipped and not exercised checks
        as skipped, with the reason) to ``path``; returns the path."""
        problems = [*self.errors, *([self.untestable] if self.untestable else [])]
        unjudged = ("skipped", "not exercised")
        suite = ET.Element(
            "testsuite",
            name="extract-contract conformance",
            tests=str(len(self.results) + (1 if problems else 0)),
            failures=str(len(self.failed_checks())),
            errors=str(1 if problems else 0),
            skipped=str(sum(r.outcome in unjudged for r in self.results.values())),
            time=f"{self.elapsed:.3f}",
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("base_url", self.base_url),
            ("seed", str(self.seed)),
            ("verdict", self.verdict),
            ("mode", self.mode),
            ("pace", self.pace),
            ("requests", str(self.counters["requests"])),
            ("deletes", str(self.counters["deletes"])),
            ("refused_writes", str(self.counters["refused_writes"])),
        ):
            ET.SubElement(properties, "property", name=name, value=value)
        for name, result in self.results.items():
            case = ET.SubElement(
                suite, "testcase", name=name, classname=f"conformance.{result.check.kind}"
            )
            mine = [f for f in self.failures if f.check == name]
            if mine:
                failure = ET.SubElement(
                    case, "failure", message=f"{len(mine)} failure(s): {mine[0].title}"
                )
                failure.text = "\n\n".join(f.text() for f in mine)
            elif result.outcome in unjudged:
                ET.SubElement(case, "skipped", message=result.shown())
        if problems:
            case = ET.SubElement(suite, "testcase", name="run", classname="conformance.run")
            error = ET.SubElement(case, "error", message=problems[0][:200])
            error.text = "\n\n".join(problems)
        if self.verdict == "inconclusive" and self.inconclusive:
            ET.SubElement(properties, "property", name="inconclusive", value=self.inconclusive)
        if self.stopped:
            ET.SubElement(properties, "property", name="stopped", value=self.stopped)
        root = ET.Element("testsuites")
        root.append(suite)
        tree = ET.ElementTree(root)
        ET.indent(tree)
        target = Path(path)
        xml = ET.tostring(root, encoding="unicode", xml_declaration=False)
        target.write_text(
            "<?xml version='1.0' encoding='utf-8'?>\n" + self.secrets.scrub(xml) + "\n",
            encoding="utf-8",
        )
        return target
