"""Your agent's shape: the ``data_schema`` and ``config`` that the mock's runs carry.

A real extraction agent has one extraction schema and one configuration; every run it makes
carries both, and a ``SUCCESS`` run's ``data`` follows the schema (one object for the
``PER_DOC`` target, a list of objects for ``PER_PAGE`` / ``PER_TABLE_ROW``). The mocks make
runs shaped like your own agent when given:

- ``data_schema=`` and/or ``config=``: every agent's runs carry them;
- ``agents={agent_id: {"data_schema": ..., "config": ...}, ...}``: agent by agent (each agent's
  own shape, the ``data_schema=`` / ``config=`` given beside it for what it leaves out).

:meth:`Shapes.read` is the one reader of these arguments, for :meth:`RunStore.seeded
<mocks._core.store.RunStore.seeded>`, :class:`~mocks._core.stateless.StatelessRuns`, the
marker, :class:`~mocks.ServerOptions` and ``serve --data-schema/--config``. It checks
everything before a run is made, and a problem is an :class:`~mocks._errors.InvalidShape`
naming the argument (and the schema keyword the generator cannot honour): never a silently
different shape.

A ``config`` is carried as given (fields left out are absent, as the contract allows). A
``data_schema`` given without a ``config`` comes with a realistic config whose
``extraction_target`` is ``PER_DOC`` (the API's default target), so that ``run.data`` is one
object; give a ``config`` to choose another target.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import InvalidShape

__all__ = ["DEFAULT_TARGET", "Shape", "Shapes"]

DEFAULT_TARGET = "PER_DOC"
"""The extraction target of the config that comes with a ``data_schema`` given alone."""

_KEYS = ("data_schema", "config")


@dataclass(frozen=True)
class Shape:
    """One agent's shape: its ``data_schema`` and ``config`` (None: not given, realistic)."""

    data_schema: dict[str, Any] | None = None
    config: dict[str, Any] | None = None

    def __bool__(self) -> bool:
        return self.data_schema is not None or self.config is not None

    def overrides(self, realistic_config: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The run fields of this shape, for :func:`strategies.sample`: the ``data_schema``
        and ``config`` given (copies), and with a ``data_schema`` alone, a realistic config
        (``realistic_config()``) whose target is :data:`DEFAULT_TARGET`."""
        fields: dict[str, Any] = {}
        if self.data_schema is not None:
            fields["data_schema"] = _copy(self.data_schema)
        if self.config is not None:
            fields["config"] = _copy(self.config)
        elif self.data_schema is not None:
            fields["config"] = {**realistic_config(), "extraction_target": DEFAULT_TARGET}
        return fields


@dataclass(frozen=True)
class Shapes:
    """The shapes of a mock's agents: ``default`` for every agent, ``by_agent`` (lower-case
    agent id -> :class:`Shape`) for the agents named one by one, in the order given."""

    default: Shape = field(default_factory=Shape)
    by_agent: Mapping[str, Shape] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.default) or bool(self.by_agent)

    @property
    def agent_ids(self) -> list[str]:
        """The agents named one by one (lower case), in the order given."""
        return list(self.by_agent)

    def of(self, agent: str | None) -> Shape:
        """The shape of ``agent`` (lower case): its own, completed by the default."""
        own = self.by_agent.get(agent) if agent is not None else None
        if own is None:
            return self.default
        return Shape(
            own.data_schema if own.data_schema is not None else self.default.data_schema,
            own.config if own.config is not None else self.default.config,
        )

    @classmethod
    def read(
        cls,
        *,
        data_schema: Any = None,
        config: Any = None,
        agents: Mapping[str, Any] | None = None,
    ) -> Shapes:
        """Check and keep the shapes given (copies: later changes to your dicts change
        nothing). Raises :class:`~mocks._errors.InvalidShape` naming the argument at fault."""
        default = _shape(data_schema, config, agent=None)
        by_agent: dict[str, Shape] = {}
        if agents is not None:
            if not isinstance(agents, Mapping):
                raise InvalidShape(
                    "must be a mapping of agent ids to {'data_schema': ..., 'config': ...}, "
                    f"got {type(agents).__name__}",
                    argument="agents",
                )
            if not agents:
                raise InvalidShape("names no agent (give at least one)", argument="agents")
            from contracts import is_uuid

            for agent, value in agents.items():
                if not is_uuid(agent):
                    raise InvalidShape(
                        f"{agent!r} is not an agent id (a UUID)", argument="agents", agent=agent
                    )
                if value is None:
                    value = {}
                if not isinstance(value, Mapping) or set(value) - set(_KEYS):
                    unknown = sorted(set(value) - set(_KEYS)) if isinstance(value, Mapping) else []
                    got = f"the key {unknown[0]!r}" if unknown else f"{type(value).__name__}"
                    raise InvalidShape(
                        "must be a dict with 'data_schema' and/or 'config', got " + got,
                        argument="agents",
                        agent=agent,
                    )
                key = agent.lower()
                if key in by_agent:
                    raise InvalidShape("is named twice", argument="agents", agent=agent)
                by_agent[key] = _shape(value.get("data_schema"), value.get("config"), agent=agent)
            for agent in by_agent:  # each agent's whole shape must make runs
                _check_makes_runs(cls(default, by_agent).of(agent), agent)
        _check_makes_runs(default, None)
        return cls(default, by_agent)


def _copy(value: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(value, allow_nan=False))
    return copied


def _as_json_object(value: Any, argument: str, agent: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        what = "a JSON Schema object (a dict)" if argument == "data_schema" else "a dict"
        raise InvalidShape(
            f"must be {what}, got {type(value).__name__}", argument=argument, agent=agent
        )
    try:
        return _copy(dict(value))
    except (TypeError, ValueError) as exc:
        raise InvalidShape(f"is not JSON ({exc})", argument=argument, agent=agent) from None


def _shape(data_schema: Any, config: Any, *, agent: str | None) -> Shape:
    schema = _as_json_object(data_schema, "data_schema", agent)
    checked = _as_json_object(config, "config", agent)
    if checked is not None:
        from contracts import validate

        violations = validate(checked, "config")
        if violations:
            first = violations[0]
            raise InvalidShape(
                f"breaks the contract's ExtractConfig: {first}".replace("\n", " "),
                argument="config",
                agent=agent,
                violations=violations,
            )
    return Shape(schema, checked)


def _check_makes_runs(shape: Shape, agent: str | None) -> None:
    """Make one ``SUCCESS`` run of ``shape``: the schema compiles, its data can be drawn, and
    the run keeps the contract (``UnsupportedSchema`` names the keyword it cannot honour)."""
    if shape.data_schema is None:
        return
    from strategies import BadArgument, UnsupportedSchema, sample

    try:
        sample(
            "run",
            seed=0,
            status="SUCCESS",
            data_schema=shape.data_schema,
            config=shape.config or {"extraction_target": DEFAULT_TARGET},
        )
    except UnsupportedSchema as exc:
        reason = str(exc).removeprefix("STRATEGIES: ")
        raise InvalidShape(
            reason, argument="data_schema", agent=agent, keyword=exc.keyword
        ) from None
    except BadArgument as exc:
        raise InvalidShape(
            str(exc).replace("\n", " "), argument="data_schema", agent=agent
        ) from None
