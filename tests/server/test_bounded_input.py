"""A user's JSON that the official clients cannot read, or that is built to hurt, given to the
mock: ``serve --data`` exits 2 with one line naming the file, line and field; the admin API
answers 422 naming them; never a 500, never a traceback (issue #12, item 6)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mocks import RunStore, live_server

from ._process import serve_command

ADMIN = "/__extract_contract__/admin"


def _run() -> dict[str, object]:
    return RunStore.seeded(seed=31, runs=1, agents=1).runs()[0]


def _with(**fields: object) -> str:
    return json.dumps({**_run(), **fields})


# (name, JSON text of one record, what the one-line error must say)
BAD_RECORDS = [
    ("year 0", _with(created_at="0000-01-01T00:00:00Z"), "created_at: '0000-01-01T00:00:00Z'"),
    ("leap second", _with(updated_at="2025-06-30T23:59:60Z"), "updated_at: '2025-06-30T23:59:60Z'"),
    ("arabic digits", _with(created_at="\u0662\u0660\u0662\u0665-01-01T00:00:00Z"), "created_at"),
    ("NaN", _with(data={"zq": 1}).replace('"zq": 1', '"zq": NaN'), "data.zq: NaN is not a JSON"),
    ("-Infinity", _with(data={"zq": 1}).replace('"zq": 1', '"zq": -Infinity'), "data.zq: -Inf"),
    (
        "5,000 digits",
        _with(data={"zq": 1}).replace('"zq": 1', '"zq": ' + "9" * 5000),
        "data.zq: an",
    ),
    (
        "1e400",
        _with(data={"zq": 1}).replace('"zq": 1', '"zq": 1e400'),
        "data.zq: 1e400 is too large",
    ),
    ("10**400", _with(data={"zq": 10**400}), "data.zq: an integer of 1329 bits is past the range"),
    ("nested 100,000 deep", "[" * 100_000, "nested deeper than 128 levels"),
]


@pytest.fixture(scope="module")
def admin() -> Iterator[httpx.Client]:
    with (
        live_server(runs=2, seed=4, admin=True) as running,
        httpx.Client(base_url=running.url, timeout=10) as http,
    ):
        yield http


@pytest.mark.parametrize(
    ("record", "needle"), [c[1:] for c in BAD_RECORDS], ids=[c[0] for c in BAD_RECORDS]
)
def test_admin_runs_answers_422_naming_the_place(
    admin: httpx.Client, record: str, needle: str
) -> None:
    good = json.dumps(RunStore.seeded(seed=32, runs=1, agents=1).runs()[0])
    for body, where in ((f"[{good},\n{record}]", "body"), (f"{good}\n{record}\n", "body:2")):
        response = admin.post(ADMIN + "/runs", content=body)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert detail.startswith(where), detail
        assert needle in detail
        assert len(detail) < 400
    assert admin.get(ADMIN).json()["runs"] == 2  # all or nothing


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"[" * 100_000, "body:1:129: $[0]"),
        (b'{"kind": "latency", "seconds": NaN}', "body:1:32: $.seconds: NaN is not a JSON"),
        (b'{"kind": "latency", "seconds": ' + b"9" * 5000 + b"}", "an integer of 5000 digits"),
        (b'{"kind": "\xff"}', "body:1:11: not UTF-8 text"),
        (b'{"kind": }', "body:1:10: $.kind: not valid JSON (Expecting value)"),
    ],
)
def test_admin_faults_answers_422_naming_the_place(
    admin: httpx.Client, body: bytes, needle: str
) -> None:
    response = admin.post(ADMIN + "/faults", content=body)
    assert response.status_code == 422, response.text
    assert needle in response.json()["detail"]


@pytest.mark.parametrize(
    ("record", "needle"), [c[1:] for c in BAD_RECORDS], ids=[c[0] for c in BAD_RECORDS]
)
def test_serve_data_exits_2_naming_file_line_and_field(
    tmp_path: Path, record: str, needle: str
) -> None:
    good = json.dumps(RunStore.seeded(seed=33, runs=1, agents=1).runs()[0])
    path = tmp_path / "runs.jsonl"
    path.write_text(f"{good}\n\n{record}\n", encoding="utf-8")
    result = subprocess.run(
        serve_command("--port", "0", "--data", str(path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert f"--data {path}:3" in lines[0]
    assert needle in lines[0]
