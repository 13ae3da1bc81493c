"""``extract-contract validate``: check recorded payloads (or a corpus) against the contract.

Each FILE is one of:

- a JSON file: one payload;
- a JSON Lines file (``.jsonl``, ``.ndjson``): a payload a line, every line judged, an unreadable
  line reported and the next one read;
- ``-``: standard input, JSON or JSON Lines (JSON Lines when its first line is a whole JSON
  value and more lines follow; the same for a file with any other suffix);
- a corpus written by ``fixtures``: its directory or its ``index.json``. Each file the index
  lists is judged by the kind the index names, a valid one must be valid, and an invalid one
  must break exactly where the index says (its path) the way it says (its kind of break). A
  corpus file also named on the command line (``validate fx/*.json``) is judged once, by the
  index.

Every JSON text is read by :func:`contracts.load_json` (bounded depth and integers, no NaN).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strategies import IndexEntry

NAME = "validate"
HELP = (
    "Check recorded JSON payloads (a run, a list page, a config or a file) against the "
    "contract, naming each violation with its JSON path. FILE is a .json file, a .jsonl file "
    "(every line judged), '-' for standard input (JSON or JSON Lines), or a corpus written by "
    "'fixtures' (its directory or its index.json: each file judged by the kind the index names, "
    "the invalid ones checked to break where the index says). "
    "Exit 0 valid, 1 invalid, 2 unreadable input."
)
STDIN = "-"
LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="JSON or JSON Lines files, '-' for standard input, or a fixture corpus directory",
    )
    parser.add_argument(
        "--kind",
        choices=("run", "page", "config", "file"),
        help="the payloads' kind (default: told from each payload's keys; a corpus names its own)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print problems only")


class _Unreadable(Exception):
    """Input that cannot be judged; the message is one line naming the file."""


class _Check:
    """One run of the command: judges payloads, prints verdicts, keeps the exit code."""

    def __init__(self, kind: str | None, quiet: bool) -> None:
        self.kind = kind
        self.quiet = quiet
        self.code = 0
        self.judged: set[Path] = set()

    def fail(self, code: int) -> None:
        self.code = max(self.code, code)

    def ok(self, line: str) -> None:
        if not self.quiet:
            print(line)

    def unreadable(self, message: str) -> None:
        print(f"extract-contract validate: error: {message}", file=sys.stderr)
        self.fail(2)

    def invalid(self, head: str, violations: list[Any]) -> None:
        print(head)
        for violation in violations:
            print(f"  {violation}")
        self.fail(1)

    # -- payloads -----------------------------------------------------------------------------

    def payload(self, label: str, payload: Any) -> None:
        from contracts import UnknownPayloadKind, detect_kind, validate

        try:
            detected: str | None = detect_kind(payload)
        except UnknownPayloadKind as exc:
            if self.kind is None:
                print(f"{label}: {exc} (use --kind)", file=sys.stderr)
                self.fail(2)
                return
            detected = None
        kind = self.kind or detected
        assert kind is not None
        violations = validate(payload, kind)
        if violations:
            self.invalid(f"{label}: INVALID {kind}, {len(violations)} violation(s)", violations)
        elif self.kind is None and kind == "config" and payload == {}:
            self.ok(f"{label}: ok (config, guessed from no keys: use --kind)")
        elif detected is not None and detected != kind:
            self.ok(f"{label}: ok ({kind}, as --kind says; its keys look like a {detected})")
        else:
            self.ok(f"{label}: ok ({kind})")

    def text(self, label: str, text: str, *, lines: bool | None) -> None:
        """The payloads of one text: a document, or JSON Lines (``None``: tell which)."""
        from contracts import UnreadableJson, load_json

        if lines is None:
            lines = _looks_like_lines(text)
        if not lines:
            try:
                payload = load_json(text, source=label)
            except UnreadableJson as exc:
                self.unreadable(str(exc))
                return
            self.payload(label, payload)
            return
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                payload = load_json(line, source=label, first_line=number)
            except UnreadableJson as exc:
                self.unreadable(str(exc))
                continue
            self.payload(f"{label}:{number}", payload)

    def file(self, path: Path) -> None:
        if path.resolve() in self.judged:
            return
        self.judged.add(path.resolve())
        try:
            text = _read(path)
        except _Unreadable as exc:
            self.unreadable(str(exc))
            return
        suffix = path.suffix.lower()
        self.text(str(path), text, lines=True if suffix in LINES_SUFFIXES else _maybe(suffix))

    def stdin(self) -> None:
        from contracts import UnreadableJson, load_json

        from .._core.loading import read_bounded
        from .._errors import LoadError

        try:
            data = read_bounded(sys.stdin.buffer, "<stdin>")
        except LoadError as exc:
            self.unreadable(str(exc))
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                load_json(data, source="<stdin>")  # says where the bad byte is
            except UnreadableJson as exc:
                self.unreadable(str(exc))
            return
        self.text("<stdin>", text, lines=None)

    # -- a corpus -----------------------------------------------------------------------------

    def corpus(self, index: Path, value: Any) -> None:
        from strategies import BadArgument, read_index

        if index.resolve() in self.judged:
            return
        self.judged.add(index.resolve())
        try:
            entries = read_index(value) or []
        except BadArgument as exc:
            self.unreadable(f"{index}: not a corpus index: {exc}")
            return
        wrong = unreadable = 0
        for entry in entries:
            target = index.parent / entry.file
            if target.resolve() in self.judged:
                continue
            self.judged.add(target.resolve())
            verdict = self.entry(target, entry)
            wrong += verdict == 1
            unreadable += verdict == 2
        valid = sum(entry.valid for entry in entries)
        summary = (
            f"{index}: corpus of {len(entries)} file(s), {valid} valid and "
            f"{len(entries) - valid} invalid"
        )
        if wrong or unreadable:
            problems = [f"{wrong} not as the index says"] if wrong else []
            problems += [f"{unreadable} unreadable"] if unreadable else []
            print(f"{summary}: {', '.join(problems)}")
        else:
            self.ok(f"{summary}, all as the index says")

    def entry(self, target: Path, entry: IndexEntry) -> int:
        """Judge one corpus file by its index entry; 0 as the index says, 1 not, 2 unreadable."""
        from contracts import UnreadableJson, load_json, validate

        label = str(target)
        try:
            payload = load_json(_read(target), source=label)
        except (_Unreadable, UnreadableJson) as exc:
            self.unreadable(str(exc))
            return 2
        violations = validate(payload, entry.kind)
        expected = entry.violation
        if expected is None:
            if violations:
                self.invalid(
                    f"{label}: INVALID {entry.kind} (the index says valid), "
                    f"{len(violations)} violation(s)",
                    violations,
                )
                return 1
            self.ok(f"{label}: ok ({entry.kind})")
            return 0
        said = f"{expected.path} ({expected.kind})"
        if expected.found_in(violations):
            self.ok(f"{label}: ok (invalid {entry.kind} as the index says: {said})")
            return 0
        if not violations:
            print(f"{label}: NOT INVALID: the index says this {entry.kind} breaks at {said}")
            self.fail(1)
            return 1
        self.invalid(
            f"{label}: NOT AS THE INDEX SAYS: it says {said}; "
            f"validate finds {len(violations)} violation(s)",
            violations,
        )
        return 1


def _read(path: Path) -> str:
    from .._core.loading import read_text
    from .._errors import LoadError

    try:
        return read_text(path, str(path))
    except LoadError as exc:
        raise _Unreadable(str(exc)) from None


def _maybe(suffix: str) -> bool | None:
    """A ``.json`` file is one document; with any other suffix, tell from the text."""
    return False if suffix == ".json" else None


def _looks_like_lines(text: str) -> bool:
    """JSON Lines: more than one line, the first of which is a whole JSON value by itself."""
    from contracts import UnreadableJson, load_json

    body = text.strip()
    if "\n" not in body:
        return False
    first = body.split("\n", 1)[0]
    try:
        load_json(first)
    except UnreadableJson as exc:
        return exc.reason != "syntax"  # a value, refused for what it holds: a line
    return True


def _corpus_index(path: Path) -> tuple[Path, Any] | None:
    """(the index, its parsed JSON) if ``path`` is a corpus directory or a corpus index."""
    from contracts import UnreadableJson, load_json
    from strategies import CORPUS_INDEX, BadArgument, read_index

    index = path / CORPUS_INDEX if path.is_dir() else path
    if index.name != CORPUS_INDEX or not index.is_file():
        return None
    try:
        value = load_json(_read(index), source=str(index))
        if read_index(value) is None:
            return None
    except (_Unreadable, UnreadableJson):
        return None  # judged as a file: its error is reported there
    except BadArgument:
        pass  # a corpus index with a broken entry: reported when the corpus is judged
    return index, value


def _targets(names: list[str]) -> Iterator[tuple[str, Path, Any]]:
    """("stdin" | "corpus" | "file" | "directory", path, parsed index) for each name given."""
    for name in names:
        if name == STDIN:
            yield "stdin", Path(STDIN), None
            continue
        path = Path(name)
        found = _corpus_index(path)
        if found is not None:
            yield "corpus", found[0], found[1]
        elif path.is_dir():
            yield "directory", path, None
        else:
            yield "file", path, None


def run(args: argparse.Namespace) -> int:
    from strategies import BadArgument, read_index

    check = _Check(args.kind, args.quiet)
    targets = list(_targets(args.files))
    # The files of every corpus named are judged by its index, even when named one by one.
    by_index: set[Path] = set()
    for what, index, value in targets:
        if what == "corpus":
            with contextlib.suppress(BadArgument):  # reported when the corpus is judged
                entries = read_index(value) or []
                by_index.update((index.parent / entry.file).resolve() for entry in entries)
    for what, path, value in targets:
        if what == "stdin":
            check.stdin()
        elif what == "corpus":
            check.corpus(path, value)
        elif what == "directory":
            check.unreadable(
                f"{path}: is a directory without a corpus index.json; name its files "
                f"({path}/*.json)"
            )
        elif path.resolve() not in by_index:
            check.file(path)
    return check.code
