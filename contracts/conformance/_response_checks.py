"""This API's checks of one answer: plain functions of an :class:`Exchange`.

Each returns whether it judged the exchange (False: not one it looks at) and raises
``AssertionError`` (via ``exchange.fail``) naming what differed. They judge only 200 answers to
valid requests; an invalid request that got a 200 is the negative matrix's business.
"""

from __future__ import annotations

from typing import Any

from .._formats import is_datetime, is_uuid
from ._exchange import Exchange
from ._registry import CHECKS

__all__: list[str] = []

_RUN_UUIDS = (("id", True), ("extraction_agent_id", True), ("project_id", True))
_RUN_OPTIONAL_UUIDS = ("job_id", "file_id")
_RUN_DATETIMES = ("created_at", "updated_at")
_FILE_UUIDS = (("id", True), ("project_id", True), ("data_source_id", False))
_FILE_DATETIMES = ("created_at", "updated_at", "expires_at", "last_modified_at")


def _page(exchange: Exchange) -> tuple[dict[str, Any], int, int] | None:
    """(body, skip, limit) of a 200 list answer to a valid request, else None."""
    if exchange.operation.name != "list_runs" or exchange.status != 200:
        return None
    skip, limit = exchange.int_param("skip"), exchange.int_param("limit")
    if skip is None or limit is None or not isinstance(exchange.body, dict):
        return None
    return exchange.body, skip, limit


_VALID_PAGES = "200 answers to valid list requests"
_RUNS = "200 answers that carry runs (list, get, get-by-job)"


@CHECKS.response(judges=_VALID_PAGES)
def page_respects_limit(exchange: Exchange) -> bool:
    """A list page holds at most `limit` runs and echoes the `skip` and `limit` asked for."""
    page = _page(exchange)
    if page is None:
        return False
    body, skip, limit = page
    items = body.get("items")
    if isinstance(items, list) and len(items) > limit:
        raise exchange.fail(f"the page holds {len(items)} runs, more than limit={limit}")
    for name, asked in (("skip", skip), ("limit", limit)):
        if name in body and body[name] != asked:
            raise exchange.fail(f"`{name}` is {body[name]!r}, not the {name}={asked} asked for")
    return True


@CHECKS.response(judges=_VALID_PAGES)
def page_has_no_gap(exchange: Exchange) -> bool:
    """A list page holds min(limit, total - skip) runs: no page comes up short before the end."""
    page = _page(exchange)
    if page is None:
        return False
    body, skip, limit = page
    items, total = body.get("items"), body.get("total")
    if not isinstance(items, list) or not isinstance(total, int) or len(items) > limit:
        return False  # the schema check or page_respects_limit reports those
    expected = max(0, min(limit, total - skip))
    if len(items) != expected:
        raise exchange.fail(
            f"the page holds {len(items)} runs; with total={total}, skip={skip}, "
            f"limit={limit} it should hold {expected}"
        )
    return True


def _format_problems(run: Any, where: str) -> list[str]:
    if not isinstance(run, dict):
        return []
    problems = []
    for name, required in _RUN_UUIDS:
        if (required or run.get(name) is not None) and not is_uuid(run.get(name)):
            problems.append(f"{where}.{name} is not a UUID: {run.get(name)!r}")
    for name in _RUN_OPTIONAL_UUIDS:
        if run.get(name) is not None and not is_uuid(run[name]):
            problems.append(f"{where}.{name} is not a UUID: {run[name]!r}")
    for name in _RUN_DATETIMES:
        if run.get(name) is not None and not is_datetime(run[name]):
            problems.append(f"{where}.{name} is not an ISO 8601 date-time: {run[name]!r}")
    file = run.get("file")
    if isinstance(file, dict):
        for name, required in _FILE_UUIDS:
            if (required or file.get(name) is not None) and not is_uuid(file.get(name)):
                problems.append(f"{where}.file.{name} is not a UUID: {file.get(name)!r}")
        for name in _FILE_DATETIMES:
            if file.get(name) is not None and not is_datetime(file[name]):
                problems.append(f"{where}.file.{name} is not a date-time: {file[name]!r}")
    return problems


@CHECKS.response(judges=_RUNS)
def ids_and_timestamps(exchange: Exchange) -> bool:
    """Every run's ids are UUIDs and its timestamps ISO 8601 date-times."""
    runs = list(exchange.runs())
    problems = [p for where, run in runs for p in _format_problems(run, where)]
    if problems:
        raise exchange.fail("; ".join(problems[:5]))
    return bool(runs)


def _same_uuid(a: object, b: object) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.lower() == b.lower()


@CHECKS.response(judges="200 answers to valid list requests that list runs")
def runs_of_requested_agent(exchange: Exchange) -> bool:
    """Every listed run belongs to the extraction agent asked for."""
    if _page(exchange) is None:
        return False
    agent = exchange.query.get("extraction_agent_id")
    if not is_uuid(agent):
        return False
    runs = list(exchange.runs())
    for where, run in runs:
        if isinstance(run, dict) and not _same_uuid(run.get("extraction_agent_id"), agent):
            raise exchange.fail(
                f"{where} belongs to agent {run.get('extraction_agent_id')!r}, "
                f"not to the agent {agent} asked for"
            )
    return bool(runs)


@CHECKS.response(judges="200 answers to get and get-by-job")
def run_matches_request(exchange: Exchange) -> bool:
    """Get answers the run with the id asked for; get-by-job answers a run of that job."""
    if exchange.status != 200 or not isinstance(exchange.body, dict):
        return False
    field, param = {"get_run": ("id", "run_id"), "get_run_by_job": ("job_id", "job_id")}.get(
        exchange.operation.name, (None, None)
    )
    if field is None or param is None:
        return False
    asked = exchange.path_params.get(param)
    if not is_uuid(asked):
        return False
    if not _same_uuid(exchange.body.get(field), asked):
        raise exchange.fail(
            f"asked for {param}={asked}, got a run whose {field} is {exchange.body.get(field)!r}"
        )
    return True
