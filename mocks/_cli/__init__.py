"""The ``extract-contract`` command line: one console script, one module per subcommand.

Each subcommand module in :data:`COMMANDS` has ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``, and imports what it needs inside ``run`` so that ``--help`` stays fast.
Exit codes: 0 ok, 1 a contract violation or a failed check, 2 a usage error (one line, no
traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from ._common import UsageError

__all__ = ["main"]

PROG = "extract-contract"
COMMANDS = ("serve", "conform", "fixtures", "schema", "validate", "proxy", "drift")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit 2."""

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
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command's own parser, which names the command and its --help
        args._parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        code: int = args._run(args)
    except UsageError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
