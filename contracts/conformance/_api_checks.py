"""This API's checks that walk the server: plain functions of an :class:`ApiSession`.

They run in a phase of their own, with a real HTTP client, before schemathesis's phases (so
the server's data is as seeded). Each raises ``AssertionError`` naming what differed and the
request that shows it, or :class:`Skip` when there is nothing to check.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ._exchange import NOT_JSON, ApiSession, Exchange, ExchangeFailure, Skip, expect
from ._registry import CHECKS

__all__: list[str] = []

_PAGES = 4  # a walk takes about this many pages for small totals ...
_MAX_PAGE = 100  # ... and pages of at most this many runs for large ones
_SAMPLE = 3  # runs per agent fetched one by one
_WHOLE_PAGE_MAX = 500  # the walk is compared with one page of every run up to this total
_MAX_WALK_PAGES = 50  # a walk stops after this many pages (a server may claim any total)
_AGENTS_WITH_RUNS = "agents that list runs"


def _diff(listed: dict[str, Any], fetched: Any) -> str:
    if not isinstance(fetched, dict):
        return f"the answer is not an object: {json.dumps(fetched)[:200]}"
    keys = sorted(set(listed) | set(fetched))
    differing = [k for k in keys if listed.get(k, NOT_JSON) != fetched.get(k, NOT_JSON)]
    shown = ", ".join(
        f"{k}: listed {json.dumps(listed.get(k))[:80]} vs fetched {json.dumps(fetched.get(k))[:80]}"
        for k in differing[:3]
    )
    return f"{len(differing)} field(s) differ ({shown})"


@CHECKS.api(judges=_AGENTS_WITH_RUNS)
def pagination_walk(session: ApiSession) -> None:
    """Walking every page yields each run exactly once (no gap, no overlap), total stable.

    A walk is bounded: it stops after a few dozen pages (a server may claim any total), and at
    the first page that does not advance (empty, or listing a run already seen).
    """
    for agent in session.populated_agents():
        exchange, first = session.page(agent, limit=1)
        total = first["total"]
        size = min(_MAX_PAGE, max(1, math.ceil(total / _PAGES)))
        seen: dict[str, int] = {}
        skip = 0
        walked = 0
        while skip < total:
            if walked == _MAX_WALK_PAGES:
                session.counters["api.walks_cut_short"] += 1
                break
            walked += 1
            exchange, body = session.page(agent, skip=skip, limit=size)
            if body["total"] != total:
                raise exchange.fail(f"`total` changed from {total} to {body['total']} mid-walk")
            if not body["items"]:
                raise exchange.fail(
                    f"the page at skip={skip} is empty though total={total}: runs are missing"
                )
            for run in body["items"]:
                run_id = run.get("id") if isinstance(run, dict) else None
                if run_id in seen:
                    raise exchange.fail(
                        f"run {run_id} is listed at skip={seen[run_id]} and again at "
                        f"skip={skip}: the pages overlap"
                    )
                seen[str(run_id)] = skip
            skip += size
        session.counters["api.pages_walked"] += walked
        if skip < total:  # cut short: what was walked held no gap and no overlap
            continue
        if len(seen) != total:
            raise exchange.fail(
                f"walking the pages of agent {agent} gave {len(seen)} runs, but total={total}"
            )
        if total > _WHOLE_PAGE_MAX:
            continue
        whole_exchange, whole = session.page(agent, limit=total)
        whole_ids = [run.get("id") for run in whole["items"] if isinstance(run, dict)]
        if whole_ids != list(seen):
            raise whole_exchange.fail(
                f"one page of all {total} runs lists them differently from the walk, page by page"
            )


def _sample(session: ApiSession) -> list[tuple[Exchange, dict[str, Any]]]:
    """A few listed runs of each agent, each with the list request that showed it."""
    sample = []
    for agent in session.populated_agents():
        exchange, body = session.page(agent, limit=_SAMPLE)
        sample += [(exchange, run) for run in body["items"] if isinstance(run, dict)]
    return sample


def _after(listing: Exchange, failure: ExchangeFailure) -> ExchangeFailure:
    """The failure, reproduced from the list request that showed the run."""
    return ExchangeFailure(str(failure), failure.operation, f"{listing.curl}\n{failure.curl}")


@CHECKS.api(judges=_AGENTS_WITH_RUNS, needs_state=True)
def listed_run_equals_get(session: ApiSession) -> None:
    """A listed run fetched by its id is the same run, field for field.

    Needs a server that remembers its runs: a stateless (schema) mock makes a run from its id
    alone, so the agent it was listed under is not part of it.
    """
    for listing, listed in _sample(session):
        exchange = session.get_run(str(listed.get("id")))
        try:
            expect(exchange, 200, f"get of listed run {listed.get('id')}")
            if exchange.body != listed:
                raise exchange.fail(
                    "the run fetched by id differs from the listed one: "
                    f"{_diff(listed, exchange.body)}"
                )
        except ExchangeFailure as exc:
            raise _after(listing, exc) from None
        session.counters["api.listed_runs_fetched"] += 1


@CHECKS.api(judges=_AGENTS_WITH_RUNS)
def get_by_job_matches_job(session: ApiSession) -> None:
    """Get-by-job with a listed run's job id answers a run of that job."""
    sample = [(ex, run) for ex, run in _sample(session) if isinstance(run.get("job_id"), str)]
    if not sample:
        raise Skip("no listed run has a job_id")
    for listing, listed in sample:
        exchange = session.get_run_by_job(listed["job_id"])
        try:
            expect(exchange, 200, f"get-by-job of listed run {listed.get('id')}")
            job = exchange.body.get("job_id") if isinstance(exchange.body, dict) else None
            if job != listed["job_id"]:
                raise exchange.fail(f"asked for job {listed['job_id']}, got a run of job {job!r}")
        except ExchangeFailure as exc:
            raise _after(listing, exc) from None
        session.counters["api.jobs_fetched"] += 1


