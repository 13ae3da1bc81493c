"""The negative matrix: the same bad requests in every run, whatever the seed and the budget.

Whether a server that accepts ``skip=-1`` is caught must not depend on luck. For each
operation of :data:`contracts.OPERATIONS` the matrix sends, built from the operations' own
parameter data:

- each required parameter absent (a path parameter: its segment left empty);
- each parameter malformed: not a UUID, empty, negative, not an integer, past 64 bits, or
  repeated with a bad last value (the ones that apply to its kind);
- a wrong method, a trailing slash and an unknown path.

The expected answers are FastAPI's (which the real service runs on; the mock's tests compare
it with FastAPI byte for byte): 422 naming the parameter (``loc``), 405 with ``Allow``, 307 to
the path without the trailing slash, 404; and 200 for an integer past 64 bits, which FastAPI
reads as the valid (large) integer it is. An answer that differs is a failure naming the
parameter and the case; a 2xx to a request FastAPI rejects is called out as accepted.

A read-only run leaves out the DELETE requests (and any other unsafe method).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote, urlsplit

from .._operations import OPERATIONS, Operation, Parameter
from ._exchange import NOT_JSON, ApiSession, ExchangeFailure, RawAnswer, Skip
from ._registry import CHECKS
from ._replay import matrix_replay

__all__ = ["MatrixCase", "matrix"]

NO_SUCH_RUN = "5f0c6e2a-9d1b-4c3e-8a7f-000000000001"
"""The run id of requests that must not touch a real run (every DELETE of the matrix)."""
NO_SUCH_JOB = "5f0c6e2a-9d1b-4c3e-8a7f-000000000002"
_SCOPE_ID = "5f0c6e2a-9d1b-4c3e-8a7f-000000000003"  # a well-formed optional uuid value
_UNKNOWN_TAIL = "/unknown/path"
_SHOWN_FAILURES = 5


@dataclass(frozen=True)
class MatrixCase:
    """One request of the matrix and FastAPI's answer to it. ``family`` is ``parameters``
    (absent or malformed) or ``routing`` (method, slash, path)."""

    family: str
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    what: str
    status: int
    loc: tuple[str, str] | None = None
    location: str | None = None
    operation: str = ""
    """The contract's operation the request is a variant of (``GET /api/v1/...{run_id}``)."""

    def expected(self) -> str:
        if self.status == 422 and self.loc:
            return f"422 naming {'.'.join(self.loc)}"
        if self.status == 405:
            return "405 with an Allow header"
        if self.status == 307:
            return f"307 to {self.location}"
        if self.status == 200:
            return "200 (a valid value)"
        return str(self.status)


def _malformed(param: Parameter, valid: str) -> Iterator[tuple[str, list[str], bool]]:
    """(case, values sent, accepted by FastAPI) for each malformed value of ``param``."""
    if param.kind == "uuid":
        yield "not a UUID", ["not-a-uuid"], False
        if param.location == "query":
            yield "empty", [""], False
            yield "repeated with a bad last value", [valid, "not-a-uuid"], False
        return
    yield "negative", ["-1"], param.minimum is None or param.minimum <= -1
    yield "not an integer", ["abc"], False
    yield "empty", [""], False
    yield "past 64 bits", [str(2**64)], True
    yield "repeated with a bad last value", ["5", "abc"], False


def _path(op: Operation, values: dict[str, str]) -> str:
    return op.path.format(**{k: quote(v, safe="") for k, v in values.items()})


def _operation_cases(op: Operation, agent: str, run_id: str, job_id: str) -> Iterator[MatrixCase]:
    ids = {"run_id": run_id, "job_id": job_id}
    if op.method == "DELETE":  # never aimed at a run that exists
        ids = {"run_id": NO_SUCH_RUN, "job_id": NO_SUCH_JOB}
    valid = {p.name: ids.get(p.name, agent if p.kind == "uuid" else "1") for p in op.parameters}
    path_values = {p.name: valid[p.name] for p in op.path_parameters}
    required = [(p.name, valid[p.name]) for p in op.query_parameters if p.required]
    base = _path(op, path_values)
    for param in op.query_parameters:
        if param.required:
            query = tuple(q for q in required if q[0] != param.name)
            what = f"`{param.name}` absent"
            yield MatrixCase("parameters", op.method, base, query, what, 422, ("query", param.name))
    for param in op.path_parameters:
        emptied = _path(op, {**path_values, param.name: ""})
        what = f"`{param.name}` absent (an empty path segment)"
        yield MatrixCase(
            "parameters", op.method, emptied, tuple(required), what, 307, None, emptied[:-1]
        )
    for param in op.parameters:
        for case, values, accepted in _malformed(param, valid[param.name]):
            what = f"`{param.name}` {case} ({'&'.join(values) or 'empty'})"
            status, loc = (200, None) if accepted else (422, (param.location, param.name))
            if param.location == "path":
                path = _path(op, {**path_values, param.name: values[-1]})
                yield MatrixCase("parameters", op.method, path, tuple(required), what, status, loc)
                continue
            others = tuple(q for q in required if q[0] != param.name)
            query = others + tuple((param.name, value) for value in values)
            yield MatrixCase("parameters", op.method, base, query, what, status, loc)
    yield MatrixCase(
        "routing", op.method, base + "/", tuple(required), "a trailing slash", 307, None, base
    )
    yield MatrixCase(
        "routing", op.method, base + _UNKNOWN_TAIL, tuple(required), "an unknown path", 404
    )


