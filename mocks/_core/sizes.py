"""The largest stores the mock builds: one definition for the store, the server's options and
the command line (this module imports nothing, so ``serve --help`` can name the caps cheaply)."""

from __future__ import annotations

__all__ = ["MAX_AGENTS", "MAX_RUNS"]

MAX_RUNS = 1_000_000
"""The most runs :meth:`~mocks._core.store.RunStore.seeded` makes (each is made and kept in
memory: 100,000 runs take about 0.8 GiB and 15 s)."""
MAX_AGENTS = 100_000
"""The most agents (and jobs) :meth:`~mocks._core.store.RunStore.seeded` spreads runs over."""