@CHECKS.api(judges=_AGENTS_WITH_RUNS, needs_state=True, writes=True)
def delete_then_gone(session: ApiSession) -> None:
    """After a delete: get and get-by-job are 404, the run leaves the list, total drops by 1,
    and a second delete is 404.

    It deletes the last listed run of the first agent that has runs, or, when the run may only
    delete named runs (``--allow-delete``), exactly those.
    """
    if session.deletable is not None:
        if not session.deletable:
            raise Skip("read-only (--allow-writes or --allow-delete RUN_ID to run it)")
        for run_id in session.deletable:
            _delete_named(session, run_id)
        return
    agent = session.populated_agents()[0]
    total = session.page(agent, limit=1)[1]["total"]
    last = session.page(agent, skip=total - 1, limit=1)[1]["items"]
    if not last or not isinstance(last[0], dict):
        raise Skip(f"agent {agent} lists no run at skip={total - 1}")
    run = last[0]
    _delete_and_check(session, agent, total, str(run.get("id")), run.get("job_id"))


def _delete_named(session: ApiSession, run_id: str) -> None:
    """Delete the run the user named, once its agent and job are known from a get."""
    fetched = session.get_run(run_id)
    if fetched.status == 404:
        raise Skip(f"run {run_id}, named to be deleted, is not on the server (404)")
    expect(fetched, 200, f"get of run {run_id}, named to be deleted")
    agent = fetched.body.get("extraction_agent_id") if isinstance(fetched.body, dict) else None
    if not isinstance(agent, str):
        raise fetched.fail(f"run {run_id} has no extraction_agent_id")
    total = session.page(agent, limit=1)[1]["total"]
    _delete_and_check(session, agent, total, run_id, fetched.body.get("job_id"))


def _delete_and_check(
    session: ApiSession, agent: str, total: int, run_id: str, job_id: object
) -> None:
    deleted = session.delete_run(run_id)
    expect(deleted, 200, f"delete of listed run {run_id}")
    session.counters["api.deleted"] += 1
    try:
        _gone(session, agent, total, run_id, job_id)
    except ExchangeFailure as exc:  # to reproduce it, delete first
        raise ExchangeFailure(str(exc), exc.operation, f"{deleted.curl}\n{exc.curl}") from None


def _gone(session: ApiSession, agent: str, total: int, run_id: str, job_id: object) -> None:
    expect(session.get_run(run_id), 404, f"get of deleted run {run_id}")
    session.counters["api.delete_then_get"] += 1
    if isinstance(job_id, str):
        by_job = session.get_run_by_job(job_id)
        other = by_job.body.get("id") if isinstance(by_job.body, dict) else None
        if by_job.status != 404 and other == run_id:  # another run of that job may remain
            raise by_job.fail(f"get-by-job of job {job_id} still answers deleted run {run_id}")
        session.counters["api.delete_then_get_by_job"] += 1
    after_exchange, after = session.page(agent, limit=min(total, _WHOLE_PAGE_MAX))
    if run_id in [item.get("id") for item in after["items"] if isinstance(item, dict)]:
        raise after_exchange.fail(f"deleted run {run_id} is still listed")
    if after["total"] != total - 1:
        raise after_exchange.fail(f"total is {after['total']} after a delete, not {total - 1}")
    expect(session.delete_run(run_id), 404, f"second delete of run {run_id}")
