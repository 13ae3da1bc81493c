"""The live mock server: options, the configured pieces, and uvicorn to serve them.

One :class:`ServerOptions` (what ``extract-contract serve`` takes on its command line) builds
everything, the same way for every caller:

- :func:`build_server` -> :class:`LiveMock`: the run source (stateful store or stateless
  runs), the one :class:`~mocks._handler.Handler` with its faults and journal, the Prefer
  controls, the admin API when asked for, and the ASGI app over them;
- :func:`uvicorn_config` -> the hardened ``uvicorn.Config`` (see :mod:`mocks._protocol`);
- :func:`serve_forever` runs it in the foreground (the command line): binds the port first
  (a port in use is a :class:`ServeError`), prints the URL when ready, stops on Ctrl-C or
  SIGTERM with exit code 0, and runs ``--workers`` processes in stateless mode;
- :func:`live_server` runs it in a thread for a ``with`` block (tests, ``conform --embedded``, the
  pytest plugin's live fixture) and always stops it.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from .._adapters.asgi import DEFAULT_MAX_BODY, MockASGIApp, create_app
from .._adapters.protocol import Limits, attach_limits, protocol_class
from .._errors import MockError

__all__ = [
    "FaultSpec",
    "LiveMock",
    "RunningMock",
    "ServeError",
    "ServerOptions",
    "build_server",
    "live_server",
    "serve_forever",
    "uvicorn_config",
]

Mode = Literal["stateful", "stateless"]
_OPTIONS_ENV = "EXTRACT_CONTRACT_SERVE_OPTIONS"  # how --workers hands the options to each worker


class ServeError(MockError):
    """The server cannot start as asked (port in use, unreadable ``--data``, ...); the message
    is one line naming the option at fault."""


@dataclass(frozen=True)
class FaultSpec:
    """One fault to add at start: :meth:`mocks.Faults.add` arguments, as plain data."""

    kind: str
    operation: str | None = None
    times: int | None = None
    rate: float | None = None
    seed: int = 0
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerOptions:
    """Everything the live mock can be told; the defaults are ``extract-contract serve``'s."""

    host: str = "127.0.0.1"
    port: int = 4010
    mode: Mode = "stateful"
    seed: int = 0
    runs: int = 1000
    agents: int = 3
    data: Path | None = None
    token: str | None = None
    faults: tuple[FaultSpec, ...] = ()
    strict: bool = False
    admin: bool = False
    workers: int = 1
    log_level: str = "warning"
    access_log: bool = False
    http: str = "auto"
    journal_size: int = 1000
    max_body: int = DEFAULT_MAX_BODY
    max_request_line: int = Limits.max_request_line
    max_head: int = Limits.max_head
    head_timeout: float = Limits.head_timeout
    keep_alive_timeout: int = 5

    def __post_init__(self) -> None:
        if self.mode not in ("stateful", "stateless"):
            raise ServeError(f"--mode {self.mode}: choose stateful or stateless")
        if self.workers < 1:
            raise ServeError(f"--workers {self.workers}: must be >= 1")
        if self.workers > 1 and self.mode == "stateful":
            raise ServeError(
                f"--workers {self.workers}: only with --mode stateless (a stateful store lives in "
                "one process; several workers would each delete from their own copy)"
            )
        if self.data is not None and self.mode == "stateless":
            raise ServeError("--data: only with --mode stateful (stateless runs come from ids)")
        try:
            self.limits  # noqa: B018 - checks the numbers
        except ValueError as exc:
            raise ServeError(str(exc)) from None

    @property
    def limits(self) -> Limits:
        return Limits(
            max_request_line=self.max_request_line,
            max_head=self.max_head,
            head_timeout=self.head_timeout,
            max_body=self.max_body,
        )

    def describe(self) -> str:
        """What is being served, for the ready line: ``stateful, 1000 runs, seed 0``."""
        if self.mode == "stateless":
            what = f"stateless, seed {self.seed}"
        elif self.data is not None:
            what = f"stateful, runs from {self.data}"
        else:
            what = f"stateful, {self.runs} runs, seed {self.seed}"
        extras = [
            flag
            for flag, on in (
                ("auth", self.token is not None),
                ("strict", self.strict),
                ("admin", self.admin),
                (f"{len(self.faults)} fault(s)", bool(self.faults)),
                (f"{self.workers} workers", self.workers > 1),
            )
            if on
        ]
        return ", ".join([what, *extras])

    def to_json(self) -> str:
        payload = asdict(self)
        payload["data"] = None if self.data is None else str(self.data)
        return json.dumps(payload)

    @classmethod
    def from_json(cls, text: str) -> ServerOptions:
        payload = json.loads(text)
        payload["data"] = None if payload["data"] is None else Path(payload["data"])
        payload["faults"] = tuple(FaultSpec(**spec) for spec in payload["faults"])
        return cls(**payload)


