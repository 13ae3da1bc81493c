"""``extract-contract fixtures``: write a seeded corpus of payloads (and broken ones) to disk."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import UsageError, output_dir, positive_int

NAME = "fixtures"
HELP = (
    "Write a deterministic corpus of JSON payloads (runs, configs, files, list pages) plus an "
    "index.json; with --invalid also payloads broken in one named place. The same seed gives "
    "byte-identical files. Never overwrites a file without --force."
)
KINDS = ("run", "config", "file", "page")


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="directory to write into"
    )
    parser.add_argument(
        "--count",
        type=positive_int,
        required=True,
        metavar="N",
        help="payloads of each kind (and as many invalid ones with --invalid)",
    )
    parser.add_argument("--seed", type=_seed, required=True, metavar="S", help="the seed")
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
    parser.add_argument("--force", action="store_true", help="overwrite existing files")


def run(args: argparse.Namespace) -> int:
    from strategies import CorpusExists, write_corpus

    out = output_dir(args.out)
    try:
        written = write_corpus(
            out,
            count=args.count,
            seed=args.seed,
            kinds=args.kind or KINDS,
            invalid=args.invalid,
            realistic=not args.schema_wide,
            force=args.force,
        )
    except CorpusExists as exc:
        raise UsageError(f"--out {out}: {exc}; use --force to overwrite") from None
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write ({exc.strerror})") from None
    print(f"wrote {len(written) - 1} payload file(s) and {written[-1].name} to {out}")
    return 0
