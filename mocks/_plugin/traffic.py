"""The validating transports as fixtures: a downstream suite that runs against the real service
judges every exchange it makes with one line (see :mod:`contracts.traffic`)::

    def test_runs_of_my_agent(extract_transport):
        client = LlamaCloud(api_key=..., http_client=httpx.Client(transport=extract_transport))
        ...

- ``extract_transport``: a :func:`contracts.validating_transport` (over a real
  ``httpx.HTTPTransport``) for this test; ``extract_async_transport``: its async twin, for an
  ``httpx.AsyncClient``;
- when the test ends, any violation fails it: the failure lists each, with its curl line
  (secrets masked);
- ``--extract-record DIR`` records every exchange into DIR (one JSON file each, secrets
  scrubbed; several tests and pytest-xdist workers append to one DIR without clobbering);
  ``--extract-scrub NAME`` names one more secret header or query parameter (repeatable).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from contracts.traffic import AsyncValidatingTransport, ValidatingTransport

__all__ = ["add_options", "check_options", "extract_async_transport", "extract_transport"]


def add_options(group: pytest.OptionGroup) -> None:
    """The options of the transport fixtures, in the plugin's own group."""
    group.addoption(
        "--extract-record",
        metavar="DIR",
        help="extract_transport and extract_async_transport record every exchange with the "
        "API into DIR (secrets scrubbed)",
    )
    group.addoption(
        "--extract-scrub",
        action="append",
        default=[],
        metavar="NAME",
        help="a header or query parameter whose value is secret in those recordings, besides "
        "Authorization, Cookie, Set-Cookie and X-Api-Key (repeatable)",
    )


def check_options(config: pytest.Config) -> None:
    """Refuse a ``--extract-record`` DIR that cannot be written, before any test runs."""
    if config.getoption("extract_record") is not None:
        _options(config)


def _options(config: pytest.Config) -> dict[str, Any]:
    from contracts.traffic import Recorder, RecordingError

    record = config.getoption("extract_record")
    scrub = config.getoption("extract_scrub")
    recorder = None
    if record is not None:
        try:
            recorder = Recorder(record, scrub=scrub)
        except RecordingError as exc:
            raise pytest.UsageError(f"--extract-record {exc.path}: {exc.reason}") from None
    return {"record": recorder, "scrub": scrub}


def _judged(transport: ValidatingTransport | AsyncValidatingTransport) -> None:
    from contracts.traffic import TrafficAssertionError

    try:
        transport.assert_no_violations()
    except TrafficAssertionError as exc:
        raise pytest.fail.Exception(str(exc), pytrace=False) from None


@pytest.fixture
def extract_transport(pytestconfig: pytest.Config) -> Iterator[ValidatingTransport]:
    """An httpx transport that judges (and with ``--extract-record``, records) every exchange
    with the four operations; the test fails at its end if any answer broke the contract."""
    from contracts.traffic import ValidatingTransport

    transport = ValidatingTransport(**_options(pytestconfig))
    yield transport
    transport.close()
    _judged(transport)


@pytest.fixture
def extract_async_transport(pytestconfig: pytest.Config) -> Iterator[AsyncValidatingTransport]:
    """:func:`extract_transport` for an ``httpx.AsyncClient``."""
    from contracts.traffic import AsyncValidatingTransport

    transport = AsyncValidatingTransport(**_options(pytestconfig))
    yield transport  # the test's AsyncClient closes it
    _judged(transport)
