"""Small ASGI servers of the four endpoints, for the conformance tests.

:class:`ReferenceApp` is a correct server over an in-memory store (FastAPI-shaped 422s, 404s,
405 with ``Allow``). Each ``Broken*`` subclass overrides ONE method to break ONE rule of the
contract, so a test can show that the conformance run catches exactly that fault.
"""

from __future__ import annotations

import json
import random
import re
import threading
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from contracts import API_PREFIX, is_uuid

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_INT = re.compile(r"[+-]?\d+")
_STATUSES = ("PENDING", "SUCCESS", "ERROR")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class _Invalid(Exception):
    def __init__(self, loc: tuple[str, str], kind: str, msg: str, value: object) -> None:
        self.error = {"type": kind, "loc": list(loc), "msg": msg, "input": value}


class ReferenceApp:
    """A correct, stateful server of the Extraction Runs API (a few agents, a few runs each)."""

    def __init__(self, *, agents: int = 3, runs_per_agent: int = 7, seed: int = 0) -> None:
        rng = random.Random(seed)
        self.agent_ids = [_uuid(rng) for _ in range(agents)]
        self.project_id = _uuid(rng)
        self.runs: dict[str, dict[str, Any]] = {}
        for agent in self.agent_ids:
            for number in range(runs_per_agent):
                run = self.make_run(rng, agent, number)
                self.runs[run["id"]] = run
        self.lock = threading.Lock()
        self.methods: Counter[str] = Counter()  # requests served, by method
        self.deleted: list[str] = []  # run ids deleted, in order

    # --- the data -------------------------------------------------------------------------
    def make_run(self, rng: random.Random, agent: str, number: int) -> dict[str, Any]:
        status = _STATUSES[number % len(_STATUSES)]
        stamp = f"2025-03-{1 + number % 28:02d}T10:{number % 60:02d}:00Z"
        return {
            "id": _uuid(rng),
            "config": {"extraction_mode": "BALANCED"},
            "data_schema": {"type": "object", "properties": {"total": {"type": "number"}}},
            "extraction_agent_id": agent,
            "from_ui": number % 2 == 0,
            "project_id": self.project_id,
            "status": status,
            "created_at": stamp,
            "updated_at": stamp,
            "data": {"total": number} if status == "SUCCESS" else None,
            "error": "the file could not be parsed" if status == "ERROR" else None,
            "job_id": _uuid(rng),
            "file_id": _uuid(rng),
        }

    def run_body(self, run: dict[str, Any]) -> dict[str, Any]:
        """A run as the server answers it."""
        return run

    def page(self, agent: str, skip: int, limit: int) -> dict[str, Any]:
        """The list page of ``agent``'s runs."""
        with self.lock:
            runs = [r for r in self.runs.values() if r["extraction_agent_id"] == agent]
        items = [self.run_body(r) for r in runs[skip : skip + limit]]
        return {"items": items, "total": len(runs), "skip": skip, "limit": limit}

    def find(self, run_id: str) -> dict[str, Any] | None:
        with self.lock:
            return self.runs.get(run_id)

    def find_by_job(self, job_id: str) -> dict[str, Any] | None:
        with self.lock:
            return next((r for r in self.runs.values() if r["job_id"] == job_id), None)

    def delete(self, run_id: str) -> bool:
        """Delete a run; False if there was none."""
        with self.lock:
            gone = self.runs.pop(run_id, None) is not None
            if gone:
                self.deleted.append(run_id)
            return gone

    # --- request parsing ------------------------------------------------------------------
    def query_uuid(self, query: dict[str, str], name: str, *, required: bool) -> str | None:
        if name not in query:
            if required:
                raise _Invalid(("query", name), "missing", "Field required", None)
            return None
        return self.parse_uuid(("query", name), query[name])

    def parse_uuid(self, loc: tuple[str, str], value: str) -> str:
        if not is_uuid(value):
            raise _Invalid(loc, "uuid_parsing", "Input should be a valid UUID", value)
        return value.lower()

    def query_int(self, query: dict[str, str], name: str, default: int) -> int:
        if name not in query:
            return default
        text = query[name]
        if not _INT.fullmatch(text):
            msg = "Input should be a valid integer, unable to parse string as an integer"
            raise _Invalid(("query", name), "int_parsing", msg, text)
        value = int(text)
        if value < 0:
            msg = "Input should be greater than or equal to 0"
            raise _Invalid(("query", name), "greater_than_equal", msg, text)
        return value

    # --- routing (as FastAPI routes: 404 for an unknown path, 307 for a trailing slash) -----
    def match(self, path: str) -> tuple[str, list[str], str] | None:
        """(operation kind, allowed methods, path value) of the route ``path`` matches."""
        if path == API_PREFIX:
            return "list", ["GET"], ""
        prefix = API_PREFIX + "/"
        rest = path[len(prefix) :] if path.startswith(prefix) else None
        if rest is None or not rest:
            return None
        if "/" not in rest:
            return "run", ["GET", "DELETE"], rest
        head, _, job = rest.partition("/")
        if head == "by-job" and job and "/" not in job:
            return "job", ["GET"], job
        return None

    def route(
        self, method: str, path: str, query: dict[str, str], raw_query: str = ""
    ) -> tuple[int, Any, list[str]]:
        """(status, body, allowed methods) for one request; a 307's body is its Location."""
        matched = self.match(path)
        if matched is None:
            if path.endswith("/") and path != "/" and self.match(path.rstrip("/")) is not None:
                target = path.rstrip("/") + (f"?{raw_query}" if raw_query else "")
                return 307, target, []
            return 404, {"detail": "Not Found"}, []
        kind, allowed, value = matched
        if method not in allowed:
            return 405, {"detail": "Method Not Allowed"}, allowed
        if kind == "list":
            return (*self.list_runs(query), allowed)
        if kind == "job":
            return (*self.get_run_by_job(value, query), allowed)
        if method == "GET":
            return (*self.get_run(value, query), allowed)
        return (*self.delete_run(value, query), allowed)

    def scope_params(self, query: dict[str, str]) -> None:
        self.query_uuid(query, "project_id", required=False)
        self.query_uuid(query, "organization_id", required=False)

    def list_runs(self, query: dict[str, str]) -> tuple[int, Any]:
        errors = []
        values: dict[str, Any] = {}
        for name, parse in (
            (
                "extraction_agent_id",
                lambda: self.query_uuid(query, "extraction_agent_id", required=True),
            ),
            ("skip", lambda: self.query_int(query, "skip", 0)),
            ("limit", lambda: self.query_int(query, "limit", 50)),
        ):
            try:
                values[name] = parse()
            except _Invalid as exc:
                errors.append(exc.error)
        if errors:
            return 422, {"detail": errors}
        return 200, self.page(values["extraction_agent_id"], values["skip"], values["limit"])

    def get_run(self, run_id: str, query: dict[str, str]) -> tuple[int, Any]:
        run_id = self.parse_uuid(("path", "run_id"), run_id)
        self.scope_params(query)
        run = self.find(run_id)
        if run is None:
            return 404, {"detail": "Extraction run not found"}
        return 200, self.run_body(run)

    def get_run_by_job(self, job_id: str, query: dict[str, str]) -> tuple[int, Any]:
        job_id = self.parse_uuid(("path", "job_id"), job_id)
        self.scope_params(query)
        run = self.find_by_job(job_id)
        if run is None:
            return 404, {"detail": "Extraction run not found for job"}
        return 200, self.run_body(run)

    def delete_run(self, run_id: str, query: dict[str, str]) -> tuple[int, Any]:
        run_id = self.parse_uuid(("path", "run_id"), run_id)
        self.scope_params(query)
        if not self.delete(run_id):
            return 404, {"detail": "Extraction run not found"}
        return 200, {}

    # --- ASGI -----------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        with self.lock:
            self.methods[scope["method"]] += 1
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        query = dict(pairs)  # the last value of a repeated parameter wins, as in FastAPI
        raw_query = scope["query_string"].decode("latin-1")
        try:
            status, body, allowed = self.route(scope["method"], scope["path"], query, raw_query)
        except _Invalid as exc:
            status, body, allowed = 422, {"detail": [exc.error]}, []
        headers = [(b"content-type", b"application/json")]
        if status == 405:
            headers.append((b"allow", ", ".join(allowed).encode()))
        payload = json.dumps(body).encode()
        if status == 307:
            headers = [(b"location", str(body).encode("latin-1"))]
            payload = b""
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


