"""What the live mock can be told: :class:`ServerOptions`, checked when made.

The fields are ``extract-contract serve``'s flags, by their Python names; ``data_schema``,
``config`` and ``agents`` (a number, or a mapping of agent ids to ``{"data_schema", "config"}``)
shape the runs like your agent's (:mod:`mocks._core.shapes`), and ``data`` is your own runs: a
file path (``serve --data``), a recording's directory (``serve --data DIR``), a list of runs or
dicts, or a :class:`~mocks.RunStore` (served as a copy, so a reset starts again from it). A
wrong value is a :class:`~mocks._errors.ServeError` carrying the field (``option``), its
``value`` and what it ``needs``; its message speaks Python (``workers=2: only with
mode='stateless' (...)``), and the command line renders the same error with its own flag names.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

from .._adapters.asgi import DEFAULT_MAX_BODY
from .._adapters.protocol import Limits
from .._core.faults import FaultSpec, read_fault
from .._core.sizes import MAX_AGENTS, MAX_RUNS
from .._errors import InvalidShape, ServeError

if TYPE_CHECKING:
    from .._core.store import RunStore

__all__ = ["OPTIONS_ENV", "Mode", "ServerOptions"]

Mode = Literal["stateful", "stateless"]
RunsData = Union[Path, str, "RunStore", Sequence[Any]]
"""Your own runs: a file path, a RunStore, or a list of runs (or dicts)."""
OPTIONS_ENV = "EXTRACT_CONTRACT_SERVE_OPTIONS"
"""The environment variable that hands the options to each ``--workers`` process."""


@dataclass(frozen=True)
class ServerOptions:
    """Everything the live mock can be told; the defaults are ``extract-contract serve``'s.

    ``direct_answers`` (no flag): the protocol answers plain requests itself, without uvicorn's
    task per request (:mod:`mocks._adapters.direct`); off, every request goes through the ASGI
    app. The answers are the same bytes either way.
    """

    host: str = "127.0.0.1"
    port: int = 4010
    mode: Mode = "stateful"
    seed: int = 0
    runs: int = 1000
    agents: int | Mapping[str, Any] = 3
    data: RunsData | None = None
    token: str | None = None
    admin_token: str | None = None
    faults: tuple[FaultSpec, ...] = ()
    strict: bool = False
    admin: bool = False
    workers: int = 1
    log_level: str = "warning"
    access_log: bool = False
    http: str = "auto"
    journal_size: int = 1000
    max_body: int = DEFAULT_MAX_BODY
    max_request_line: int = Limits.max_request_line
    max_head: int = Limits.max_head
    head_timeout: float = Limits.head_timeout
    body_timeout: float = Limits.body_timeout
    body_min_rate: int = Limits.body_min_rate
    keep_alive_timeout: int = 5
    direct_answers: bool = True
    data_schema: Mapping[str, Any] | None = None
    config: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.mode not in ("stateful", "stateless"):
            raise ServeError("choose stateful or stateless", option="mode", value=self.mode)
        if self.workers < 1:
            raise ServeError("must be >= 1", option="workers", value=self.workers)
        if self.workers > 1 and self.mode == "stateful":
            raise ServeError(
                "a stateful store lives in one process; several workers would each delete "
                "from their own copy",
                option="workers",
                value=self.workers,
                needs=("mode", "stateless"),
            )
        if self.admin and self.workers > 1:
            raise ServeError(
                "the admin API's faults, journal and runs live in one process; with several "
                "workers each request would change or read only the worker that took it",
                option="admin",
                needs=("workers", 1),
            )
        if self.data is not None and self.mode == "stateless":
            raise ServeError(
                "stateless runs come from ids", option="data", needs=("mode", "stateful")
            )
        if self.journal_size < 0:
            raise ServeError("must be >= 0 (0 keeps no journal)", option="journal_size")
        if self.admin and not self.journal_size:
            raise ServeError(
                "the admin API reads the journal: keep one (journal_size >= 1)",
                option="journal_size",
                value=self.journal_size,
                needs=("admin", False),
            )
        for name, most in (("runs", MAX_RUNS), ("agents", MAX_AGENTS)):
            value = getattr(self, name)
            if isinstance(value, int) and value > most:
                reason = f"must be at most {most:,} (the store is built in memory at start)"
                raise ServeError(reason, option=name, value=value)
        for name in ("token", "admin_token"):
            value = getattr(self, name)
            if value is not None and (not value or " " in value):
                raise ServeError("must be a non-empty token without spaces", option=name)
        self.limits  # noqa: B018 - checks the numbers (a ServeError names the one at fault)
        self._check_runs()

    def _check_runs(self) -> None:
        """Your runs come alone; your agents' shapes must make runs (checked once, here)."""
        if self.data is not None:
            from .._core.store import RunStore

            if not isinstance(self.data, (str, Path, RunStore, list, tuple)):
                reason = "expected a list of runs, a RunStore or a file path, got "
                raise ServeError(reason + type(self.data).__name__, option="data")
            beside = [n for n in ("data_schema", "config") if getattr(self, n) is not None]
            if beside or isinstance(self.agents, Mapping):
                raise ServeError(
                    "not with data (your runs carry their own agents, data_schema and config)",
                    option=beside[0] if beside else "agents",
                )
            return
        from .._core.shapes import Shapes

        try:
            Shapes.read(
                data_schema=self.data_schema,
                config=self.config,
                agents=self.agents if isinstance(self.agents, Mapping) else None,
            )
        except InvalidShape as exc:
            if exc.agent is None:
                raise ServeError(exc.reason, option=exc.argument) from None
            own = "" if exc.argument == "agents" else f" {exc.argument}"
            reason = f"agent {exc.agent!r}{own}: {exc.reason}"
            raise ServeError(reason, option="agents") from None

    @property
    def limits(self) -> Limits:
        return Limits(
            max_request_line=self.max_request_line,
            max_head=self.max_head,
            head_timeout=self.head_timeout,
            body_timeout=self.body_timeout,
            body_min_rate=self.body_min_rate,
            max_body=self.max_body,
        )

    @property
    def admin_is_open(self) -> bool:
        """True when the admin API is on without any token, on a host other machines can
        reach (anything but a loopback address or ``localhost``): whoever reaches the port can
        then reset the mock, remove its runs and read its journal. Entry points warn loudly."""
        if not self.admin or self.token is not None or self.admin_token is not None:
            return False
        if self.host.lower() == "localhost":
            return False
        try:
            return not ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:  # a host name: it may resolve anywhere
            return True

    def describe(self) -> str:
        """What is being served, for the ready line: ``stateful, 1000 runs, seed 0``."""
        if self.mode == "stateless":
            what = f"stateless, seed {self.seed}"
        elif isinstance(self.data, (str, Path)):
            what = f"stateful, runs from {self.data}"
        elif self.data is not None:
            what = "stateful, your runs"
        else:
            what = f"stateful, {self.runs} runs, seed {self.seed}"
        extras = [
            flag
            for flag, on in (
                ("auth", self.token is not None),
                ("admin auth", self.admin_token is not None),
                ("strict", self.strict),
                ("admin", self.admin),
                (f"{len(self.faults)} fault(s)", bool(self.faults)),
                (f"{self.workers} workers", self.workers > 1),
                ("your data_schema", self.data_schema is not None),
                ("your config", self.config is not None),
                ("your agents", isinstance(self.agents, Mapping)),
            )
            if on
        ]
        return ", ".join([what, *extras])

    def to_json(self) -> str:
        """The options as JSON (faults as the mappings :func:`read_fault` reads back)."""
        payload: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.data is not None and not isinstance(self.data, (str, Path)):
            raise ServeError("only runs from a file go to worker processes", option="data")
        payload["data"] = None if self.data is None else str(self.data)
        payload["faults"] = [spec.as_mapping() for spec in self.faults]
        return json.dumps(payload)

    @classmethod
    def from_json(cls, text: str) -> ServerOptions:
        payload = json.loads(text)
        payload["data"] = None if payload["data"] is None else Path(payload["data"])
        payload["faults"] = tuple(read_fault(spec) for spec in payload["faults"])
        return cls(**payload)
