"""The ``extract-contract`` command line: one console script, one module per subcommand.

Each subcommand module in :data:`COMMANDS` has ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``, and imports what it needs inside ``run`` so that ``--help`` stays fast.
Exit codes: 0 ok, 1 a contract violation or a failed check, 2 a usage error (one line, no
traceback).
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType, ModuleType
from typing import Any, NoReturn

__all__ = ["main"]

PROG = "extract-contract"
COMMANDS = ("serve", "conform", "fixtures", "schema", "validate", "proxy", "drift")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit 2, and that takes every
    negative number (``-inf`` too) for a value, not an option (see ``_common``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ._common import NEGATIVE_NUMBER

        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _command_modules() -> list[ModuleType]:
    modules = []
    for name in COMMANDS:
        try:
            modules.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as exc:  # a subcommand whose module is not in this build
            if exc.name != f"{__name__}.{name}":
                raise
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Contract tests, fixtures and mock servers for the LlamaCloud Extraction Runs API."
        ),
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        own_version = version("extract-contract")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        own_version = "unknown"
    parser.add_argument("--version", action="version", version=f"%(prog)s {own_version}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in _command_modules():
        command = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=module.HELP,
        )
        module.add_arguments(command)
        command.set_defaults(_run=module.run, _parser=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it).

    From its first line, SIGTERM stops the program as Ctrl-C does (a ``KeyboardInterrupt``),
    so a signal that comes while it starts (imports, reading the arguments) stops it quietly
    too: ``serve`` with "stopped" and exit code 0, as it stops once serving, any other command
    with "interrupted" and 130.
    """
    given = list(sys.argv[1:] if argv is None else argv)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
    who = PROG  # with the command's name once the arguments are read
    try:
        from ._common import UsageError

        parser = build_parser()
        args, unknown = parser.parse_known_args(given)
        if unknown:  # said by the command's own parser, which names the command and its --help
            args._parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        who = f"{PROG} {args.command}"
        try:
            code: int = args._run(args)
        except UsageError as exc:
            print(f"{who}: error: {exc}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        if given[:1] == ["serve"]:  # serve stops on a signal with 0, whenever it comes
            print(f"{PROG}: stopped", file=sys.stderr)
            return 0
        print(f"{who}: interrupted", file=sys.stderr)
        return 130
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    return code


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
