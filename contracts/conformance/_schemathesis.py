"""Drive schemathesis's engine (examples, coverage, fuzzing and stateful phases) through the
run's front door.

schemathesis is imported here only, inside functions, so importing ``contracts`` never loads
it. It is pointed at the :class:`~._front.FrontDoor`, so every request it sends passes the
guard; text it produces names the real base URL again. This API's response checks are
registered with schemathesis as custom checks (under their own names), and the engine's events
are folded into the :class:`ConformanceReport`, each check counting only the answers it really
judged.

A run that may not write gives schemathesis a document without the delete operation (nor the
links to it), and no unsafe method to try in the coverage phase.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._schemas import openapi_document
from ._exchange import NOT_JSON, Exchange, operation_for
from ._front import REFUSED_HEADER, FrontDoor
from ._masking import Secrets
from ._policy import SAFE_METHODS
from ._registry import Check
from ._replay import Replay, Step, step_of_url
from ._report import ConformanceReport, Failure

if TYPE_CHECKING:
    from schemathesis.engine.events import EngineEvent

    from ._guard import Guard

__all__ = ["SCHEMATHESIS_PHASES", "run_schemathesis"]

SCHEMATHESIS_PHASES = ("examples", "coverage", "fuzzing", "stateful")
Progress = Callable[[str, str], None]

_registered: set[str] = set()
_UNEXPECTED_METHODS = ("get", "put", "post", "delete", "options", "patch", "trace", "query")


def _wire(value: object) -> str | None:
    """A query or path value as it goes on the wire (the last of a list, as FastAPI reads it)."""
    if isinstance(value, (list, tuple)):
        return _wire(value[-1]) if value else None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def exchange_from_schemathesis(case: Any, response: Any) -> Exchange | None:
    """The :class:`Exchange` of a schemathesis case and its response (None for other APIs)."""
    op = operation_for(case.operation.method, case.operation.path)
    if op is None or case.method.upper() != op.method:
        return None
    query = {
        k: v for k, v in ((k, _wire(v)) for k, v in (case.query or {}).items()) if v is not None
    }
    path = {
        k: v
        for k, v in ((k, _wire(v)) for k, v in (case.path_parameters or {}).items())
        if v is not None
    }
    try:
        body = response.json()
    except Exception:  # schemathesis raises its own JSON errors; not JSON is all that matters
        body = NOT_JSON
    return Exchange(op, path, query, response.status_code, body)


def _refused(response: Any) -> bool:
    """Whether the front door made this answer up (the guard refused the request)."""
    return any(name.lower() == REFUSED_HEADER for name in response.headers)


def _register(check: Check) -> None:
    """Register one of this API's response checks with schemathesis, under its own name."""
    import schemathesis

    if check.name in _registered:
        return
    func = check.func
    assert func is not None

    def as_schemathesis_check(ctx: Any, response: Any, case: Any) -> bool | None:
        exchange = None if _refused(response) else exchange_from_schemathesis(case, response)
        if exchange is None or not func(exchange):
            return True  # not judged: schemathesis records no success for it
        return None

    as_schemathesis_check.__name__ = as_schemathesis_check.__qualname__ = check.name
    as_schemathesis_check.__doc__ = check.description
    schemathesis.check(as_schemathesis_check)
    _registered.add(check.name)


def document(examples: Mapping[str, Sequence[str]], *, writes: bool) -> dict[str, Any]:
    """The committed OpenAPI document, with known values (agents that have runs, listed run
    and job ids) as ``examples`` of the parameters of those names, so every phase reaches
    real runs, not only 404s. Without ``writes``, the operations with an unsafe method and the
    links to them are left out."""
    doc = openapi_document()
    removed: set[str] = set()
    for item in doc["paths"].values():
        for method in list(item):
            if not writes and method.upper() not in SAFE_METHODS:
                removed.add(item.pop(method)["operationId"])
    for item in doc["paths"].values():
        for spec in item.values():
            for answer in spec.get("responses", {}).values():
                links = answer.get("links", {})
                for name in [n for n, link in links.items() if link["operationId"] in removed]:
                    del links[name]
            for param in spec.get("parameters", []):
                values = examples.get(param["name"])
                if values:
                    param["examples"] = {
                        f"known_{i}": {"value": value} for i, value in enumerate(values)
                    }
    return doc


def _judged(name: str, case: Any, response: Any) -> bool:
    """Whether schemathesis's check ``name`` really judged this answer (most return "passed"
    for answers they do not look at)."""
    from schemathesis.generation.meta import CoverageScenario, coverage_scenario

    documented = bool(case.method.upper() == case.operation.method.upper())
    if name == "not_a_server_error":
        return True
    if name == "status_code_conformance":
        return documented
    if name in ("content_type_conformance", "response_schema_conformance"):
        found = case.operation.responses.find_by_status_code(response.status_code)
        return documented and found is not None
    if name in ("negative_data_rejection", "positive_data_acceptance"):
        meta = case.meta
        mode = meta.generation.mode if meta is not None else None
        if mode is None:
            return False
        return bool(mode.is_negative if name == "negative_data_rejection" else mode.is_positive)
    if name == "unsupported_method":
        return coverage_scenario(case) == CoverageScenario.UNSPECIFIED_HTTP_METHOD
    if name == "allow_header_conformance":
        return case.method.upper() == "OPTIONS" and bool(response.headers.get("allow"))
    return False  # use_after_free is counted from the stateful scenario; the rest never apply


