"""``extract-contract proxy``: a validating, recording reverse proxy in front of the real API."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from ._common import MAX_BODY, PORT, UsageError, seconds, whole_number

NAME = "proxy"
HELP = (
    "Forward every request to --upstream and check the answers of the four Extraction Runs "
    "operations against the contract (one line on stderr per violation; GET "
    "/__extract_contract__/violations for all); with --record DIR, write each exchange there, "
    "secrets scrubbed. On Ctrl-C or SIGTERM: a summary, exit 1 if any violation was seen."
)
PREFIX = "extract-contract proxy"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--upstream",
        required=True,
        metavar="URL",
        help="the server to forward to, e.g. https://api.cloud.llamaindex.ai",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=PORT, default=4011, help="port, 0 to 65535 (4011; 0: any free port)"
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="write each exchange with the API to DIR as one JSON file (appended to)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="answer 502 with the violations instead of passing a bad answer on",
    )
    parser.add_argument(
        "--scrub",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME",
        help="a header or query parameter whose value is secret, besides Authorization, "
        "Cookie, Set-Cookie and X-Api-Key (repeatable)",
    )
    parser.add_argument(
        "--max-body",
        type=whole_number(1, MAX_BODY),
        default=10 * 1024 * 1024,
        metavar="BYTES",
        help=f"judge answers up to this size, 1 to {MAX_BODY:,}; a larger one is passed on "
        "unjudged (10 MiB)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds(above_zero=True),
        default=30.0,
        metavar="SECONDS",
        help="for the upstream's whole answer, above 0 up to 3600; past it the client gets a "
        "504 (30)",
    )
    parser.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug", "trace"),
        default="warning",
    )


def _report(line: str) -> None:
    print(f"{PREFIX}: {line}", file=sys.stderr, flush=True)


def _build(args: argparse.Namespace) -> tuple[Any, Any]:
    from contracts.traffic import Recorder, RecordingError, Referee
    from mocks._errors import ServeError
    from mocks._server.options import ServerOptions
    from mocks._traffic.proxy import ProxyApp

    from .serve import flag

    recorder = None
    if args.record is not None:
        try:
            recorder = Recorder(args.record, scrub=args.scrub)
        except RecordingError as exc:
            raise UsageError(f"--record {exc.path}: {exc.reason}") from None
    referee = Referee(record=recorder, strict=args.strict, scrub=args.scrub, max_body=args.max_body)
    try:
        app = ProxyApp(args.upstream, referee=referee, timeout=args.timeout, report=_report)
    except ValueError as exc:
        raise UsageError(f"--upstream {args.upstream}: {exc}") from None
    try:
        options = ServerOptions(host=args.host, port=args.port, log_level=args.log_level)
    except ServeError as exc:
        raise UsageError(exc.describe(flag)) from None
    return app, options


def run(args: argparse.Namespace) -> int:
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _proxy(args)
    except KeyboardInterrupt:  # stopped before it was serving
        print(f"{PREFIX}: stopped", file=sys.stderr, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _proxy(args: argparse.Namespace) -> int:
    from mocks._errors import ServeError
    from mocks._server.live import serve_app_forever
    from mocks._traffic.direct import uvicorn_settings

    from .serve import flag

    app, options = _build(args)
    extras = [
        text
        for text, on in (
            (f"recording to {args.record}", args.record is not None),
            ("strict", args.strict),
        )
        if on
    ]

    def ready(url: str) -> None:
        more = f" ({', '.join(extras)})" if extras else ""
        print(f"{PREFIX}: forwarding {url} to {app.upstream.url}{more}", flush=True)

    try:
        serve_app_forever(app, options, on_ready=ready, configure=uvicorn_settings)
    except ServeError as exc:
        raise UsageError(exc.describe(flag)) from None
    print(f"{PREFIX}: stopped; {app.log.summary()}", file=sys.stderr, flush=True)
    return 1 if app.log.violation_count else 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
