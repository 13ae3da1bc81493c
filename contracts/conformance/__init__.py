"""Conformance checks of a live server of the Extraction Runs API.

:func:`run_conformance` runs this API's own checks (pagination walks, get after list, delete
then 404, id and timestamp formats, runs of the agent asked for, a fixed negative matrix) and
schemathesis's phases (examples, coverage, fuzzing, stateful) with its built-in checks, against
a base URL, and returns one :class:`ConformanceReport` (verdict, summary table, failures with
curl lines, JUnit XML). :func:`assert_conforms` is the same for a test.

It is safe to point at a server that is not yours: read-only unless the host is loopback as
written (or writes are allowed), polite (a pace, 429s waited out, a budget), and bounded
(whole-request deadlines, answers capped at 10 MiB). Every request passes one guard.

>>> from contracts.conformance import CHECKS
>>> "pagination_walk" in CHECKS.names()
True

``run_conformance(export_tests=PATH)`` writes each distinct failure as a pytest regression test
that replays the exact request and asserts the same check, with the helpers of
:mod:`contracts.conformance.replay`; ``report.coverage`` is the run's API coverage.

schemathesis is imported only when a run starts.
"""

from . import _api_checks, _matrix, _response_checks  # noqa: F401  (register the checks)
from ._errors import (
    AccessDenied,
    ConformanceError,
    Inconclusive,
    InvalidOption,
    NonConformance,
    ServerUnreachable,
    ServerUntestable,
    UnknownCheck,
)
from ._exchange import NOT_JSON, ApiSession, Exchange, Skip
from ._export import check_export_path
from ._limits import Limits
from ._policy import is_loopback_as_written
from ._registry import CHECKS, Check, CheckRegistry
from ._report import CheckResult, ConformanceReport, Failure
from ._run import DEFAULT_MAX_EXAMPLES, assert_conforms, run_conformance
from ._schemathesis import SCHEMATHESIS_PHASES

__all__ = [
    "CHECKS",
    "DEFAULT_MAX_EXAMPLES",
    "NOT_JSON",
    "SCHEMATHESIS_PHASES",
    "AccessDenied",
    "ApiSession",
    "Check",
    "CheckRegistry",
    "CheckResult",
    "ConformanceError",
    "ConformanceReport",
    "Exchange",
    "Failure",
    "Inconclusive",
    "InvalidOption",
    "Limits",
    "NonConformance",
    "ServerUnreachable",
    "ServerUntestable",
    "Skip",
    "UnknownCheck",
    "assert_conforms",
    "check_export_path",
    "is_loopback_as_written",
    "run_conformance",
]
