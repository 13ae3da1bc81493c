"""One conformance run: the preflight, the API phase (this API's walking checks and the
negative matrix), then schemathesis's phases, every request through one guard, folded into
one :class:`ConformanceReport` with its verdict."""

from __future__ import annotations

import json
import random
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .._formats import is_uuid
from .._operations import API_PREFIX
from ._errors import (
    AccessDenied,
    Inconclusive,
    InvalidOption,
    NonConformance,
    ServerUnreachable,
    ServerUntestable,
)
from ._exchange import ApiSession, Exchange, ExchangeFailure, Skip
from ._export import check_export_path, write_tests
from ._guard import Guard, Refused
from ._limits import DEFAULT_REMOTE_RATE, MAX_BODY, Limits
from ._masking import Secrets
from ._policy import WritePolicy, is_loopback_as_written, write_policy
from ._registry import CHECKS, Check
from ._replay import Replay, step_of_exchange, step_of_url, walk_replay
from ._report import CheckResult, ConformanceReport, Failure
from ._schemathesis import SCHEMATHESIS_PHASES, run_schemathesis
from ._wire import WireError

__all__ = ["DEFAULT_MAX_EXAMPLES", "assert_conforms", "run_conformance"]

DEFAULT_MAX_EXAMPLES = 100
"""Examples per operation and phase: the default run against the bundled server takes about
5 s (stateful) to 15 s (stateless) on this machine; see ``bench/conformance.py``."""

Progress = Callable[[str, str], None]

_KNOWN_IDS = 5  # listed run ids (and job ids) given to schemathesis as parameter examples
_GUESSED_AGENTS = 3  # random agent ids tried when none is named (a stateless server fills them)
_READ_ONLY = "read-only (--allow-writes or --allow-delete RUN_ID to run them)"
_NO_RUNS = (
    "no run was seen: every list was empty and every id unknown, so nothing judged a run; "
    "name an agent that has runs (--agent-id UUID, agent_ids=[...])"
)


def _quiet(phase: str, message: str) -> None:
    pass


