"""The recording format: appended, never overwritten, atomic, secrets scrubbed, read back."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from contracts.conformance import NOT_JSON
from contracts.traffic import (
    FORMAT,
    SCRUBBED,
    Recorder,
    RecordingError,
    judge,
    read_recording,
    recorded_runs,
)

from ..mocks.runs import make_run, uid
from .recorded import record_exchange

API = "/api/v1/extraction/runs"
JSON = [("content-type", "application/json")]


def _record(recorder: Recorder, *, path: str = f"{API}/{uid(1)}", **given: Any) -> Path:
    return record_exchange(recorder, path, **given)


def test_one_file_per_exchange_named_by_sequence_and_operation(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "rec")
    first = _record(recorder, body=make_run(1))
    second = _record(
        recorder, path=API, query=[("extraction_agent_id", uid(5))], status=422, body={"detail": []}
    )
    third = _record(recorder, path="/api/v1/files", body={"ok": True})
    assert [p.name for p in (first, second, third)] == [
        "000001-get_run.json",
        "000002-list_runs.json",
        "000003-other.json",
    ]
    record = json.loads(first.read_text())
    assert record["format"] == FORMAT
    assert record["operation"] == "get_run"
    assert record["response"]["body"] == make_run(1)
    assert record["request"] == {
        "method": "GET",
        "path": f"{API}/{uid(1)}",
        "query": [],
        "headers": [],
    }
    assert sorted(p.name for p in (tmp_path / "rec").iterdir()) == [
        "000001-get_run.json",
        "000002-list_runs.json",
        "000003-other.json",
    ]


def test_an_existing_recording_is_appended_to(tmp_path: Path) -> None:
    (tmp_path / "000041-get_run.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("mine")
    path = _record(Recorder(tmp_path), body=make_run(1))
    assert path.name == "000042-get_run.json"
    assert (tmp_path / "000041-get_run.json").read_text() == "{}"


def test_two_recorders_on_one_directory_never_clobber(tmp_path: Path) -> None:
    recorders = [Recorder(tmp_path), Recorder(tmp_path)]  # both start at 1

    def write(recorder: Recorder, n: int) -> None:
        for i in range(40):
            _record(recorder, body=make_run(1, data={"total": float(n * 100 + i)}))

    threads = [threading.Thread(target=write, args=(r, n)) for n, r in enumerate(recorders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    exchanges = read_recording(tmp_path)
    assert len(exchanges) == 80
    totals = sorted(e.body["data"]["total"] for e in exchanges)
    assert totals == sorted([float(i) for i in range(40)] + [float(100 + i) for i in range(40)])
    assert [e.sequence for e in exchanges] == list(range(1, 81))
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_a_directory_that_cannot_be_written_is_refused_at_once(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RecordingError, match="exists and is not a directory") as info:
        Recorder(blocker)
    assert info.value.path == str(blocker)
    with pytest.raises(RecordingError, match="cannot write there"):
        Recorder(blocker / "below")


def test_secrets_never_reach_the_disk(tmp_path: Path) -> None:
    token = "tok-7Hq2-s3cr3t"
    tricky = 'pa"ss\\word-42'  # quotes and backslashes are escaped in JSON text
    recorder = Recorder(tmp_path, scrub=["X-Tenant-Key", "signature"])
    path = _record(
        recorder,
        query=[("signature", "sig-0987654321"), ("project_id", uid(3))],
        headers=[
            ("Authorization", f"Bearer {token}"),
            ("Cookie", f"session=cookie-1234567; other={tricky}"),
            ("X-Api-Key", "key-abcdef123"),
            ("x-tenant-key", "tenant-55555"),
            ("Accept", "application/json"),
        ],
        response_headers=[*JSON, ("Set-Cookie", "session=new-cookie-999; Path=/")],
        status=404,
        body={"detail": f"no run for token {token}, cookie {tricky} or sig-0987654321"},
    )
    text = path.read_text()
    for secret in (
        token,
        "cookie-1234567",
        "key-abcdef123",
        "tenant-55555",
        "sig-0987654321",
        "new-cookie-999",
        json.dumps(tricky)[1:-1],
    ):
        assert secret not in text
    record = json.loads(text)
    assert dict(map(tuple, record["request"]["headers"])) == {
        "authorization": SCRUBBED,
        "cookie": SCRUBBED,
        "x-api-key": SCRUBBED,
        "x-tenant-key": SCRUBBED,
        "accept": "application/json",
    }
    assert record["request"]["query"] == [["signature", SCRUBBED], ["project_id", uid(3)]]
    assert ["set-cookie", SCRUBBED] in record["response"]["headers"]
    assert record["response"]["body"]["detail"].count(SCRUBBED) == 3


def test_connection_headers_are_not_kept_and_bodies_are_kept_decoded(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    run = make_run(1)
    path = _record(
        recorder,
        headers=[
            ("Host", "api"),
            ("Connection", "keep-alive, x-hop"),
            ("x-hop", "1"),
            ("Accept", "*/*"),
        ],
        response_headers=[
            *JSON,
            ("content-encoding", "gzip"),
            ("content-length", "99"),
            ("transfer-encoding", "chunked"),
            ("x-request-id", "r-1"),
        ],
        body=gzip.compress(json.dumps(run).encode()),
    )
    record = json.loads(path.read_text())
    assert record["request"]["headers"] == [["accept", "*/*"]]
    assert record["response"]["headers"] == [
        ["content-type", "application/json"],
        ["x-request-id", "r-1"],
    ]
    assert record["response"]["body"] == run


def test_text_bodies_are_kept_as_text_up_to_a_cap(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    short = json.loads(
        _record(
            recorder,
            status=500,
            body=b"<h1>Bad gateway</h1>",
            response_headers=[("content-type", "text/html")],
        ).read_text()
    )
    assert short["response"]["body_text"] == "<h1>Bad gateway</h1>"
    long = json.loads(_record(recorder, status=500, body=b"x" * 100_000).read_text())
    assert len(long["response"]["body_text"]) == 64 * 1024
    assert long["response"]["body_truncated"]
    unread = judge("GET", f"{API}/{uid(1)}", [], 200, JSON, None, max_body=10)
    path = recorder.record(
        method="GET",
        path=f"{API}/{uid(1)}",
        query=[],
        headers=[],
        status=200,
        response_headers=JSON,
        body=None,
        judgement=unread,
    )
    assert json.loads(path.read_text())["response"]["body_omitted"] == (
        "the body is larger than 10 bytes"
    )
    exchanges = read_recording(tmp_path)
    assert [e.body is NOT_JSON for e in exchanges] == [True, True, True]
    assert exchanges[2].body_omitted == "the body is larger than 10 bytes"


def test_violations_are_recorded(tmp_path: Path) -> None:
    path = _record(Recorder(tmp_path), body=make_run(1, status="CANCELLED"))
    [violation] = json.loads(path.read_text())["violations"]
    assert violation["check"] == "response_schema_conformance"
    assert violation["json_path"] == "$.status"
    assert read_recording(tmp_path)[0].violations[0]["json_path"] == "$.status"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{", "not a recording: 000001-get_run.json:1:2"),
        ('{"format": "other"}', "its format is not"),
        (json.dumps({"format": FORMAT, "request": {}, "response": {}}), "a 'method' and a"),
        (
            json.dumps(
                {
                    "format": FORMAT,
                    "request": {"method": "GET", "path": "/x"},
                    "response": {"status": 99},
                }
            ),
            "not an HTTP status: 99",
        ),
        (
            json.dumps(
                {
                    "format": FORMAT,
                    "request": {"method": "GET", "path": "/x", "query": [["a"]]},
                    "response": {"status": 200},
                }
            ),
            "request.query must be a list of",
        ),
    ],
)
def test_a_file_that_is_not_a_recording_is_named(tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "000001-get_run.json").write_text(content)
    with pytest.raises(RecordingError, match=r"000001-get_run\.json") as info:
        read_recording(tmp_path)
    assert reason in info.value.reason


def test_reading_what_is_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such directory"):
        read_recording(tmp_path / "missing")
    (tmp_path / "f").write_text("")
    with pytest.raises(RecordingError, match="is not a directory"):
        read_recording(tmp_path / "f")


def test_the_runs_of_a_recording(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    old, new = make_run(1, status="PENDING"), make_run(1, status="SUCCESS")
    _record(
        recorder,
        path=API,
        query=[("extraction_agent_id", old["extraction_agent_id"])],
        body={"items": [old, make_run(2), make_run(3)], "total": 3, "skip": 0, "limit": 50},
    )
    _record(recorder, body=new)  # a later sighting of run 1 wins
    _record(recorder, method="DELETE", path=f"{API}/{uid(2).upper()}", body={})  # deleted
    _record(
        recorder,
        method="DELETE",
        path=f"{API}/{uid(3)}",
        status=404,
        body={"detail": "Extraction run not found"},
    )  # not deleted: a 404
    _record(recorder, path=f"{API}/{uid(4)}", status=404, body={"detail": "x"})
    _record(recorder, path=f"{API}/by-job/{uid(5, space=1)}", body=make_run(5))
    runs = recorded_runs(read_recording(tmp_path))
    assert list(runs) == [uid(1), uid(3), uid(5)]
    assert runs[uid(1)].run["status"] == "SUCCESS"
    assert runs[uid(1)].exchange.file.name == "000002-get_run.json"
    _record(recorder, path=f"{API}/{uid(2)}", body=make_run(2))  # seen again after its delete
    assert uid(2) in recorded_runs(read_recording(tmp_path))
