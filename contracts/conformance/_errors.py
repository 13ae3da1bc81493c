"""Errors raised by ``contracts.conformance``.

ConformanceError (a contracts.ContractError)   base of every error of a conformance run
 ├── UnknownCheck            a check name that is not in the registry (also a ValueError)
 ├── ServerUnreachable       nothing answers at the base URL (also a ConnectionError)
 ├── AccessDenied            the server wants credentials the run was not given (401/403)
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
    "NonConformance",
    "ServerUnreachable",
    "UnknownCheck",
]


class ConformanceError(ContractError):
    """Base class of every error of a conformance run."""


class UnknownCheck(ConformanceError, ValueError):
    """A check name that is not registered; the message lists the known ones."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        super().__init__(f"unknown check {name!r}; the checks are: {', '.join(known)}")


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


class NonConformance(ConformanceError, AssertionError):
    """The server breaks the contract; ``report`` holds every failure."""

    def __init__(self, report: ConformanceReport) -> None:
        self.report = report
        super().__init__("CONFORMANCE: " + report.failure_text())
