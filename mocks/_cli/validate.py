"""``extract-contract validate``: check recorded payloads against the contract."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NAME = "validate"
HELP = (
    "Check recorded JSON payloads (a run, a list page, a config or a file; one per .json file, "
    "one per line in .jsonl) against the contract, naming each violation with its JSON path. "
    "Exit 0 valid, 1 invalid, 2 unreadable input."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="JSON or JSONL files")
    parser.add_argument(
        "--kind",
        choices=("run", "page", "config", "file"),
        help="the payloads' kind (default: told from each payload's keys)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print violations only")


class _Unreadable(Exception):
    pass


def _payloads(path: Path) -> Iterator[tuple[str, Any]]:
    """(label, payload) pairs of a file: the file itself, or ``file:line`` for JSON Lines."""
    from .._core.loading import read_text
    from .._errors import LoadError

    try:
        text = read_text(path, str(path))
    except LoadError as exc:
        raise _Unreadable(str(exc)) from None
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield f"{path}:{number}", _parse(line, f"{path}:{number}")
        return
    yield str(path), _parse(text, str(path))


def _parse(text: str, label: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Unreadable(
            f"{label}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None


def run(args: argparse.Namespace) -> int:
    from contracts import UnknownPayloadKind, detect_kind, validate

    kind: str | None = args.kind
    code = 0
    for path in args.files:
        try:
            for label, payload in _payloads(path):
                try:
                    this_kind = kind or detect_kind(payload)
                except UnknownPayloadKind as exc:
                    print(f"{label}: {exc} (use --kind)", file=sys.stderr)
                    code = 2
                    continue
                violations = validate(payload, this_kind)
                if violations:
                    code = max(code, 1)
                    print(f"{label}: INVALID {this_kind}, {len(violations)} violation(s)")
                    for violation in violations:
                        print(f"  {violation}")
                elif not args.quiet:
                    print(f"{label}: ok ({this_kind})")
        except _Unreadable as exc:
            print(f"extract-contract validate: error: {exc}", file=sys.stderr)
            code = 2
    return code
