"""The recording format: one exchange with the API per JSON file, secrets scrubbed.

A recording is a directory. :class:`Recorder` writes each exchange as ``000017-get_run.json``
(sequence, then operation), continuing after the highest sequence already there: a directory is
appended to, never overwritten. Each file is written whole under a temporary name and then
linked to its own name, which fails if that name exists, so two recorders on one directory never
clobber each other's files (the second takes the next number) and a reader never sees half a
file. A file holds::

    {"format": "extract-contract recording 1", "sequence": 17, "recorded_at": "...Z",
     "operation": "get_run",
     "request": {"method": "GET", "path": "/api/v1/extraction/runs/...",
                 "query": [["project_id", "..."]], "headers": [["accept", "application/json"]]},
     "response": {"status": 200, "headers": [["content-type", "application/json"]],
                  "body": {...}},
     "violations": [{"check": "...", "json_path": "$.status", "message": "..."}]}

The body is the answer's JSON value, decoded (so ``content-encoding`` and ``content-length`` are
not kept); an answer that is not JSON is kept as ``body_text`` (at most 64 KiB of it, with
``body_truncated``), one not read whole as ``body_omitted`` with the reason. Headers a
connection uses (``connection``, ``host``, ...) are left out. Every secret (see
:class:`~._scrub.Scrubber`) is ``"[scrubbed]"`` before anything reaches the disk.

:func:`read_recording` reads a directory back (bounded, every file checked), and
:func:`recorded_runs` says which runs it holds: the last sighting of an id wins, and a run seen
deleted (a 200 to its DELETE after the sighting) is absent.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._bounded_json import load_json
from .._errors import ContractError, UnreadableJson
from .._operations import route_request
from .._params import canonical_value
from ..conformance import NOT_JSON
from ..conformance._wire import HOP_BY_HOP, WireError, decode
from ._judge import Judgement, codings
from ._scrub import Scrubber

__all__ = [
    "FORMAT",
    "MAX_FILE",
    "RecordedExchange",
    "Recorder",
    "RecordingError",
    "Sighting",
    "read_recording",
    "recorded_runs",
]

FORMAT = "extract-contract recording 1"
"""The ``format`` of every file this version writes and reads."""

MAX_FILE = 64 * 1024 * 1024
"""The largest recording file :func:`read_recording` reads."""

_TEXT_CAP = 64 * 1024
_DECODED_CAP = 16 * 1024 * 1024  # a text body is decoded up to this much, then cut
_NAME = re.compile(r"(\d+)-([a-z_]+)\.json")
_STRING = r'("(?:[^"\\]|\\.)*")'
_PAIR = re.compile(rf"\[\n\s+{_STRING},\n\s+{_STRING}\n\s+\]")  # two strings: one line
_NOT_KEPT = HOP_BY_HOP | {"content-length", "content-encoding", "proxy-connection"}

Pairs = Sequence[tuple[str, str]]


class RecordingError(ContractError):
    """A recording cannot be written or read: ``path`` (the directory or the file) and
    ``reason``; the message is one line."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def _kept(headers: Pairs) -> list[tuple[str, str]]:
    connection = {
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
    }
    return [
        (name.lower(), value)
        for name, value in headers
        if name.lower() not in _NOT_KEPT and name.lower() not in connection
    ]


def _highest(directory: Path) -> int:
    found = [int(m.group(1)) for p in directory.iterdir() if (m := _NAME.fullmatch(p.name))]
    return max(found, default=0)


