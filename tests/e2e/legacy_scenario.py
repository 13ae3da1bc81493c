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


def through_scenario(url: str, agent: str, ids: list[str], token: str) -> dict[str, Any]:
    """The 0.1.x client against ``url`` (a proxy), sync and async, then the same sync calls
    through a validating transport (``httpx_client=``) straight to the proxy's upstream."""
    import httpx

    from contracts import validating_transport

    def calls(runs: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        page = runs.list_extract_runs(extraction_agent_id=agent, skip=0, limit=3)
        out["page"] = [page.total, [run.id for run in page.items]]
        out["get"] = runs.get_run(ids[0]).id
        for name, call in (
            ("failing", lambda: runs.get_run(ids[2])),
            ("missing", lambda: runs.get_run("3fa85f64-5717-4562-b3fc-2c963f66afa6")),
        ):
            try:
                call()
                out[name] = "no error"
            except Exception as exc:
                out[name] = _error(exc)
        return out

    sync = calls(LlamaCloud(token=token, base_url=url).llama_extract)

    async def run_async() -> dict[str, Any]:
        runs = AsyncLlamaCloud(token=token, base_url=url).llama_extract
        page = await runs.list_extract_runs(extraction_agent_id=agent, limit=3)
        return {"page": [page.total, [run.id for run in page.items]]}

    transport = validating_transport()
    with httpx.Client(transport=transport) as client:
        upstream = httpx.get(f"{url}/__extract_contract__/health").json()["upstream"]
        checked = calls(
            LlamaCloud(token=token, base_url=upstream, httpx_client=client).llama_extract
        )
    return {
        "sync": sync,
        "async": asyncio.run(run_async()),
        "transport": {
            "calls": checked,
            "violations": [[v.check, v.json_path] for v in transport.violations],
        },
    }


if __name__ == "__main__":
    import importlib.metadata

    if sys.argv[1:2] == ["--through"]:
        url, agent, token, *ids = sys.argv[2:]
        json.dump(through_scenario(url, agent, ids, token), sys.stdout)
        sys.exit(0)
    result = {
        "client": importlib.metadata.version("llama-cloud"),
        "module": llama_cloud.__file__,
        "sync": sync_scenario(),
        "async": asyncio.run(async_scenario()),
    }
    json.dump(result, sys.stdout)
