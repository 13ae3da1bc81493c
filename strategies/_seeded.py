"""``sample()``: deterministic, fast generation by seed, outside of any test.

The mocks seed their store with it (and, stateless, make a run from its id); the fixture
corpus is written with it. No Hypothesis engine is involved: each plan is compiled once into
plain functions over one ``random.Random(seed)`` stream (:mod:`._sample`).
"""

from __future__ import annotations

import gc
import random
from collections.abc import Mapping
from typing import Any

from contracts import KINDS, is_uuid, validate

from ._errors import BadArgument
from ._nodes import Const, Node
from ._plans import UserData, data_node, plan
from ._sample import sampler

__all__ = ["sample"]

# Fields whose override is checked on the spot (cheaply) rather than by validating the output.
_UUID_FIELDS = frozenset({"id", "job_id", "extraction_agent_id", "project_id", "file_id"})
# Run fields that all runs of one extraction agent share (its configuration at the time).
_AGENT_FIELDS = ("extraction_agent_id", "project_id", "data_schema", "config")
_MAX_AGENTS = 5


def _check(kind: Any, seed: Any, count: Any, realistic: Any) -> None:
    if not isinstance(kind, str) or kind not in KINDS:
        raise BadArgument(f"kind={kind!r}: the kinds are {', '.join(KINDS)}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise BadArgument(f"seed={seed!r}: must be an int")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise BadArgument(f"count={count!r}: must be an int >= 0")
    if not isinstance(realistic, bool):
        raise BadArgument(f"realistic={realistic!r}: must be True or False")


def _field_of(path: str) -> str:
    """The top-level field a JSON path starts with (``$.config.priority`` -> ``config``)."""
    return path[2:].split(".")[0].split("[")[0] if path.startswith("$.") else ""


def _check_overrides(kind: str, overrides: Mapping[str, Any], first: dict[str, Any]) -> None:
    for name, value in overrides.items():
        if name in _UUID_FIELDS and not is_uuid(value):
            raise BadArgument(f"{name}={value!r}: the contract wants a UUID here")
    if set(overrides) - _UUID_FIELDS:
        broken = [v for v in validate(first, kind) if _field_of(v.path) in overrides]
        if broken:
            raise BadArgument(
                f"{broken[0].path}: the override breaks the contract ({broken[0].message})"
            )


def sample(
    kind: str, *, seed: int, count: int = 1, realistic: bool = True, **overrides: Any
) -> list[dict[str, Any]]:
    """``count`` JSON-ready objects of ``kind`` (``run``, ``config``, ``file`` or ``page``).

    The same arguments give the same objects (byte for byte through ``json.dumps``) in any
    process. ``realistic`` objects are coherent (see :mod:`strategies`); ``realistic=False``
    gives schema-wide ones. Keyword ``overrides`` fix fields, e.g.
    ``sample("run", seed=7, id=run_id, status="ERROR")``; ``data_schema=`` also makes the
    ``data`` of successful runs follow that schema (for a page: of its runs). Realistic runs
    drawn together share a few extraction agents (each with its own project, schema and
    config), unless those are fixed.

    >>> runs = sample("run", seed=1, count=3, status="ERROR")
    >>> [run["status"] for run in runs], all(run["error"] for run in runs)
    (['ERROR', 'ERROR', 'ERROR'], True)
    """
    _check(kind, seed, count, realistic)
    data: UserData | None = None
    if "data_schema" in overrides and kind in ("run", "page"):
        data = UserData(overrides["data_schema"], data_node(overrides["data_schema"], realistic))
        if kind == "page":  # the schema of the page's runs
            overrides = {k: v for k, v in overrides.items() if k != "data_schema"}
    fixed: dict[str, Node] = {name: Const(value) for name, value in overrides.items()}
    rng = random.Random(seed)
    # Thousands of fresh dicts would set off the cyclic garbage collector again and again
    # (a third of the time); nothing made here is cyclic, so it waits until the end.
    collecting = gc.isenabled() and count > 100
    if collecting:
        gc.disable()
    try:
        if kind == "run" and realistic and count > 1 and not set(_AGENT_FIELDS) <= set(overrides):
            out = _pooled_runs(rng, count, fixed, data)
        else:
            draw = sampler(plan(kind, realistic=realistic, fixed=fixed, data=data))
            out = [draw(rng) for _ in range(count)]
    finally:
        if collecting:
            gc.enable()
    if out and overrides:
        _check_overrides(kind, overrides, out[0])
    return out


def _pooled_runs(
    rng: random.Random, count: int, fixed: dict[str, Node], data: UserData | None
) -> list[dict[str, Any]]:
    """Realistic runs spread over a few extraction agents of one project."""
    agents = max(1, min(_MAX_AGENTS, (count + 9) // 10))
    profile = sampler(plan("run", realistic=True))
    project = profile(rng)["project_id"]
    draws = []
    for _ in range(agents):
        agent = profile(rng)
        agent["project_id"] = project
        own = {name: Const(agent[name]) for name in _AGENT_FIELDS if name not in fixed}
        draws.append(sampler(plan("run", realistic=True, fixed={**own, **fixed}, data=data)))
    return [draws[int(rng.random() * agents)](rng) for _ in range(count)]
