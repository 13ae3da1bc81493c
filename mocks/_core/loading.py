"""Loading runs from a file or a body into a store: ``serve --data FILE`` and the admin API
(a directory given as data is a recording: :mod:`mocks._core.recorded`).

A file holds a JSON array of runs, or JSON Lines (one run per line, blank lines skipped).
Every run is checked by :meth:`~mocks._core.store.RunStore.add` (the store's own validation,
all or nothing). Every failure is a :class:`~mocks._errors.LoadError` carrying the source (the
file, or ``"body"``), the record (its line for JSON Lines, its position in an array), the run's
id and its violations; its message is one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from contracts import UnreadableJson, load_json
from contracts.conformance._limits import size

from .._errors import InvalidRun, LoadError
from .recorded import load_recording

__all__ = [
    "MAX_FILE",
    "add_runs",
    "load_runs",
    "parse_runs",
    "read_bounded",
    "read_text",
    "store_of",
]

MAX_FILE = 256 * 1024 * 1024
"""The most bytes of a user's file (or standard input) read: 256 MiB, two and a half times the
100 MB the bounded JSON reader is measured on (``bench/reading.py``); a larger one is refused
after reading one byte past it, never held whole."""

_CHUNK = 1024 * 1024


def parse_runs(text: str, source: str) -> tuple[list[Any], list[int | None]]:
    """The records of ``text`` (a JSON array, or JSON Lines) and the line of each (None for
    the records of an array)."""
    stripped = text.lstrip()
    if not stripped:
        raise LoadError("no runs (the file is empty)", source=source)
    if stripped.startswith("["):
        try:
            array: list[Any] = load_json(text, source=source)
        except UnreadableJson as exc:
            raise _unreadable(exc) from None
        return array, [None] * len(array)
    runs: list[Any] = []
    lines: list[int | None] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            runs.append(load_json(line, source=source, first_line=number))
        except UnreadableJson as exc:
            raise _unreadable(exc) from None
        lines.append(number)
    return runs, lines


def _unreadable(exc: UnreadableJson) -> LoadError:
    """The bounded reader's refusal as a load error: its line, and the column, JSON path and
    problem as the reason."""
    column = f"column {exc.column}: " if exc.column is not None else ""
    path = f"{exc.path}: " if exc.path else ""
    return LoadError(f"{column}{path}{exc.problem}", source=exc.source, line=exc.line)


def add_runs(store: Any, runs: list[Any], lines: list[int | None], source: str) -> list[str]:
    """Add ``runs`` (read from ``source`` by :func:`parse_runs`) to ``store``, all or none;
    a :class:`~mocks._errors.LoadError` names the bad record."""
    for record, (run, line) in enumerate(zip(runs, lines, strict=True)):
        if not isinstance(run, dict):
            raise LoadError(
                f"a run must be a JSON object, got {type(run).__name__}",
                source=source,
                record=record,
                line=line,
            )
    try:
        ids: list[str] = store.add(*runs)
    except InvalidRun as exc:
        raise LoadError(
            exc.reason,
            source=source,
            record=exc.record,
            line=lines[exc.record],
            run_id=exc.run_id,
            violations=exc.violations,
        ) from None
    return ids


def read_bounded(stream: BinaryIO, source: str, cap: int | None = None) -> bytes:
    """The bytes of ``stream`` to its end, at most ``cap`` (:data:`MAX_FILE` by default); a
    :class:`~mocks._errors.LoadError` (``source``) once it passes the cap, having read one
    byte past it and no more (an endless stream included)."""
    cap = MAX_FILE if cap is None else cap
    chunks: list[bytes] = []
    held = 0
    while held <= cap:
        chunk = stream.read(min(_CHUNK, cap + 1 - held))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        held += len(chunk)
    raise LoadError(f"larger than {size(cap)}", source=source)


def read_text(path: Path, source: str | None = None) -> str:
    """The UTF-8 text of a user's file, read under :data:`MAX_FILE` (:func:`read_bounded`); a
    :class:`~mocks._errors.LoadError` (``source``, the path by default) says why it cannot be
    read (missing, a directory, larger than the cap, not UTF-8, not readable)."""
    source = str(path) if source is None else source
    try:
        with path.open("rb") as stream:
            data = read_bounded(stream, source)
    except FileNotFoundError:
        raise LoadError("no such file", source=source) from None
    except IsADirectoryError:
        raise LoadError("is a directory, not a JSON file", source=source) from None
    except OSError as exc:
        raise LoadError(f"cannot read ({exc.strerror})", source=source) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError("not UTF-8 text", source=source) from None
    # line ends as a text-mode read gives them (universal newlines), so lines are numbered alike
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def load_runs(store: Any, path: Path) -> list[str]:
    """Add the runs of the file at ``path`` to ``store``; returns their ids."""
    source = str(path)
    runs, lines = parse_runs(read_text(path, source), source)
    return add_runs(store, runs, lines, source)


def store_of(data: Any) -> Any:
    """A store of your own runs given as data (the marker's and ``ServerOptions``' ``data``):
    a copy of a :class:`~mocks._core.store.RunStore` (yours is never changed), the runs of a
    list (the source ``"data"``, each record by its position), of a file, or of a directory
    (a recording: :func:`~mocks._core.recorded.load_recording`). A
    :class:`~mocks._errors.LoadError` says what is wrong and where."""
    from .store import RunStore

    if isinstance(data, RunStore):
        return data.copy()
    store = RunStore()
    if isinstance(data, (str, Path)):
        path = Path(data)
        (load_recording if path.is_dir() else load_runs)(store, path)
    elif isinstance(data, (list, tuple)):
        add_runs(store, list(data), [None] * len(data), "data")
    else:
        raise LoadError(
            f"expected a list of runs, a RunStore or a file path, got {type(data).__name__}",
            source="data",
        )
    return store
