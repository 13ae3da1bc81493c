"""The pytest plugin's command-line options and its opt-in conformance test.

``--extract-conformance`` adds the test :func:`conformance_test` to a downstream run: the
conformance run of :func:`contracts.conformance.run_conformance` against ``--extract-base-url``
(with ``--extract-header`` and ``--extract-agent-id``), or, when no URL is given, against a live
mock of its own, built from the ``extract_server_options`` fixture. It does not use the session's
``extract_server``: a conformance run deletes runs, which other tests of the session would see.
The bundled mock is on loopback, so writes are allowed there; a URL that is not loopback as
written is checked read-only unless ``--extract-allow-writes`` / ``--extract-allow-delete``
say otherwise. The politeness and bounds options (``--extract-rate``,
``--extract-max-requests``, ``--extract-max-wait``, ``--extract-timeout``) are the run's own.
The failure message lists every failing check with the curl line that reproduces it; an
inconclusive run (no run of the API seen) or a server that cannot be tested fails too, saying
why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .._server.options import ServerOptions

__all__ = ["ConformanceSuite", "add_options", "check_options", "conformance_test"]


def add_options(group: pytest.OptionGroup) -> None:
    """The ``--extract-*`` options, in the plugin's own group. Each number is read by the
    command line's own range type (:mod:`mocks._cli._common`), so a value out of range is the
    same one line as there: ``argument --extract-seed: expected a whole number from 0 to
    18446744073709551615, got '-5'`` (a pytest usage error, exit 4)."""
    from .._cli._common import SEED, seconds
    from .._cli.conform import EXAMPLES, MAX_EXAMPLES, MAX_RATE, MAX_REQUESTS, RATE, REQUESTS

    group.addoption(
        "--extract-seed",
        type=SEED,
        default=0,
        metavar="N",
        help="seed of the mocks' runs and of the conformance run, 0 to 2**64-1 (default: 0)",
    )
    group.addoption(
        "--extract-conformance",
        action="store_true",
        help="add the test extract_contract::conformance: check --extract-base-url (or a "
        "bundled live mock) against the Extraction Runs API contract",
    )
    group.addoption(
        "--extract-base-url",
        metavar="URL",
        help="the server --extract-conformance checks (default: a bundled live mock)",
    )
    group.addoption(
        "--extract-agent-id",
        action="append",
        default=[],
        metavar="UUID",
        help="an extraction agent with runs on --extract-base-url (repeatable)",
    )
    group.addoption(
        "--extract-header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header for every conformance request, e.g. 'Authorization: Bearer TOKEN'",
    )
    group.addoption(
        "--extract-max-examples",
        type=EXAMPLES,
        metavar="N",
        help=f"conformance examples per operation and phase, 1 to {MAX_EXAMPLES:,} (default: 100)",
    )
    group.addoption(
        "--extract-read-only",
        action="store_true",
        help="conformance sends no DELETE, even to a loopback host",
    )
    group.addoption(
        "--extract-allow-writes",
        action="store_true",
        help="conformance may send DELETE to a host that is not loopback",
    )
    group.addoption(
        "--extract-allow-delete",
        action="append",
        default=[],
        metavar="RUN_ID",
        help="a read-only conformance run may delete exactly this run (repeatable)",
    )
    for name, kind, meaning in (
        (
            "rate",
            RATE,
            f"conformance requests per second at most, above 0 up to {MAX_RATE:,} "
            "(default: 10 off loopback)",
        ),
        (
            "max-requests",
            REQUESTS,
            f"the conformance run's budget of requests, 1 to {MAX_REQUESTS:,}",
        ),
        (
            "max-wait",
            seconds(),
            "the longest wait for a 429's Retry-After, 0 to 3600 s (default: 30)",
        ),
        (
            "timeout",
            seconds(above_zero=True),
            "seconds for each whole conformance request, above 0 up to 3600 (default: 10)",
        ),
    ):
        group.addoption(f"--extract-{name}", type=kind, metavar="N", help=meaning)


_RUN_OPTIONS = (
    "read_only",
    "allow_writes",
    "allow_delete",
    "rate",
    "max_requests",
    "max_wait",
    "timeout",
)


def _run_options(config: pytest.Config) -> dict[str, Any]:
    """The run's own options that were given (the library's defaults for the others)."""
    given = {name: config.getoption(f"extract_{name}") for name in _RUN_OPTIONS}
    return {k: v for k, v in given.items() if v is not None and v is not False and v != []}


def check_options(config: pytest.Config) -> None:
    """Refuse wrong ``--extract-*`` options with one line naming the option."""
    url = config.getoption("extract_base_url")
    agents = config.getoption("extract_agent_id")
    headers = config.getoption("extract_header")
    conformance = config.getoption("extract_conformance")
    given = [
        flag
        for flag, value in (
            ("--extract-base-url", url),
            ("--extract-agent-id", agents),
            ("--extract-header", headers),
            ("--extract-max-examples", config.getoption("extract_max_examples")),
            *((f"--extract-{n.replace('_', '-')}", True) for n in _run_options(config)),
        )
        if value
    ]
    if given and not conformance:
        raise pytest.UsageError(f"{given[0]}: only used with --extract-conformance")
    if url is not None and not url.startswith(("http://", "https://")):
        raise pytest.UsageError(f"--extract-base-url {url!r}: expected an http:// or https:// URL")
    if agents and url is None:
        raise pytest.UsageError("--extract-agent-id: only with --extract-base-url")
    if agents:
        from contracts import is_uuid

        for agent in agents:
            if not is_uuid(agent):
                raise pytest.UsageError(f"--extract-agent-id {agent!r}: not a UUID")
    if headers:
        _headers(headers)
    _check_run_options(config, url)


def _check_run_options(config: pytest.Config, url: str | None) -> None:
    from contracts.conformance import InvalidOption, Limits, write_policy

    options = _run_options(config)
    try:
        limits = {k: v for k, v in options.items() if k in ("rate", "max_requests", "timeout")}
        Limits(**limits, max_wait=options.get("max_wait", 30.0))
        write_policy(
            url or "http://127.0.0.1",
            read_only=options.get("read_only", False),
            allow_writes=options.get("allow_writes", False),
            allow_delete=options.get("allow_delete", ()),
        )
    except InvalidOption as exc:
        flag = "--extract-" + exc.option.replace("_", "-")
        raise pytest.UsageError(f"{flag} {exc.value}: expected {exc.expected}") from None


def _headers(values: list[str]) -> dict[str, str]:
    """The ``--extract-header`` values as headers (the one reader of header lines)."""
    from .._core.http import read_header_lines
    from .._errors import InvalidHeader

    try:
        return read_header_lines(values)
    except InvalidHeader as exc:
        raise pytest.UsageError(f"--extract-header {exc}") from None


class ConformanceSuite(pytest.Collector):
    """The plugin's own tests, outside any file: ``extract_contract::conformance``."""

    @classmethod
    def wanted(cls, session: pytest.Session) -> list[ConformanceSuite]:
        """The suite, if ``--extract-conformance`` asks for it."""
        if not session.config.getoption("extract_conformance"):
            return []
        return [cls.from_parent(session, name="extract_contract", nodeid="extract_contract")]

    def collect(self) -> list[pytest.Item]:
        return [ConformanceTest.from_parent(self, name="conformance", callobj=conformance_test)]


