"""Loading runs from a file into a store: ``extract-contract serve --data FILE`` and the admin API.

A file holds a JSON array of runs, or JSON Lines (one run per line, blank lines skipped).
Every run is checked by :meth:`~mocks._store.RunStore.add` (the store's own validation, all or
nothing); a failure is a one-line :class:`~mocks._server.ServeError` naming the file, the
record (its line for JSON Lines, its position in an array) and the field.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .._errors import InvalidRun, MockError

__all__ = ["LoadError", "load_runs", "parse_runs"]

_RECORD = re.compile(r"^run #(\d+)")


class LoadError(MockError, ValueError):
    """Runs could not be loaded; the message is one line naming the file, record and field."""


def parse_runs(text: str, label: str) -> tuple[list[Any], list[str]]:
    """The runs in ``text`` (a JSON array, one JSON object, or JSON Lines) and a label for each
    (``FILE:LINE`` or ``FILE: record #N``)."""
    stripped = text.lstrip()
    if not stripped:
        raise LoadError(f"{label}: no runs (the file is empty)")
    if stripped.startswith("["):
        try:
            runs = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(
                f"{label}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            ) from None
        return runs, [f"{label}: record #{i}" for i in range(len(runs))]
    runs, labels = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise LoadError(
                f"{label}:{number}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        labels.append(f"{label}:{number}")
    return runs, labels


def add_runs(store: Any, runs: list[Any], labels: list[str]) -> list[str]:
    """Add ``runs`` to ``store`` (all or none); a :class:`LoadError` names the bad record."""
    for run, label in zip(runs, labels, strict=True):
        if not isinstance(run, dict):
            raise LoadError(f"{label}: a run must be a JSON object, got {type(run).__name__}")
    try:
        ids: list[str] = store.add(*runs)
    except InvalidRun as exc:
        message = str(exc)
        match = _RECORD.match(message)
        if match is not None and int(match.group(1)) < len(labels):
            message = labels[int(match.group(1))] + message[match.end() :]
        raise LoadError("; ".join(part.strip() for part in message.splitlines())) from None
    return ids


def read_text(path: Path, label: str) -> str:
    """The UTF-8 text of a user's file; a :class:`LoadError` starting with ``label`` says why
    it cannot be read (missing, a directory, not UTF-8, not readable)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError(f"{label}: no such file") from None
    except IsADirectoryError:
        raise LoadError(f"{label}: is a directory, not a JSON file") from None
    except UnicodeDecodeError:
        raise LoadError(f"{label}: not UTF-8 text") from None
    except OSError as exc:
        raise LoadError(f"{label}: cannot read ({exc.strerror})") from None


def load_runs(store: Any, path: Path) -> list[str]:
    """Add the runs of the file at ``path`` to ``store``; returns their ids."""
    text = read_text(path, f"--data {path}")
    runs, labels = parse_runs(text, f"--data {path}")
    if not isinstance(runs, list):
        raise LoadError(f"--data {path}: expected a JSON array of runs or JSON Lines")
    return add_runs(store, runs, labels)
