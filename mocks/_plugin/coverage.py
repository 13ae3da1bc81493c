"""The API coverage report of a downstream suite: ``--extract-coverage`` and its options.

What the suite exercised of the contract against the mocks, counted as each answer is made
(:mod:`mocks._core.tally`): every handler made during the session counts (the
``extract_mock`` fixture, ``mocks.mock_api()`` inside ``@given``, the live ``extract_server``,
a ``MockAPI`` of your own), the bundled mock of ``--extract-conformance`` does not. Under
pytest-xdist each worker counts its own and sends the tally with its ``workeroutput``; the
controller merges them as the workers finish (``pytest_testnodedown``), so the table, the JSON
report and the figure are the whole session's.

- ``--extract-coverage``: print the table at the end of the session;
- ``--extract-coverage-report=PATH``: write it as JSON (:meth:`contracts.ApiCoverage.to_dict`);
- ``--extract-coverage-fail-under=N``: fail the session when fewer than N percent of the
  contract's declared (operation, status) pairs were answered.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from contracts import ApiCoverage

__all__ = ["CoverageReport", "add_options", "check_options"]

WORKER_KEY = "extract_contract_coverage"
"""The key of a worker's tally in its ``workeroutput``."""
PLUGIN_NAME = "extract_contract_coverage"


def add_options(group: pytest.OptionGroup) -> None:
    from .._cli._common import Number

    group.addoption(
        "--extract-coverage",
        action="store_true",
        help="print the API coverage of the suite against the mocks at the end: statuses, "
        "faults and pagination edges per operation, the operations never called",
    )
    group.addoption(
        "--extract-coverage-report",
        metavar="PATH",
        help="write the API coverage of the suite as JSON to PATH",
    )
    group.addoption(
        "--extract-coverage-fail-under",
        type=Number(0, 100, what="a percentage"),
        metavar="N",
        help="fail the session when fewer than N%% of the contract's (operation, status) pairs "
        "were exercised",
    )


def check_options(config: pytest.Config) -> None:
    """Refuse a wrong coverage option with one line naming it; start the report if asked."""
    report = config.getoption("extract_coverage_report")
    under = config.getoption("extract_coverage_fail_under")  # in range: read by Number
    if report is not None:
        target = Path(report)
        if target.is_dir():
            raise pytest.UsageError(f"--extract-coverage-report {report}: is a directory")
        parent = target.parent if str(target.parent) else Path(".")
        if not parent.is_dir():
            raise pytest.UsageError(
                f"--extract-coverage-report {report}: the directory {parent} does not exist"
            )
    if config.getoption("extract_coverage") or report is not None or under is not None:
        config.pluginmanager.register(CoverageReport(config), PLUGIN_NAME)


class CoverageReport:
    """The session's tally, its merge across xdist workers, the table, the file, the figure."""

    def __init__(self, config: pytest.Config) -> None:
        from contracts import ApiCoverage

        self.config = config
        self.coverage: ApiCoverage = ApiCoverage()
        self.is_worker = hasattr(config, "workerinput")
        self.fail_under: float | None = config.getoption("extract_coverage_fail_under")
        self.report: str | None = config.getoption("extract_coverage_report")
        self.failed: str | None = None
        self._counting = contextlib.ExitStack()

    # -- counting -----------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from .._core.tally import counting_into

        self._counting.enter_context(counting_into(self.coverage))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """pytest-xdist: a worker finished; add its tally (with its ``workeroutput``)."""
        tally = getattr(node, "workeroutput", {}).get(WORKER_KEY)
        if tally is not None:
            self.coverage.merge(tally)

    # -- the verdict and the outputs -------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Any:
        result = yield
        if not self.is_worker and self.fail_under is not None:
            percent = self.coverage.percent
            if percent < self.fail_under:
                self.failed = (
                    f"FAIL: API coverage {percent:.1f}% is under --extract-coverage-fail-under "
                    f"{self.fail_under:g}% ({len(self.coverage.exercised())} of "
                    f"{len(self.coverage.exercised()) + len(self.coverage.never_seen())} "
                    "declared (operation, status) pairs)"
                )
                session.testsfailed += 1
        return result

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self._counting.close()
        if self.is_worker:
            workeroutput: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
            workeroutput[WORKER_KEY] = self.coverage.to_dict()
            return
        if self.report is not None:
            Path(self.report).write_text(
                json.dumps(self.coverage.to_dict(), indent=2) + "\n", encoding="utf-8"
            )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker:
            return
        writer = terminalreporter
        if self.config.getoption("extract_coverage") or self.failed:
            writer.write_sep("-", "extract-contract API coverage")
            for line in self.coverage.table().splitlines():
                writer.write_line(line)
        if self.report is not None:
            writer.write_line(f"extract-contract API coverage written to {self.report}")
        if self.failed:
            writer.write_line(self.failed, red=True, bold=True)
        elif self.fail_under is not None:
            writer.write_line(
                f"extract-contract API coverage {self.coverage.percent:.1f}% reaches "
                f"--extract-coverage-fail-under {self.fail_under:g}%"
            )