@dataclass
class LiveMock:
    """The configured pieces of one live mock: ``store`` (the run source), ``handler`` (with
    ``faults`` and ``journal``) and ``app`` (ASGI, serve it with any ASGI server)."""

    options: ServerOptions
    handler: Any
    app: MockASGIApp

    @property
    def store(self) -> Any:
        """The run source now serving (the admin API's reset replaces it)."""
        return self.handler.store

    @property
    def faults(self) -> Any:
        return self.handler.faults

    @property
    def journal(self) -> Any:
        return self.handler.journal


def make_source(options: ServerOptions) -> Any:
    """The run source the options ask for (a seeded or loaded store, or stateless runs)."""
    if options.mode == "stateless":
        from .._core.stateless import StatelessRuns

        return StatelessRuns(seed=options.seed)
    from .._core.loading import LoadError, load_runs
    from .._core.store import RunStore

    if options.data is not None:
        store = RunStore()
        try:
            load_runs(store, options.data)
        except LoadError as exc:
            raise ServeError(str(exc)) from None
        return store
    try:
        return RunStore.seeded(seed=options.seed, runs=options.runs, agents=options.agents)
    except ValueError as exc:
        raise ServeError(str(exc)) from None


def build_server(options: ServerOptions) -> LiveMock:
    """Build the store, handler, controls and ASGI app that ``options`` describe."""
    from .._adapters.admin import AdminAPI
    from .._adapters.prefer import PreferControls
    from .._core.handler import Handler

    source = make_source(options)
    handler = Handler(source, journal_size=options.journal_size, token=options.token)
    add_faults(handler.faults, options.faults)
    answer: Callable[..., Any] = handler.handle
    if not options.strict:
        answer = PreferControls(handler, seed=options.seed)
    admin = AdminAPI(handler, options) if options.admin else None
    app = create_app(answer, admin=admin, max_body=options.max_body)
    return LiveMock(options, handler, app)


def add_faults(faults: Any, specs: tuple[FaultSpec, ...]) -> None:
    """Add the faults of ``specs`` to a fault registry; a bad one is a :class:`ServeError`."""
    from .._errors import InvalidFault

    for spec in specs:
        try:
            faults.add(
                spec.kind,
                operation=spec.operation,
                times=spec.times,
                rate=spec.rate,
                seed=spec.seed,
                **spec.options,
            )
        except (InvalidFault, TypeError, ValueError) as exc:
            raise ServeError(f"--fault {spec.kind}: {exc}") from None


def uvicorn_config(app: Any, options: ServerOptions, *, port: int | None = None) -> Any:
    """The hardened ``uvicorn.Config`` for ``app`` (an ASGI app or an import string)."""
    import uvicorn

    limits = options.limits
    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port if port is None else port,
        http=protocol_class(options.http),
        ws="none",
        lifespan="off",
        log_level=options.log_level,
        access_log=options.access_log,
        server_header=False,
        timeout_keep_alive=options.keep_alive_timeout,
        timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=limits.max_head,
        workers=options.workers,
        factory=isinstance(app, str),
    )
    attach_limits(config, limits)
    return config


