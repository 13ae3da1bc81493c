"""Helpers shared by the subcommands: the usage error and argument types."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "UsageError",
    "non_negative_int",
    "output_dir",
    "positive_int",
    "positive_seconds",
    "whole_number",
]


class UsageError(Exception):
    """A user's mistake: printed as one line naming the flag or file, exit code 2."""


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argument type: a whole number in ``[minimum, maximum]``, with one message for every
    way to miss it (not a number, too small, too large)."""
    wanted = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"

    def convert(text: str) -> int:
        try:
            value: int | None = int(text)
        except ValueError:  # not a number, or more digits than int() reads
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            shown = text if len(text) <= 24 else text[:20] + "..."
            raise argparse.ArgumentTypeError(f"expected a whole number {wanted}, got {shown!r}")
        return value

    return convert


non_negative_int = whole_number(0)
positive_int = whole_number(1)


def positive_seconds(text: str) -> float:
    """An argument type: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected seconds > 0, got {text}")
    return value


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
