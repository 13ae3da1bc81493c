"""The judge of one exchange with the Extraction Runs API: a request and the answer it got.

:func:`judge` takes what went over the wire (method, path, query pairs, status, headers, the
body's bytes as sent) and returns a :class:`Judgement`: which operation it was (None for any
other request: not judged), the checks that judged it, and every :class:`TrafficViolation`.

The checks, in :data:`TRAFFIC_CHECKS` (a registry, so the summary can say which judged nothing):

- ``request_parameters``: the request's parameters read as the contract types them
  (:mod:`contracts._params`, the mock's own reader); one the contract refuses is answered 422
  naming each refused parameter, a valid one is not answered 422;
- ``status_code_conformance``: the status is one the operation defines;
- ``content_type_conformance``: a documented answer is JSON, and says so;
- ``response_schema_conformance``: the body fits the contract's schema for that status;
- ``documented_fields``: every field of a page, a run, its file and its config is one the
  contract documents (the contract lets new fields pass, so this is the way to learn of them);
- every ``response`` check of :data:`contracts.conformance.CHECKS` (a page holds at most
  ``limit`` runs and echoes ``skip`` and ``limit``, listed runs belong to the agent asked for,
  get and get-by-job answer the run asked for, ...), run on the same
  :class:`~contracts.conformance.Exchange` as in a conformance run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .._bounded_json import load_json
from .._errors import UnreadableJson
from .._operations import OPERATIONS, Operation, route_request
from .._params import ParameterReader
from .._schemas import json_schema
from .._validate import schema_violations
from ..conformance import CHECKS, NOT_JSON, Exchange
from ..conformance._limits import MAX_BODY, size
from ..conformance._wire import WireError, decode

__all__ = [
    "IMPLIED_BY_SCHEMA",
    "TRAFFIC_CHECKS",
    "Judgement",
    "TrafficCheck",
    "TrafficViolation",
    "codings",
    "header",
    "judge",
    "judged_headers",
]

Pairs = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class TrafficCheck:
    """One check of real traffic: its ``name``, what it checks, and which exchanges it
    ``judges`` (said when it judged none)."""

    name: str
    description: str
    judges: str


@dataclass(frozen=True)
class TrafficViolation:
    """One way one answer breaks the contract.

    ``check`` names the check; ``operation``, ``method`` and ``path`` (no query) the request;
    ``status`` the answer's; ``json_path`` where in the body (``$`` for the whole answer);
    ``message`` what differed; ``curl`` repeats the request, secrets masked (empty if unknown).
    """

    check: str
    operation: str
    method: str
    path: str
    status: int
    json_path: str
    message: str
    curl: str = field(default="", compare=False)

    def __str__(self) -> str:
        return (
            f"{self.operation} {self.method} {self.path} -> {self.status}: "
            f"{self.json_path}: {self.message} [{self.check}]"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "json_path": self.json_path,
            "message": self.message,
            "curl": self.curl,
        }


@dataclass(frozen=True)
class Judgement:
    """What :func:`judge` found about one exchange.

    ``operation`` is None for a request that is none of the four (nothing judged). ``judged``
    names the checks that judged it; ``unjudged`` says why its body was not judged (too large),
    else None; ``body`` is the answer's JSON value (:data:`~contracts.conformance.NOT_JSON` when
    it is not JSON or was not read), so that no one parses it again.
    """

    operation: Operation | None
    violations: tuple[TrafficViolation, ...] = ()
    judged: tuple[str, ...] = ()
    unjudged: str | None = None
    body: Any = NOT_JSON


_OWN_CHECKS = (
    TrafficCheck(
        "request_parameters",
        "A request whose parameters the contract refuses is answered 422 naming each of them; "
        "a valid one is not answered 422.",
        "2xx and 422 answers",
    ),
    TrafficCheck(
        "status_code_conformance",
        "The status is one the operation defines.",
        "every answer of the four operations",
    ),
    TrafficCheck(
        "content_type_conformance",
        "An answer with a documented status is JSON and says so (application/json).",
        "answers with a documented status",
    ),
    TrafficCheck(
        "response_schema_conformance",
        "The body fits the contract's schema for its status (formats included).",
        "answers with a documented status and a JSON body",
    ),
    TrafficCheck(
        "documented_fields",
        "Every field of a page, a run, its file and its config is one the contract documents.",
        "200 answers that carry runs",
    ),
)

TRAFFIC_CHECKS: tuple[TrafficCheck, ...] = _OWN_CHECKS + tuple(
    TrafficCheck(check.name, check.description, check.judges)
    for check in CHECKS
    if check.kind == "response"
)
"""Every check :func:`judge` makes, in the order it makes them."""

_RESPONSE_CHECKS: tuple[tuple[str, Callable[[Exchange], bool]], ...] = tuple(
    (check.name, check.func)  # type: ignore[misc]
    for check in CHECKS
    if check.kind == "response" and check.func is not None
)

IMPLIED_BY_SCHEMA = frozenset({"ids_and_timestamps"})
"""Response checks that cannot fail on a body the schema found nothing wrong with (every id
and timestamp they look at has its format in the schema, checked by the same functions; a test
holds this): such a check judges the body without being run again, which on a page of 20 runs
spares a quarter of a millisecond."""


_READERS: Mapping[str, ParameterReader] = {op.name: ParameterReader(op) for op in OPERATIONS}


def header(headers: Pairs, name: str) -> str | None:
    """The first value of header ``name`` (any case) in ``headers``, or None."""
    name = name.lower()
    return next((value for key, value in headers if key.lower() == name), None)


def codings(headers: Pairs) -> list[str]:
    """The content codings of an answer, in the order the server applied them."""
    return [
        part.strip().lower()
        for key, value in headers
        if key.lower() == "content-encoding"
        for part in value.split(",")
    ]


def judged_headers(headers: Pairs) -> tuple[str | None, tuple[str, ...]]:
    """The only parts of an answer's headers :func:`judge` reads: its ``Content-Type`` and its
    content codings (what a memo of judgements must key on): ``(header(headers,
    "content-type"), tuple(codings(headers)))``, in one pass (it is asked for every
    exchange)."""
    content_type = None
    encodings: tuple[str, ...] = ()
    for key, value in headers:
        key = key.lower()
        if key == "content-type":
            if content_type is None:
                content_type = value
        elif key == "content-encoding":
            encodings += tuple(part.strip().lower() for part in value.split(","))
    return content_type, encodings


class _Findings:
    """The violations and judging checks of one exchange, as they are found."""

    def __init__(self, operation: Operation, method: str, path: str, status: int, curl: str):
        self.operation = operation
        self.method = method
        self.path = path
        self.status = status
        self.curl = curl
        self.violations: list[TrafficViolation] = []
        self.judged: list[str] = []

    def fail(self, check: str, json_path: str, message: str) -> None:
        self.violations.append(
            TrafficViolation(
                check,
                self.operation.name,
                self.method,
                self.path,
                self.status,
                json_path,
                message,
                self.curl,
            )
        )

    def judging(self, check: str) -> None:
        self.judged.append(check)  # each check says so once

    def done(self, body: Any = NOT_JSON, unjudged: str | None = None) -> Judgement:
        return Judgement(self.operation, tuple(self.violations), tuple(self.judged), unjudged, body)


def judge(
    method: str,
    path: str,
    query: Pairs,
    status: int,
    headers: Pairs,
    body: bytes | None,
    *,
    curl: str = "",
    max_body: int = MAX_BODY,
) -> Judgement:
    """Judge one exchange: ``method`` as sent, ``path`` percent-decoded without the query,
    ``query`` its pairs in order, the answer's ``status`` and ``headers``, and ``body`` its
    bytes as sent (still in their ``Content-Encoding``), or None when it was larger than
    ``max_body`` (then only the status is judged)."""
    op, path_values = route_request(method, path)
    if op is None or path_values is None:
        return Judgement(None)
    parsed = _READERS[op.name].read(path_values, dict(query))
    findings = _Findings(op, method, path, status, curl)
    refused = parsed.errors
    if status == 422 or 200 <= status < 300:
        findings.judging("request_parameters")
        if refused and status != 422:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in refused)
            findings.fail(
                "request_parameters",
                "$",
                f"the contract refuses the request's {fields}, yet the answer is {status}, not 422",
            )
    findings.judging("status_code_conformance")
    statuses = (200, *op.errors)
    if status not in statuses:
        defined = ", ".join(map(str, statuses))
        findings.fail(
            "status_code_conformance",
            "$",
            f"status {status} is not one {op.name} defines ({defined})",
        )
        return findings.done()
    if body is None:
        return findings.done(unjudged=f"the body is larger than {size(max_body)}")
    value = _read_body(findings, headers, body, max_body)
    if value is NOT_JSON:
        return findings.done()
    schema_clean = _judge_body(findings, op, value)
    if status == 422:
        _check_refusal(findings, refused, value)
    elif status == 200 and isinstance(value, dict):
        _check_fields(findings, op, value)
        skipped = IMPLIED_BY_SCHEMA if schema_clean else frozenset()
        _run_response_checks(findings, op, parsed.values, path_values, query, value, skipped)
    return findings.done(value)


def _read_body(findings: _Findings, headers: Pairs, body: bytes, max_body: int) -> Any:
    """The answer's JSON value, or NOT_JSON after saying why it is not one."""
    findings.judging("content_type_conformance")
    content_type, applied = judged_headers(headers)
    try:
        decoded = decode(body, applied, max_body) if applied else body
    except WireError as exc:
        findings.fail("content_type_conformance", "$", str(exc))
        return NOT_JSON
    media = (content_type or "").partition(";")[0].strip().lower()
    if media != "application/json":
        shown = repr(media) if media else "no content type"
        findings.fail(
            "content_type_conformance", "$", f"the answer says {shown}, not application/json"
        )
    try:
        return load_json(decoded, source="body")
    except UnreadableJson as exc:
        findings.fail("content_type_conformance", exc.path or "$", f"not JSON: {exc.problem}")
        return NOT_JSON


