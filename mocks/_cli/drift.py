"""``extract-contract drift``: replay a recording against the mock, report where they differ."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import UsageError, seconds

NAME = "drift"
HELP = (
    "Replay every exchange recorded in DIR (extract-contract proxy --record) against the "
    "bundled mock loaded with the recorded runs, or against --base-url, and print where the "
    "answers differ (status, body, content type, the headers a client reads). "
    "Exit 0: no drift; 1: drift; 2: a usage error."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, metavar="DIR", help="a recording")
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="replay against this server instead of the bundled mock (its data is its own)",
    )
    parser.add_argument(
        "--allow-writes",
        action="store_true",
        help="with --base-url: replay DELETE to a host that is not loopback as written",
    )
    parser.add_argument(
        "--timeout",
        type=seconds(above_zero=True),
        default=10.0,
        metavar="SECONDS",
        help="with --base-url: for each whole answer, above 0 up to 3600 (10)",
    )


def run(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from contracts.traffic import RecordingError
    from mocks._traffic.drift import drift

    if args.base_url is not None:
        parts = urlsplit(args.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--base-url {args.base_url}: expected an http:// or https:// URL")
    elif args.allow_writes:
        raise UsageError("--allow-writes: only with --base-url (the bundled mock is yours)")
    try:
        report = drift(
            args.directory,
            base_url=args.base_url,
            allow_writes=args.allow_writes,
            timeout=args.timeout,
        )
    except RecordingError as exc:
        raise UsageError(f"{exc.path}: {exc.reason}") from None
    print(report.table())
    sys.stdout.flush()
    return report.exit_code
