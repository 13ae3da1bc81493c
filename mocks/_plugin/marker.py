"""One in-process mock from plain arguments: :func:`mock_api`, and the ``extract_mock`` marker.

``mock_api(seed=0, runs=100, ...)`` is the pytest plugin's ``extract_mock`` fixture as a
function: the ``@pytest.mark.extract_mock(...)`` marker takes exactly its arguments, and inside a
Hypothesis ``@given`` test (where function-scoped fixtures are refused) ``with mock_api(...) as
mock:`` gives each example a fresh mock. Every argument is checked before anything is built; a
wrong one raises :class:`~mocks._errors.InvalidMockArgument` naming it.

Your agent's shape: ``data_schema=`` and ``config=`` make every run carry them (a ``SUCCESS``
run's ``data`` follows the schema), and ``agents`` may be a mapping of your agents' ids to
``{"data_schema": ..., "config": ...}``; your own runs are ``data=``: a list of runs (or dicts),
a :class:`~mocks.RunStore` (the mock serves a copy, so each test starts from the same runs), the
path of a JSON array / JSON Lines file or of a recording's directory; ``recording=`` is a
recording's directory and nothing else (``extract-contract proxy --record`` wrote it).

Faults are given as data: a kind's name (``"server_error"``) or the command line's text form
(``"rate_limit:times=1,retry_after=2"``), a dict of :meth:`mocks.Faults.add` arguments with a
``kind`` key (``{"kind": "rate_limit", "times": 1, "retry_after": 2}``), or a list of those;
each is read by the one fault reader, :func:`~mocks._core.faults.read_fault`.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._errors import InvalidFault, InvalidMockArgument

if TYPE_CHECKING:
    from .._adapters.router import MockAPI
    from .._core.faults import FaultSpec

__all__ = ["MARKER", "MARKER_HELP", "from_marker", "mock_api"]

MARKER = "extract_mock"
MARKER_HELP = (
    f"{MARKER}(seed=<--extract-seed>, runs=100, agents=3, jobs=None, data_schema=None, "
    "config=None, data=None, mode='stateful', base_url='https://api.cloud.llamaindex.ai', "
    "token=None, faults=(), assert_all_mocked=True, recording=None): configure the extract_mock "
    "fixture (the in-process mock of the Extraction Runs API): seeded runs shaped like your "
    "agent (data_schema, config, agents={id: {...}}) or your own runs (data, or the runs of a "
    "recording), stateless mode, base URL, bearer token, faults; see mocks.mock_api"
)

Mode = Literal["stateful", "stateless"]
FaultArgument = str | Mapping[str, Any]
"""One fault: a kind's name (or ``KIND:NAME=VALUE,...``), or :meth:`mocks.Faults.add`
arguments with a ``kind`` key."""


def mock_api(
    *,
    seed: int = 0,
    runs: int | None = None,
    agents: int | Mapping[str, Any] | None = None,
    jobs: int | None = None,
    data_schema: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    data: Any = None,
    mode: Mode = "stateful",
    base_url: str | None = None,
    token: str | None = None,
    faults: FaultArgument | Sequence[FaultArgument] = (),
    assert_all_mocked: bool = True,
    recording: str | os.PathLike[str] | None = None,
) -> MockAPI:
    """A :class:`~mocks.MockAPI` (not started: use it with ``with``) configured by arguments.

    - ``seed``: the runs' seed; the same arguments give byte-identical answers;
    - ``runs`` (default 100), ``agents`` (default 3), ``jobs`` (default: one per run): the
      seeded store of the stateful mode (see :meth:`mocks.RunStore.seeded`);
    - ``data_schema``, ``config``: your agent's extraction schema and config, carried by every
      run (a ``SUCCESS`` run's ``data`` follows the schema); ``agents`` may be a mapping of
      agent ids to ``{"data_schema": ..., "config": ...}`` instead, agent by agent (in both
      modes);
    - ``data``: your own runs instead of seeded ones: a list of runs or dicts, a
      :class:`mocks.RunStore` (copied: your store is never changed), a file path (a JSON
      array or JSON Lines) or a recording's directory;
    - ``mode``: ``"stateful"`` (deletes stick) or ``"stateless"`` (every id answers a run made
      from it; ``runs``/``jobs``/``data``/``recording`` and a number of ``agents`` do not
      apply);
    - ``base_url``: where the mock answers (default: the real service's URL);
    - ``token``: require ``Authorization: Bearer <token>`` (401 otherwise);
    - ``faults``: a kind name (or ``"KIND:NAME=VALUE,..."``), a dict of :meth:`mocks.Faults.add`
      arguments with ``kind``, or a list of those;
    - ``assert_all_mocked``: fail requests to other hosts (respx's rule);
    - ``recording``: serve every run seen in this recording (a directory ``extract-contract
      proxy --record`` wrote; see :meth:`mocks.RunStore.from_recording`) instead of seeded
      runs; like ``data``, nothing that seeds or shapes runs beside it.

    >>> with mock_api(seed=3, runs=10, faults={"kind": "rate_limit", "times": 1}) as mock:
    ...     len(mock.store), len(mock.faults)
    (10, 1)
    """
    import httpx

    from .._adapters.router import MockAPI

    _whole("seed", seed, low=None)
    counted = agents if not isinstance(agents, Mapping) else None
    for name, value in (("runs", runs), ("agents", counted), ("jobs", jobs)):
        if value is not None:
            _whole(name, value, low=0 if name == "runs" else 1)
            if mode == "stateless":
                raise InvalidMockArgument(
                    f"{name}: only with mode='stateful', not 'stateless'", argument=name
                )
    if mode not in ("stateful", "stateless"):
        raise InvalidMockArgument(
            f"mode must be 'stateful' or 'stateless', got {mode!r}", argument="mode"
        )
    seeding = {"runs": runs, "agents": agents, "jobs": jobs}
    shape = {"data_schema": data_schema, "config": config}
    if data is not None:
        _alone("data", mode, **seeding, **shape)
    if recording is not None:
        if not isinstance(recording, (str, os.PathLike)):
            raise InvalidMockArgument(
                f"recording must be a directory's path, got {recording!r}", argument="recording"
            )
        _alone("recording", mode, **seeding, **shape, data=data)
    if base_url is not None and not isinstance(base_url, str):
        raise InvalidMockArgument(
            f"base_url must be a string, got {base_url!r}", argument="base_url"
        )
    if token is not None and (not isinstance(token, str) or not token):
        raise InvalidMockArgument(
            f"token must be a non-empty string or None, got {token!r}", argument="token"
        )
    if not isinstance(assert_all_mocked, bool):
        raise InvalidMockArgument(
            f"assert_all_mocked must be True or False, got {assert_all_mocked!r}",
            argument="assert_all_mocked",
        )
    fault_specs = _faults(faults)
    options: dict[str, Any] = {"token": token, "assert_all_mocked": assert_all_mocked}
    if base_url is not None:
        try:
            url: httpx.URL | None = httpx.URL(base_url)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise InvalidMockArgument(
                f"base_url must be an http(s) URL, got {base_url!r}", argument="base_url"
            )
        options["base_url"] = base_url
    if recording is not None:
        source = _own_runs(recording, argument="recording")
    elif data is not None:
        source = _own_runs(data)
    else:
        source = _source(mode, seed, runs, agents, jobs, data_schema, config)
    mock = MockAPI(source, **options)
    for spec in fault_specs:
        mock.faults.add_spec(spec)
    return mock


ARGUMENTS = tuple(inspect.signature(mock_api).parameters)
"""The names :func:`mock_api` and the marker take."""


def from_marker(args: Sequence[Any], kwargs: Mapping[str, Any], *, seed: int) -> MockAPI:
    """The mock a ``@pytest.mark.extract_mock(...)`` asks for (``seed`` when it names none)."""
    if args:
        raise InvalidMockArgument(
            f"takes keyword arguments only, got positional {', '.join(map(repr, args))}",
            argument=repr(args[0]),
        )
    unknown = sorted(set(kwargs) - set(ARGUMENTS))
    if unknown:
        raise InvalidMockArgument(
            f"unknown argument {', '.join(unknown)}; the arguments are: {', '.join(ARGUMENTS)}",
            argument=unknown[0],
        )
    return mock_api(**{"seed": seed, **kwargs})


def _whole(name: str, value: object, *, low: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidMockArgument(f"{name} must be a whole number, got {value!r}", argument=name)
    if low is not None and value < low:
        raise InvalidMockArgument(f"{name} must be >= {low}, got {value}", argument=name)


def _source(
    mode: Mode,
    seed: int,
    runs: int | None,
    agents: int | Mapping[str, Any] | None,
    jobs: int | None,
    data_schema: Any,
    config: Any,
) -> Any:
    from .._errors import InvalidShape

    shape = {"data_schema": data_schema, "config": config}
    try:
        if mode == "stateless":
            from .._core.stateless import StatelessRuns

            given = agents if isinstance(agents, Mapping) or agents is None else None
            return StatelessRuns(seed=seed, agents=given, **shape)
        from .._core.store import RunStore

        return RunStore.seeded(
            seed=seed,
            runs=100 if runs is None else runs,
            agents=3 if agents is None else agents,
            jobs=jobs,
            **shape,
        )
    except InvalidShape as exc:
        argument = "agents" if exc.agent is not None else exc.argument
        raise InvalidMockArgument(str(exc), argument=argument) from None


def _alone(argument: str, mode: Mode, **others: Any) -> None:
    """``data`` or ``recording`` is the whole store: stateful only, and none of ``others`` (a
    seeded store's arguments, your agent's shape, the other source of runs) beside it."""
    if mode == "stateless":
        raise InvalidMockArgument(
            f"{argument}: only with mode='stateful' (stateless runs are made from ids)",
            argument=argument,
        )
    given = [name for name, value in others.items() if value is not None]
    if given:
        raise InvalidMockArgument(
            f"{argument}: not with {given[0]}= (your runs carry their own agents, data_schema "
            "and config)",
            argument=argument,
        )


def _own_runs(data: Any, *, argument: str = "data") -> Any:
    """The store of your own runs (``data``: :func:`~mocks._core.loading.store_of`) or of a
    recording (``recording``: :meth:`~mocks.RunStore.from_recording`, a directory only); a bad
    run, file or directory is one line naming the argument and where."""
    from .._core.loading import store_of
    from .._core.store import RunStore
    from .._errors import LoadError

    load = RunStore.from_recording if argument == "recording" else store_of
    try:
        return load(data)
    except LoadError as exc:  # "data: record #2: ..." or "data: runs.jsonl:3: ..."
        message = str(exc) if exc.source == "data" else f"{argument}: {exc}"
        raise InvalidMockArgument(message, argument=argument) from None


def _faults(faults: object) -> list[FaultSpec]:
    """``faults`` read as fault specs (all of them, before anything is built)."""
    from .._core.faults import read_fault

    items = [faults] if isinstance(faults, (str, Mapping)) else faults
    if not isinstance(items, (list, tuple)):
        raise InvalidMockArgument(
            f"faults must be a fault kind, a dict with 'kind', or a list of those, got {faults!r}",
            argument="faults",
        )
    specs: list[FaultSpec] = []
    for position, item in enumerate(items):
        if not isinstance(item, str) and not (
            isinstance(item, Mapping) and isinstance(item.get("kind"), str)
        ):
            raise InvalidMockArgument(
                f"faults[{position}] must be a fault kind or a dict with a 'kind', got {item!r}",
                argument="faults",
            )
        try:
            specs.append(read_fault(item))
        except InvalidFault as exc:
            raise InvalidMockArgument(f"faults[{position}]: {exc}", argument="faults") from None
    return specs
