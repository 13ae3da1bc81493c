"""The end-to-end scenarios with the older client line (llama-cloud 0.1.x, Fern-generated).

Not a test module: ``test_legacy_client.py`` runs this file inside its own virtual environment
(both client lines install as ``llama_cloud``) and checks the JSON it prints. Each entry says
what happened, so a failure shows the scenario that broke.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import llama_cloud
from llama_cloud.client import AsyncLlamaCloud, LlamaCloud
from llama_cloud.core.api_error import ApiError
from llama_cloud.errors import UnprocessableEntityError

from mocks import MockAPI, RunStore

PAGE_SIZES = (7, 50, 333, 1000)


def _error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, UnprocessableEntityError):
        return {"status": 422, "locs": [list(e.loc) for e in exc.body.detail]}
    if isinstance(exc, ApiError):
        return {"status": exc.status_code, "body": exc.body}
    return {"error": type(exc).__name__}


def sync_scenario() -> dict[str, Any]:
    store = RunStore.seeded(seed=31, runs=1000, agents=1)
    agent = store.agents()[0]
    out: dict[str, Any] = {}
    with MockAPI(store) as mock:
        runs = LlamaCloud(token="test-key").llama_extract
        for limit in PAGE_SIZES:
            seen: list[str] = []
            skip = 0
            while True:
                page = runs.list_extract_runs(extraction_agent_id=agent, skip=skip, limit=limit)
                seen += [run.id for run in page.items]
                skip += limit
                if skip >= page.total:
                    break
            out[f"pages_{limit}"] = seen == store.ids(agent) and len(set(seen)) == 1000
        page = runs.list_extract_runs(extraction_agent_id=agent, skip=3, limit=2)
        out["page"] = [page.total, page.skip, page.limit, [r.id for r in page.items]]
        out["page_expected"] = [1000, 3, 2, store.ids(agent)[3:5]]
        first = store.runs(agent)[0]
        out["get"] = runs.get_run(first["id"]).id == first["id"]
        out["get_by_job"] = runs.get_run_by_job_id(first["job_id"]).id == first["id"]
        out["delete"] = runs.delete_extraction_run(first["id"])
        for name, call in (
            ("get_after_delete", lambda: runs.get_run(first["id"])),
            ("by_job_after_delete", lambda: runs.get_run_by_job_id(first["job_id"])),
            ("bad_agent", lambda: runs.list_extract_runs(extraction_agent_id="nope", limit=-1)),
        ):
            try:
                call()
                out[name] = "no error"
            except Exception as exc:
                out[name] = _error(exc)
        out["total_after_delete"] = runs.list_extract_runs(extraction_agent_id=agent).total
        second = store.ids(agent)[0]
        mock.faults.add("rate_limit", times=1, retry_after=0)
        try:
            runs.get_run(second)
            out["rate_limited"] = "no error"
        except Exception as exc:
            out["rate_limited"] = _error(exc)
        out["after_rate_limit"] = runs.get_run(second).id == second
        mock.faults.add("server_error", times=1)
        try:
            runs.get_run(second)
            out["server_error"] = "no error"
        except Exception as exc:
            out["server_error"] = _error(exc)
    return out


async def async_scenario() -> dict[str, Any]:
    store = RunStore.seeded(seed=32, runs=120, agents=1)
    agent = store.agents()[0]
    out: dict[str, Any] = {}
    async with MockAPI(store) as mock:
        runs = AsyncLlamaCloud(token="test-key").llama_extract
        seen: list[str] = []
        skip = 0
        while True:
            page = await runs.list_extract_runs(extraction_agent_id=agent, skip=skip, limit=25)
            seen += [run.id for run in page.items]
            skip += 25
            if skip >= page.total:
                break
        out["pages_25"] = seen == store.ids(agent)
        first = store.runs(agent)[0]
        out["get"] = (await runs.get_run(first["id"])).id == first["id"]
        out["get_by_job"] = (await runs.get_run_by_job_id(first["job_id"])).id == first["id"]
        out["delete"] = await runs.delete_extraction_run(first["id"])
        try:
            await runs.get_run(first["id"])
            out["get_after_delete"] = "no error"
        except Exception as exc:
            out["get_after_delete"] = _error(exc)
        try:
            await runs.get_run("run-7")
            out["bad_run_id"] = "no error"
        except Exception as exc:
            out["bad_run_id"] = _error(exc)
        mock.faults.add("server_error", times=1)
        try:
            await runs.get_run(store.ids(agent)[0])
            out["server_error"] = "no error"
        except Exception as exc:
            out["server_error"] = _error(exc)
    return out


if __name__ == "__main__":
    import importlib.metadata

    result = {
        "client": importlib.metadata.version("llama-cloud"),
        "module": llama_cloud.__file__,
        "sync": sync_scenario(),
        "async": asyncio.run(async_scenario()),
    }
    json.dump(result, sys.stdout)