class Recorder:
    """Writes exchanges into ``directory`` (made if missing; see the module docstring).

    ``scrub`` names more headers and query parameters whose values are secret (any case).
    A directory that cannot be made or written is a :class:`RecordingError` at once.
    """

    def __init__(self, directory: Path | str, *, scrub: Iterable[str] = ()) -> None:
        self.directory = Path(directory)
        self.scrubber = Scrubber.of(scrub)
        if self.directory.exists() and not self.directory.is_dir():
            raise RecordingError(self.directory, "exists and is not a directory")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            probe = self.directory / f".probe-{uuid.uuid4().hex}.tmp"
            probe.write_bytes(b"")
            probe.unlink()
            self._next = _highest(self.directory) + 1
        except OSError as exc:
            reason = f"cannot write there ({exc.strerror or exc})"
            raise RecordingError(self.directory, reason) from None
        self._lock = threading.Lock()
        self.written = 0

    def record(
        self,
        *,
        method: str,
        path: str,
        query: Pairs,
        headers: Pairs,
        status: int,
        response_headers: Pairs,
        body: bytes | None,
        judgement: Judgement,
    ) -> Path:
        """Write one exchange (``body`` as sent, None if it was not read whole); returns the
        file's path. The judgement gives the operation, the parsed body and the violations."""
        secrets = self.scrubber.secrets(headers, query)
        operation = judgement.operation.name if judgement.operation is not None else "other"
        answer: dict[str, Any] = {
            "status": status,
            "headers": [list(pair) for pair in self.scrubber.headers(_kept(response_headers))],
        }
        answer.update(_body_fields(judgement, response_headers, body))
        record = {
            "format": FORMAT,
            "sequence": 0,
            "recorded_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
            "operation": operation,
            "request": {
                "method": method,
                "path": path,
                "query": [list(pair) for pair in self.scrubber.query(query)],
                "headers": [list(pair) for pair in self.scrubber.headers(_kept(headers))],
            },
            "response": answer,
            "violations": [
                {"check": v.check, "json_path": v.json_path, "message": v.message}
                for v in judgement.violations
            ],
        }
        return self._write(record, operation, secrets)

    def _write(self, record: dict[str, Any], operation: str, secrets: Sequence[str]) -> Path:
        temporary = self.directory / f".{uuid.uuid4().hex}.tmp"
        with self._lock:
            sequence = self._next
            for _ in range(100_000):
                record["sequence"] = sequence
                text = _PAIR.sub(r"[\1, \2]", json.dumps(record, ensure_ascii=False, indent=1))
                for secret in secrets:  # as written in JSON text (quotes, backslashes escaped)
                    text = Scrubber.text(text, [json.dumps(secret, ensure_ascii=False)[1:-1]])
                target = self.directory / f"{sequence:06d}-{operation}.json"
                try:
                    temporary.write_text(text + "\n", encoding="utf-8")
                    if _link_exclusive(temporary, target):
                        self._next = sequence + 1
                        self.written += 1
                        return target
                except OSError as exc:
                    raise RecordingError(target, f"cannot write ({exc.strerror or exc})") from None
                finally:
                    with contextlib.suppress(OSError):
                        temporary.unlink()
                sequence += 1  # another recorder took this number
        raise RecordingError(self.directory, "no free sequence number")  # pragma: no cover


def _link_exclusive(source: Path, target: Path) -> bool:
    """Give ``source`` the name ``target`` unless that name exists (then False)."""
    try:
        os.link(source, target)
        return True
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: reserve the name, then replace it
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            return False
        os.replace(source, target)
        return True


def _body_fields(judgement: Judgement, headers: Pairs, body: bytes | None) -> dict[str, Any]:
    if body is None:
        return {"body_omitted": judgement.unjudged or "the body was not read whole"}
    if judgement.body is not NOT_JSON:
        return {"body": judgement.body}
    applied = codings(headers)
    try:
        decoded = decode(body, applied, _DECODED_CAP) if applied else body
    except WireError as exc:
        return {"body_omitted": str(exc)}
    text = decoded[: _TEXT_CAP + 1].decode("utf-8", "replace")
    if len(decoded) > _TEXT_CAP:
        return {"body_text": text[:_TEXT_CAP], "body_truncated": True}
    if not decoded:
        return {"body_text": ""}
    try:  # JSON the judge did not parse (an exchange of no operation)
        return {"body": load_json(decoded, source="body")}
    except UnreadableJson:
        return {"body_text": text}


# -- reading a recording back ---------------------------------------------------------------


@dataclass(frozen=True)
class RecordedExchange:
    """One recorded exchange, as :func:`read_recording` reads it back.

    ``body`` is the answer's JSON value, or :data:`~contracts.conformance.NOT_JSON` (then
    ``body_text`` holds its text, or ``body_omitted`` why it was not kept). ``violations`` are
    the recorded ones (mappings with ``check``, ``json_path`` and ``message``).
    """

    file: Path
    sequence: int
    operation: str | None
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    status: int
    response_headers: tuple[tuple[str, str], ...]
    body: Any
    body_text: str | None = None
    body_omitted: str | None = None
    violations: tuple[Mapping[str, Any], ...] = ()
    recorded_at: str = ""

    def response_header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == name), None)

    def runs(self) -> Iterator[dict[str, Any]]:
        """The runs this exchange saw: a 200 to get or get-by-job, each item of a 200 page."""
        if self.status != 200 or not isinstance(self.body, dict):
            return
        if self.operation in ("get_run", "get_run_by_job"):
            found: list[Any] = [self.body]
        elif self.operation == "list_runs":
            items = self.body.get("items")
            found = items if isinstance(items, list) else []
        else:
            return
        for run in found:
            if isinstance(run, dict) and isinstance(run.get("id"), str):
                yield run


