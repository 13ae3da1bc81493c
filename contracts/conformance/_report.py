"""The outcome of a conformance run: per-check results, failures, counters; a summary table and
a JUnit XML report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ._registry import Check

__all__ = ["CheckResult", "ConformanceReport", "Failure"]

MAX_FAILURES_SHOWN = 3
"""Distinct failures kept per check and operation; more are counted, not listed."""

Outcome = Literal["passed", "failed", "skipped", "not run"]


@dataclass(frozen=True)
class Failure:
    """One way the server breaks the contract, with the request that shows it."""

    check: str
    operation: str
    title: str
    message: str
    curl: str | None = None
    phase: str = ""

    def text(self) -> str:
        lines = [f"[{self.check}] {self.operation}: {self.title}"]
        lines += [f"    {line}".rstrip() for line in self.message.strip().splitlines()]
        if self.curl:
            lines.append("    reproduce with:")
            lines += [f"      {line}" for line in self.curl.strip().splitlines()]
        return "\n".join(lines)


@dataclass
class CheckResult:
    """How one check fared: answers it passed, answers it failed, or why it was skipped."""

    check: Check
    passed: int = 0
    failed: int = 0
    skipped: str | None = None

    @property
    def outcome(self) -> Outcome:
        if self.failed:
            return "failed"
        if self.skipped is not None:
            return "skipped"
        return "passed" if self.passed else "not run"


@dataclass
class ConformanceReport:
    """Everything a run found. ``ok`` is True when no check failed and nothing went wrong."""

    base_url: str
    seed: int
    results: dict[str, CheckResult]
    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    counters: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors

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

    def add_failure(self, failure: Failure) -> bool:
        """Keep a failure unless the same one is known, or the check already has
        :data:`MAX_FAILURES_SHOWN` on that operation (then it is only counted)."""
        key = (failure.check, failure.operation, failure.title, failure.message)
        if any((f.check, f.operation, f.title, f.message) == key for f in self.failures):
            return False
        same = [f for f in self.failures if (f.check, f.operation) == key[:2]]
        if len(same) >= MAX_FAILURES_SHOWN:
            self.counters["failures_not_shown"] += 1
        else:
            self.failures.append(failure)
        result = self.results.get(failure.check)
        if result is not None and not result.failed:
            result.failed = 1
        return True

    def skip(self, name: str, reason: str) -> None:
        if name in self.results:
            self.results[name].skipped = reason

    def summary_table(self) -> str:
        """A plain-text table: one row per check, then the totals."""
        rows = [("check", "kind", "passed", "failed", "result")]
        for result in self.results.values():
            outcome: str = result.outcome
            if outcome == "skipped" and result.skipped:
                outcome = f"skipped ({result.skipped})"
            rows.append(
                (
                    result.check.name,
                    result.check.kind,
                    str(result.passed),
                    str(result.failed),
                    outcome.upper() if outcome == "failed" else outcome,
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
        verdict = "PASSED" if self.ok else "FAILED"
        lines.append("")
        lines.append(
            f"{verdict}: {counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['skipped']} skipped, {counts['not run']} not run; "
            f"{len(self.failures)} failure(s) shown, {len(self.errors)} error(s); "
            f"{self.counters['requests']} requests in {self.elapsed:.1f}s (seed {self.seed})"
        )
        return "\n".join(lines)

    def failure_text(self) -> str:
        """Every failure and error, each with the request that reproduces it."""
        head = (
            f"{self.base_url} breaks the contract: {len(self.failures)} failure(s) in "
            f"{', '.join(self.failed_checks()) or 'no check'}"
        )
        parts = [head, *(f.text() for f in self.failures)]
        parts += [f"[error] {error}" for error in self.errors]
        return "\n\n".join(parts)

    def write_junit(self, path: Path | str) -> Path:
        """Write a JUnit XML report (one test case per check) to ``path``; returns the path."""
        suite = ET.Element(
            "testsuite",
            name="extract-contract conformance",
            tests=str(len(self.results) + (1 if self.errors else 0)),
            failures=str(len(self.failed_checks())),
            errors=str(1 if self.errors else 0),
            skipped=str(sum(r.outcome in ("skipped", "not run") for r in self.results.values())),
            time=f"{self.elapsed:.3f}",
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("base_url", self.base_url),
            ("seed", str(self.seed)),
            ("requests", str(self.counters["requests"])),
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
            elif result.outcome in ("skipped", "not run"):
                ET.SubElement(case, "skipped", message=result.skipped or "no request reached it")
        if self.errors:
            case = ET.SubElement(suite, "testcase", name="run", classname="conformance.run")
            error = ET.SubElement(case, "error", message=self.errors[0][:200])
            error.text = "\n\n".join(self.errors)
        root = ET.Element("testsuites")
        root.append(suite)
        tree = ET.ElementTree(root)
        ET.indent(tree)
        target = Path(path)
        tree.write(target, encoding="utf-8", xml_declaration=True)
        return target
