"""Which agents have runs: what ``GET /__extract_contract__/agents`` answers, what ``serve``
prints under its start line, and what ``conform --embedded`` checks.

A made-up agent id lists an empty page, so a user (or a conformance run) needs to be told which
ids to ask for. :func:`agents_with_runs` says it for any run source:

- a stateful store (:class:`~mocks._core.store.RunStore`): its agents that have runs, in the
  store's order (a seeded store: in seeding order), each with its number of runs, and how many
  such agents there are in all;
- stateless runs (:class:`~mocks._core.stateless.StatelessRuns`): *every* agent id is answered,
  with 0 to ``max_total`` runs derived from the id; the agents given are examples, derived from
  the seed, that have runs (the same ones in every process), and ``total`` is None;
- anything else: nothing is known (no agents, ``total`` None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .stateless import StatelessRuns
from .store import derive_uuid

__all__ = ["AgentSummary", "agents_with_runs"]

_EXAMPLES_TRIED = 100  # derived ids tried for stateless examples (each has runs with p ~ 0.99)


@dataclass(frozen=True)
class AgentSummary:
    """Agents that have runs: ``agents`` (id, number of runs) pairs from the ``skip``-th on,
    ``total`` agents with runs in all (None when not counted: stateless, or unknown), and
    ``every_agent`` (stateless: every agent id is answered, these are examples)."""

    agents: tuple[tuple[str, int], ...]
    total: int | None
    every_agent: bool = False

    def as_json(self) -> dict[str, Any]:
        """The JSON answer of ``GET /__extract_contract__/agents``."""
        answer: dict[str, Any] = {
            "agents": [{"id": agent, "runs": runs} for agent, runs in self.agents],
            "total": self.total,
        }
        if self.every_agent:
            answer["every_agent"] = True
            answer["note"] = (
                "stateless mode: every agent id is answered, with a number of runs derived "
                "from the id; these are examples that have runs"
            )
        return answer


def agents_with_runs(source: Any, *, skip: int = 0, limit: int = 100) -> AgentSummary:
    """The agents of ``source`` that have runs (see the module docstring), at most ``limit``
    of them from the ``skip``-th on."""
    if isinstance(source, StatelessRuns):
        examples = (derive_uuid(source.seed, "embedded-agent", n) for n in range(_EXAMPLES_TRIED))
        with_runs = [(agent, source.total(agent)) for agent in examples]
        found = [(agent, runs) for agent, runs in with_runs if runs > 0]
        return AgentSummary(tuple(found[skip : skip + limit]), None, every_agent=True)
    listed = getattr(source, "agents", None)
    count = getattr(source, "count", None)
    if not callable(listed) or not callable(count):
        return AgentSummary((), None)
    agents: list[str] = listed()
    chosen = agents[skip : skip + limit]
    return AgentSummary(tuple((agent, count(agent)) for agent in chosen), len(agents))
