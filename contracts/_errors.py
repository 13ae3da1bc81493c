"""Errors raised by ``contracts``.

ContractError                 base of every error this package raises
 ├── ContractViolation        a payload breaks the contract (also an AssertionError, so a
 │                            test that calls ``assert_valid`` fails instead of erroring)
 ├── UnknownPayloadKind       a payload's kind cannot be told, or the kind named is unknown
 └── UnreadableJson           JSON text :func:`contracts.load_json` refuses: not UTF-8, not
                              JSON, nested too deep, an integer too long, NaN or Infinity;
                              carries the source, line, column and JSON path (also a ValueError)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._validate import Violation

__all__ = ["ContractError", "ContractViolation", "UnknownPayloadKind", "UnreadableJson"]


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


class UnreadableJson(ContractError, ValueError):
    """JSON text that :func:`contracts.load_json` refuses, and where.

    ``source`` names the input (a file, ``body``, ``<stdin>``); ``line`` and ``column`` count
    from 1; ``path`` is the JSON path of the value being read (``$[3].data.total``) when known;
    ``problem`` says what is wrong in words; ``reason`` says it as data: ``encoding``,
    ``syntax``, ``depth``, ``integer`` or ``number`` (NaN, Infinity, a number past a double).
    ``str()`` is one line: ``runs.jsonl:3:17: $.data.total: NaN is not a JSON number``.
    """

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        reason: str,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
    ) -> None:
        self.source = source
        self.problem = problem
        self.reason = reason
        self.line = line
        self.column = column
        self.path = path
        where = source
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {path + ': ' if path else ''}{problem}")