def _judge_body(findings: _Findings, op: Operation, value: Any) -> bool:
    """Check the body against its schema; whether it fit."""
    model = op.success if findings.status == 200 else op.errors.get(findings.status)
    findings.judging("response_schema_conformance")
    if model is None:  # the delete answer: any JSON value
        return True
    violations = schema_violations(value, model.__name__, read=True)
    for violation in violations:
        findings.fail("response_schema_conformance", violation.path, violation.message)
    return not violations


def _check_refusal(findings: _Findings, refused: list[dict[str, Any]], value: Any) -> None:
    """A 422 names every parameter the contract refuses; a valid request gets no 422."""
    detail = value.get("detail") if isinstance(value, dict) else None
    named = {
        tuple(entry["loc"][:2])
        for entry in (detail if isinstance(detail, list) else [])
        if isinstance(entry, dict) and isinstance(entry.get("loc"), list)
    }
    if not refused:
        shown = ", ".join(".".join(map(str, loc)) for loc in sorted(named, key=str)) or "nothing"
        findings.fail(
            "request_parameters",
            "$.detail",
            f"the request's parameters are valid by the contract, yet it was refused (422 "
            f"naming {shown})",
        )
        return
    missing = [e for e in refused if tuple(e["loc"][:2]) not in named]
    if missing and isinstance(detail, list):
        fields = ", ".join(".".join(map(str, e["loc"])) for e in missing)
        findings.fail("request_parameters", "$.detail", f"the 422 does not name {fields}")


