"""The validating transports: every exchange with the four operations judged (and recorded),
everything else passed through untouched, the answer the client gets unchanged unless strict."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import contracts
from contracts.traffic import (
    AsyncValidatingTransport,
    TrafficAssertionError,
    ValidatingTransport,
    read_recording,
)
from mocks import live_server

from ..mocks.runs import AGENT, make_run, uid

API = "/api/v1/extraction/runs"
BASE = "https://api.example.test"


def _upstream(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    return httpx.MockTransport(answer)


def _planted(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith(uid(1)):
        return httpx.Response(200, json=make_run(1, status="CANCELLED"))
    if request.url.path.endswith(uid(2)):
        return httpx.Response(500, json={"detail": "boom"})
    if request.url.path == API:
        page = {"items": [make_run(3)], "total": 1, "skip": 0, "limit": 50}
        return httpx.Response(200, json=page)
    return httpx.Response(200, text="elsewhere")


def test_the_module_level_names() -> None:
    assert isinstance(contracts.validating_transport(), ValidatingTransport)
    assert isinstance(contracts.async_validating_transport(), AsyncValidatingTransport)
    assert isinstance(contracts.validating_transport().inner, httpx.HTTPTransport)


def test_a_faithful_server_gives_no_violation_and_every_answer_is_unchanged() -> None:
    with live_server(runs=12, log_level="error") as mock:
        transport = contracts.validating_transport()
        with httpx.Client(transport=transport, base_url=mock.url) as client:
            agent = mock.store.agents()[0]
            page = client.get(API, params={"extraction_agent_id": agent, "limit": 2})
            run_id = page.json()["items"][0]["id"]
            direct = httpx.get(f"{mock.url}{API}/{run_id}")
            got = client.get(f"{API}/{run_id}")
            assert (got.status_code, got.content, got.headers["content-type"]) == (
                direct.status_code,
                direct.content,
                direct.headers["content-type"],
            )
            assert client.get(f"{API}/nope").status_code == 422
            assert client.delete(f"{API}/{run_id}").json() == {}
            assert client.get(f"{API}/{run_id}").status_code == 404
            assert client.get("/__extract_contract__/health").json() == {"status": "ok"}
    transport.assert_no_violations()
    assert (transport.log.exchanges, transport.log.passed_through) == (5, 1)


def test_violations_are_listed_with_curl_lines_and_secrets_masked() -> None:
    transport = ValidatingTransport(_upstream(_planted))
    headers = {"Authorization": "Bearer tok-supersecret"}
    with httpx.Client(transport=transport, base_url=BASE, headers=headers) as client:
        assert client.get(f"{API}/{uid(1)}").json()["status"] == "CANCELLED"  # passed on
        assert client.get(f"{API}/{uid(2)}").status_code == 500
        client.get(API, params={"extraction_agent_id": AGENT, "token": "q-secret-123"})
        client.get("/elsewhere")
    assert [(v.check, v.json_path) for v in transport.violations] == [
        ("response_schema_conformance", "$.status"),
        ("status_code_conformance", "$"),
    ]
    with pytest.raises(TrafficAssertionError) as info:
        transport.assert_no_violations()
    message = str(info.value)
    assert message.startswith("CONTRACT: 2 violations in real traffic:")
    assert f"curl -X GET {BASE}{API}/{uid(1)}" in message
    assert "tok-supersecret" not in message
    assert "authorization: [Filtered]" in message
    assert isinstance(info.value, AssertionError)


def test_scrubbed_query_values_stay_out_of_curl_lines() -> None:
    def bad_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"detail": "no"})

    transport = ValidatingTransport(_upstream(bad_page), scrub=["signature"])
    with httpx.Client(transport=transport, base_url=BASE) as client:
        client.get(API, params={"extraction_agent_id": AGENT, "signature": "sig-123456789"})
    [violation] = transport.violations
    assert "sig-123456789" not in violation.curl
    assert "signature=" in violation.curl


def test_strict_answers_502_with_the_violations() -> None:
    transport = ValidatingTransport(_upstream(_planted), strict=True)
    with httpx.Client(transport=transport, base_url=BASE) as client:
        answer = client.get(f"{API}/{uid(1)}")
        assert answer.status_code == 502
        assert answer.json()["violations"][0]["json_path"] == "$.status"
        assert client.get("/elsewhere").text == "elsewhere"  # not judged, passed on


def test_a_body_over_max_body_is_passed_on_whole_but_not_judged() -> None:
    run = make_run(1, status="CANCELLED", data={"blob": "x" * 5000})

    def big(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=run)

    transport = ValidatingTransport(_upstream(big), max_body=1024)
    with httpx.Client(transport=transport, base_url=BASE) as client:
        assert client.get(f"{API}/{uid(1)}").json() == run
    assert transport.violations == []
    assert transport.log.unjudged == {"the body is larger than 1 KiB": 1}
    with pytest.raises(ValueError, match="max_body"):
        ValidatingTransport(max_body=0)


def test_a_gzipped_answer_is_judged_decoded_and_passed_on_as_sent() -> None:
    run = make_run(1)
    raw = gzip.compress(json.dumps(run).encode())

    def zipped(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=raw,
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        )

    transport = ValidatingTransport(_upstream(zipped))
    with httpx.Client(transport=transport, base_url=BASE) as client:
        assert client.get(f"{API}/{uid(1)}").json() == run
    transport.assert_no_violations()
    assert transport.log.judged["run_matches_request"] == 1


def test_it_records_each_exchange(tmp_path: Path) -> None:
    transport = ValidatingTransport(_upstream(_planted), record=tmp_path)
    with httpx.Client(transport=transport, base_url=BASE) as client:
        client.get(f"{API}/{uid(1)}")
        client.get(f"{API}/{uid(2)}")
        client.get("/elsewhere")  # not the API: not recorded
    exchanges = read_recording(tmp_path)
    assert [(e.operation, e.status, len(e.violations)) for e in exchanges] == [
        ("get_run", 200, 1),
        ("get_run", 500, 1),
    ]


def test_the_async_twin() -> None:
    async def main() -> tuple[Any, ...]:
        transport = AsyncValidatingTransport(_upstream(_planted))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            good = await client.get(API, params={"extraction_agent_id": AGENT})
            bad = await client.get(f"{API}/{uid(2)}")
        strict = AsyncValidatingTransport(_upstream(_planted), strict=True)
        async with httpx.AsyncClient(transport=strict, base_url=BASE) as client:
            replaced = await client.get(f"{API}/{uid(1)}")
        return good.status_code, bad.status_code, replaced.status_code, transport

    good, bad, replaced, transport = asyncio.run(main())
    assert (good, bad, replaced) == (200, 500, 502)
    assert [v.check for v in transport.violations] == ["status_code_conformance"]


def test_the_async_twin_against_a_live_server() -> None:
    async def main(url: str, agent: str) -> AsyncValidatingTransport:
        transport = contracts.async_validating_transport(max_body=2048)
        async with httpx.AsyncClient(transport=transport, base_url=url) as client:
            page = await client.get(API, params={"extraction_agent_id": agent, "limit": 20})
            assert len(page.json()["items"]) == 20  # larger than max_body: read on, whole
            await client.get(API, params={"extraction_agent_id": agent, "limit": 0})
        return transport

    with live_server(runs=60, agents=1, log_level="error") as mock:
        transport = asyncio.run(main(mock.url, mock.store.agents()[0]))
    transport.assert_no_violations()
    assert transport.log.exchanges == 2
    assert transport.log.unjudged == {"the body is larger than 2 KiB": 1}
