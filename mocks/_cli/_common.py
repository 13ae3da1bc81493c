"""Helpers shared by the subcommands: the usage error and argument types."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["UsageError", "non_negative_int", "output_dir", "positive_int"]


class UsageError(Exception):
    """A user's mistake: printed as one line naming the flag or file, exit code 2."""


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def output_dir(path: Path, *, flag: str = "--out") -> Path:
    """Make sure ``path`` is (or can become) a writable directory; else a UsageError."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {path}: exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot create the directory ({exc.strerror})") from None
    probe = path / ".extract-contract-write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"{flag} {path}: the directory is not writable ({exc.strerror})") from None
    return path
