"""One conformance run: the API phase (this API's walking checks), then schemathesis's phases,
folded into one :class:`ConformanceReport`."""

from __future__ import annotations

import random
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._formats import is_uuid
from .._operations import API_PREFIX
from ._errors import AccessDenied, NonConformance, ServerUnreachable
from ._exchange import ApiSession, Exchange, Skip
from ._registry import CHECKS, Check
from ._report import CheckResult, ConformanceReport, Failure
from ._schemathesis import SCHEMATHESIS_PHASES, run_schemathesis

__all__ = ["DEFAULT_MAX_EXAMPLES", "assert_conforms", "run_conformance"]

DEFAULT_MAX_EXAMPLES = 100
"""Examples per operation and phase: the default run against the bundled server takes about
5 s (stateful) to 15 s (stateless) on this machine; see ``bench/conformance.py``."""

Progress = Callable[[str, str], None]

_KNOWN_IDS = 5  # listed run ids (and job ids) given to schemathesis as parameter examples
_GUESSED_AGENTS = 3  # random agent ids tried when none is named (a stateless server fills them)


def _quiet(phase: str, message: str) -> None:
    pass


def _preflight(base_url: str, headers: Mapping[str, str], agent: str, timeout: float) -> None:
    """Fail early, with one clear error, if nothing answers or the credentials are refused."""
    import httpx

    if not base_url.startswith(("http://", "https://")):
        raise ServerUnreachable(base_url, "the base URL must start with http:// or https://")
    try:
        with httpx.Client(base_url=base_url, headers=dict(headers), timeout=timeout) as client:
            answer = client.get(API_PREFIX, params={"extraction_agent_id": agent, "limit": 1})
    except httpx.InvalidURL as exc:
        raise ServerUnreachable(base_url, f"invalid URL ({exc})") from None
    except httpx.TransportError as exc:
        reason = type(exc).__name__
        detail = str(exc) or "no answer"
        raise ServerUnreachable(base_url, f"{reason}: {detail}") from None
    if answer.status_code in (401, 403):
        try:
            detail = str(answer.json().get("detail"))
        except (ValueError, AttributeError):
            detail = answer.text[:80]
        raise AccessDenied(base_url, answer.status_code, detail)


def _run_response_checks(
    exchange: Exchange, checks: Sequence[Check], report: ConformanceReport
) -> None:
    for check in checks:
        assert check.func is not None
        try:
            check.func(exchange)
        except AssertionError as exc:
            report.record(check.name, passed=False)
            report.add_failure(
                Failure(
                    check.name,
                    f"{exchange.operation.method} {exchange.operation.path}",
                    check.description,
                    str(exc),
                    exchange.curl,
                    "api",
                )
            )
        else:
            report.record(check.name, passed=True)


def _api_phase(
    base_url: str,
    report: ConformanceReport,
    *,
    api_checks: Sequence[Check],
    response_checks: Sequence[Check],
    headers: Mapping[str, str],
    agent_ids: Sequence[str],
    timeout: float,
    progress: Progress,
) -> dict[str, Any]:
    """Run the API checks; returns every run listed on the way (id -> job id)."""
    import httpx

    with httpx.Client(base_url=base_url, headers=dict(headers), timeout=timeout) as client:
        session = ApiSession(
            client,
            tuple(agent_ids),
            on_exchange=lambda exchange: _run_response_checks(exchange, response_checks, report),
        )
        for check in api_checks:
            assert check.func is not None
            try:
                check.func(session)
            except Skip as exc:
                report.skip(check.name, str(exc))
                progress("api", f"{check.name}: skipped")
                continue
            except AssertionError as exc:
                report.record(check.name, passed=False)
                operation = getattr(exc, "operation", "API walk")
                curl = getattr(exc, "curl", None) or None
                report.add_failure(
                    Failure(check.name, operation, check.description, str(exc), curl, "api")
                )
            except httpx.HTTPError as exc:
                report.errors.append(f"{check.name}: {type(exc).__name__}: {exc}")
            except Exception as exc:  # a check that crashes on odd data is a failed check
                report.record(check.name, passed=False)
                report.add_failure(
                    Failure(
                        check.name,
                        "API walk",
                        "the check crashed on the server's answers",
                        "".join(traceback.format_exception_only(exc)).strip(),
                        None,
                        "api",
                    )
                )
            else:
                report.record(check.name, passed=True)
            progress("api", f"{check.name}: {report.results[check.name].outcome}")
        report.counters.update(session.counters)
    return session.listed


