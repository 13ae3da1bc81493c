"""What a check looks at: one request and its answer (:class:`Exchange`), and the client that
the API phase walks the server with (:class:`ApiSession`).

Both drivers build the same :class:`Exchange`, so a response check is one plain function
whether schemathesis or the API phase sent the request.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._operations import OPERATIONS, Operation, operation
from ._masking import Secrets, curl_line

if TYPE_CHECKING:
    import httpx

    from ._replay import Replay

__all__ = [
    "NOT_JSON",
    "ApiSession",
    "Exchange",
    "ExchangeFailure",
    "RawAnswer",
    "Skip",
    "operation_for",
]

NOT_JSON: Any = object()
"""The ``body`` of an answer that is not JSON."""

_INT = re.compile(r"[+-]?\d+")


class ExchangeFailure(AssertionError):
    """A check failed on one exchange: ``operation`` (``GET /api/...``) and ``curl``, which
    repeats the request (empty if unknown); ``failed_exchanges``: how many exchanges it is
    about (the negative matrix reports every failing request in one, and its ``replays``,
    one per failing request)."""

    def __init__(self, message: str, operation: str, curl: str = "") -> None:
        super().__init__(message)
        self.operation = operation
        self.curl = curl
        self.failed_exchanges = 1
        self.replays: tuple[Replay, ...] = ()


class Skip(Exception):
    """Raised by an API check that has nothing to check (the message says why)."""


def operation_for(method: str, path_template: str) -> Operation | None:
    """The contract's operation for a method and an OpenAPI path template, if there is one."""
    for op in OPERATIONS:
        if op.method == method.upper() and op.path == path_template:
            return op
    return None


@dataclass(frozen=True)
class Exchange:
    """One request to one of the four operations and the server's answer.

    ``query`` holds each query parameter's value as sent (the last one if repeated, as FastAPI
    reads it); ``body`` is the parsed JSON answer, or :data:`NOT_JSON`.
    """

    operation: Operation
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    status: int
    body: Any
    curl: str = ""

    def int_param(self, name: str) -> int | None:
        """An integer query parameter as the server should read it (its default if absent);
        None when the value sent is not a valid one (then the request was invalid)."""
        param = next(p for p in self.operation.query_parameters if p.name == name)
        if name not in self.query:
            return param.default
        text = self.query[name]
        if not _INT.fullmatch(text):
            return None
        value = int(text)
        if param.minimum is not None and value < param.minimum:
            return None
        return value

    def runs(self) -> Iterator[tuple[str, Any]]:
        """(JSON path, run) for every run in a 200 answer of a list, get or get-by-job."""
        if self.status != 200 or not isinstance(self.body, dict):
            return
        if self.operation.name == "list_runs":
            items = self.body.get("items")
            if isinstance(items, list):
                for index, item in enumerate(items):
                    yield f"$.items[{index}]", item
        elif self.operation.name in ("get_run", "get_run_by_job"):
            yield "$", self.body

    def fail(self, message: str) -> ExchangeFailure:
        """An AssertionError saying what is wrong with this exchange, carrying its curl line."""
        path = self.operation.path.format(**self.path_params) if self.path_params else None
        where = f"{self.operation.method} {path or self.operation.path} answered {self.status}"
        label = f"{self.operation.method} {self.operation.path}"
        return ExchangeFailure(f"{message} ({where})", label, self.curl)


def _curl(request: httpx.Request, secrets: Secrets) -> str:
    return curl_line(request.method, str(request.url), request.headers.multi_items(), secrets)


@dataclass(frozen=True)
class RawAnswer:
    """An answer to a request that is not one of the four operations as the contract has
    them (the negative matrix's): status, headers (lower-case names), body, curl line."""

    status: int
    headers: Mapping[str, str]
    body: Any
    curl: str


