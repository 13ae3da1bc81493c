"""``extract-contract serve``: the live mock server (uvicorn), until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.sizes import MAX_AGENTS, MAX_RUNS
from ._common import MAX_BODY, PORT, RATE, SEED, UsageError, seconds, whole_number

if TYPE_CHECKING:
    from mocks._server.build import LiveMock

NAME = "serve"
HELP = (
    "Serve the mock Extraction Runs API over HTTP (default http://127.0.0.1:4010) and print "
    "the agents that have runs. Health: GET /__extract_contract__/health. Stops cleanly on "
    "Ctrl-C or SIGTERM."
)
RUNS, AGENTS, LOG_LEVEL = 1000, 3, "warning"
"""The defaults of --runs, --agents and --log-level (the flags default to None, so that a
flag given with one it conflicts with is told from one left alone)."""
MAX_WORKERS = 64
JOURNAL_SIZE = 1000
"""The calls the journal keeps with --admin (its only reader); without it, none are kept."""
SHOWN_AGENTS = 5
"""Agents listed under the ready line; past these, how many more there are."""
_QUIET_LEVELS = ("critical", "error", "warning")  # levels that hide uvicorn's access log


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_argument_group("where")
    where.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    where.add_argument(
        "--port", type=PORT, default=4010, help="port, 0 to 65535 (4010; 0: any free port)"
    )
    what = parser.add_argument_group("what it serves")
    what.add_argument(
        "--mode",
        choices=("stateful", "stateless"),
        default="stateful",
        help="stateful: a seeded store, deletes stick (default); stateless: every valid "
        "request answered with a run made from its id",
    )
    what.add_argument(
        "--seed", type=SEED, default=0, metavar="S", help="seed of the runs, 0 to 2**64-1 (0)"
    )
    what.add_argument(
        "--runs",
        type=whole_number(0, MAX_RUNS),
        metavar="N",
        help=f"runs in the store, 0 to {MAX_RUNS:,} ({RUNS}; not with --data or stateless)",
    )
    what.add_argument(
        "--agents",
        type=whole_number(1, MAX_AGENTS),
        metavar="N",
        help=f"agents the runs belong to, 1 to {MAX_AGENTS:,} ({AGENTS}; not with --data or "
        "stateless)",
    )
    what.add_argument(
        "--data",
        type=Path,
        metavar="FILE|DIR",
        help="load the runs from a JSON array or JSON Lines file, or every run seen in a "
        "recording DIR (extract-contract proxy --record), instead of seeding them",
    )
    what.add_argument(
        "--data-schema",
        type=Path,
        metavar="FILE",
        help="your extraction agent's data_schema (a JSON Schema file): every run carries it, "
        "and a SUCCESS run's data follows it",
    )
    what.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="your extraction agent's config (an ExtractConfig JSON file), carried by every run "
        "(default with --data-schema: a realistic one with extraction_target PER_DOC)",
    )
    what.add_argument(
        "--require-auth",
        metavar="TOKEN",
        help="answer 401 unless a request carries 'Authorization: Bearer TOKEN'",
    )
    what.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="the bearer token the admin API wants (default: the --require-auth token)",
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
        "journal); behind --admin-token, else --require-auth; one worker only",
    )
    faults = parser.add_argument_group("faults")
    faults.add_argument(
        "--latency",
        type=seconds(),
        metavar="SECONDS",
        help="add to every answer of the four operations, faulted or not (not to unknown "
        "paths or methods, nor to /__extract_contract__/), 0 to 3600 (0: none)",
    )
    faults.add_argument(
        "--error-rate",
        type=RATE,
        metavar="RATE",
        help="answer 500 to this share of calls, 0 to 1 (0: none)",
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
        type=SEED,
        metavar="S",
        help="seed of fault rates, for --error-rate and each --fault that names no seed (0)",
    )
    server = parser.add_argument_group("server")
    server.add_argument(
        "--workers",
        type=whole_number(1, MAX_WORKERS),
        default=1,
        metavar="N",
        help=f"worker processes, 1 to {MAX_WORKERS} (stateless mode only: a store lives in one "
        "process)",
    )
    server.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug", "trace"),
        help=f"uvicorn's log level ({LOG_LEVEL}; info with --access-log)",
    )
    server.add_argument(
        "--access-log", action="store_true", help="log every request (at level info)"
    )
    server.add_argument(
        "--http",
        choices=("auto", "httptools", "h11"),
        default="auto",
        help="HTTP parser (auto: httptools when installed)",
    )
    server.add_argument(
        "--header-timeout",
        type=seconds(above_zero=True),
        default=10.0,
        metavar="SECONDS",
        help="drop a client whose request head takes longer than this, above 0 up to 3600 (10)",
    )
    server.add_argument(
        "--body-timeout",
        type=seconds(above_zero=True),
        default=5.0,
        metavar="SECONDS",
        help="drop a client whose request body sends no byte for this long, above 0 up to 3600 (5)",
    )
    server.add_argument(
        "--body-min-rate",
        type=whole_number(0, 1024**3),
        default=1024,
        metavar="BYTES",
        help="drop a client whose request body averages fewer bytes a second once "
        "--body-timeout has passed, 0 to 1073741824 (1024; 0: no minimum)",
    )
    server.add_argument(
        "--max-body",
        type=whole_number(1, MAX_BODY),
        default=1024 * 1024,
        metavar="BYTES",
        help=f"answer 413 to a larger request body, 1 to {MAX_BODY:,} (1 MiB)",
    )


_FLAGS = {"token": "--require-auth", "head_timeout": "--header-timeout", "faults": "--fault"}


def flag(option: str) -> str:
    """The flag of a :class:`~mocks.ServerOptions` field (``"workers"`` -> ``"--workers"``)."""
    return _FLAGS.get(option, "--" + option.replace("_", "-"))


def _conflicts(args: argparse.Namespace) -> None:
    """Refuse a flag that another given flag would make do nothing (one line, naming both)."""
    stateless = "stateless" if args.mode == "stateless" else None
    no_store = "there is no store: a run is made from its id"
    pairs = [
        ("--runs", args.runs, "--data", args.data, "the runs come from the file"),
        ("--agents", args.agents, "--data", args.data, "the file's runs name their own agents"),
        ("--runs", args.runs, "--mode", stateless, no_store),
        ("--agents", args.agents, "--mode", stateless, f"{no_store}, and every agent id has runs"),
        (
            "--data-schema",
            args.data_schema,
            "--data",
            args.data,
            "your runs carry their own data_schema and config",
        ),
        (
            "--config",
            args.config,
            "--data",
            args.data,
            "your runs carry their own data_schema and config",
        ),
    ]
    for name, value, other, other_value, why in pairs:
        if value is not None and other_value:
            raise UsageError(f"{name} {value}: not with {other} {other_value} ({why})")
    if args.access_log and args.log_level in _QUIET_LEVELS:
        raise UsageError(
            f"--access-log: not with --log-level {args.log_level} (the access log is written "
            "at level info: leave --log-level out, or give info, debug or trace)"
        )
    seeded = args.error_rate or any(_names_no_seed(text) for text in args.fault)
    if args.fault_seed is not None and not seeded:
        raise UsageError(
            f"--fault-seed {args.fault_seed}: seeds nothing here (it seeds --error-rate and "
            "each --fault that names no seed)"
        )


def _names_no_seed(text: str) -> bool:
    from mocks._core.faults import read_fault
    from mocks._errors import InvalidFault

    try:
        return read_fault(text).seed is None
    except InvalidFault:
        return True  # reported by _faults, with the fault's own message


def _faults(args: argparse.Namespace) -> list[Any]:
    """The faults of ``--fault`` (each read by the one fault reader; a seed left out takes
    ``--fault-seed``, an explicit ``seed=0`` stays 0), ``--latency`` and ``--error-rate``
    (0: no fault)."""
    from dataclasses import replace

    from mocks._core.faults import FaultSpec, read_fault
    from mocks._errors import InvalidFault

    fault_seed = args.fault_seed or 0
    specs = []
    for text in args.fault:
        try:
            spec = read_fault(text)
        except InvalidFault as exc:
            raise UsageError(f"--fault {text}: {exc}") from None
        specs.append(spec if spec.seed is not None else replace(spec, seed=fault_seed))
    if args.latency:
        specs.append(FaultSpec(kind="latency", options={"seconds": args.latency}))
    if args.error_rate:
        specs.append(FaultSpec(kind="server_error", rate=args.error_rate, seed=fault_seed))
    return specs


def _json_file(flag_name: str, path: Path | None) -> Any:
    """The JSON object in the file of ``--data-schema`` / ``--config`` (bounded reading)."""
    if path is None:
        return None
    from contracts import UnreadableJson, load_json
    from mocks._core.loading import read_text
    from mocks._errors import LoadError

    try:
        value = load_json(read_text(path), source=str(path))
    except (LoadError, UnreadableJson) as exc:
        raise UsageError(f"{flag_name} {exc}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{flag_name} {path}: expected a JSON object, got {type(value).__name__}")
    return value


def _options(args: argparse.Namespace) -> Any:
    from mocks._errors import ServeError
    from mocks._server.options import ServerOptions

    _conflicts(args)
    shapes = {"data_schema": args.data_schema, "config": args.config}
    read = {name: _json_file(flag(name), path) for name, path in shapes.items()}
    try:
        return ServerOptions(
            host=args.host,
            port=args.port,
            mode=args.mode,
            seed=args.seed,
            runs=RUNS if args.runs is None else args.runs,
            agents=AGENTS if args.agents is None else args.agents,
            data=args.data,
            token=args.require_auth,
            faults=tuple(_faults(args)),
            strict=args.strict,
            admin=args.admin,
            journal_size=JOURNAL_SIZE if args.admin else 0,  # nothing else can read it
            workers=args.workers,
            log_level=args.log_level or ("info" if args.access_log else LOG_LEVEL),
            access_log=args.access_log,
            http=args.http,
            head_timeout=args.header_timeout,
            body_timeout=args.body_timeout,
            body_min_rate=args.body_min_rate,
            admin_token=args.admin_token,
            max_body=args.max_body,
            **read,
        )
    except ServeError as exc:
        if exc.option in shapes:  # name the file the shape came from
            raise UsageError(f"{flag(exc.option)} {shapes[exc.option]}: {exc.reason}") from None
        raise UsageError(exc.describe(flag)) from None


def agent_lines(live: LiveMock) -> list[str]:
    """What ``serve`` prints under its ready line: the agents that have runs and how many
    each, the first :data:`SHOWN_AGENTS` of them and how many more; for stateless runs, that
    every agent id is answered, with one that has runs (what ``GET
    /__extract_contract__/agents`` answers, from the same :meth:`LiveMock.agents`)."""
    summary = live.agents(limit=SHOWN_AGENTS)
    if summary.every_agent:
        store = live.store
        lines = [
            f"  agents: any agent id is answered, with 0 to {store.max_total} runs made from it"
        ]
        if summary.agents:
            example, runs = summary.agents[0]
            lines.append(f"  e.g. agent {example}: {_runs(runs)}")
        return lines
    if not summary.agents:
        return ["  agents: none has runs (the store is empty)"]
    lines = [f"  agent {agent}: {_runs(runs)}" for agent, runs in summary.agents]
    total = summary.total or 0
    if total > SHOWN_AGENTS:
        more = total - SHOWN_AGENTS
        more_agents = "agent" if more == 1 else "agents"
        lines.append(f"  ... and {more:,} more {more_agents} with runs ({total:,} in all)")
    return lines


def _runs(count: int) -> str:
    return f"{count:,} run" + ("" if count == 1 else "s")


def run(args: argparse.Namespace) -> int:
    # SIGTERM while starting (imports, building the store) stops as quietly as Ctrl-C: the
    # command line's main makes it raise KeyboardInterrupt from its first line; once serving,
    # uvicorn's own handlers take over (and put that one back when they are done)
    try:
        return _serve(args)
    except KeyboardInterrupt:  # stopped before it was serving
        print("extract-contract: stopped", file=sys.stderr, flush=True)
        return 0


def _serve(args: argparse.Namespace) -> int:
    from mocks._errors import ServeError
    from mocks._server.live import serve_forever

    options = _options(args)

    def ready(url: str, live: LiveMock) -> None:
        lines = [f"extract-contract: serving on {url} ({options.describe()})"]
        print("\n".join([*lines, *agent_lines(live)]), flush=True)

    if options.admin_is_open:
        print(
            f"extract-contract serve: WARNING: the admin API (--admin) has no token and listens "
            f"on {options.host}, which other machines may reach: anyone there can reset the "
            "mock, remove its runs, add faults and read its journal. Set --admin-token or "
            "--require-auth.",
            file=sys.stderr,
            flush=True,
        )
    try:
        serve_forever(options, on_ready=ready)
    except ServeError as exc:
        raise UsageError(exc.describe(flag)) from None
    print("extract-contract: stopped", file=sys.stderr, flush=True)
    return 0
