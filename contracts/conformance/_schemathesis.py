"""Drive schemathesis's engine (coverage, fuzzing and stateful phases) against a live server.

schemathesis is imported here only, inside functions, so importing ``contracts`` never loads
it. This API's response checks are registered with schemathesis as custom checks (under their
own names), and the engine's events are folded into the :class:`ConformanceReport`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._schemas import openapi_document
from ._exchange import NOT_JSON, Exchange, operation_for
from ._registry import Check
from ._report import ConformanceReport, Failure

if TYPE_CHECKING:
    from schemathesis.engine.events import EngineEvent

__all__ = ["SCHEMATHESIS_PHASES", "run_schemathesis"]

SCHEMATHESIS_PHASES = ("examples", "coverage", "fuzzing", "stateful")
Progress = Callable[[str, str], None]

_registered: set[str] = set()


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
    if op is None:
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


def _register(check: Check) -> None:
    """Register one of this API's response checks with schemathesis, under its own name."""
    import schemathesis

    if check.name in _registered:
        return
    func = check.func
    assert func is not None

    def as_schemathesis_check(ctx: Any, response: Any, case: Any) -> bool | None:
        exchange = exchange_from_schemathesis(case, response)
        if exchange is not None:
            func(exchange)
        return None

    as_schemathesis_check.__name__ = as_schemathesis_check.__qualname__ = check.name
    as_schemathesis_check.__doc__ = check.description
    schemathesis.check(as_schemathesis_check)
    _registered.add(check.name)


def _document(examples: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The committed OpenAPI document, with known values (agents that have runs, listed run
    and job ids) as ``examples`` of the parameters of those names, so every phase reaches
    real runs, not only 404s (the contract itself is unchanged)."""
    document = openapi_document()
    for operation in document["paths"].values():
        for spec in operation.values():
            for param in spec.get("parameters", []):
                values = examples.get(param["name"])
                if values:
                    param["examples"] = {
                        f"known_{i}": {"value": value} for i, value in enumerate(values)
                    }
    return document


def _fold(event: EngineEvent, report: ConformanceReport, progress: Progress) -> None:
    from schemathesis.engine import events

    if isinstance(event, events.PhaseStarted) and event.phase.name.value in SCHEMATHESIS_PHASES:
        progress(event.phase.name.value, "started")
    elif isinstance(event, events.PhaseFinished) and event.phase.name.value in SCHEMATHESIS_PHASES:
        skip = event.phase.skip_reason
        progress(event.phase.name.value, f"skipped ({skip.value})" if skip else "finished")
    elif isinstance(event, events.ScenarioFinished):
        _fold_scenario(event, report, progress)
    elif isinstance(event, events.NonFatalError):
        report.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
    elif isinstance(event, events.FatalError):
        report.errors.append(f"schemathesis stopped: {event.exception}")


def _fold_scenario(event: Any, report: ConformanceReport, progress: Progress) -> None:
    phase = event.phase.value
    recorder = event.recorder
    report.counters[f"schemathesis.{phase}.cases"] += len(recorder.cases)
    answers = [i.response for i in recorder.interactions.values() if i.response is not None]
    report.counters["requests"] += len(answers)
    report.counters[f"schemathesis.{phase}.2xx"] += sum(200 <= a.status_code < 300 for a in answers)
    for checks in recorder.checks.values():
        for node in checks:
            failed = node.failure_info is not None
            report.record(node.name, passed=not failed)
            if not failed:
                continue
            info = node.failure_info
            steps = [step.curl for step in info.steps] or [info.code_sample]
            ours = report.results.get(node.name)
            title = info.failure.title
            if ours is not None and ours.check.kind == "response":
                title = ours.check.description  # not schemathesis's "Custom check failed"
            report.add_failure(
                Failure(
                    check=node.name,
                    operation=info.failure.operation or (event.label or "stateful"),
                    title=title,
                    message=info.failure.message,
                    curl="\n".join(steps),
                    phase=phase,
                )
            )
    if phase == "stateful":
        _count_stateful(recorder, report)
    if event.label is None:  # a stateful scenario: many, so a dot each
        progress(phase, ".")
    elif event.status.value == "skip":
        progress(phase, f"{event.label}: skipped ({event.skip_reason or 'nothing to send'})")
    else:
        outcome = {"success": "ok", "failure": "FAILED", "error": "ERROR"}.get(
            event.status.value, event.status.value
        )
        progress(phase, f"{event.label}: {outcome} ({len(recorder.cases)} requests)")


def _count_stateful(recorder: Any, report: ConformanceReport) -> None:
    """Counters that show the stateful phase reached real runs: link-followed requests that got
    a 2xx, deletes that worked, and reads of a run after it was deleted."""
    deleted: set[tuple[tuple[str, str], ...]] = set()
    for case_id, node in recorder.cases.items():
        interaction = recorder.interactions.get(case_id)
        status = interaction.response.status_code if interaction and interaction.response else 0
        case = node.value
        key = tuple(sorted((k, str(v)) for k, v in (case.path_parameters or {}).items()))
        method = case.method.upper()
        if node.parent_id is not None and 200 <= status < 300:
            report.counters["schemathesis.stateful.linked_2xx"] += 1
        if method == "DELETE" and 200 <= status < 300 and key:
            report.counters["schemathesis.stateful.deleted"] += 1
            deleted.add(key)
        elif method == "GET" and key in deleted:
            report.counters["schemathesis.stateful.get_after_delete"] += 1


def run_schemathesis(
    base_url: str,
    report: ConformanceReport,
    *,
    checks: Sequence[Check],
    max_examples: int,
    seed: int,
    workers: int,
    headers: Mapping[str, str],
    examples: Mapping[str, Sequence[str]],
    phases: Sequence[str] = SCHEMATHESIS_PHASES,
    timeout: float = 10.0,
    progress: Progress,
) -> None:
    """Run schemathesis's phases with ``checks`` (built-in and this API's response checks).

    ``examples`` maps parameter names to known values (``extraction_agent_id``, ``run_id``,
    ``job_id``), which the phases try beside the values they generate.

    This API's response checks stay registered with schemathesis for the rest of the process;
    they judge only this API's four operations, and nothing else.
    """
    import schemathesis
    from schemathesis.config import CacheConfig, HealthCheck, SchemathesisConfig
    from schemathesis.engine import from_schema

    for check in checks:
        if check.kind == "response":
            _register(check)
    config = SchemathesisConfig(
        seed=seed,
        # Hypothesis's health checks judge the data generation (slow on a busy machine), not
        # the server: they would only add noise to a conformance report.
        suppress_health_check=[HealthCheck("all")],
        # Write nothing into the caller's working directory: no failure cache (and no example
        # database, below). No schemathesis.toml is read either: the run is what is asked.
        cache=CacheConfig(enabled=False),
    )
    project = config.projects.override
    project.update(
        base_url=base_url,
        headers=dict(headers) or None,
        workers=workers,
        request_timeout=timeout,
    )
    project.generation.update(max_examples=max_examples, database="none")
    project.phases.update(phases=list(phases))
    project.checks.update(included_check_names=[check.name for check in checks])
    schema = schemathesis.openapi.from_dict(_document(examples), config=config)
    stream = from_schema(schema).execute()
    try:
        for event in stream:
            _fold(event, report, progress)
    finally:
        stream.stop()
