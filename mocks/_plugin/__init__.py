"""The pytest plugin (entry point ``extract_contract``): the mock API as fixtures.

Fixtures, all named ``extract_*``:

- ``extract_mock``: the in-process mock, a started :class:`mocks.MockAPI` made afresh for each
  test and configured by ``@pytest.mark.extract_mock(...)``, which takes the arguments of
  :func:`mocks.mock_api` (use that one inside Hypothesis ``@given`` tests);
- ``extract_server``: the live mock for the session (uvicorn on a free 127.0.0.1 port, one per
  pytest-xdist worker): a :class:`mocks.RunningMock` with ``url`` and ``store``, built from
  ``extract_server_options`` (a :class:`mocks.ServerOptions`; override that fixture to change it);
- ``extract_seed``: the run's seed, ``--extract-seed`` (default 0), session-scoped;
- ``extract_transport`` / ``extract_async_transport``: httpx transports that judge (and with
  ``--extract-record DIR``, record) a test's real exchanges with the API, failing the test on a
  violation (:mod:`mocks._plugin.traffic`).

``--extract-coverage`` (``--extract-coverage-report=PATH``, ``--extract-coverage-fail-under=N``)
reports what the suite exercised of the contract against the mocks, every xdist worker merged
(:mod:`mocks._plugin.coverage`).

``--extract-conformance`` adds one test to the run, ``extract_contract::conformance``: the
conformance run of :mod:`contracts.conformance` against ``--extract-base-url`` (a server of
yours), or against a live mock of its own (``extract_server_options``) when no URL is given.

Importing this module imports pytest and nothing heavy: the fixtures import what they use.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

import pytest

from .._errors import InvalidMockArgument
from . import coverage
from .conformance import ConformanceSuite, add_options, check_options
from .marker import MARKER, MARKER_HELP, from_marker
from .traffic import add_options as add_traffic_options
from .traffic import check_options as check_traffic_options
from .traffic import extract_async_transport, extract_transport

__all__ = ["extract_async_transport", "extract_transport"]  # fixtures of .traffic, here too

if TYPE_CHECKING:
    from .._adapters.router import MockAPI
    from .._server.live import RunningMock
    from .._server.options import ServerOptions


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("extract-contract", "extract-contract (mock Extraction Runs API)")
    add_options(group)
    coverage.add_options(group)
    add_traffic_options(group)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    check_options(config)
    coverage.check_options(config)
    check_traffic_options(config)


def pytest_report_header(config: pytest.Config) -> str:
    return f"extract-contract: --extract-seed={config.getoption('extract_seed')}"


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """With ``--extract-conformance``, the session collects the plugin's own tests too."""
    report = yield
    if isinstance(collector, pytest.Session) and report.passed:
        report.result.extend(ConformanceSuite.wanted(collector))
    return report


@pytest.fixture(scope="session")
def extract_seed(pytestconfig: pytest.Config) -> int:
    """The run's seed (``--extract-seed``, default 0): the mocks' default seed."""
    seed: int = pytestconfig.getoption("extract_seed")
    return seed


@pytest.fixture
def extract_mock(request: pytest.FixtureRequest, extract_seed: int) -> Iterator[MockAPI]:
    """The in-process mock for this test, as ``@pytest.mark.extract_mock(...)`` configures it."""
    marker = request.node.get_closest_marker(MARKER)
    args, kwargs = (marker.args, marker.kwargs) if marker else ((), {})
    try:
        mock = from_marker(args, kwargs, seed=extract_seed)
    except InvalidMockArgument as exc:  # one line naming the argument, no traceback
        raise pytest.fail.Exception(f"@pytest.mark.{MARKER}: {exc}", pytrace=False) from None
    if "extract_server" in request.fixturenames:  # respx lets the session's live mock through
        url = request.getfixturevalue("extract_server").url
        mock.router.route(url__startswith=url).pass_through()
    with mock:
        yield mock


@pytest.fixture(scope="session")
def extract_server_options(extract_seed: int) -> ServerOptions:
    """What ``extract_server`` serves: ``extract-contract serve``'s defaults, seeded."""
    from .._server.options import ServerOptions

    return ServerOptions(seed=extract_seed, log_level="error")


@pytest.fixture(scope="session")
def extract_server(extract_server_options: ServerOptions) -> Iterator[RunningMock]:
    """The live mock for the session: ``.url`` (``http://127.0.0.1:PORT``) and ``.store``."""
    from .._server.live import live_server

    with live_server(extract_server_options) as running:
        yield running