def _examples(agents: Sequence[str], listed: Mapping[str, Any]) -> dict[str, list[str]]:
    """Known values for schemathesis to try: the agents, and a few listed run and job ids."""
    run_ids = [run_id for run_id in listed if is_uuid(run_id)][:_KNOWN_IDS]
    job_ids = [job for job in listed.values() if is_uuid(job)][:_KNOWN_IDS]
    return {"extraction_agent_id": list(agents), "run_id": run_ids, "job_id": job_ids}


def run_conformance(
    base_url: str,
    *,
    checks: Iterable[str] | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    workers: int = 1,
    headers: Mapping[str, str] | None = None,
    junit_path: Path | str | None = None,
    agent_ids: Sequence[str] = (),
    stateless: bool = False,
    phases: Sequence[str] = SCHEMATHESIS_PHASES,
    timeout: float = 10.0,
    progress: Progress | None = None,
) -> ConformanceReport:
    """Check the server at ``base_url`` against the contract; returns the report.

    First the API phase (this API's walking checks, with httpx; this API's response checks
    judge each of its answers), then schemathesis's ``phases`` (its checks and this API's
    response checks on every answer). ``checks`` names checks of :data:`CHECKS` (default:
    all but the opt-in ones; ``["all"]``: every one). ``agent_ids`` are extraction agents that
    have runs on the server (without one, a few random agent ids are tried, which only a
    stateless server fills). ``stateless=True`` declares a server that does not remember,
    and skips the checks that need one. ``headers`` go with every request (auth).
    ``progress(phase, message)`` is told what happens as it happens.

    Raises :class:`ServerUnreachable` when nothing answers, :class:`AccessDenied` when the
    server refuses the credentials (401/403), and :class:`UnknownCheck` for an unknown check
    name; a server that breaks the contract gives a report with ``ok == False``
    (see :func:`assert_conforms` for a test).
    """
    selected = CHECKS.select(checks)
    seed = random.randrange(2**32) if seed is None else seed
    sent_headers = dict(headers or {})
    progress = progress or _quiet
    rng = random.Random(seed)
    agents = tuple(agent_ids) or tuple(
        str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(_GUESSED_AGENTS)
    )
    started = time.monotonic()
    _preflight(base_url, sent_headers, agents[0], timeout)
    report = ConformanceReport(base_url, seed, {c.name: CheckResult(c) for c in selected})
    for check in selected:
        if check.needs_state and stateless:
            report.skip(check.name, "the server is stateless")
    active = [c for c in selected if not (c.needs_state and stateless)]
    by_kind = {kind: [c for c in active if c.kind == kind] for kind in ("api", "response")}
    listed: dict[str, Any] = {}
    if by_kind["api"] or by_kind["response"]:
        progress("api", "started")
        listed = _api_phase(
            base_url,
            report,
            api_checks=by_kind["api"],
            response_checks=by_kind["response"],
            headers=sent_headers,
            agent_ids=agents,
            timeout=timeout,
            progress=progress,
        )
    engine_checks = [c for c in active if c.kind in ("schemathesis", "response")]
    if engine_checks and phases:
        run_schemathesis(
            base_url,
            report,
            checks=engine_checks,
            max_examples=max_examples,
            seed=seed,
            workers=workers,
            headers=sent_headers,
            examples=_examples(agents, listed),
            phases=phases,
            timeout=timeout,
            progress=progress,
        )
    report.elapsed = time.monotonic() - started
    if junit_path is not None:
        report.write_junit(junit_path)
    return report


def assert_conforms(base_url: str, **options: object) -> ConformanceReport:
    """:func:`run_conformance`, for a test: raises :class:`NonConformance` (an AssertionError
    listing every failure with its curl line) unless the server conforms."""
    report = run_conformance(base_url, **options)  # type: ignore[arg-type]
    if not report.ok:
        raise NonConformance(report)
    return report
