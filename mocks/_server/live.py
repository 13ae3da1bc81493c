"""Serving the live mock with uvicorn: in the foreground, in worker processes, or in a thread.

- :func:`uvicorn_config` -> the hardened ``uvicorn.Config`` (see
  :mod:`mocks._adapters.protocol`);
- :func:`serve_forever` runs it in the foreground (the command line): binds the port first
  (a port in use is a :class:`~mocks._errors.ServeError`), reports the URL when ready, stops
  on Ctrl-C or SIGTERM with exit code 0, and runs several worker processes in stateless mode;
- :func:`live_server` runs it in a thread for a ``with`` block (tests, the pytest plugin's live
  fixture) and always stops it; :func:`embedded_mock` is the bundled mock as ``conform
  --embedded`` serves it, with agents that have runs.

Any other ASGI app (the proxy of ``extract-contract proxy``) is served the same way, with the
same hardened configuration: :func:`serve_app_forever` in the foreground, :func:`serving_app`
in a thread; ``configure`` may adjust the uvicorn ``Config`` first.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from .._adapters.asgi import MockASGIApp
from .._adapters.direct import DirectAnswers
from .._adapters.protocol import attach_direct, attach_limits, protocol_class
from .._core.agents import agents_with_runs
from .._core.handler import Handler
from .._core.store import RunSource
from .._errors import ServeError
from .build import LiveMock, build_server
from .options import OPTIONS_ENV, ServerOptions

__all__ = [
    "RunningMock",
    "app_from_environment",
    "bind",
    "embedded_mock",
    "live_server",
    "serve_app_forever",
    "serve_forever",
    "serving_app",
    "uvicorn_config",
]

Configure = Callable[[Any], None]


def uvicorn_config(app: Any, options: ServerOptions, *, port: int | None = None) -> Any:
    """The hardened ``uvicorn.Config`` for ``app`` (an ASGI app or an import string); the
    mock's app (or a worker's factory of it) gets its plain requests answered directly."""
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
        factory=isinstance(app, (str, _WorkerApp)),
    )
    attach_limits(config, limits)
    if options.direct_answers and isinstance(app, (MockASGIApp, _WorkerApp)):
        attach_direct(config, app.direct if isinstance(app, _WorkerApp) else DirectAnswers(app))
    return config


@dataclass
class _WorkerApp:
    """The app factory of a ``--workers`` process, pickled with the uvicorn ``Config`` (with the
    config's :class:`DirectAnswers`, the same object): builds the app, and hands it over."""

    direct: DirectAnswers

    def __call__(self) -> MockASGIApp:
        app = app_from_environment()
        self.direct.app = app
        return app


def app_from_environment() -> MockASGIApp:
    """The app of one worker process, built from the options the parent passed on."""
    return _build_for_process(ServerOptions.from_json(os.environ[OPTIONS_ENV])).app


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
            reason = f"address {host}:{port} is already in use"
            raise ServeError(reason, option="port", value=port) from None
        if exc.errno == errno.EACCES:
            raise ServeError(f"permission denied on {host}", option="port", value=port) from None
        reason = f"cannot listen on port {port} ({exc.strerror or exc})"
        raise ServeError(reason, option="host", value=host) from None
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


def serve_forever(options: ServerOptions, *, on_ready: Callable[[str, LiveMock], None]) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM; ``on_ready(url, live)`` once it
    answers (``live``: what it serves, e.g. to tell which agents have runs)."""
    if options.workers > 1:
        _serve_workers(options, on_ready)
        return
    live = _build_for_process(options)
    serve_app_forever(live.app, options, on_ready=lambda url: on_ready(url, live))


def serve_app_forever(
    app: Any,
    options: ServerOptions,
    *,
    on_ready: Callable[[str], None],
    configure: Configure | None = None,
) -> None:
    """Serve ``app`` in the foreground with the hardened configuration of ``options``, until
    Ctrl-C or SIGTERM; ``on_ready(url)`` once it answers."""
    sock = bind(options.host, options.port)
    url = _url(options.host, sock.getsockname()[1])
    config = uvicorn_config(app, options, port=sock.getsockname()[1])
    if configure is not None:
        configure(config)
    server = _server_class()(config)
    server.on_ready = lambda: on_ready(url)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _serve_workers(options: ServerOptions, on_ready: Callable[[str, LiveMock], None]) -> None:
    from uvicorn.supervisors import Multiprocess

    live = build_server(options)  # fail here, once, on bad options rather than in every worker
    sock = bind(options.host, options.port)
    port = sock.getsockname()[1]
    os.environ[OPTIONS_ENV] = replace(options, port=port).to_json()
    config = uvicorn_config(_WorkerApp(DirectAnswers()), options, port=port)
    supervisor = Multiprocess(config, sockets=[sock])
    on_ready(_url(options.host, port), live)  # the socket listens: connections queue until a worker
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
        """The run source now serving (typed loosely: a RunStore or StatelessRuns)."""
        return self.live.store

    @property
    def handler(self) -> Handler:
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
        reason = "live_server() serves one process (the command line's serve runs several)"
        raise ServeError(reason, option="workers", value=options.workers)
    live = build_server(options)
    with serving_app(live.app, options, startup_timeout=startup_timeout) as url:
        yield RunningMock(url, live)


@contextlib.contextmanager
def serving_app(
    app: Any,
    options: ServerOptions | None = None,
    *,
    startup_timeout: float = 10.0,
    configure: Configure | None = None,
) -> Iterator[str]:
    """Serve ``app`` in a thread on a free port of ``options.host`` (127.0.0.1) for a
    ``with`` block, with the hardened configuration; yields its URL; always stops it."""
    options = options or ServerOptions()
    sock = bind(options.host, 0)
    port = sock.getsockname()[1]
    ready = threading.Event()
    config = uvicorn_config(app, options, port=port)
    if configure is not None:
        configure(config)
    server = _server_class()(config)
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
        yield _url(options.host, port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextlib.contextmanager
def embedded_mock(
    seed: int = 0, *, stateless: bool = False, agents: int = 3
) -> Iterator[tuple[str, list[str]]]:
    """The bundled mock as ``extract-contract conform --embedded`` checks it: ``serve``'s
    options (``seed``, stateful or stateless), quiet, served on a free loopback port for the
    block. Yields its base URL and up to ``agents`` agent ids that have runs: the store's first
    agents, or for stateless runs (where any id answers) ids derived from the seed whose lists
    are not empty."""
    mode = "stateless" if stateless else "stateful"
    with live_server(mode=mode, seed=seed, log_level="error") as mock:
        yield mock.url, _agents_with_runs(mock.store, agents)


def _agents_with_runs(store: RunSource, count: int) -> list[str]:
    return [agent for agent, _ in agents_with_runs(store, limit=count).agents]