class BrokenStatusEnum(ReferenceApp):
    """Fault: runs carry a status outside the enum (``DONE``)."""

    def run_body(self, run: dict[str, Any]) -> dict[str, Any]:
        return {**run, "status": "DONE"} if run["status"] == "SUCCESS" else run


class BrokenIgnoresLimit(ReferenceApp):
    """Fault: a page returns every run, whatever ``limit`` says (but echoes ``limit``)."""

    def page(self, agent: str, skip: int, limit: int) -> dict[str, Any]:
        page = super().page(agent, skip, 10**6)
        return {**page, "limit": limit}


class BrokenMissingTotal(ReferenceApp):
    """Fault: the list page has no ``total``."""

    def page(self, agent: str, skip: int, limit: int) -> dict[str, Any]:
        page = super().page(agent, skip, limit)
        del page["total"]
        return page


class BrokenServerError(ReferenceApp):
    """Fault: a 500 for a large ``skip``."""

    def route(
        self, method: str, path: str, query: dict[str, str], raw_query: str = ""
    ) -> tuple[int, Any, list[str]]:
        skip = query.get("skip", "")
        if path == API_PREFIX and _INT.fullmatch(skip) and int(skip) > 1000:
            return 500, {"detail": "Internal Server Error"}, []
        return super().route(method, path, query, raw_query)


