"""``extract-contract fixtures``: write a seeded corpus of payloads (and broken ones) to disk."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from ._common import SEED, UsageError, output_dir, whole_number

NAME = "fixtures"
HELP = (
    "Write a deterministic corpus of JSON payloads (runs, configs, files, list pages) plus an "
    "index.json; with --invalid also payloads broken in one named place. The same seed gives "
    "byte-identical files. The corpus directory is written whole or not at all; an existing "
    "corpus is replaced only with --force, and a directory holding other files is refused."
)
KINDS = ("run", "config", "file", "page")
MAX_COUNT = 100_000
"""Payloads of each kind at most: a kind's payloads are made in memory before being written."""


class _Terminated(BaseException):
    """SIGTERM, raised where the process is, so the half-made corpus is cleaned up."""


@contextmanager
def _sigterm_as_exception() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="directory to write into"
    )
    parser.add_argument(
        "--count",
        type=whole_number(1, MAX_COUNT),
        required=True,
        metavar="N",
        help=f"payloads of each kind, 1 to {MAX_COUNT:,} (and as many invalid ones with --invalid)",
    )
    parser.add_argument(
        "--seed", type=SEED, required=True, metavar="S", help="the seed, 0 to 2**64-1"
    )
    parser.add_argument(
        "--kind",
        action="extend",
        nargs="+",
        choices=KINDS,
        metavar="KIND",
        help=f"kinds to write, among {', '.join(KINDS)} (repeatable; default: all)",
    )
    parser.add_argument(
        "--invalid",
        action="store_true",
        help="also write payloads that break the contract in one place, named in the index",
    )
    parser.add_argument(
        "--schema-wide",
        action="store_true",
        help="everything the contract allows instead of realistic, coherent payloads",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the corpus the directory holds, as a whole"
    )


def run(args: argparse.Namespace) -> int:
    from strategies import BadArgument, CorpusExists, NotACorpus, write_corpus

    out = output_dir(args.out)
    try:
        with _sigterm_as_exception():
            written = write_corpus(
                out,
                count=args.count,
                seed=args.seed,
                kinds=args.kind or KINDS,
                invalid=args.invalid,
                realistic=not args.schema_wide,
                force=args.force,
                on_recovery=lambda line: print(
                    f"extract-contract fixtures: {line}", file=sys.stderr
                ),
            )
    except CorpusExists as exc:
        raise UsageError(f"--out {out}: {exc}; use --force to replace it") from None
    except (NotACorpus, BadArgument) as exc:
        raise UsageError(f"--out {out}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write ({exc.strerror or exc})") from None
    except _Terminated:
        print("extract-contract fixtures: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    print(f"wrote {len(written) - 1} payload file(s) and {written[-1].name} to {out}")
    return 0
