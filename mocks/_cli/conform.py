"""``extract-contract conform``: check a live server of the API against the contract."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._common import SEED, Number, UsageError, seconds, whole_number

if TYPE_CHECKING:
    from contracts.conformance import ConformanceReport, InvalidOption

NAME = "conform"
HELP = (
    "Check a live server of the Extraction Runs API against the contract: schemathesis "
    "(examples, coverage, fuzzing and stateful phases, all its applicable checks) plus this "
    "API's own checks (pagination, get after list, delete then 404, id formats, agent of each "
    "run, a fixed negative matrix). Read-only unless the host is loopback as written; polite "
    "(--rate, 429s waited out, --max-requests); bounded (--timeout per whole request, answers "
    "up to 10 MiB). Exit 0 conforms (runs were judged), 1 contract violations, 2 usage, "
    "connection error or a server that cannot be tested, 3 inconclusive (no run was seen)."
)

_REPORT_FORMATS = ("junit",)
EMBEDDED_SEED = 0
"""The seed of an --embedded run unless --seed names one: of the mock's runs and of the
generated requests, so the README's first command is the same run every time."""
MAX_RATE = 1_000_000
MAX_REQUESTS = 1_000_000_000
MAX_EXAMPLES = 1_000_000
MAX_WORKERS = 64
"""schemathesis's own most workers."""
RATE = Number(0, MAX_RATE, above_low=True, what="requests per second")
REQUESTS = whole_number(1, MAX_REQUESTS)
EXAMPLES = whole_number(1, MAX_EXAMPLES)
"""The ranges of ``--rate``, ``--max-requests``, ``--max-examples``; the pytest plugin's
``--extract-*`` twins take the same ones."""
_DOTS_PER_LINE = 60
_EXIT_CODES = {"conforms": 0, "violations": 1, "untestable": 2, "inconclusive": 3}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_argument_group("server")
    target.add_argument("--base-url", metavar="URL", help="the server to check")
    target.add_argument(
        "--embedded",
        action="store_true",
        help="start the bundled mock server on a free loopback port and check it",
    )
    target.add_argument(
        "--agent-id",
        action="append",
        default=[],
        metavar="UUID",
        help="an extraction agent that has runs on the server (repeatable); the API checks and "
        "the stateful phase list its runs (with --embedded: the mock's agents)",
    )
    target.add_argument(
        "--stateless",
        action="store_true",
        help="the server does not remember deletes: skip the checks that need one that does "
        "(with --embedded: run the mock in stateless mode)",
    )
    target.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header for every request, e.g. 'Authorization: Bearer TOKEN' (repeatable); "
        "its value is masked in every output",
    )
    writes = parser.add_argument_group(
        "writes",
        "DELETE is sent only to --embedded or a URL whose host, as written, is loopback "
        "(localhost, 127.0.0.0/8, [::1]); anywhere else the run is read-only",
    )
    writes.add_argument(
        "--read-only", action="store_true", help="send no DELETE, even to a loopback host"
    )
    writes.add_argument(
        "--allow-writes",
        action="store_true",
        help="send DELETE to any host (a staging server full of test data)",
    )
    writes.add_argument(
        "--allow-delete",
        action="append",
        default=[],
        metavar="RUN_ID",
        help="a read-only run may delete exactly this run (repeatable): delete_then_gone checks it",
    )
    polite = parser.add_argument_group("politeness and bounds")
    polite.add_argument(
        "--rate",
        type=RATE,
        metavar="N",
        help=f"requests per second at most, above 0 up to {MAX_RATE:,} (default: no cap on "
        "loopback, 10 elsewhere)",
    )
    polite.add_argument(
        "--max-wait",
        type=seconds(),
        default=30.0,
        metavar="SECONDS",
        help="the longest a 429's Retry-After is waited before its one retry, 0 to 3600 "
        "(default: 30)",
    )
    polite.add_argument(
        "--max-requests",
        type=REQUESTS,
        metavar="N",
        help=f"a budget: stop cleanly after N requests and report what ran, 1 to {MAX_REQUESTS:,}",
    )
    run = parser.add_argument_group("run")
    run.add_argument(
        "--checks",
        action="append",
        default=[],
        metavar="NAME[,NAME...]",
        help="run only these checks (repeatable; 'all' adds the opt-in ones; default: every "
        "check not marked opt-in; see --list-checks)",
    )
    run.add_argument(
        "--list-checks", action="store_true", help="list every check and what it checks, then exit"
    )
    run.add_argument(
        "--phases",
        metavar="PHASE[,PHASE...]",
        help="schemathesis phases to run (default: examples,coverage,fuzzing,stateful)",
    )
    run.add_argument(
        "--max-examples",
        type=EXAMPLES,
        metavar="N",
        help=f"examples per operation and phase, 1 to {MAX_EXAMPLES:,} (default: 100)",
    )
    run.add_argument(
        "--seed",
        type=SEED,
        metavar="N",
        help=f"seed of the generated requests and, with --embedded, of the mock's runs, 0 to "
        f"2**64-1 "
        f"(default: {EMBEDDED_SEED} with --embedded, so the run repeats; random with "
        "--base-url); the summary prints it: --seed N repeats a run",
    )
    run.add_argument(
        "--workers",
        type=whole_number(1, MAX_WORKERS),
        default=1,
        metavar="N",
        help=f"concurrent workers, 1 to {MAX_WORKERS}",
    )
    polite.add_argument(
        "--timeout",
        type=seconds(above_zero=True),
        default=10.0,
        metavar="SECONDS",
        help="time for each whole request, every byte of its answer included, above 0 up to "
        "3600 (default: 10)",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="junit=PATH",
        help="also write a report; the one format is junit (JUnit XML)",
    )
    out.add_argument(
        "--export-tests",
        metavar="FILE",
        help="write each distinct failure as a pytest regression test to FILE (.py): it replays "
        "the exact request with httpx against $RUNS_API_URL (default: this URL) and asserts "
        "the same check; no header value is written (auth from RUNS_API_TOKEN/RUNS_API_HEADERS)",
    )
    out.add_argument("--quiet", "-q", action="store_true", help="no progress, only the summary")