class ConformanceTest(pytest.Function):
    """The conformance test; reported by its node id (it lives in no test module)."""

    def reportinfo(self) -> tuple[Any, int | None, str]:
        path, lineno, _ = super().reportinfo()
        return path, lineno, self.nodeid


def conformance_test(pytestconfig: pytest.Config, extract_server_options: ServerOptions) -> None:
    """The server conforms to the Extraction Runs API contract (``--extract-conformance``)."""
    from contracts.conformance import (
        AccessDenied,
        Inconclusive,
        NonConformance,
        ServerUnreachable,
        ServerUntestable,
        assert_conforms,
    )

    config = pytestconfig
    options: dict[str, Any] = {"seed": config.getoption("extract_seed")}
    if config.getoption("extract_max_examples") is not None:
        options["max_examples"] = config.getoption("extract_max_examples")
    options.update(_run_options(config))
    url = config.getoption("extract_base_url")
    try:
        if url is not None:
            headers = _headers(config.getoption("extract_header"))
            agents = config.getoption("extract_agent_id")
            assert_conforms(url, headers=headers, agent_ids=agents, **options)
        else:
            _conforms_bundled(extract_server_options, options)
    except (NonConformance, Inconclusive, ServerUntestable) as exc:  # no traceback: the report
        raise pytest.fail.Exception(str(exc), pytrace=False) from None
    except ServerUnreachable as exc:
        message = f"--extract-base-url {exc.base_url}: cannot reach the server ({exc.reason})"
        raise pytest.fail.Exception(message, pytrace=False) from None
    except AccessDenied as exc:
        message = f"--extract-header: {exc}; e.g. --extract-header 'Authorization: Bearer TOKEN'"
        raise pytest.fail.Exception(message, pytrace=False) from None


def _conforms_bundled(server: ServerOptions, options: dict[str, Any]) -> None:
    """Serve a live mock as ``server`` describes, for this run only, and check it."""
    from contracts.conformance import assert_conforms

    from .._core.tally import counting_into
    from .._server.live import live_server

    headers = {} if server.token is None else {"Authorization": f"Bearer {server.token}"}
    with counting_into(None), live_server(server) as mock:  # not the suite's API coverage
        stateless = server.mode == "stateless"
        agents = () if stateless else tuple(mock.store.agents()[:3])
        assert_conforms(mock.url, headers=headers, agent_ids=agents, stateless=stateless, **options)