def _pairs(value: Any, file: Path, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        for pair in value
    ):
        raise RecordingError(file, f"{where} must be a list of [name, value] strings")
    return tuple((name, text) for name, text in value)


def _read_file(file: Path, sequence: int) -> RecordedExchange:
    try:
        if file.stat().st_size > MAX_FILE:
            raise RecordingError(file, f"larger than {MAX_FILE // (1024 * 1024)} MiB")
        data = file.read_bytes()
    except OSError as exc:
        raise RecordingError(file, f"cannot read ({exc.strerror or exc})") from None
    try:
        record = load_json(data, source=file.name)
    except UnreadableJson as exc:
        raise RecordingError(file, f"not a recording: {exc}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise RecordingError(file, f"not a recording (its format is not {FORMAT!r})")
    request, response = record.get("request"), record.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise RecordingError(file, "a recording holds a 'request' and a 'response' object")
    method, path, status = request.get("method"), request.get("path"), response.get("status")
    if not isinstance(method, str) or not isinstance(path, str) or not path.startswith("/"):
        raise RecordingError(file, "the request needs a 'method' and a 'path' starting with /")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise RecordingError(file, f"the response's 'status' is not an HTTP status: {status!r}")
    operation = record.get("operation")
    violations = record.get("violations", [])
    if not isinstance(violations, list) or not all(isinstance(v, dict) for v in violations):
        raise RecordingError(file, "'violations' must be a list of objects")
    text, omitted = response.get("body_text"), response.get("body_omitted")
    return RecordedExchange(
        file=file,
        sequence=sequence,
        operation=operation if isinstance(operation, str) and operation != "other" else None,
        method=method,
        path=path,
        query=_pairs(request.get("query", []), file, "request.query"),
        headers=_pairs(request.get("headers", []), file, "request.headers"),
        status=status,
        response_headers=_pairs(response.get("headers", []), file, "response.headers"),
        body=response.get("body", NOT_JSON),
        body_text=text if isinstance(text, str) else None,
        body_omitted=omitted if isinstance(omitted, str) else None,
        violations=tuple(violations),
        recorded_at=stamp if isinstance(stamp := record.get("recorded_at"), str) else "",
    )


def read_recording(directory: Path | str) -> list[RecordedExchange]:
    """Every exchange recorded in ``directory``, in sequence order; a :class:`RecordingError`
    names the first file that is not one (temporary files and others are left alone)."""
    root = Path(directory)
    if not root.is_dir():
        reason = "no such directory" if not root.exists() else "is not a directory"
        raise RecordingError(root, reason)
    try:
        names = sorted(
            (int(m.group(1)), p) for p in root.iterdir() if (m := _NAME.fullmatch(p.name))
        )
    except OSError as exc:
        raise RecordingError(root, f"cannot list ({exc.strerror or exc})") from None
    return [_read_file(path, sequence) for sequence, path in names]


@dataclass(frozen=True)
class Sighting:
    """A run as one recorded exchange showed it."""

    run: dict[str, Any]
    exchange: RecordedExchange


def recorded_runs(exchanges: Iterable[RecordedExchange]) -> dict[str, Sighting]:
    """The runs a recording holds, by lower-case id, in the order first seen: each run as last
    seen (with the exchange that showed it); a run whose DELETE was answered 200 after its last
    sighting is left out."""
    runs: dict[str, Sighting] = {}
    for exchange in exchanges:
        for run in exchange.runs():
            runs[run["id"].lower()] = Sighting(run, exchange)
        if exchange.operation == "delete_run" and exchange.status == 200:
            op, values = route_request(exchange.method, exchange.path)
            if op is not None and values is not None:
                run_id = canonical_value(op.path_parameters[0], values["run_id"])
                runs.pop(str(run_id).lower(), None)
    return runs