def _headers(values: list[str]) -> dict[str, str]:
    from mocks._core.http import read_header_lines
    from mocks._errors import InvalidHeader

    try:
        return read_header_lines(values)
    except InvalidHeader as exc:
        raise UsageError(f"--header {exc}") from None


def _reports(values: list[str]) -> dict[str, Path]:
    reports: dict[str, Path] = {}
    for value in values:
        kind, sep, path = value.partition("=")
        if not sep or not path:
            raise UsageError(f"--report {value!r}: expected FORMAT=PATH, e.g. junit=report.xml")
        if kind not in _REPORT_FORMATS:
            known = ", ".join(_REPORT_FORMATS)
            raise UsageError(f"--report {value!r}: unknown format {kind!r} (known: {known})")
        target = Path(path)
        parent = target.parent if str(target.parent) else Path(".")
        if target.is_dir():
            raise UsageError(f"--report {value!r}: {path} is a directory")
        if not parent.is_dir():
            raise UsageError(f"--report {value!r}: the directory {parent} does not exist")
        reports[kind] = target
    return reports


def _split(values: list[str]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _list_checks(out: TextIO) -> int:
    from contracts.conformance import CHECKS

    width = max(len(name) for name in CHECKS.names())
    for check in CHECKS:
        notes = [
            note
            for note, on in (
                ("needs a stateful server", check.needs_state),
                ("sends DELETE: skipped when read-only", check.writes),
                ("opt-in", not check.default),
                ("always on", check.kind == "transport"),
            )
            if on
        ]
        note = f" [{', '.join(notes)}]" if notes else ""
        print(f"{check.name.ljust(width)}  {check.kind:<12}  {check.description}{note}", file=out)
    return 0


class _Progress:
    """Prints one line per phase event; scenarios without a label are dots on one line."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.dots = 0

    def __call__(self, phase: str, message: str) -> None:
        if message == ".":
            if self.dots % _DOTS_PER_LINE == 0:
                print(f"\n  {phase:<9} " if self.dots else f"  {phase:<9} ", end="", file=self.out)
            self.dots += 1
            print(".", end="", file=self.out, flush=True)
            return
        if self.dots:
            print(file=self.out)
            self.dots = 0
        print(f"  {phase:<9} {message}", file=self.out, flush=True)


def _flag(option: str) -> str:
    return "--" + option.replace("_", "-")


def _invalid(exc: InvalidOption) -> UsageError:
    """A run's refusal of an option, in this command's flags (a flag without a value, such as
    --allow-writes, is named alone; one given with a flag it conflicts with names both)."""
    named = _flag(exc.option)
    if not isinstance(exc.value, bool):
        named += f" {exc.value}"
    if exc.conflicts_with is not None:
        named += f": not with {_flag(exc.conflicts_with)}"
    return UsageError(f"{named}: expected {exc.expected}")


def run(args: argparse.Namespace) -> int:
    if args.list_checks:
        return _list_checks(sys.stdout)
    if args.embedded and args.base_url:
        raise UsageError("--base-url and --embedded: give one of them, not both")
    if not args.embedded and not args.base_url:
        raise UsageError("--base-url URL: the server to check is missing (or use --embedded)")
    headers = _headers(args.header)
    reports = _reports(args.report)

    from contracts import is_uuid
    from contracts.conformance import (
        CHECKS,
        DEFAULT_MAX_EXAMPLES,
        SCHEMATHESIS_PHASES,
        AccessDenied,
        InvalidOption,
        Limits,
        ServerUnreachable,
        UnknownCheck,
        check_export_path,
        write_policy,
    )
    from mocks._server.live import embedded_mock

    try:
        Limits(
            timeout=args.timeout,
            rate=args.rate,
            max_wait=args.max_wait,
            max_requests=args.max_requests,
        )
        write_policy(
            args.base_url or "http://127.0.0.1",
            read_only=args.read_only,
            allow_writes=args.allow_writes,
            allow_delete=args.allow_delete,
        )
        if args.export_tests is not None:
            check_export_path(args.export_tests)
    except InvalidOption as exc:
        raise _invalid(exc) from None
    try:
        checks = [check.name for check in CHECKS.select(_split(args.checks) or None)]
    except UnknownCheck as exc:
        raise UsageError(f"--checks: {exc}") from None
    phases = _split([args.phases]) if args.phases is not None else list(SCHEMATHESIS_PHASES)
    unknown = [p for p in phases if p not in SCHEMATHESIS_PHASES]
    if unknown:
        known = ",".join(SCHEMATHESIS_PHASES)
        raise UsageError(f"--phases: unknown phase {unknown[0]!r} (known: {known})")
    for agent in args.agent_id:
        if not is_uuid(agent):
            raise UsageError(f"--agent-id {agent!r}: not a UUID")
    if args.seed is not None:
        seed = args.seed
    else:
        seed = EMBEDDED_SEED if args.embedded else random.randrange(2**32)
    progress = None if args.quiet else _Progress(sys.stderr)
    options: dict[str, Any] = {
        "checks": checks,
        "max_examples": args.max_examples or DEFAULT_MAX_EXAMPLES,
        "seed": seed,
        "workers": args.workers,
        "headers": headers,
        "junit_path": reports.get("junit"),
        "stateless": args.stateless,
        "phases": phases,
        "timeout": args.timeout,
        "read_only": args.read_only,
        "allow_writes": args.allow_writes,
        "allow_delete": args.allow_delete,
        "rate": args.rate,
        "max_wait": args.max_wait,
        "max_requests": args.max_requests,
        "progress": progress,
        "export_tests": args.export_tests,
    }
    try:
        if args.embedded:
            with embedded_mock(seed, stateless=args.stateless) as (url, agents):
                _say(progress, f"embedded mock server at {url}")
                report = _conform(url, options, [*args.agent_id, *agents])
        else:
            report = _conform(args.base_url, options, args.agent_id)
    except ServerUnreachable as exc:
        raise UsageError(
            f"--base-url {exc.base_url}: cannot reach the server ({exc.reason})"
        ) from None
    except AccessDenied as exc:
        raise UsageError(f"--header: {exc}; e.g. --header 'Authorization: Bearer TOKEN'") from None
    except InvalidOption as exc:
        raise _invalid(exc) from None
    _print_report(report, reports, args.export_tests)
    return _EXIT_CODES[report.verdict]


def _say(progress: _Progress | None, message: str) -> None:
    if progress is not None:
        progress("server", message)


def _conform(url: str, options: dict[str, Any], agents: list[str]) -> ConformanceReport:
    from contracts.conformance import run_conformance

    return run_conformance(url, agent_ids=agents, **options)


def _print_report(
    report: ConformanceReport, reports: dict[str, Path], export: str | None = None
) -> None:
    print()
    print(report.summary_table())
    print()
    print(report.coverage.table("API coverage of this run"))
    if report.verdict in ("violations", "untestable"):
        print()
        print(report.failure_text())
    for kind, path in reports.items():
        print(f"{kind} report written to {path}")
    if report.exported is not None:
        print(f"{len(report.replays)} regression test(s) written to {report.exported}")
    elif export is not None:
        print(f"no failure to export: {export} not written")
    if export is not None:
        unreplayable = sum(1 for failure in report.failures if not failure.replays)
        left = report.counters["replays_not_kept"]
        if unreplayable or left or report.errors:
            print(
                f"not exported: {unreplayable} failure(s) with no request to replay, "
                f"{left} over the cap of the export, {len(report.errors)} error(s)"
            )
