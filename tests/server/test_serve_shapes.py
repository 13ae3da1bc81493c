"""``extract-contract serve --data-schema FILE --config FILE``: the live mock's runs carry your
agent's shape; a schema or config it cannot use is one line naming the flag and file, exit 2."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from mocks import RunStore

from ._process import API, serve_command, serve_process

INVOICE = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "pattern": "^INV-[0-9]{4}$"},
        "total": {"type": "number", "minimum": 0},
    },
    "required": ["invoice_number", "total"],
}


def _write(path: Path, value: Any) -> str:
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return str(path)


def test_the_served_runs_carry_your_schema_and_config(tmp_path: Path) -> None:
    schema = _write(tmp_path / "invoice.json", INVOICE)
    config = _write(tmp_path / "config.json", {"extraction_target": "PER_PAGE"})
    args = ("--runs", "30", "--agents", "2", "--data-schema", schema, "--config", config)
    seen = 0
    with serve_process(*args) as served:
        assert served.ready_line.endswith("your data_schema, your config)")
        for agent in RunStore.seeded(seed=0, runs=1, agents=2).agents():
            page = httpx.get(
                served.url + API, params={"extraction_agent_id": agent, "limit": 15}, timeout=5
            ).json()
            assert page["total"] == 15
            for run in page["items"]:
                assert run["data_schema"] == INVOICE
                assert run["config"] == {"extraction_target": "PER_PAGE"}
                if run["status"] == "SUCCESS":
                    for row in run["data"]:
                        assert re.fullmatch(r"INV-[0-9]{4}", row["invoice_number"])
                        seen += 1
        assert seen


@pytest.mark.parametrize(
    ("flag", "content", "message"),
    [
        (
            "--data-schema",
            {"type": "object", "properties": {"x": {"not": {}}}},
            "--data-schema {path}: cannot generate values for the JSON Schema keyword 'not' at "
            "$/properties/x",
        ),
        ("--data-schema", [1, 2], "--data-schema {path}: expected a JSON object, got list"),
        ("--data-schema", '{"type": ', "--data-schema {path}:1:"),
        (
            "--data-schema",
            {"type": "string"},
            "--data-schema {path}: data_schema must describe a JSON object",
        ),
        (
            "--config",
            {"extraction_target": "PER_BOOK"},
            "--config {path}: breaks the contract's ExtractConfig: $.extraction_target: "
            "'PER_BOOK' is not one of",
        ),
    ],
)
def test_a_shape_it_cannot_use_is_one_line_and_exit_2(
    tmp_path: Path, flag: str, content: Any, message: str
) -> None:
    path = _write(tmp_path / "shape.json", content)
    result = subprocess.run(
        serve_command("--port", "0", flag, path), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("extract-contract serve: error: " + message.format(path=path))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data-schema", "/nonexistent/s.json"], "--data-schema /nonexistent/s.json: no such"),
        (
            ["--config", "{dir}", "--data", "runs.jsonl"],
            "--config {dir}: not with --data runs.jsonl "
            "(your runs carry their own data_schema and config)",
        ),
        (["--config", "{dir}"], "--config {dir}: is a directory"),
    ],
)
def test_file_problems_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    args = [arg.format(dir=tmp_path) for arg in args]
    result = subprocess.run(
        serve_command("--port", "0", *args), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(
        "extract-contract serve: error: " + message.format(dir=tmp_path)
    )


def test_the_options_carry_the_shapes_to_worker_processes() -> None:
    from mocks import ServerOptions
    from mocks._server.build import make_source

    agent = "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"
    options = ServerOptions(
        mode="stateless",
        workers=2,
        data_schema=INVOICE,
        agents={agent: {"config": {"extraction_target": "PER_PAGE"}}},
    )
    again = ServerOptions.from_json(options.to_json())
    assert again == options
    assert again.describe() == "stateless, seed 0, 2 workers, your data_schema, your agents"
    run = make_source(again).run("0b6f1f0e-8f5e-4c53-9a43-8c2d1e6b7a90")  # type: ignore[attr-defined]
    assert run["extraction_agent_id"] == agent
    assert run["config"] == {"extraction_target": "PER_PAGE"}
    assert run["data_schema"] == INVOICE


def test_your_runs_as_options() -> None:
    from mocks import ServeError, ServerOptions, build_server

    yours = RunStore.seeded(seed=2, runs=4, agents=1, data_schema=INVOICE)
    for data in (yours, yours.runs()):
        live = build_server(ServerOptions(data=data))
        assert live.store.ids() == yours.ids()
        assert live.store is not yours
    with pytest.raises(ServeError, match=r"^data_schema: not with data "):
        ServerOptions(data=yours, data_schema=INVOICE)
    with pytest.raises(
        ServeError, match=r"^data: expected a list of runs, a RunStore or a file path"
    ):
        ServerOptions(data=3)  # type: ignore[arg-type]
    with pytest.raises(ServeError, match=r"^data='record #0': run breaks the contract"):
        build_server(ServerOptions(data=[{"status": "SUCCESS"}]))
