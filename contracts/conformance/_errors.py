"""Errors raised by ``contracts.conformance``.

ConformanceError (a contracts.ContractError)   base of every error of a conformance run
 ├── UnknownCheck            a check name that is not in the registry (also a ValueError)
 ├── InvalidOption           an option's value is not one a run can use (also a ValueError);
 │                           carries the option's name, so a front end names its own flag
 ├── ServerUnreachable       nothing answers at the base URL (also a ConnectionError)
 ├── AccessDenied            the server wants credentials the run was not given (401/403)
 ├── ServerUntestable        the server stopped the run: it keeps answering 429, or stops
 │                           answering at all; carries the report of what ran
 ├── Inconclusive            the run judged no run of the API: it says nothing about the
 │                           server (also an AssertionError); carries the report
 └── NonConformance          the server breaks the contract (also an AssertionError, so
                             ``assert_conforms`` fails a test instead of erroring); carries
                             the report
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._errors import ContractError

if TYPE_CHECKING:
    from ._report import ConformanceReport

__all__ = [
    "AccessDenied",
    "ConformanceError",
    "Inconclusive",
    "InvalidOption",
    "NonConformance",
    "ServerUnreachable",
    "ServerUntestable",
    "UnknownCheck",
]


class ConformanceError(ContractError):
    """Base class of every error of a conformance run."""


class UnknownCheck(ConformanceError, ValueError):
    """A check name that is not registered; the message lists the known ones."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        super().__init__(f"unknown check {name!r}; the checks are: {', '.join(known)}")


class InvalidOption(ConformanceError, ValueError):
    """An option of a run has a value the run cannot use: ``option`` is its keyword name
    (``timeout``, ``rate``, ``allow_delete``...), ``value`` what was given, ``expected`` what
    would do, and ``conflicts_with`` the other option it cannot be given with, if that is the
    trouble (``allow_writes`` with ``read_only``)."""

    def __init__(
        self, option: str, value: object, expected: str, *, conflicts_with: str | None = None
    ) -> None:
        self.option = option
        self.value = value
        self.expected = expected
        self.conflicts_with = conflicts_with
        other = f" (with {conflicts_with})" if conflicts_with is not None else ""
        super().__init__(f"{option}={value!r}{other}: expected {expected}")


class ServerUnreachable(ConformanceError, ConnectionError):
    """Nothing answers HTTP at the base URL."""

    def __init__(self, base_url: str, reason: str) -> None:
        self.base_url = base_url
        self.reason = reason
        super().__init__(f"cannot reach {base_url}: {reason}")


class AccessDenied(ConformanceError, PermissionError):
    """The server refuses the run's requests (401 or 403): its credentials are missing or
    wrong (pass them as ``headers``, e.g. ``{"Authorization": "Bearer TOKEN"}``)."""

    def __init__(self, base_url: str, status: int, detail: str) -> None:
        self.base_url = base_url
        self.status = status
        super().__init__(f"{base_url} answered {status} ({detail}): credentials missing or wrong")


class ServerUntestable(ConformanceError):
    """The server cannot be tested: it keeps answering 429, or stopped answering; ``reason``
    says which, ``report`` holds what ran before."""

    def __init__(self, report: ConformanceReport) -> None:
        self.report = report
        self.reason = report.untestable or "the run stopped"
        super().__init__(f"CONFORMANCE: {report.base_url} cannot be tested: {self.reason}")


class Inconclusive(ConformanceError, AssertionError):
    """The run saw no run of the API (every list empty, every id unknown), so its verdict says
    nothing; ``reason`` says why and what to pass."""

    def __init__(self, report: ConformanceReport) -> None:
        self.report = report
        self.reason = report.inconclusive or "no run was judged"
        super().__init__(f"CONFORMANCE: {report.base_url}: inconclusive: {self.reason}")


class NonConformance(ConformanceError, AssertionError):
    """The server breaks the contract; ``report`` holds every failure."""

    def __init__(self, report: ConformanceReport) -> None:
        self.report = report
        super().__init__("CONFORMANCE: " + report.failure_text())
