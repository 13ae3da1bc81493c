"""The run store of the stateful mock: thread-safe, indexed, and fast to answer from.

Each run is kept as its compact JSON bytes (what the mock sends, serialised once) beside a few
index entries, so answering a get is a dict lookup and a list page is a slice:

- by id: ``dict`` of lower-case id -> entry;
- by agent and by job: a sorted ``list`` of sort keys per agent / job, kept sorted with
  ``bisect``; a delete removes the key (``bisect`` + ``del``, a memmove), so a page costs
  O(limit) however many runs the store holds or has deleted.

**List order** (documented, stable): newest ``created_at`` first, ties by id ascending; runs
without ``created_at`` come last, by id. ``get_run_by_job`` answers the first run of that job in
the same order (the newest). One lock guards every read and write, so a page and its ``total``
always agree, and a run is deleted exactly once.

**Pages asked again** (a client polling its agent's list) are answered as a get is, with one
dict read: the last :data:`PAGES_KEPT` pages made (each up to :data:`PAGE_BYTES_KEPT` bytes) are
kept, and every write (add, delete, clear) forgets them all, under the same lock. A property test
holds a kept page equal to the page made afresh.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import threading
import uuid
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from contracts import datetime_instant, validate

from .._errors import InvalidRun
from .http import dump_json
from .sizes import MAX_AGENTS, MAX_RUNS

__all__ = [
    "MAX_AGENTS",
    "MAX_RUNS",
    "RunSource",
    "RunStore",
    "derive_seed",
    "derive_uuid",
    "page_json",
    "page_json_joined",
]


SortKey = tuple[int, int, int, str]

PAGES_KEPT = 64
"""List pages a store keeps made (then it forgets them all and starts again)."""
PAGE_BYTES_KEPT = 128 * 1024
"""The largest page a store keeps made (a page of 50 typical runs is about 60 KB)."""


class RunSource(Protocol):
    """What the request handler asks of its runs; :class:`RunStore` (stateful) and
    :class:`~mocks._core.stateless.StatelessRuns` provide it. Ids arrive lower-case, hyphenated."""

    def run_json(self, run_id: str) -> bytes | None:
        """The run's JSON body, or None if there is no such run."""

    def run_json_by_job(self, job_id: str) -> bytes | None:
        """The JSON body of the run of this job, or None."""

    def delete(self, run_id: str) -> bool:
        """Delete the run; False if there was no such run."""

    def page_json(self, agent_id: str, skip: int, limit: int) -> bytes:
        """The JSON body of one list page: ``{"items", "total", "skip", "limit"}``."""


def derive_seed(seed: int, *parts: object) -> int:
    """A 64-bit seed derived from ``seed`` and ``parts`` (stable across processes)."""
    text = ":".join(str(p) for p in (seed, *parts)).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def derive_uuid(seed: int, *parts: object) -> str:
    """A version-4 UUID derived from ``seed`` and ``parts`` (stable across processes)."""
    text = ":".join(str(p) for p in ("uuid", seed, *parts)).encode()
    return str(uuid.UUID(bytes=hashlib.blake2b(text, digest_size=16).digest(), version=4))


def page_json(items: Iterable[bytes], total: int, skip: int, limit: int) -> bytes:
    """A list page's body from its items' JSON bytes, fields in the model's order."""
    return b'{"items":[%s],"total":%d,"skip":%d,"limit":%d}' % (
        b",".join(items),
        total,
        skip,
        limit,
    )


_PAGE_HEAD = b'{"items":['


def page_json_joined(items: list[bytes], total: int, skip: int, limit: int) -> bytes:
    """:func:`page_json` in one join: the page's head rides on its first item and its tail on
    its last, so the items' bytes (24 KB for a page of 20) are copied once, not twice. ``items``
    is the caller's own fresh list, and is changed. A property test holds them equal."""
    tail = b'],"total":%d,"skip":%d,"limit":%d}' % (total, skip, limit)
    if not items:
        return _PAGE_HEAD + tail
    items[0] = _PAGE_HEAD + items[0]
    items[-1] += tail
    return b",".join(items)