def matrix(
    *, agent: str, run_id: str = NO_SUCH_RUN, job_id: str = NO_SUCH_JOB, writes: bool
) -> list[MatrixCase]:
    """Every case of the matrix (see the module docstring), in a fixed order; without
    ``writes``, no unsafe request."""
    cases: list[MatrixCase] = []
    wrong = ("OPTIONS", "POST") if writes else ("OPTIONS",)
    paths_seen: set[str] = set()
    for op in OPERATIONS:
        if op.method != "GET" and not writes:
            continue
        label = f"{op.method} {op.path}"
        cases += [replace(c, operation=label) for c in _operation_cases(op, agent, run_id, job_id)]
        if op.path in paths_seen:
            continue
        paths_seen.add(op.path)
        for method in wrong:
            ids = (run_id, job_id) if method == "OPTIONS" else (NO_SUCH_RUN, NO_SUCH_JOB)
            base = _path(op, dict(zip(("run_id", "job_id"), ids, strict=True)))
            required = tuple(
                (p.name, agent) for p in op.query_parameters if p.required and p.kind == "uuid"
            )
            what = f"the wrong method {method}"
            case = MatrixCase("routing", method, base, required, what, 405, operation=label)
            cases.append(case)
    return cases


def judge(case: MatrixCase, answer: RawAnswer) -> str | None:
    """What is wrong with ``answer`` to ``case``, or None when it is FastAPI's."""
    shown = json.dumps(answer.body)[:160] if answer.body is not NOT_JSON else "(not JSON)"
    query = "&".join(f"{k}={v}" for k, v in case.query)
    request = f"{case.method} {case.path}{'?' + query if query else ''}"
    if 200 <= answer.status < 300 and case.status != 200:
        return (
            f"{case.what} was accepted: {request} answered {answer.status}; "
            f"expected {case.expected()}"
        )
    if answer.status != case.status:
        return (
            f"{case.what}: {request} answered {answer.status}, expected {case.expected()}: {shown}"
        )
    if case.status == 422 and case.loc is not None:
        detail = answer.body.get("detail") if isinstance(answer.body, dict) else None
        locs = [
            tuple(e["loc"][:2])
            for e in (detail if isinstance(detail, list) else [])
            if isinstance(e, dict) and isinstance(e.get("loc"), list)
        ]
        if case.loc not in locs:
            return f"{case.what}: the 422 to {request} does not name {'.'.join(case.loc)}: {shown}"
    if case.status == 405 and not answer.headers.get("allow", "").strip():
        return f"{case.what}: the 405 to {request} has no Allow header"
    if case.status == 307:
        target = urlsplit(answer.headers.get("location", "")).path
        if target != case.location:
            return f"{case.what}: {request} redirects to {target or 'nowhere'}, not {case.location}"
    return None


def _known(session: ApiSession) -> tuple[str, str, str]:
    """An agent (one with runs if any), a listed run id and its job id, where known."""
    try:
        agent = session.populated_agents()[0]
    except Skip:
        agent = session.agent_ids[0]
    run_id, job_id = NO_SUCH_RUN, NO_SUCH_JOB
    for listed_id, listed_job in session.listed.items():
        run_id = listed_id
        job_id = listed_job if isinstance(listed_job, str) else NO_SUCH_JOB
        break
    return agent, run_id, job_id


def _run_family(session: ApiSession, family: str, check: str) -> None:
    agent, run_id, job_id = _known(session)
    cases = [
        c
        for c in matrix(agent=agent, run_id=run_id, job_id=job_id, writes=session.deletable is None)
        if c.family == family
    ]
    failures: list[tuple[MatrixCase, str, str]] = []
    for case in cases:
        answer = session.send_raw(case.method, case.path, case.query)
        session.counters[f"matrix.{family}"] += 1
        problem = judge(case, answer)
        if problem is not None:
            failures.append((case, problem, answer.curl))
    if failures:
        _fail(failures, len(cases), check)


def _fail(failures: Sequence[tuple[MatrixCase, str, str]], total: int, check: str) -> None:
    """One failure for all the matrix found: each request's problem, the first few curls; it
    is filed under the operation of the first (the lines name every one)."""
    lines = [f"{len(failures)} of {total} requests did not get FastAPI's answer:"]
    lines += [f"- {problem}" for _, problem, _ in failures[:_SHOWN_FAILURES]]
    if len(failures) > _SHOWN_FAILURES:
        lines.append(f"- and {len(failures) - _SHOWN_FAILURES} more")
    curls = "\n".join(curl for _, _, curl in failures[:_SHOWN_FAILURES])
    error = ExchangeFailure("\n".join(lines), failures[0][0].operation, curls)
    error.failed_exchanges = len(failures)
    error.replays = tuple(matrix_replay(check, case, problem) for case, problem, _ in failures)
    raise error


@CHECKS.api(judges="the matrix's requests")
def rejects_bad_parameters(session: ApiSession) -> None:
    """Each required parameter absent and each malformed value (not a UUID, empty, negative,
    not an integer, past 64 bits, repeated with a bad last value) gets FastAPI's answer: 422
    naming the parameter (200 for an integer past 64 bits; 307 for an empty path segment).

    The same requests in every run, whatever the seed and ``max_examples``.
    """
    _run_family(session, "parameters", "rejects_bad_parameters")


@CHECKS.api(judges="the matrix's requests")
def routes_like_fastapi(session: ApiSession) -> None:
    """A wrong method gets 405 with Allow, a trailing slash 307 to the path without it, an
    unknown path 404, as FastAPI answers.

    The same requests in every run, whatever the seed and ``max_examples``.
    """
    _run_family(session, "routing", "routes_like_fastapi")