class BrokenDeleteKeeps(ReferenceApp):
    """Fault: delete answers 200 but the run stays."""

    def delete(self, run_id: str) -> bool:
        return self.find(run_id) is not None


class BrokenNonUuidId(ReferenceApp):
    """Fault: run ids are not UUIDs (``run-<hex>``), though get by that id still works."""

    def run_body(self, run: dict[str, Any]) -> dict[str, Any]:
        return {**run, "id": "run-" + run["id"].replace("-", "")[:12]}


class BrokenAcceptsBadAgent(ReferenceApp):
    """Fault: a malformed ``extraction_agent_id`` gets a 200 (an empty page), not a 422."""

    def query_uuid(self, query: dict[str, str], name: str, *, required: bool) -> str | None:
        if name == "extraction_agent_id" and name in query and not is_uuid(query[name]):
            return query[name]
        return super().query_uuid(query, name, required=required)


class BrokenOtherAgentsRuns(ReferenceApp):
    """Fault: the list of the first agent also holds the runs of the second."""

    def page(self, agent: str, skip: int, limit: int) -> dict[str, Any]:
        if agent != self.agent_ids[0]:
            return super().page(agent, skip, limit)
        with self.lock:
            runs = [r for r in self.runs.values() if r["extraction_agent_id"] in self.agent_ids[:2]]
        items = [self.run_body(r) for r in runs[skip : skip + limit]]
        return {"items": items, "total": len(runs), "skip": skip, "limit": limit}


class BrokenListedDiffers(ReferenceApp):
    """Fault: a listed run is not the run that get answers (its status differs)."""

    def page(self, agent: str, skip: int, limit: int) -> dict[str, Any]:
        page = super().page(agent, skip, limit)
        flipped = {"PENDING": "SUCCESS", "SUCCESS": "ERROR", "ERROR": "PENDING"}
        page["items"] = [{**r, "status": flipped[r["status"]]} for r in page["items"]]
        return page


class BrokenAgentNotRequired(ReferenceApp):
    """Fault: a list without ``extraction_agent_id`` gets a 200 (every run), not a 422."""

    def query_uuid(self, query: dict[str, str], name: str, *, required: bool) -> str | None:
        if name == "extraction_agent_id" and name not in query:
            return None
        return super().query_uuid(query, name, required=required)

    def page(self, agent: str | None, skip: int, limit: int) -> dict[str, Any]:  # type: ignore[override]
        if agent is not None:
            return super().page(agent, skip, limit)
        with self.lock:
            runs = list(self.runs.values())
        items = [self.run_body(r) for r in runs[skip : skip + limit]]
        return {"items": items, "total": len(runs), "skip": skip, "limit": limit}


class BrokenNegativeSkip(ReferenceApp):
    """Fault: ``skip=-1`` gets a 200 (read as 0), not a 422."""

    def query_int(self, query: dict[str, str], name: str, default: int) -> int:
        if name == "skip" and _INT.fullmatch(query.get(name, "")) and int(query[name]) < 0:
            return 0
        return super().query_int(query, name, default)


class BrokenLimitNotInteger(ReferenceApp):
    """Fault: ``limit=abc`` gets a 200 (read as the default), not a 422."""

    def query_int(self, query: dict[str, str], name: str, default: int) -> int:
        if name == "limit" and name in query and not _INT.fullmatch(query[name]):
            return default
        return super().query_int(query, name, default)


class BrokenEchoesCredentials(ReferenceApp):
    """Fault: get answers 500 with the request's ``X-Auth-Token`` in the error body."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        self.token = headers.get(b"x-auth-token", b"").decode("latin-1")
        await super().__call__(scope, receive, send)

    def get_run(self, run_id: str, query: dict[str, str]) -> tuple[int, Any]:
        return 500, {"detail": f"token {self.token} is not allowed to read runs"}


class BrokenEndlessList(ReferenceApp):
    """Fault: the list claims ``total: 10**9`` and makes up a new run for every position."""

    def page(self, agent: str, skip: int, limit: int) -> dict[str, Any]:
        rng = random.Random(skip)
        template = next(iter(self.runs.values()))
        items = [
            {**template, "id": _uuid(rng), "extraction_agent_id": agent}
            for _ in range(min(limit, 10**9 - skip, 500))
        ]
        return {"items": items, "total": 10**9, "skip": skip, "limit": limit}


class BrokenStuckList(ReferenceApp):
    """Fault: the list claims ``total: 10**9`` and answers the same page whatever ``skip``."""

    def page(self, agent: str, skip: int, limit: int) -> dict[str, Any]:
        page = super().page(agent, 0, limit)
        return {**page, "total": 10**9, "skip": skip}