def _sort_key(run: Mapping[str, Any], run_id: str) -> SortKey:
    """Newest ``created_at`` first (read by :func:`contracts.datetime_instant`), ties by id;
    runs without a date last, by id."""
    instant = datetime_instant(run.get("created_at"))
    if instant is None:
        return (1, 0, 0, run_id)
    seconds, nanos = instant
    return (0, -seconds, -nanos, run_id)


class _Entry:
    __slots__ = ("agent", "body", "job", "key")

    def __init__(self, key: SortKey, agent: str, job: str | None, body: bytes) -> None:
        self.key = key
        self.agent = agent
        self.job = job
        self.body = body


def _as_dict(run: Any, position: int) -> dict[str, Any]:
    if isinstance(run, BaseModel):
        dumped: dict[str, Any] = run.model_dump(mode="json", by_alias=True)
        return dumped
    if isinstance(run, Mapping):
        return dict(run)
    raise InvalidRun(
        f"expected an ExtractRun (or another pydantic model) or a dict, got {type(run).__name__}",
        record=position,
    )


class RunStore:
    """The runs of a stateful mock.

    ``RunStore(runs)`` holds your own runs (``contracts.ExtractRun`` objects, other pydantic
    models or dicts), each checked against the contract on the way in;
    :meth:`seeded` makes realistic ones from a seed. Safe to share between threads.
    """

    def __init__(self, runs: Iterable[Any] = ()) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, _Entry] = {}
        self._by_agent: dict[str, list[SortKey]] = {}
        self._by_job: dict[str, list[SortKey]] = {}
        self._pages: dict[tuple[str, int, int], bytes] = {}  # (agent, skip, limit) -> page
        self.add(*runs)

    @classmethod
    def seeded(
        cls,
        *,
        seed: int = 0,
        runs: int = 100,
        agents: int | Mapping[str, Any] = 3,
        jobs: int | None = None,
        data_schema: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> RunStore:
        """A store of ``runs`` realistic runs (at most :data:`MAX_RUNS`) spread evenly over
        ``agents`` agents (at most :data:`MAX_AGENTS`).

        Every run has a job; ``jobs=None`` gives each run its own, a number shares that many
        jobs among the runs (round robin). The same arguments give the same runs, byte for
        byte, in every process. Agent ids are :meth:`agents`, in order.

        Your agent's shape (see :mod:`mocks._core.shapes`): ``data_schema=`` and ``config=``
        make every agent's runs carry them (a ``SUCCESS`` run's ``data`` follows the schema);
        ``agents`` may also be a mapping of your agents' ids to ``{"data_schema": ...,
        "config": ...}``, agent by agent. A schema keyword the generator cannot honour is an
        :class:`~mocks._errors.InvalidShape` (a ValueError) naming it.
        """
        given = agents if isinstance(agents, Mapping) else None
        counted = None if given is not None else agents  # a mapping is checked by Shapes.read
        for name, value, low, high in (
            ("runs", runs, 0, MAX_RUNS),
            ("agents", counted, 1, MAX_AGENTS),
            ("jobs", jobs, 1, MAX_AGENTS),
        ):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"RunStore.seeded: {name} must be a whole number, got {value!r}")
            if value is not None and value < low:
                raise ValueError(f"RunStore.seeded: {name} must be >= {low}, got {value}")
            if value is not None and value > high:
                raise ValueError(f"RunStore.seeded: {name} must be at most {high:,}, got {value}")
        from strategies import sample

        from .shapes import Shapes

        shapes = Shapes.read(data_schema=data_schema, config=config, agents=given)
        if given is None:
            assert isinstance(agents, int)
            agent_ids = [derive_uuid(seed, "agent", a) for a in range(agents)]
        else:
            agent_ids = shapes.agent_ids
        count = len(agent_ids)
        job_ids = None if jobs is None else [derive_uuid(seed, "job", j) for j in range(jobs)]
        project = derive_uuid(seed, "project")
        made: list[tuple[dict[str, Any], bytes]] = []
        for a, agent in enumerate(agent_ids):
            # one agent: one project, one schema and config, as a real extraction agent has
            profile = sample("run", seed=derive_seed(seed, "profile", a))[0]
            realistic: dict[str, Any] = profile["config"]
            shape = {
                "data_schema": profile["data_schema"],
                "config": realistic,
                **shapes.of(agent).overrides(partial(dict, realistic)),
            }
            numbers = range(a, runs, count)  # run i belongs to agent i % agents
            batch = sample(
                "run",
                seed=derive_seed(seed, "agent", a),
                count=len(numbers),
                extraction_agent_id=agent,
                project_id=project,
                **shape,
            )
            for i, run in zip(numbers, batch, strict=True):
                run["job_id"] = (
                    derive_uuid(seed, "run-job", i)
                    if job_ids is None
                    else job_ids[i % len(job_ids)]
                )
                made.append((run, dump_json(run)))
        store = cls()
        store._insert(made)
        store._agent_order = agent_ids
        return store

    _agent_order: list[str] | None = None

    @classmethod
    def from_recording(cls, path: str | os.PathLike[str]) -> RunStore:
        """A store of every run seen in a recording (the directory ``extract-contract proxy
        --record`` or ``contracts.validating_transport(record=...)`` wrote): the last sighting
        of an id wins, and a run seen deleted is absent. A
        :class:`~mocks._errors.LoadError` names a file that is not a recording, or the file
        and field of a run that breaks the contract."""
        from .recorded import load_recording

        store = cls()
        load_recording(store, Path(path))
        return store

    # -- writing ------------------------------------------------------------------------------

    def add(self, *runs: Any) -> list[str]:
        """Check ``runs`` against the contract and add them all (or none); returns their ids.

        Raises :class:`~mocks._errors.InvalidRun` carrying the record (position and id) and
        every violation of the contract, or an id that is already in the store or given twice.
        """
        checked: list[tuple[dict[str, Any], bytes]] = []
        for position, run in enumerate(runs):
            as_dict = _as_dict(run, position)
            violations = validate(as_dict, "run")
            if violations:
                run_id = as_dict.get("id")
                raise InvalidRun(
                    record=position,
                    run_id=run_id if isinstance(run_id, str) else None,
                    violations=violations,
                )
            checked.append((as_dict, dump_json(as_dict)))
        return self._insert(checked, labels=True)

    def _insert(
        self, runs: list[tuple[dict[str, Any], bytes]], *, labels: bool = False
    ) -> list[str]:
        prepared = []
        seen: set[str] = set()
        for position, (run, body) in enumerate(runs):
            run_id = run["id"].lower()
            if run_id in seen:
                raise InvalidRun("the id is given twice", record=position, run_id=run["id"])
            seen.add(run_id)
            job = run.get("job_id")
            entry = _Entry(
                _sort_key(run, run_id),
                run["extraction_agent_id"].lower(),
                job.lower() if isinstance(job, str) else None,
                body,
            )
            prepared.append((run_id, entry))
        with self._lock:
            for position, (run_id, _) in enumerate(prepared):
                if run_id in self._by_id:
                    raise InvalidRun(
                        "a run with this id is already in the store", record=position, run_id=run_id
                    )
            self._pages.clear()
            touched_agents: dict[str, list[SortKey]] = {}
            touched_jobs: dict[str, list[SortKey]] = {}
            for run_id, entry in prepared:
                self._by_id[run_id] = entry
                touched_agents.setdefault(entry.agent, []).append(entry.key)
                if entry.job is not None:
                    touched_jobs.setdefault(entry.job, []).append(entry.key)
            _merge(self._by_agent, touched_agents)
            _merge(self._by_job, touched_jobs)
        return [run_id for run_id, _ in prepared]

    def delete(self, run_id: str) -> bool:
        """Delete the run ``run_id``; False if there is no such run."""
        with self._lock:
            entry = self._by_id.pop(run_id.lower(), None)
            if entry is None:
                return False
            self._pages.clear()
            _remove(self._by_agent, entry.agent, entry.key)
            if entry.job is not None:
                _remove(self._by_job, entry.job, entry.key)
            return True

    def copy(self) -> RunStore:
        """A new store holding the same runs (deleting from one leaves the other as it is)."""
        new = RunStore()
        with self._lock:
            new._by_id = dict(self._by_id)  # entries are never changed, only replaced
            new._by_agent = {agent: list(keys) for agent, keys in self._by_agent.items()}
            new._by_job = {job: list(keys) for job, keys in self._by_job.items()}
        new._agent_order = self._agent_order
        return new

    def clear(self) -> None:
        """Remove every run."""
        with self._lock:
            self._pages.clear()
            self._by_id.clear()
            self._by_agent.clear()
            self._by_job.clear()

    # -- reading (what the handler asks) -----------------------------------------------------

    def run_json(self, run_id: str) -> bytes | None:
        entry = self._by_id.get(run_id)  # a single dict read needs no lock
        return None if entry is None else entry.body

    def run_json_by_job(self, job_id: str) -> bytes | None:
        with self._lock:
            keys = self._by_job.get(job_id)
            return self._by_id[keys[0][3]].body if keys else None

    def page_json(self, agent_id: str, skip: int, limit: int) -> bytes:
        asked = (agent_id, skip, limit)
        page = self._pages.get(asked)  # a page kept since the last write: a single dict read
        if page is None:
            with self._lock:
                page = self._made_page(agent_id, skip, limit)
                if len(page) <= PAGE_BYTES_KEPT:
                    if len(self._pages) >= PAGES_KEPT:
                        self._pages.clear()
                    self._pages[asked] = page
        return page

    def _made_page(self, agent_id: str, skip: int, limit: int) -> bytes:
        """The page made afresh from the index (the plain reading :meth:`page_json` keeps).
        Called with the lock held."""
        keys = self._by_agent.get(agent_id, ())
        by_id = self._by_id
        items = [by_id[key[3]].body for key in keys[skip : skip + limit]]
        return page_json_joined(items, len(keys), skip, limit)

    # -- reading (for tests) -----------------------------------------------------------------

    def get(self, run_id: str) -> dict[str, Any] | None:
        """A copy of the run ``run_id`` (any case), or None."""
        body = self.run_json(run_id.lower())
        return None if body is None else json.loads(body)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, run_id: object) -> bool:
        return isinstance(run_id, str) and run_id.lower() in self._by_id

    def agents(self) -> list[str]:
        """The agents that have runs (a seeded store: in seeding order, then any others)."""
        with self._lock:
            present = [a for a, keys in self._by_agent.items() if keys]
        first = [a for a in (self._agent_order or ()) if a in present]
        return first + sorted(set(present) - set(first))

    def ids(self, agent_id: str | None = None) -> list[str]:
        """Run ids in list order: of one agent, or of every agent (agent by agent)."""
        with self._lock:
            agents = [agent_id.lower()] if agent_id is not None else list(self._by_agent)
            return [key[3] for agent in agents for key in self._by_agent.get(agent, ())]

    def runs(self, agent_id: str | None = None) -> list[dict[str, Any]]:
        """Copies of the runs, in the order of :meth:`ids`."""
        with self._lock:
            bodies = [
                self._by_id[key[3]].body
                for agent in ([agent_id.lower()] if agent_id is not None else self._by_agent)
                for key in self._by_agent.get(agent, ())
            ]
        return [json.loads(body) for body in bodies]

    def count(self, agent_id: str) -> int:
        """How many runs ``agent_id`` has (the ``total`` of its list pages)."""
        with self._lock:
            return len(self._by_agent.get(agent_id.lower(), ()))


def _merge(index: dict[str, list[SortKey]], added: dict[str, list[SortKey]]) -> None:
    for name, keys in added.items():
        existing = index.setdefault(name, [])
        if len(keys) <= 8:
            for key in keys:
                bisect.insort(existing, key)
        else:
            existing.extend(keys)
            existing.sort()


def _remove(index: dict[str, list[SortKey]], name: str, key: SortKey) -> None:
    keys = index[name]
    del keys[bisect.bisect_left(keys, key)]
    if not keys:
        del index[name]
