"""Errors carry their facts as fields and speak Python; only the entry points name flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mocks import (
    InvalidMockArgument,
    InvalidRun,
    RunStore,
    ServeError,
    ServerOptions,
    build_server,
    mock_api,
)
from mocks._adapters.protocol import Limits
from mocks._cli.serve import flag
from mocks._core import loading
from mocks._core.loading import add_runs, load_runs, parse_runs, read_text
from mocks._errors import LoadError

from .runs import make_run, uid


@pytest.mark.parametrize(
    ("changes", "option", "python", "cli"),
    [
        ({"mode": "x"}, "mode", "mode='x': choose stateful or stateless", "--mode x: choose"),
        ({"workers": 0}, "workers", "workers=0: must be >= 1", "--workers 0: must be >= 1"),
        (
            {"workers": 2},
            "workers",
            "workers=2: only with mode='stateless' (a stateful store lives in one process",
            "--workers 2: only with --mode stateless (a stateful store",
        ),
        (
            {"mode": "stateless", "data": Path("runs.json")},
            "data",
            "data: only with mode='stateful' (stateless runs come from ids)",
            "--data: only with --mode stateful (stateless runs come from ids)",
        ),
        ({"head_timeout": 0}, "head_timeout", "head_timeout=0: must be > 0", "--header-timeout 0"),
        ({"max_body": 0}, "max_body", "max_body=0: must be >= 1", "--max-body 0: must be >= 1"),
    ],
)
def test_server_options_from_python_speak_python(
    changes: dict[str, object], option: str, python: str, cli: str
) -> None:
    with pytest.raises(ServeError) as caught:
        ServerOptions(**changes)  # type: ignore[arg-type]
    error = caught.value
    assert error.option == option
    assert str(error).startswith(python)
    assert "--" not in str(error)
    assert error.describe(flag).startswith(cli)


def test_a_limit_names_itself() -> None:
    with pytest.raises(ServeError) as caught:
        Limits(max_request_line=10, max_head=5)
    assert (caught.value.option, caught.value.value) == ("max_request_line", 10)


def test_an_invalid_run_carries_its_record_id_and_violations() -> None:
    bad = make_run(2, status="DONE")
    with pytest.raises(InvalidRun) as caught:
        RunStore([make_run(1), bad])
    error = caught.value
    assert (error.record, error.run_id, error.field) == (1, uid(2), "$.status")
    assert [v.path for v in error.violations] == ["$.status"]
    with pytest.raises(InvalidRun) as caught:
        RunStore([make_run(1), make_run(1)])
    assert (caught.value.record, caught.value.reason) == (1, "the id is given twice")


def test_a_load_error_names_source_line_record_run_and_field(tmp_path: Path) -> None:
    runs = [make_run(1), make_run(2, status="DONE")]
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(json.dumps(run) for run in runs) + "\n")
    with pytest.raises(LoadError) as caught:
        load_runs(RunStore(), path)
    error = caught.value
    assert (error.source, error.line, error.record, error.run_id, error.field) == (
        str(path),
        2,
        1,
        uid(2),
        "$.status",
    )
    assert str(error).startswith(f"{path}:2: run {uid(2)} breaks the contract: $.status")
    assert "\n" not in str(error)


def test_a_file_is_read_under_the_cap_with_text_mode_line_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b"[1,\r\n2]\r3\n")
    assert read_text(path) == "[1,\n2]\n3\n"  # as a text-mode read numbers the lines
    monkeypatch.setattr(loading, "MAX_FILE", 10)  # its size
    assert read_text(path) == "[1,\n2]\n3\n"
    monkeypatch.setattr(loading, "MAX_FILE", 9)
    with pytest.raises(LoadError) as caught:
        read_text(path)
    assert str(caught.value) == f"{path}: larger than 9 bytes"
    with pytest.raises(ServeError, match="larger than 9 bytes"):
        build_server(ServerOptions(data=path))


def test_a_load_error_in_an_array_names_the_record() -> None:
    runs, lines = parse_runs(json.dumps([make_run(1), [1]]), "body")
    with pytest.raises(LoadError) as caught:
        add_runs(RunStore(), runs, lines, "body")
    assert (caught.value.record, caught.value.line) == (1, None)
    assert str(caught.value) == "body: record #1: a run must be a JSON object, got list"
    with pytest.raises(LoadError) as caught:
        parse_runs('{"id": 1}\n{broken', "body")
    assert (caught.value.line, caught.value.location) == (2, "body:2")


def test_the_data_option_carries_where_the_load_failed(tmp_path: Path) -> None:
    path = tmp_path / "missing.json"
    with pytest.raises(ServeError) as caught:
        build_server(ServerOptions(data=path))
    assert (caught.value.option, caught.value.value) == ("data", str(path))
    assert caught.value.describe(flag) == f"--data {path}: no such file"


def test_a_mock_argument_names_itself() -> None:
    with pytest.raises(InvalidMockArgument) as caught:
        mock_api(runs=-1)
    assert caught.value.argument == "runs"
    with pytest.raises(InvalidMockArgument) as caught:
        mock_api(faults=[{"kind": "latency"}])
    assert caught.value.argument == "faults"
