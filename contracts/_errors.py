"""Errors raised by ``contracts``.

ContractError                 base of every error this package raises
 ├── ContractViolation        a payload breaks the contract (also an AssertionError, so a
 │                            test that calls ``assert_valid`` fails instead of erroring)
 └── UnknownPayloadKind       a payload's kind cannot be told, or the kind named is unknown
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._validate import Violation

__all__ = ["ContractError", "ContractViolation", "UnknownPayloadKind"]


class ContractError(Exception):
    """Base class of every error raised by ``contracts``."""


class ContractViolation(ContractError, AssertionError):
    """A payload breaks the contract; ``violations`` lists every place, with its JSON path."""

    def __init__(self, kind: str, violations: Sequence[Violation]) -> None:
        self.kind = kind
        self.violations = tuple(violations)
        lines = "\n".join(f"  {v}" for v in self.violations)
        count = len(self.violations)
        super().__init__(
            f"CONTRACT: the {kind} payload breaks the contract in {count} "
            f"place{'s' if count != 1 else ''}:\n{lines}"
        )


class UnknownPayloadKind(ContractError, ValueError):
    """The kind of a payload cannot be told from its keys, or the kind named does not exist."""