def _fold(
    event: EngineEvent, report: ConformanceReport, progress: Progress, front: FrontDoor
) -> None:
    from schemathesis.engine import events

    if isinstance(event, events.PhaseStarted) and event.phase.name.value in SCHEMATHESIS_PHASES:
        progress(event.phase.name.value, "started")
    elif isinstance(event, events.PhaseFinished) and event.phase.name.value in SCHEMATHESIS_PHASES:
        skip = event.phase.skip_reason
        progress(event.phase.name.value, f"skipped ({skip.value})" if skip else "finished")
    elif isinstance(event, events.ScenarioFinished):
        _fold_scenario(event, report, progress, front)
    elif isinstance(event, events.NonFatalError):
        report.add_error(front.real(f"{event.label}: {event.info.title}: {event.info.message}"))
    elif isinstance(event, events.FatalError):
        report.add_error(front.real(f"schemathesis stopped: {event.exception}"))


def _fold_scenario(
    event: Any, report: ConformanceReport, progress: Progress, front: FrontDoor
) -> None:
    phase = event.phase.value
    recorder = event.recorder
    report.counters[f"schemathesis.{phase}.cases"] += len(recorder.cases)
    answered = {
        case_id: i.response
        for case_id, i in recorder.interactions.items()
        if i.response is not None and not _refused(i.response)
    }
    answers = list(answered.values())
    report.counters[f"schemathesis.{phase}.2xx"] += sum(200 <= a.status_code < 300 for a in answers)
    reads_after_delete = _count_stateful(recorder, report) if phase == "stateful" else set()
    for case_id, response in answered.items():
        node = recorder.cases.get(case_id)
        exchange = exchange_from_schemathesis(node.value, response) if node else None
        if exchange is not None and response.status_code == 200:
            report.counters["runs_seen"] += sum(1 for _ in exchange.runs())
    for case_id, checks in recorder.checks.items():
        response = answered.get(case_id)
        node = recorder.cases.get(case_id)
        if response is None or node is None:
            continue  # the front door refused it: the guard reported the real finding
        for check in checks:
            if check.failure_info is not None:
                _failure(check, event, report, front, _steps(recorder, case_id, front, report))
                report.record(check.name, passed=False)
                continue
            ours = report.results.get(check.name)
            if ours is None:
                continue
            if ours.check.kind == "response" or (
                _judged(check.name, node.value, response)
                if check.name != "use_after_free"
                else case_id in reads_after_delete
            ):
                report.record(check.name, passed=True)
    if event.label is None:  # a stateful scenario: many, so a dot each
        progress(phase, ".")
    elif event.status.value == "skip":
        progress(phase, f"{event.label}: skipped ({event.skip_reason or 'nothing to send'})")
    else:
        outcome = {"success": "ok", "failure": "FAILED", "error": "ERROR"}.get(
            event.status.value, event.status.value
        )
        progress(phase, f"{event.label}: {outcome} ({len(recorder.cases)} requests)")


_MAX_STEPS = 10  # unsafe requests replayed before the failing one, at most


def _steps(recorder: Any, case_id: str, front: FrontDoor, report: ConformanceReport) -> list[Step]:
    """The failing request as sent, after the unsafe requests of the scenario that went to the
    same path before it (the delete before the read of ``use_after_free``, whether the read
    followed a link from the delete or from a list); each without its credentials."""

    def step(current: str) -> Step | None:
        node = recorder.cases.get(current)
        interaction = recorder.interactions.get(current)
        response = interaction.response if interaction is not None else None
        if node is None or response is None:
            return None
        sent = response.request
        body = sent.body or b""
        return step_of_url(
            sent.method,
            sent.url,
            front.url,
            headers=list((node.value.headers or {}).items()),
            body=body.encode() if isinstance(body, str) else bytes(body),
            secrets=report.secrets,
        )

    failing = step(case_id)
    if failing is None:
        return []
    before: list[Step] = []
    for current in recorder.cases:
        if current == case_id:
            break
        earlier = step(current)
        unsafe = earlier is not None and earlier.method not in SAFE_METHODS
        if unsafe and earlier is not None and earlier.path == failing.path:
            before.append(earlier)
    return [*before[-_MAX_STEPS:], failing]


