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

The parts a run is made of are public too, for a front end (the command line checks its flags
with :class:`Limits` and :func:`write_policy` before it starts anything) and for a benchmark or
a tool of your own that sends its requests the way a run does: :class:`Guard`, the one gate
every request passes (the write policy, the pace, the budget, the bounds), built from a
:class:`WritePolicy`, :class:`Limits` and the :class:`Secrets` to mask; an httpx client sends
through it with :class:`GuardTransport` (imported with httpx, when first asked for), any other
HTTP client through a :class:`FrontDoor` (a local forwarding server).
"""

import typing

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
from ._front import FrontDoor
from ._guard import Guard
from ._limits import Limits
from ._masking import Secrets
from ._policy import WritePolicy, is_loopback_as_written, write_policy
from ._registry import CHECKS, Check, CheckRegistry
from ._report import CheckResult, ConformanceReport, Failure
from ._run import DEFAULT_MAX_EXAMPLES, assert_conforms, run_conformance
from ._schemathesis import SCHEMATHESIS_PHASES

if typing.TYPE_CHECKING:
    from ._transport import GuardTransport

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
    "FrontDoor",
    "Guard",
    "GuardTransport",
    "Inconclusive",
    "InvalidOption",
    "Limits",
    "NonConformance",
    "Secrets",
    "ServerUnreachable",
    "ServerUntestable",
    "Skip",
    "UnknownCheck",
    "WritePolicy",
    "assert_conforms",
    "check_export_path",
    "is_loopback_as_written",
    "run_conformance",
    "write_policy",
]


def __getattr__(name: str) -> typing.Any:
    """``GuardTransport`` is imported when first asked for: it subclasses an httpx class, and
    importing this package does not import httpx."""
    if name == "GuardTransport":
        from ._transport import GuardTransport

        return GuardTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
