"""The run source of the stateless mock: every valid request gets a valid, realistic answer.

Nothing is remembered. A run is a pure function of ``(seed, run id)``, made by
:func:`strategies.sample` with a seed derived from both (blake2b, stable across processes and
replicas), so the same id gives the same body on every call, in every process:

- ``get_run(id)``: the run made from ``id``;
- ``get_run_by_job(job)``: the run made from an id derived from ``(seed, job)``, with that
  ``job_id``;
- ``list_runs(agent, skip, limit)``: agent ``agent`` has ``total`` runs (derived from
  ``(seed, agent)``, 0 to ``max_total``); item ``i`` is the run made from the id derived from
  ``(seed, agent, i)``, with ``extraction_agent_id`` set to ``agent``. Pages list items in
  index order, so walking them with ``skip`` sees each run once;
- ``delete_run(id)``: 200 ``{}`` for any id (there is nothing to forget).

Your agent's shape (:mod:`mocks._core.shapes`): ``data_schema=`` and ``config=`` make every
run carry them; ``agents={agent_id: {...}}`` names your agents, agent by agent: a run made from
an id alone then belongs to one of them (picked from ``(seed, id)``), with its shape, and a
page of one of them carries its shape.

Because nothing is remembered, a listed run fetched by id comes back with the
``extraction_agent_id`` it was made with, not the agent it was listed under, and a run's
``job_id`` does not lead back to it. Use the stateful :class:`~mocks._core.store.RunStore` for
tests that follow ids from one call to the next.

Made bodies are cached (a bounded LRU: ``_cached_body`` beside the plain ``_make_body``), which
changes nothing but speed.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .http import dump_json
from .shapes import Shapes
from .store import derive_seed, derive_uuid, page_json_joined

__all__ = ["StatelessRuns"]


class StatelessRuns:
    """Runs made on demand from ids: ``StatelessRuns(seed=0, max_total=100)``.

    ``max_total`` bounds the ``total`` of an agent's list; ``cache_size`` bounds the bodies
    kept for speed. ``data_schema``, ``config`` and ``agents`` (a mapping of agent ids to
    ``{"data_schema", "config"}``) shape the runs like your agent's (see the module docstring);
    a schema keyword the generator cannot honour is an :class:`~mocks._errors.InvalidShape`
    (a ValueError) naming it.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        max_total: int = 100,
        cache_size: int = 4096,
        data_schema: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        agents: Mapping[str, Any] | None = None,
    ) -> None:
        for name, value in (("seed", seed), ("max_total", max_total), ("cache_size", cache_size)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"StatelessRuns: {name} must be a whole number, got {value!r}")
        if max_total < 0 or cache_size < 0:
            raise ValueError("StatelessRuns: max_total and cache_size must be >= 0")
        self.seed = seed
        self.max_total = max_total
        self.shapes = Shapes.read(data_schema=data_schema, config=config, agents=agents)
        self._agents = self.shapes.agent_ids
        # the fast path of _make_body: the same bytes, kept (a property test holds them equal)
        self._cached_body = lru_cache(maxsize=cache_size)(self._make_body)

    def run(self, run_id: str, **fields: Any) -> dict[str, Any]:
        """The run made from ``run_id`` (lower-case, hyphenated), with ``fields`` set on it."""
        from strategies import sample

        agent = fields.get("extraction_agent_id")
        if agent is None and self._agents:  # a run of one of your agents
            agent = self._agents[derive_seed(self.seed, "agent-of", run_id) % len(self._agents)]
            fields = {**fields, "extraction_agent_id": agent}
        seed = derive_seed(self.seed, "run", run_id)
        shape = self.shapes.of(agent).overrides(
            lambda: sample("config", seed=derive_seed(self.seed, "config", run_id))[0]
        )
        made = sample("run", seed=seed, **shape)[0]
        made["id"] = run_id
        made["job_id"] = derive_uuid(self.seed, "job-of", run_id)
        made.update(fields)
        return made

    def _make_body(self, run_id: str, agent_id: str | None, job_id: str | None) -> bytes:
        fields: dict[str, Any] = {}
        if agent_id is not None:
            fields["extraction_agent_id"] = agent_id
        if job_id is not None:
            fields["job_id"] = job_id
        return dump_json(self.run(run_id, **fields))

    def total(self, agent_id: str) -> int:
        """How many runs ``agent_id`` has in this mock's world."""
        return derive_seed(self.seed, "total", agent_id) % (self.max_total + 1)

    # -- what the handler asks ----------------------------------------------------------------

    def run_json(self, run_id: str) -> bytes | None:
        body: bytes = self._cached_body(run_id, None, None)
        return body

    def run_json_by_job(self, job_id: str) -> bytes | None:
        body: bytes = self._cached_body(derive_uuid(self.seed, "run-of-job", job_id), None, job_id)
        return body

    def delete(self, run_id: str) -> bool:
        return True

    def page_json(self, agent_id: str, skip: int, limit: int) -> bytes:
        total = self.total(agent_id)
        window = range(min(skip, total), min(skip + limit, total))
        items = [
            self._cached_body(derive_uuid(self.seed, "list", agent_id, i), agent_id, None)
            for i in window
        ]
        return page_json_joined(items, total, skip, limit)
