"""``extract-contract schema``: write the JSON Schemas and the OpenAPI document."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import output_dir

NAME = "schema"
HELP = "Write the JSON Schemas (draft 2020-12) and the OpenAPI 3.1 document to a directory."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="directory to write into"
    )


def run(args: argparse.Namespace) -> int:
    from contracts import write_artifacts

    out = output_dir(args.out)
    for path in write_artifacts(out):
        print(path)
    return 0