def _failure(
    check: Any, event: Any, report: ConformanceReport, front: FrontDoor, steps: list[Step]
) -> None:
    info = check.failure_info
    curls = [step.curl for step in info.steps] or [info.code_sample]
    message = front.real(info.failure.message)
    ours = report.results.get(check.name)
    title = info.failure.title
    if ours is not None and ours.check.kind == "response":
        title = ours.check.description  # not schemathesis's "Custom check failed"
    report.add_failure(
        Failure(
            check=check.name,
            operation=info.failure.operation or (event.label or "stateful"),
            title=title,
            message=message,
            curl=front.real("\n".join(curls)),
            phase=event.phase.value,
            replays=(Replay(check.name, tuple(steps), found=message or title),) if steps else (),
        )
    )


def _count_stateful(recorder: Any, report: ConformanceReport) -> set[str]:
    """Counters that show the stateful phase reached real runs: link-followed requests that got
    a 2xx, deletes that worked, and reads of a run after it was deleted (returned: the case
    ids of those reads, which ``use_after_free`` judges)."""
    deleted: set[tuple[tuple[str, str], ...]] = set()
    reads: set[str] = set()
    for case_id, node in recorder.cases.items():
        interaction = recorder.interactions.get(case_id)
        response = interaction.response if interaction else None
        status = response.status_code if response is not None and not _refused(response) else 0
        case = node.value
        key = tuple(sorted((k, str(v)) for k, v in (case.path_parameters or {}).items()))
        method = case.method.upper()
        if node.parent_id is not None and 200 <= status < 300:
            report.counters["schemathesis.stateful.linked_2xx"] += 1
        if method == "DELETE" and 200 <= status < 300 and key:
            report.counters["schemathesis.stateful.deleted"] += 1
            deleted.add(key)
        elif method == "GET" and key in deleted and status:
            report.counters["schemathesis.stateful.get_after_delete"] += 1
            reads.add(case_id)
    return reads


def run_schemathesis(
    guard: Guard,
    report: ConformanceReport,
    *,
    checks: Sequence[Check],
    max_examples: int,
    seed: int,
    workers: int,
    headers: Mapping[str, str],
    examples: Mapping[str, Sequence[str]],
    phases: Sequence[str] = SCHEMATHESIS_PHASES,
    progress: Progress,
) -> None:
    """Run schemathesis's phases with ``checks`` (built-in and this API's response checks),
    every request through ``guard`` (by way of a front door of its own).

    ``examples`` maps parameter names to known values (``extraction_agent_id``, ``run_id``,
    ``job_id``), which the phases try beside the values they generate. The run stops when the
    guard stops (budget spent, server untestable).

    This API's response checks stay registered with schemathesis for the rest of the process;
    they judge only this API's four operations, and nothing else.
    """
    import schemathesis
    from schemathesis.config import (
        CacheConfig,
        HealthCheck,
        OutputConfig,
        SanitizationConfig,
        SchemathesisConfig,
    )
    from schemathesis.engine import from_schema

    for check in checks:
        if check.kind == "response":
            _register(check)
    writes = guard.policy.writes
    secret_names = _secret_names(report.secrets)
    sensitive = (*SanitizationConfig().keys_to_sanitize, *secret_names)  # its own, and ours
    config = SchemathesisConfig(
        seed=seed,
        # Hypothesis's health checks judge the data generation (slow on a busy machine), not
        # the server: they would only add noise to a conformance report.
        suppress_health_check=[HealthCheck("all")],
        # Write nothing into the caller's working directory: no failure cache (and no example
        # database, below). No schemathesis.toml is read either: the run is what is asked.
        cache=CacheConfig(enabled=False),
        # Mask every header the user passed in schemathesis's own curl lines, as its own
        # sensitive names are.
        output=OutputConfig(
            sanitization=SanitizationConfig(keys_to_sanitize=tuple(dict.fromkeys(sensitive)))
        ),
    )
    limits = guard.limits
    with FrontDoor(guard) as front:
        project = config.projects.override
        project.update(
            base_url=front.url,
            headers=dict(headers) or None,
            workers=workers,
            # the front door answers within the guard's bounds: a whole-request deadline, one
            # wait for a 429 and one retry, and the pace
            request_timeout=2 * limits.timeout + limits.max_wait + 30,
        )
        project.generation.update(max_examples=max_examples, database="none")
        project.phases.update(phases=list(phases))
        project.phases.coverage.unexpected_methods = {
            method for method in _UNEXPECTED_METHODS if writes or method.upper() in SAFE_METHODS
        }
        project.checks.update(included_check_names=[check.name for check in checks])
        schema = schemathesis.openapi.from_dict(document(examples, writes=writes), config=config)
        schema.hooks.register_hook_with_name(_keep_failure, "filter_failure")
        stream = from_schema(schema).execute()
        guard.on_stop(stream.stop)
        try:
            for event in stream:
                _fold(event, report, progress, front)
        finally:
            stream.stop()


def _keep_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """schemathesis's ``filter_failure`` hook: drop what it found on an answer the front door
    made up (the guard refused the request, or its answer)."""
    return not _refused(response)


def _secret_names(secrets: Secrets) -> tuple[str, ...]:
    from .._secrets import SECRET_HEADERS

    return tuple(sorted({*SECRET_HEADERS, *secrets.names}))
