"""The live mock's pieces, built from one :class:`~mocks._server.options.ServerOptions`.

:func:`build_server` -> :class:`LiveMock`, the same way for every caller (``extract-contract
serve``, :func:`~mocks._server.live.live_server`, the pytest plugin): the run source (a seeded
or loaded store, or stateless runs), the one :class:`~mocks._core.handler.Handler` with its
faults, journal and (unless ``strict``) the ``Prefer`` controls as its policy, the admin API
when asked for (behind ``admin_token``, else ``token``), and the ASGI app over them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._adapters.admin import AdminAPI
from .._adapters.asgi import MockASGIApp, create_app
from .._adapters.prefer import PreferControls
from .._core.agents import AgentSummary, agents_with_runs
from .._core.faults import Faults, FaultSpec
from .._core.handler import Handler
from .._core.journal import Journal
from .._core.loading import store_of
from .._core.stateless import StatelessRuns
from .._core.store import RunSource, RunStore
from .._errors import InvalidFault, LoadError, ServeError
from .options import ServerOptions

__all__ = ["LiveMock", "add_faults", "build_server", "make_source"]


@dataclass
class LiveMock:
    """The configured pieces of one live mock: ``store`` (the run source), ``handler`` (with
    ``faults`` and ``journal``) and ``app`` (ASGI, serve it with any ASGI server)."""

    options: ServerOptions
    handler: Handler
    app: MockASGIApp

    @property
    def store(self) -> Any:
        """The run source now serving (the admin API's reset replaces it)."""
        return self.handler.store

    @property
    def faults(self) -> Faults:
        return self.handler.faults

    @property
    def journal(self) -> Journal:
        return self.handler.journal

    def agents(self, *, limit: int = 100) -> AgentSummary:
        """The agents that have runs now, as ``GET /__extract_contract__/agents`` answers them:
        ``.agents`` (id, number of runs) pairs (at most ``limit``), ``.total`` agents with runs
        in all (None in stateless mode, where ``.every_agent`` is True: every id is answered,
        and the agents given are examples that have runs)."""
        return agents_with_runs(self.handler.store, limit=limit)


def make_source(options: ServerOptions) -> RunSource:
    """The run source the options ask for (a seeded, given or loaded store, or stateless
    runs), shaped like your agents when the options say so."""
    schema, config = options.data_schema, options.config
    if options.mode == "stateless":
        agents = options.agents if isinstance(options.agents, Mapping) else None
        return StatelessRuns(seed=options.seed, agents=agents, data_schema=schema, config=config)
    if options.data is not None:
        return _own_runs(options.data)
    try:
        return RunStore.seeded(
            seed=options.seed,
            runs=options.runs,
            agents=options.agents,
            data_schema=schema,
            config=config,
        )
    except ValueError as exc:
        raise ServeError(str(exc)) from None


def _own_runs(data: Any) -> RunStore:
    """Your runs: a copy of a store (a reset starts again from it), a list, a file, or a
    recording's directory."""
    try:
        store: RunStore = store_of(data)
    except LoadError as exc:
        if exc.source != "data":  # a file: where in it
            raise ServeError(exc.detail, option="data", value=exc.location) from None
        if exc.record is None:  # not runs at all
            raise ServeError(exc.detail, option="data") from None
        raise ServeError(exc.detail, option="data", value=f"record #{exc.record}") from None
    return store


def build_server(options: ServerOptions) -> LiveMock:
    """Build the store, handler, controls and ASGI app that ``options`` describe."""
    handler = Handler(
        make_source(options),
        journal_size=options.journal_size,
        token=options.token,
        policy=None if options.strict else PreferControls(seed=options.seed),
    )
    add_faults(handler.faults, options.faults)
    admin = None
    if options.admin:
        admin = AdminAPI(
            handler,
            mode=options.mode,
            reset=lambda: make_source(options),
            start_faults=options.faults,
            token=options.admin_token if options.admin_token is not None else options.token,
        )
    return LiveMock(options, handler, create_app(handler, admin=admin, max_body=options.max_body))


def add_faults(faults: Faults, specs: Iterable[FaultSpec]) -> None:
    """Add the faults of ``specs``; a bad one is a :class:`~mocks._errors.ServeError` (option
    ``faults``, the value its kind)."""
    for spec in specs:
        try:
            faults.add_spec(spec)
        except InvalidFault as exc:
            raise ServeError(str(exc), option="faults", value=spec.kind) from None
