"""Fixtures of the live-server tests: one real server process per module, and its store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mocks import RunStore

from ._process import AGENTS, RUNS, SEED, Served, serve_process


@pytest.fixture(scope="session")
def seeded_store() -> RunStore:
    """The store the served process holds (same seed, same runs, same bytes)."""
    return RunStore.seeded(seed=SEED, runs=RUNS, agents=AGENTS)


_SMALL_LIMITS = ("--header-timeout", "1", "--body-timeout", "1", "--max-body", "65536")


@pytest.fixture(scope="module", params=["httptools", "h11"])
def transport_server(request: pytest.FixtureRequest) -> Iterator[Served]:
    """A real server process per HTTP parser, for the transport-level tests."""
    with serve_process("--runs", "5", "--http", request.param, *_SMALL_LIMITS) as live:
        yield live


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """One real server process for a module's tests (stateful, small limits for the tests)."""
    with serve_process(
        "--seed",
        str(SEED),
        "--runs",
        str(RUNS),
        "--agents",
        str(AGENTS),
        "--header-timeout",
        "1",
        "--max-body",
        "65536",
    ) as live:
        yield live
