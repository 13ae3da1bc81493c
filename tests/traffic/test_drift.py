"""Drift over the same runs: what the replay compares, what it says it cannot, and how each
difference is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contracts.conformance import NOT_JSON
from contracts.traffic import Recorder, judge
from mocks._traffic.compare import TEXT_NOTE, Answer, differences
from mocks._traffic.drift import drift

from ..contracts.recorded import record_exchange
from ..mocks.runs import AGENT, make_run, uid

API = "/api/v1/extraction/runs"
JSON = [("content-type", "application/json")]


def _record(recorder: Recorder, path: str, status: int, body: Any, **given: Any) -> None:
    record_exchange(recorder, path, status, body, **given)


def _page(*runs: dict[str, Any], total: int | None = None) -> dict[str, Any]:
    return {
        "items": list(runs),
        "total": len(runs) if total is None else total,
        "skip": 0,
        "limit": 50,
    }


LIST = [("extraction_agent_id", AGENT)]


def test_a_run_is_compared_as_it_was_when_seen(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    pending, done = make_run(1, status="PENDING", data=None), make_run(1)
    _record(recorder, f"{API}/{uid(1)}", 200, pending)
    _record(recorder, API, 200, _page(make_run(2), done), query=LIST)  # newest first
    _record(recorder, f"{API}/{uid(1)}", 200, done)
    report = drift(tmp_path)
    assert report.exit_code == 0, report.table()
    assert [r.not_compared for r in report.results] == [None, None, None]


def test_a_delete_the_service_did_not_honour_is_drift(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    _record(recorder, f"{API}/{uid(1)}", 200, make_run(1))
    _record(recorder, f"{API}/{uid(1)}", 200, {}, method="DELETE")
    _record(recorder, f"{API}/{uid(1)}", 200, make_run(1))  # still there, says the service
    report = drift(tmp_path)
    assert report.exit_code == 1
    [drifted] = report.drifted
    assert drifted.exchange.sequence == 3
    assert [d.aspect for d in drifted.differences] == ["status"]
    assert drifted.differences[0].mock.startswith("404")


def test_what_the_recording_cannot_tell_is_not_compared(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    _record(recorder, API, 200, _page(make_run(1), make_run(2), total=9), query=LIST)
    _record(recorder, f"{API}/{uid(5)}", 200, {}, method="DELETE")  # never seen before
    report = drift(tmp_path)
    assert [r.not_compared for r in report.results] == [
        "the recording shows 2 of the agent's 9 runs (list every page while recording to "
        "compare this page)",
        f"the recording never showed run {uid(5)} before its delete",
    ]
    assert report.exit_code == 0
    assert "nothing was compared: no verdict on the mock" in report.table()


def test_a_body_not_recorded_is_compared_in_part(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    path = f"{API}/{uid(1)}"
    _record(recorder, path, 200, make_run(1))
    recorder.record(
        method="GET",
        path=path,
        query=[],
        headers=[],
        status=200,
        response_headers=JSON,
        body=None,
        judgement=judge("GET", path, [], 200, JSON, None, max_body=10),
    )
    report = drift(tmp_path)
    assert report.exit_code == 0
    assert (
        report.results[1].partly == "the body was not recorded (the body is larger than 10 bytes)"
    )
    assert "partly: the body was not recorded" in report.table()


def _answer(status: int, body: Any, **headers: str) -> Answer:
    return Answer(status, {"content-type": "application/json", **headers}, body)


def test_how_differences_are_named() -> None:
    run = make_run(1)
    assert differences("get_run", _answer(200, run), _answer(200, run)) == []
    [status] = differences("get_run", _answer(500, {"detail": "x"}), _answer(200, run))
    assert (status.aspect, status.recorded) == ("status", '500 {"detail": "x"}')
    [fields] = differences("get_run", _answer(200, {**run, "status": "ERROR"}), _answer(200, run))
    assert fields.aspect == "body: 1 field(s) (status)"
    [order] = differences(
        "list_runs",
        _answer(200, _page(make_run(1), make_run(2))),
        _answer(200, _page(make_run(2), make_run(1))),
    )
    assert order.aspect == "body.items: the same runs in another order"
    [total, items] = differences(
        "list_runs", _answer(200, _page(make_run(1), total=3)), _answer(200, _page(make_run(2)))
    )
    assert (total.aspect, total.recorded, total.mock) == ("body.total", "3", "1")
    assert items.aspect == "body.items"
    [text] = differences("get_run", _answer(404, {"detail": "Gone"}), _answer(404, {"detail": "x"}))
    assert (text.aspect, text.note) == ("body.detail", TEXT_NOTE)
    [shape] = differences(
        "get_run", _answer(404, {"message": "Gone"}), _answer(404, {"detail": "x"})
    )
    assert (shape.aspect, shape.recorded, shape.mock) == (
        "body (shape)",
        "detail: absent, also message",
        "detail: str",
    )
    entry = {"type": "uuid_parsing", "loc": ["path", "run_id"], "msg": "bad", "input": "x"}
    [msg] = differences(
        "get_run",
        _answer(422, {"detail": [{**entry, "msg": "Invalid UUID"}]}),
        _answer(422, {"detail": [entry]}),
    )
    assert (msg.aspect, msg.note) == ("body.detail[path.run_id].msg", TEXT_NOTE)
    [named] = differences(
        "list_runs",
        _answer(422, {"detail": [entry]}),
        _answer(422, {"detail": [{**entry, "loc": ["query", "limit"]}]}),
    )
    assert named.aspect == "body.detail (fields named)"


def test_content_type_and_client_headers() -> None:
    body = {"detail": "Too Many Requests"}
    found = differences(
        "get_run",
        Answer(429, {"content-type": "application/problem+json", "retry-after": "2"}, body),
        Answer(429, {"content-type": "application/json; charset=utf-8"}, body),
    )
    assert [(d.aspect, d.recorded, d.mock) for d in found] == [
        ("content-type", "application/problem+json", "application/json"),
        ("header retry-after", "2", "(absent)"),
    ]
    text = differences(
        "get_run", Answer(200, {}, NOT_JSON, "<html>"), Answer(200, {}, NOT_JSON, "ok")
    )
    assert [d.aspect for d in text] == ["body"]