def app_from_environment() -> MockASGIApp:
    """The app of one ``--workers`` process, built from the options the parent passed on."""
    return _build_for_process(ServerOptions.from_json(os.environ[_OPTIONS_ENV])).app


def _build_for_process(options: ServerOptions) -> LiveMock:
    """:func:`build_server` in a process that exists to serve: the cyclic garbage collector is
    off while the store's many objects are made (a quarter of the build time), and they are
    frozen afterwards, so that no later collection walks them again."""
    gc.disable()
    try:
        live = build_server(options)
    finally:
        gc.enable()
    gc.freeze()
    return live


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``, or a one-line :class:`ServeError`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"--port {port}: address {host}:{port} is already in use") from None
        if exc.errno == errno.EACCES:
            raise ServeError(f"--port {port}: permission denied on {host}") from None
        reason = exc.strerror or str(exc)
        raise ServeError(f"--host {host} --port {port}: cannot listen ({reason})") from None
    sock.set_inheritable(True)
    return sock


def _server_class() -> type[Any]:
    import uvicorn

    class _Server(uvicorn.Server):
        """uvicorn's server that reports when it is ready and stops on a signal with no
        traceback and exit code 0 (uvicorn re-raises the signal after shutting down)."""

        on_ready: Callable[[], None] | None = None

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and self.on_ready is not None:
                self.on_ready()

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)
            original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    return _Server


def serve_forever(options: ServerOptions, *, on_ready: Callable[[str], None]) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM; ``on_ready(url)`` once it answers."""
    if options.workers > 1:
        _serve_workers(options, on_ready)
        return
    live = _build_for_process(options)
    sock = bind(options.host, options.port)
    url = _url(options.host, sock.getsockname()[1])
    server = _server_class()(uvicorn_config(live.app, options, port=sock.getsockname()[1]))
    server.on_ready = lambda: on_ready(url)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _serve_workers(options: ServerOptions, on_ready: Callable[[str], None]) -> None:
    from uvicorn.supervisors import Multiprocess

    build_server(options)  # fail here, once, on bad options rather than in every worker
    sock = bind(options.host, options.port)
    port = sock.getsockname()[1]
    os.environ[_OPTIONS_ENV] = replace(options, port=port).to_json()
    config = uvicorn_config("mocks._server.build:app_from_environment", options, port=port)
    supervisor = Multiprocess(config, sockets=[sock])
    on_ready(_url(options.host, port))  # the socket listens: connections queue until a worker
    try:
        supervisor.run()
    finally:
        sock.close()


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@dataclass
class RunningMock:
    """A live mock serving in a thread: its ``url`` and its configured pieces (``live``)."""

    url: str
    live: LiveMock

    @property
    def store(self) -> Any:
        return self.live.store

    @property
    def handler(self) -> Any:
        return self.live.handler


@contextlib.contextmanager
def live_server(
    options: ServerOptions | None = None, *, startup_timeout: float = 10.0, **changes: Any
) -> Iterator[RunningMock]:
    """Serve the live mock in a thread on a free port of 127.0.0.1 for a ``with`` block.

    ``live_server(runs=50, seed=3)`` or ``live_server(ServerOptions(...))``; the port of the
    options is ignored (a free one is picked). Uses the same builder and uvicorn configuration as
    ``extract-contract serve``; the server is always stopped when the block ends.
    """
    options = replace(options or ServerOptions(), **changes)
    if options.workers != 1:
        raise ServeError("live_server(): serves one process; use extract-contract serve --workers")
    live = build_server(options)
    sock = bind(options.host, 0)
    port = sock.getsockname()[1]
    ready = threading.Event()
    server = _server_class()(uvicorn_config(live.app, options, port=port))
    server.on_ready = ready.set
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="extract-contract-serve", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    try:
        while not ready.wait(0.01):
            if not thread.is_alive():
                raise ServeError(f"the live mock on port {port} stopped while starting")
            if time.monotonic() > deadline:
                raise ServeError(
                    f"the live mock on port {port} did not start in {startup_timeout}s"
                )
        yield RunningMock(_url(options.host, port), live)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