@dataclass
class ApiSession:
    """A real HTTP client on the server under test, for the API checks.

    Every answer goes through ``on_exchange`` (which runs the response checks on it) and is
    counted in ``counters`` by operation and status. ``deletable``: the run ids the checks may
    delete, or None for any listed run (a run that may write). ``secrets`` mask the curl lines.
    """

    client: httpx.Client
    agent_ids: tuple[str, ...]
    on_exchange: Callable[[Exchange], None] = lambda exchange: None
    counters: Counter[str] = field(default_factory=Counter)
    listed: dict[str, Any] = field(default_factory=dict)
    """Every run id seen on a list page, with its ``job_id`` (in the order seen)."""
    deletable: tuple[str, ...] | None = None
    secrets: Secrets = field(default_factory=Secrets)
    _populated: list[str] | None = field(default=None, init=False)

    def call(
        self,
        name: str,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, str | int] | None = None,
    ) -> Exchange:
        """Send one request to the operation called ``name``; returns the exchange."""
        op = operation(name)
        path_params = dict(path or {})
        url = op.path.format(**{k: quote(v, safe="") for k, v in path_params.items()})
        sent = {key: str(value) for key, value in (query or {}).items()}
        response = self.client.request(op.method, url, params=sent)
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = NOT_JSON
        exchange = Exchange(
            op, path_params, sent, response.status_code, body, _curl(response.request, self.secrets)
        )
        self.counters[f"api.{name}.{response.status_code}"] += 1
        self.counters["exchanges"] += 1
        self.on_exchange(exchange)
        return exchange

    def send_raw(self, method: str, path: str, query: Sequence[tuple[str, str]] = ()) -> RawAnswer:
        """Send any request (the path as given, the query pairs in order, repeats kept)."""
        response = self.client.request(method, path, params=list(query))
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = NOT_JSON
        self.counters["exchanges"] += 1
        headers = {name.lower(): value for name, value in response.headers.items()}
        return RawAnswer(response.status_code, headers, body, _curl(response.request, self.secrets))

    def list_runs(self, agent: str, *, skip: int = 0, limit: int | None = None) -> Exchange:
        query: dict[str, str | int] = {"extraction_agent_id": agent, "skip": skip}
        if limit is not None:
            query["limit"] = limit
        return self.call("list_runs", query=query)

    def get_run(self, run_id: str) -> Exchange:
        return self.call("get_run", path={"run_id": run_id})

    def get_run_by_job(self, job_id: str) -> Exchange:
        return self.call("get_run_by_job", path={"job_id": job_id})

    def delete_run(self, run_id: str) -> Exchange:
        return self.call("delete_run", path={"run_id": run_id})

    def page(
        self, agent: str, *, skip: int = 0, limit: int | None = None
    ) -> tuple[Exchange, dict[str, Any]]:
        """A list page that must be a 200 with ``items`` and ``total``, else an AssertionError."""
        exchange = self.list_runs(agent, skip=skip, limit=limit)
        expect(exchange, 200)
        body = exchange.body
        if not (
            isinstance(body, dict)
            and isinstance(body.get("items"), list)
            and isinstance(body.get("total"), int)
        ):
            raise exchange.fail("the list page has no `items` list or no integer `total`")
        for run in body["items"]:
            if isinstance(run, dict) and isinstance(run.get("id"), str):
                self.listed.setdefault(run["id"], run.get("job_id"))
        return exchange, body

    def populated_agents(self) -> list[str]:
        """The agents (of ``agent_ids``) that have at least one run; Skip if none has."""
        if self._populated is None:
            self._populated = [a for a in self.agent_ids if self.page(a, limit=1)[1]["total"] > 0]
        if not self._populated:
            raise Skip(
                "no runs are listed for the agent id(s) tried "
                f"({', '.join(self.agent_ids)}); name an agent that has runs "
                "(--agent-id / agent_ids=)"
            )
        return self._populated


def expect(exchange: Exchange, status: int, what: str = "") -> None:
    """Fail unless the exchange answered ``status``."""
    if exchange.status != status:
        shown = json.dumps(exchange.body)[:160] if exchange.body is not NOT_JSON else "(not JSON)"
        lead = f"{what}: " if what else ""
        raise exchange.fail(f"{lead}expected HTTP {status}, got {exchange.status}: {shown}")