def _check_url(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerUnreachable(base_url, "the base URL must start with http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise InvalidOption(
            "base_url", base_url, "a URL without user:password@ (pass credentials as a header)"
        )


def _preflight(guard: Guard, headers: Mapping[str, str], agent: str) -> None:
    """Fail early, with one clear error, if nothing answers or the credentials are refused.
    A server that only answers 429 stops the guard (the report says so)."""
    query = f"?extraction_agent_id={agent}&limit=1"
    try:
        answer = guard.send("GET", guard.base_url + API_PREFIX + query, list(headers.items()))
    except WireError as exc:
        if exc.kind == "no answer":
            raise ServerUnreachable(guard.base_url, str(exc)) from None
        return  # an answer too large or undecodable: a finding, the run goes on
    except Refused:
        return  # the guard stopped (429 after 429): the report says why
    if answer.status in (401, 403):
        try:
            detail = str(json.loads(answer.body).get("detail"))
        except (ValueError, AttributeError):
            detail = answer.body[:80].decode("utf-8", "replace")
        raise AccessDenied(guard.base_url, answer.status, detail)


def _run_response_checks(
    exchange: Exchange, checks: Sequence[Check], report: ConformanceReport
) -> None:
    report.counters["runs_seen"] += sum(1 for _ in exchange.runs())
    for check in checks:
        assert check.func is not None
        try:
            judged = check.func(exchange)
        except AssertionError as exc:
            report.record(check.name, passed=False)
            replay = Replay(check.name, (step_of_exchange(exchange),), found=str(exc))
            report.add_failure(
                Failure(
                    check.name,
                    f"{exchange.operation.method} {exchange.operation.path}",
                    check.description,
                    str(exc),
                    exchange.curl,
                    "api",
                    (replay,),
                )
            )
        else:
            if judged:
                report.record(check.name, passed=True)


def _run_api_check(check: Check, session: ApiSession, report: ConformanceReport) -> None:
    """Run one API check; its result counts the exchanges it made (it judged them all)."""
    import httpx

    assert check.func is not None
    result = report.results[check.name]
    before = session.counters["exchanges"]
    try:
        check.func(session)
    except Skip as exc:
        report.unexercised(check.name, str(exc))
        return
    except WireError as exc:  # the guard keeps the finding; this check could not finish
        report.unexercised(check.name, f"an answer it needed was unusable ({exc})")
        return
    except ExchangeFailure as exc:
        made = session.counters["exchanges"] - before
        result.failed += exc.failed_exchanges
        result.passed += max(0, made - exc.failed_exchanges)
        replays = exc.replays or (walk_replay(check.name, session.agent_ids, str(exc)),)
        report.add_failure(
            Failure(
                check.name,
                exc.operation,
                check.description,
                str(exc),
                exc.curl or None,
                "api",
                replays,
            )
        )
        return
    except AssertionError as exc:
        result.failed += 1
        walk = walk_replay(check.name, session.agent_ids, str(exc))
        report.add_failure(
            Failure(check.name, "API walk", check.description, str(exc), None, "api", (walk,))
        )
        return
    except httpx.HTTPError as exc:
        report.add_error(f"{check.name}: {type(exc).__name__}: {exc}")
        return
    except Refused:
        raise
    except Exception as exc:  # a check that crashes on odd data is a failed check
        result.failed += 1
        report.add_failure(
            Failure(
                check.name,
                "API walk",
                "the check crashed on the server's answers",
                "".join(traceback.format_exception_only(type(exc), exc)).strip(),
                None,
                "api",
                (walk_replay(check.name, session.agent_ids, type(exc).__name__),),
            )
        )
        return
    result.passed += session.counters["exchanges"] - before


def _api_phase(
    guard: Guard,
    report: ConformanceReport,
    *,
    api_checks: Sequence[Check],
    response_checks: Sequence[Check],
    headers: Mapping[str, str],
    agent_ids: Sequence[str],
    progress: Progress,
) -> dict[str, Any]:
    """Run the API checks; returns every run listed on the way (id -> job id)."""
    import httpx

    from ._transport import GuardTransport

    policy = guard.policy
    deletable = None if policy.deletable is None else tuple(sorted(policy.deletable))
    with httpx.Client(
        base_url=guard.base_url,
        headers=dict(headers),
        transport=GuardTransport(guard),
        timeout=None,  # the guard's whole-request deadline bounds every request
    ) as client:
        session = ApiSession(
            client,
            tuple(agent_ids),
            on_exchange=lambda exchange: _run_response_checks(exchange, response_checks, report),
            deletable=deletable,
            secrets=report.secrets,
        )
        for check in api_checks:
            try:
                _run_api_check(check, session, report)
            except Refused:
                break  # the guard stopped the run: _finish says so for every check left
            progress("api", f"{check.name}: {report.results[check.name].shown()}")
        report.counters.update(
            {k: v for k, v in session.counters.items() if k.startswith(("api.", "matrix."))}
        )
    return session.listed


def _examples(agents: Sequence[str], listed: Mapping[str, Any]) -> dict[str, list[str]]:
    """Known values for schemathesis to try: the agents, and a few listed run and job ids."""
    run_ids = [run_id for run_id in listed if is_uuid(run_id)][:_KNOWN_IDS]
    job_ids = [job for job in listed.values() if is_uuid(job)][:_KNOWN_IDS]
    return {"extraction_agent_id": list(agents), "run_id": run_ids, "job_id": job_ids}


def _skips(
    selected: Sequence[Check], report: ConformanceReport, policy: WritePolicy, stateless: bool
) -> list[Check]:
    """Skip the checks this run may not make (stateless server, read-only); the rest."""
    named_only = "read-only but for the named runs, which only delete_then_gone deletes"
    active = []
    for check in selected:
        if check.needs_state and stateless:
            report.skip(check.name, "the server is stateless")
        elif check.writes and not policy.writes and not policy.deletable:
            report.skip(check.name, _READ_ONLY)
        elif check.writes and not policy.writes and check.kind == "schemathesis":
            report.skip(check.name, named_only)
        else:
            active.append(check)
    return active


def _counting(progress: Progress, guard: Guard) -> Progress:
    """``progress`` with the requests sent (and the budget) after each line."""
    budget = guard.limits.max_requests

    def tell(phase: str, message: str) -> None:
        if message == ".":
            progress(phase, message)
            return
        sent = f"{guard.sent}/{budget}" if budget is not None else str(guard.sent)
        progress(phase, guard.secrets.scrub(f"{message}  [{sent} requests]"))

    return tell


def _finish(report: ConformanceReport, guard: Guard, started: float) -> None:
    report.counters["requests"] = guard.sent
    report.counters["deletes"] = guard.deletes
    report.counters["refused_writes"] = guard.refused_writes  # 0 unless a phase tried one
    report.coverage = guard.coverage
    result = report.results.get("well_formed_answers")
    for finding in guard.findings:
        step = step_of_url(finding.method, finding.url, guard.base_url)
        replay = Replay("well_formed_answers", (step,), found=finding.message)
        report.add_failure(
            Failure(
                "well_formed_answers",
                finding.operation,
                finding.title,
                finding.message,
                finding.curl,
                "guard",
                (replay,),
            )
        )
    if result is not None:
        result.failed = len(guard.findings)
        result.passed = guard.answers - len(guard.findings)
    if guard.stopped is not None:
        if guard.untestable:
            report.untestable = guard.stopped
        else:
            report.stopped = guard.stopped
        for name in report.results:
            report.unexercised(name, "the run stopped first (see below)")
    if not report.counters["runs_seen"]:
        report.inconclusive = _NO_RUNS
    report.elapsed = time.monotonic() - started


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
    read_only: bool = False,
    allow_writes: bool = False,
    allow_delete: Iterable[str] = (),
    rate: float | None = None,
    max_wait: float = 30.0,
    max_requests: int | None = None,
    progress: Progress | None = None,
    export_tests: Path | str | None = None,
) -> ConformanceReport:
    """Check the server at ``base_url`` against the contract; returns the report.

    **Writes.** The run sends DELETE only to a URL whose host, as written, is loopback
    (``localhost``, ``127.0.0.0/8``, ``[::1]``); anywhere else it is read-only: no DELETE by
    any phase, and the delete checks are skipped. ``read_only=True`` makes a loopback run
    read-only too; ``allow_writes=True`` lifts the rule anywhere; ``allow_delete`` (run ids)
    lets a read-only run delete exactly those runs, which ``delete_then_gone`` then checks.

    **Politeness.** ``rate``: requests per second at most (default: no cap on loopback, 10
    elsewhere). A 429 waits its ``Retry-After`` (at most ``max_wait`` seconds) and is retried
    once; a server that keeps answering 429 stops the run (verdict ``untestable``).
    ``max_requests``: a budget; the run stops cleanly when it is spent. ``timeout``: seconds
    for each whole request (not per read); an answer is read up to 10 MiB (after decoding).

    **Phases.** First the API phase (this API's walking checks and the negative matrix, with
    httpx; this API's response checks judge each of its answers), then schemathesis's
    ``phases`` (its checks and this API's response checks on every answer). ``checks`` names
    checks of :data:`CHECKS` (default: all but the opt-in ones; ``["all"]``: every one).
    ``agent_ids`` are extraction agents that have runs on the server (without one, a few
    random agent ids are tried, which only a stateless server fills). ``stateless=True``
    declares a server that does not remember, and skips the checks that need one. ``headers``
    go with every request (auth); every one of their values is masked in every output.
    ``progress(phase, message)`` is told what happens as it happens.

    **Regression tests.** ``export_tests`` (a ``.py`` path: a new file or an earlier export)
    receives a pytest module with one test per distinct failure, each replaying the exact
    request and asserting the same check (see :mod:`contracts.conformance.replay`); nothing is
    written when there is no failure (``report.exported`` says where it went).

    **Verdict.** ``report.verdict``: ``conforms``, ``violations``, ``untestable`` or
    ``inconclusive`` (no run of the API was seen). Raises :class:`InvalidOption` for an option
    value the run cannot use, :class:`ServerUnreachable` when nothing answers,
    :class:`AccessDenied` when the server refuses the credentials (401/403), and
    :class:`UnknownCheck` for an unknown check name (see :func:`assert_conforms` for a test).
    """
    _check_url(base_url)
    if export_tests is not None:
        check_export_path(export_tests)
    selected = CHECKS.select(checks)
    policy = write_policy(
        base_url, read_only=read_only, allow_writes=allow_writes, allow_delete=allow_delete
    )
    default_rate = rate is None and not is_loopback_as_written(base_url)
    limits = Limits(
        timeout=timeout,
        max_body=MAX_BODY,
        rate=DEFAULT_REMOTE_RATE if default_rate else rate,
        max_wait=max_wait,
        max_requests=max_requests,
    )
    pace = "no cap" if limits.rate is None else f"at most {limits.rate:g} requests/s"
    if default_rate:
        pace += " (the default off loopback)"
    for option, value in (("max_examples", max_examples), ("workers", workers)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidOption(option, value, "a whole number >= 1")
    sent_headers = dict(headers or {})
    secrets = Secrets.of(sent_headers)
    seed = random.randrange(2**32) if seed is None else seed
    rng = random.Random(seed)
    agents = tuple(agent_ids) or tuple(
        str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(_GUESSED_AGENTS)
    )
    started = time.monotonic()
    guard = Guard(base_url, policy, limits, secrets)
    tell = _counting(progress or _quiet, guard)
    report = ConformanceReport(
        base_url.rstrip("/"),
        seed,
        {c.name: CheckResult(c) for c in selected},
        mode=policy.banner(),
        pace=pace,
        budget=max_requests,
        secrets=secrets,
    )
    try:
        _preflight(guard, sent_headers, agents[0])
        tell("run", f"mode: {policy.banner()}; pace: {pace}")
        active = _skips(selected, report, policy, stateless)
        _phases(
            guard, report, active, sent_headers, agents, tell, phases, max_examples, seed, workers
        )
    finally:
        guard.close()
    _finish(report, guard, started)
    if junit_path is not None:
        report.write_junit(junit_path)
    if export_tests is not None:
        report.exported = write_tests(report, export_tests)
    return report


def _phases(
    guard: Guard,
    report: ConformanceReport,
    active: Sequence[Check],
    headers: Mapping[str, str],
    agents: Sequence[str],
    progress: Progress,
    phases: Sequence[str],
    max_examples: int,
    seed: int,
    workers: int,
) -> None:
    by_kind = {kind: [c for c in active if c.kind == kind] for kind in ("api", "response")}
    listed: dict[str, Any] = {}
    if guard.stopped is None and (by_kind["api"] or by_kind["response"]):
        progress("api", "started")
        listed = _api_phase(
            guard,
            report,
            api_checks=by_kind["api"],
            response_checks=by_kind["response"],
            headers=headers,
            agent_ids=agents,
            progress=progress,
        )
    engine_checks = [c for c in active if c.kind in ("schemathesis", "response")]
    if guard.stopped is None and engine_checks and phases:
        run_schemathesis(
            guard,
            report,
            checks=engine_checks,
            max_examples=max_examples,
            seed=seed,
            workers=workers,
            headers=headers,
            examples=_examples(agents, listed),
            phases=phases,
            progress=progress,
        )


def assert_conforms(base_url: str, **options: object) -> ConformanceReport:
    """:func:`run_conformance`, for a test: raises :class:`NonConformance` (an AssertionError
    listing every failure with its curl line) on a violation, :class:`Inconclusive` (an
    AssertionError too) when no run of the API was judged, and :class:`ServerUntestable` when
    the server stopped the run."""
    report = run_conformance(base_url, **options)  # type: ignore[arg-type]
    if report.verdict == "untestable":
        raise ServerUntestable(report)
    if report.verdict == "violations":
        raise NonConformance(report)
    if report.verdict == "inconclusive":
        raise Inconclusive(report)
    return report
