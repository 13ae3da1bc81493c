"""``extract-contract serve`` as a user runs it: ready line, health, signals, usage errors."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from mocks import RunStore

from ._process import API, serve_command, serve_process


def _run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(serve_command(*args), capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_serves_health_and_stops_cleanly_on_a_signal(sig: int) -> None:
    with serve_process("--runs", "20", "--seed", "5") as served:
        assert served.ready_line.startswith("extract-contract: serving on http://127.0.0.1:")
        assert served.ready_line.endswith("(stateful, 20 runs, seed 5)")
        health = httpx.get(served.url + "/__extract_contract__/health", timeout=5)
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}
        code, err = served.stop(sig)
    assert code == 0
    assert "Traceback" not in err
    assert err.strip() == "extract-contract: stopped"


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        result = _run("--port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"extract-contract serve: error: --port {port}: address 127.0.0.1:{port} is already in use"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "2"], "--workers 2: only with --mode stateless"),
        (["--mode", "stateless", "--data", "x.json"], "--data: only with --mode stateful"),
        (["--fault", "nonsense"], "--fault nonsense: unknown fault kind 'nonsense'"),
        (["--fault", "status:operation=get_run"], "--fault status:"),
        (["--fault", "latency:seconds=1,operation=list_all"], "--fault latency:"),
        (["--data", "/nonexistent/runs.json"], "--data /nonexistent/runs.json: no such file"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = _run("--port", "0", *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--error-rate", "2"],
        ["--latency", "-1"],
        ["--port", "x"],
        ["--port", "70000"],
        ["--header-timeout", "0"],
        ["--runs", "99999999999"],
    ],
)
def test_bad_flag_values_are_refused_by_the_parser(args: list[str]) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"argument {args[0]}: expected " in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--data", "runs.json", "--runs", "5"],
            "--runs 5: not with --data runs.json (the runs come from the file)",
        ),
        (["--agents", "2", "--data", "runs.json"], "--agents 2: not with --data runs.json"),
        (["--mode", "stateless", "--runs", "5"], "--runs 5: not with --mode stateless (there is"),
        (["--mode", "stateless", "--agents", "5"], "--agents 5: not with --mode stateless"),
        (["--mode", "stateless", "--data", "runs.json"], "--data: only with --mode stateful"),
        (
            ["--access-log", "--log-level", "warning"],
            "--access-log: not with --log-level warning (the access log is written at level info",
        ),
        (["--fault-seed", "3"], "--fault-seed 3: seeds nothing here"),
        (["--fault-seed", "3", "--fault", "server_error:seed=1"], "--fault-seed 3: seeds nothing"),
        (["--fault-seed", "3", "--error-rate", "0"], "--fault-seed 3: seeds nothing here"),
    ],
)
def test_a_flag_another_would_make_do_nothing_is_refused_naming_both(
    args: list[str], message: str
) -> None:
    """``serve --data FILE --runs 5`` used to ignore --runs without a word (issue #13, 9)."""
    result = _run("--port", "0", *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"extract-contract serve: error: {message}"), result.stderr


def test_rate_and_latency_zero_mean_none_and_the_flags_that_fit_together_are_taken() -> None:
    with serve_process("--runs", "5", "--error-rate", "0", "--latency", "0") as served:
        assert served.ready_line.endswith("(stateful, 5 runs, seed 0)")  # no fault added
        url = f"{served.url}{API}/00000000-0000-4000-8000-000000000000"
        assert {httpx.get(url).status_code for _ in range(20)} == {404}
    with serve_process("--runs", "5", "--error-rate", "1", "--fault-seed", "7") as served:
        assert served.ready_line.endswith("(stateful, 5 runs, seed 0, 1 fault(s))")
        assert (
            httpx.get(f"{served.url}{API}/00000000-0000-4000-8000-000000000000").status_code == 500
        )
    with serve_process("--runs", "5", "--mode", "stateful", "--seed", "2") as served:
        assert served.ready_line.endswith("(stateful, 5 runs, seed 2)")


def test_access_log_alone_logs_every_request() -> None:
    """At uvicorn's default level here (warning) the access log said nothing: --access-log
    raises the level to info unless --log-level says otherwise."""
    with serve_process("--runs", "5", "--agents", "1", "--access-log") as served:
        assert served.next_line().startswith("  agent ")
        assert httpx.get(served.url + "/__extract_contract__/health").status_code == 200
        logged = served.next_line()  # uvicorn writes its access log to stdout
        code, err = served.stop()
    assert code == 0
    assert "Traceback" not in err
    assert '"GET /__extract_contract__/health HTTP/1.1" 200' in logged


def _two_violations() -> list[dict[str, object]]:
    runs = _runs(2)
    runs[1]["status"] = "FINISHED"
    runs[1]["created_at"] = 5
    return runs


def test_data_errors_list_every_violation_in_one_line_without_a_stray_separator(
    tmp_path: Path,
) -> None:
    """The message once read ``breaks the contract:; ...`` (issue #13, item 9)."""
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(_two_violations()))
    result = _run("--port", "0", "--data", str(path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    line = result.stderr.strip()
    assert f"--data {path}: record #1: run " in line
    assert "breaks the contract: $.created_at: 5 is not of type " in line
    assert "'null'; $.status: 'FINISHED' is not one of " in line
    assert "contract:;" not in line
    assert ";;" not in line


def test_admin_post_runs_errors_list_every_violation_without_a_stray_separator() -> None:
    runs = _two_violations()
    with serve_process("--runs", "2", "--admin") as served:
        admin = served.url + "/__extract_contract__/admin/runs"
        for body in (json.dumps(runs), "\n".join(json.dumps(run) for run in runs)):
            answer = httpx.post(admin, content=body)
            assert answer.status_code == 422
            detail = answer.json()["detail"]
            assert "breaks the contract: $.created_at: 5 is not of type " in detail
            assert "; $.status: 'FINISHED' is not one of " in detail
            assert "contract:;" not in detail


def _runs(count: int) -> list[dict[str, object]]:
    return RunStore.seeded(seed=11, runs=count, agents=1).runs()


def test_data_file_as_json_array_is_served(tmp_path: Path) -> None:
    runs = _runs(4)
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(runs))
    with serve_process("--data", str(path)) as served:
        assert f"runs from {path}" in served.ready_line
        agent = runs[0]["extraction_agent_id"]
        page = httpx.get(f"{served.url}{API}", params={"extraction_agent_id": agent}).json()
        assert page["total"] == 4
        assert {item["id"] for item in page["items"]} == {run["id"] for run in runs}


def test_data_file_as_json_lines_names_the_bad_record_and_field(tmp_path: Path) -> None:
    runs = _runs(3)
    runs[1]["status"] = "FINISHED"
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(json.dumps(run) for run in runs) + "\n")
    result = _run("--port", "0", "--data", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"--data {path}:2" in lines[0]
    assert "status" in lines[0]
    assert "FINISHED" in lines[0]


def test_data_file_that_is_not_json_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "runs.json"
    path.write_text("[{broken")
    result = _run("--port", "0", "--data", str(path))
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_stateless_workers_serve_the_same_run_from_every_process() -> None:
    run_id = "6f1f1c1e-0000-4000-8000-000000000001"
    with serve_process("--mode", "stateless", "--workers", "2", "--seed", "4") as served:
        assert "2 workers" in served.ready_line
        bodies = set()
        with httpx.Client(base_url=served.url, timeout=10) as http:
            for _ in range(20):  # a new connection each time lands on either worker
                response = http.get(f"{API}/{run_id}", headers={"connection": "close"})
                assert response.status_code == 200
                bodies.add(response.content)
        assert len(bodies) == 1
        code, err = served.stop()
    assert code == 0
    assert "Traceback" not in err


def test_require_auth_and_faults_from_the_command_line() -> None:
    with serve_process(
        "--runs", "5", "--require-auth", "s3cret", "--fault", "rate_limit:times=1,retry_after=2"
    ) as served:
        url = f"{served.url}{API}/00000000-0000-4000-8000-000000000000"
        auth = {"Authorization": "Bearer s3cret"}
        limited = httpx.get(url, headers=auth)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "2"
        assert httpx.get(url, headers=auth).status_code == 404  # the fault was for one call
        missing = httpx.get(url)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = httpx.get(url, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401


def test_a_connect_error_fault_drops_the_connection_without_an_answer() -> None:
    with serve_process("--runs", "5", "--fault", "connect_error:times=1") as served:
        url = f"{served.url}{API}/00000000-0000-4000-8000-000000000000"
        with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
            httpx.get(url)
        assert httpx.get(url).status_code == 404


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_while_the_store_is_built_stops_quietly(sig: int) -> None:
    process = subprocess.Popen(
        serve_command("--port", "0", "--runs", "20000"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)  # started, still seeding 20,000 runs (about 2 s)
        process.send_signal(sig)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "serving on" not in out
