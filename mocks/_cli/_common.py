"""Helpers shared by the subcommands: the usage error, the numeric argument types, the output
directory check.

Every numeric flag of every command takes one of the types below (a test walks every
subcommand's parser and fails on a number read any other way). Each type has a closed range,
so no flag takes a value the command cannot use (``nan``, ``inf``, ``1e309``, a 20-digit
count), and one message for every way to miss it, naming the range; argparse puts the flag in
front and the command line exits 2 with that one line::

    extract-contract serve: error: argument --port: expected a whole number from 0 to 65535,
    got '70000' (see 'extract-contract serve --help')

A negative number given as its own argument (``--latency -inf``, ``--port -1e3``) reaches the
type too: argparse takes only ``-1`` and ``-1.5`` for numbers and anything else that starts
with ``-`` for an option ("expected one argument"), so every parser of the command line reads
numbers with :data:`NEGATIVE_NUMBER`, the text ``float()`` reads, instead.
"""

from __future__ import annotations

import argparse
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MAX_BODY",
    "MAX_SECONDS",
    "MAX_SEED",
    "NEGATIVE_NUMBER",
    "PORT",
    "RATE",
    "SEED",
    "Number",
    "UsageError",
    "output_dir",
    "seconds",
    "whole_number",
]


class UsageError(Exception):
    """A user's mistake: printed as one line naming the flag or file, exit code 2."""


MAX_SECONDS = 3600
"""The longest time any flag takes (latency, timeouts, waits): an hour; more is a mistake."""
MAX_BODY = 1024**3
"""The largest body a flag sizes (serve's request limit, the answers the proxy judges): a GiB."""
MAX_SEED = 2**64 - 1
"""Seeds are 64-bit: 0 to 2**64 - 1 (a negative seed would only repeat a positive one)."""

_SHOWN = 24  # characters of a refused value shown back

_DIGITS = r"\d(?:_?\d)*"
NEGATIVE_NUMBER = re.compile(
    rf"^-(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][-+]?{_DIGITS})?"
    r"|inf|infinity|nan)$",
    re.IGNORECASE,
)
"""An argument that is a negative number, not an option: ``-`` then what ``float()`` reads
(``-1``, ``-1.5``, ``-.5``, ``-1e309``, ``-1_000``, ``-inf``, ``-Infinity``, ``-nan``). Each
parser of the command line uses it in place of argparse's own ``_negative_number_matcher``
(``-1`` and ``-1.5`` only), so the value reaches the flag's type and its ranged message."""


@dataclass(frozen=True)
class Number:
    """An argparse type: a number read from text, in ``[low, high]`` (``(low, high]`` when
    ``above_low``), whole or not; anything else is an :class:`argparse.ArgumentTypeError`
    naming the range."""

    low: float
    high: float
    whole: bool = False
    above_low: bool = False
    what: str = "a number"

    @property
    def wanted(self) -> str:
        """The range as the messages and the help show it: ``a whole number from 0 to 65535``,
        ``seconds in (0, 3600]``, ``a rate in [0, 1]``."""
        low, high = _shown(self.low), _shown(self.high)
        if self.whole:
            return f"{self.what} from {low} to {high}"
        return f"{self.what} in {'(' if self.above_low else '['}{low}, {high}]"

    def __call__(self, text: str) -> int | float:
        value = self._read(text)
        if value is None:
            shown = text if len(text) <= _SHOWN else text[: _SHOWN - 4] + "..."
            raise argparse.ArgumentTypeError(f"expected {self.wanted}, got {shown!r}")
        return value

    def _read(self, text: str) -> int | float | None:
        """The value of ``text`` if it is in the range, else None."""
        value: int | float
        try:
            value = int(text) if self.whole else float(text)
        except ValueError:  # not a number, or more digits than int() reads
            return None
        if not math.isfinite(value) or value < self.low or value > self.high:
            return None
        if self.above_low and value == self.low:
            return None
        return value


def _shown(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"


def whole_number(low: int, high: int) -> Number:
    """A whole number from ``low`` to ``high`` (both included)."""
    return Number(low, high, whole=True, what="a whole number")


def seconds(high: float | None = None, *, above_zero: bool = False) -> Number:
    """A finite number of seconds from 0 (or above 0) to ``high`` (default :data:`MAX_SECONDS`)."""
    return Number(0, MAX_SECONDS if high is None else high, above_low=above_zero, what="seconds")


PORT = whole_number(0, 65535)
SEED = whole_number(0, MAX_SEED)
RATE = Number(0, 1, what="a rate")
"""A share of calls: 0 (none) to 1 (every one)."""


def output_dir(path: Path, *, flag: str = "--out") -> Path:
    """Make sure ``path`` is (or can become) a writable directory; else a UsageError.

    Writability is probed with a file that has no name (``O_TMPFILE``) or a random one, never
    a name a user's file could have."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {path}: exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot create the directory ({exc.strerror})") from None
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageError(f"{flag} {path}: the directory is not writable ({exc.strerror})") from None
    return path
