"""``extract-contract serve``: the live mock server (uvicorn), until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from ._common import UsageError, non_negative_int, positive_int

NAME = "serve"
HELP = (
    "Serve the mock Extraction Runs API over HTTP (default http://127.0.0.1:4010). "
    "Health: GET /__extract_contract__/health. Stops cleanly on Ctrl-C or SIGTERM."
)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected seconds >= 0, got {text}")
    return value


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected seconds > 0, got 0")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_argument_group("where")
    where.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    where.add_argument("--port", type=non_negative_int, default=4010, help="port (4010; 0: any)")
    what = parser.add_argument_group("what it serves")
    what.add_argument(
        "--mode",
        choices=("stateful", "stateless"),
        default="stateful",
        help="stateful: a seeded store, deletes stick (default); stateless: every valid "
        "request answered with a run made from its id",
    )
    what.add_argument("--seed", type=int, default=0, help="seed of the runs (0)")
    what.add_argument(
        "--runs", type=non_negative_int, default=1000, help="runs in the store (1000)"
    )
    what.add_argument(
        "--agents", type=positive_int, default=3, help="agents the runs belong to (3)"
    )
    what.add_argument(
        "--data",
        type=Path,
        metavar="FILE|DIR",
        help="load the runs from a JSON array or JSON Lines file, or every run seen in a "
        "recording DIR (extract-contract proxy --record), instead of seeding them",
    )
    what.add_argument(
        "--require-auth",
        metavar="TOKEN",
        help="answer 401 unless a request carries 'Authorization: Bearer TOKEN'",
    )
    what.add_argument(
        "--strict",
        action="store_true",
        help="ignore Prism-style 'Prefer: code=/dynamic=/seed=' request headers",
    )
    what.add_argument(
        "--admin",
        action="store_true",
        help="enable the admin API under /__extract_contract__/admin (reset, runs, faults, "
        "journal)",
    )
    faults = parser.add_argument_group("faults")
    faults.add_argument("--latency", type=_seconds, metavar="SECONDS", help="add to every answer")
    faults.add_argument(
        "--error-rate", type=_rate, metavar="RATE", help="answer 500 to this share of calls"
    )
    faults.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:NAME=VALUE,...]",
        help="add a fault, e.g. rate_limit:rate=0.1,retry_after=2 or "
        "status:status=503,operation=get_run,times=3 (repeatable; an unknown kind's error "
        "lists the kinds)",
    )
    faults.add_argument(
        "--fault-seed",
        type=int,
        default=0,
        help="seed of fault rates, for --error-rate and each --fault that names no seed (0)",
    )
    server = parser.add_argument_group("server")
    server.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="worker processes (stateless mode only: a store lives in one process)",
    )
    server.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug", "trace"),
        default="warning",
    )
    server.add_argument("--access-log", action="store_true", help="log every request")
    server.add_argument(
        "--http",
        choices=("auto", "httptools", "h11"),
        default="auto",
        help="HTTP parser (auto: httptools when installed)",
    )
    server.add_argument(
        "--header-timeout",
        type=_positive_seconds,
        default=10.0,
        metavar="SECONDS",
        help="drop a client whose request head takes longer than this (10)",
    )
    server.add_argument(
        "--max-body",
        type=positive_int,
        default=1024 * 1024,
        metavar="BYTES",
        help="answer 413 to a larger request body (1 MiB)",
    )


_FLAGS = {"token": "--require-auth", "head_timeout": "--header-timeout", "faults": "--fault"}


def flag(option: str) -> str:
    """The flag of a :class:`~mocks.ServerOptions` field (``"workers"`` -> ``"--workers"``)."""
    return _FLAGS.get(option, "--" + option.replace("_", "-"))


def _faults(args: argparse.Namespace) -> list[Any]:
    """The faults of ``--fault`` (each read by the one fault reader; a seed left out takes
    ``--fault-seed``, an explicit ``seed=0`` stays 0), ``--latency`` and ``--error-rate``."""
    from dataclasses import replace

    from mocks._core.faults import FaultSpec, read_fault
    from mocks._errors import InvalidFault

    specs = []
    for text in args.fault:
        try:
            spec = read_fault(text)
        except InvalidFault as exc:
            raise UsageError(f"--fault {text}: {exc}") from None
        specs.append(spec if spec.seed is not None else replace(spec, seed=args.fault_seed))
    if args.latency:
        specs.append(FaultSpec(kind="latency", options={"seconds": args.latency}))
    if args.error_rate:
        specs.append(FaultSpec(kind="server_error", rate=args.error_rate, seed=args.fault_seed))
    return specs


def _options(args: argparse.Namespace) -> Any:
    from mocks._errors import ServeError
    from mocks._server.options import ServerOptions

    try:
        return ServerOptions(
            host=args.host,
            port=args.port,
            mode=args.mode,
            seed=args.seed,
            runs=args.runs,
            agents=args.agents,
            data=args.data,
            token=args.require_auth,
            faults=tuple(_faults(args)),
            strict=args.strict,
            admin=args.admin,
            workers=args.workers,
            log_level=args.log_level,
            access_log=args.access_log,
            http=args.http,
            head_timeout=args.header_timeout,
            max_body=args.max_body,
        )
    except ServeError as exc:
        raise UsageError(exc.describe(flag)) from None


def run(args: argparse.Namespace) -> int:
    # SIGTERM while starting (imports, building the store) stops as quietly as Ctrl-C; once
    # serving, uvicorn's own handlers take over (and put this one back when they are done)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _serve(args)
    except KeyboardInterrupt:  # stopped before it was serving
        print("extract-contract: stopped", file=sys.stderr, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve(args: argparse.Namespace) -> int:
    from mocks._errors import ServeError
    from mocks._server.live import serve_forever

    options = _options(args)

    def ready(url: str) -> None:
        print(f"extract-contract: serving on {url} ({options.describe()})", flush=True)

    try:
        serve_forever(options, on_ready=ready)
    except ServeError as exc:
        raise UsageError(exc.describe(flag)) from None
    print("extract-contract: stopped", file=sys.stderr, flush=True)
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