@cache
def _documented() -> Mapping[str, frozenset[str]]:
    def properties(schema: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(schema.get("properties", {}))

    run = json_schema("ExtractRun")
    return {
        "page": properties(json_schema("PaginatedExtractRunsResponse")),
        "run": properties(run),
        "file": properties(json_schema("File")),
        "config": properties(json_schema("ExtractConfig")),
    }


def _where(index: int | None) -> str:
    return "$" if index is None else f"$.items[{index}]"


def _runs_in(op: Operation, value: dict[str, Any]) -> list[tuple[int | None, Any]]:
    """(index in the page, or None for the whole answer; the run) of each run answered."""
    if op.name == "list_runs":
        items = value.get("items")
        return list(enumerate(items)) if isinstance(items, list) else []
    if op.name in ("get_run", "get_run_by_job"):
        return [(None, value)]
    return []


def _check_fields(findings: _Findings, op: Operation, value: dict[str, Any]) -> None:
    if op.success is None:
        return
    known = _documented()
    found: list[tuple[str, Any, str]] = []  # (where, node, kind) of nodes with unknown fields
    if op.name == "list_runs" and value.keys() - known["page"]:
        found.append(("$", value, "page"))
    runs = _runs_in(op, value)
    if not runs and op.name != "list_runs":
        return
    findings.judging("documented_fields")
    for index, run in runs:
        if not isinstance(run, dict):
            continue
        if run.keys() - known["run"]:
            found.append((_where(index), run, "run"))
        for part in ("file", "config"):
            node = run.get(part)
            if isinstance(node, dict) and node.keys() - known[part]:
                found.append((f"{_where(index)}.{part}", node, part))
    unknown: dict[tuple[str, str], list[str]] = {}  # (kind, field) -> where it is
    for where, node, kind in found:
        for key in node:
            if key not in known[kind]:
                unknown.setdefault((kind, key), []).append(f"{where}.{key}")
    for (kind, _field), paths in unknown.items():  # one violation per field, not per run
        more = f" (and {len(paths) - 1} more in this answer)" if len(paths) > 1 else ""
        findings.fail(
            "documented_fields",
            paths[0],
            f"a field the contract does not document on a {kind}{more}",
        )


def _run_response_checks(
    findings: _Findings,
    op: Operation,
    values: Mapping[str, Any],
    path_values: Mapping[str, str],
    query: Pairs,
    value: dict[str, Any],
    skipped: frozenset[str],
) -> None:
    given = dict(query)
    exchange = Exchange(
        op,
        {p.name: str(values.get(p.name, path_values[p.name])) for p in op.path_parameters},
        {p.name: str(values[p.name]) for p in op.query_parameters if p.name in given},
        findings.status,
        value,
        findings.curl,
    )
    for name, check in _RESPONSE_CHECKS:
        if name in skipped:
            if next(exchange.runs(), None) is not None:
                findings.judging(name)
            continue
        try:
            if check(exchange):
                findings.judging(name)
        except AssertionError as exc:
            findings.judging(name)
            findings.fail(name, "$", str(exc))
