"""``extract-contract proxy`` and ``extract-contract drift`` as a user runs them: real processes,
one-line usage errors with exit 2, a summary on SIGTERM, exit codes that mean something."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from mocks import RunStore
from mocks._cli import main

from .conftest import proxy, proxy_process, stand_in

API = "/api/v1/extraction/runs"
TOKEN = "tok-cli-9876543210"


def _stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> tuple[int, str]:
    process.send_signal(sig)
    _, err = process.communicate(timeout=20)
    return process.returncode, err


@pytest.fixture(scope="module")
def store() -> RunStore:
    return RunStore.seeded(seed=13, runs=6, agents=1)


def test_sigterm_prints_a_summary_and_exits_1_after_a_violation(
    store: RunStore, tmp_path: Path
) -> None:
    ids = store.ids()
    with (
        stand_in(store, ("error_500",), failing_run=ids[1]) as upstream,
        proxy_process(
            "--upstream", upstream, "--record", str(tmp_path / "rec"), "--scrub", "signature"
        ) as (process, url, ready),
    ):
        headers = {"Authorization": f"Bearer {TOKEN}"}
        assert httpx.get(f"{url}{API}/{ids[0]}", headers=headers).status_code == 200
        assert httpx.get(f"{url}{API}/{ids[1]}", headers=headers).status_code == 500
        code, err = _stop(process)
    recording = tmp_path / "rec"
    assert (
        ready
        == f"extract-contract proxy: forwarding {url} to {upstream} (recording to {recording})"
    )
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == (
        f"extract-contract proxy: violation: get_run {API}/{ids[1]} $: status 500 is not one "
        "get_run defines (200, 404, 422) [status_code_conformance]"
    )
    assert "extract-contract proxy: stopped; 2 exchange(s) with the API" in err
    assert "status_code_conformance      1 violation(s) in 2 judged" in err
    assert "page_respects_limit          not exercised" in err
    assert TOKEN not in err
    assert len(list((tmp_path / "rec").iterdir())) == 2


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_no_violation_exits_0(store: RunStore, sig: int) -> None:
    with stand_in(store) as upstream, proxy_process("--upstream", upstream) as (process, url, _):
        assert httpx.get(f"{url}{API}/{store.ids()[0]}").status_code == 200
        code, err = _stop(process, sig)
    assert code == 0
    assert (
        "1 exchange(s) with the API, 0 other request(s) passed through unjudged, 0 violation(s)"
        in err
    )


def _exit_code(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:  # argparse's own usage errors
        return int(exc.code or 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--upstream", "ftp://x"], "--upstream ftp://x: expected an http:// or https:// URL"),
        (["--upstream", "http://u:p@x"], "--upstream http://u:p@x: no user:password@"),
        (["--upstream", "http://x?q=1"], "--upstream http://x?q=1: no query or fragment"),
        (["--upstream", "http://x:99999"], "--upstream http://x:99999: not a URL"),
        (
            ["--upstream", "http://x", "--max-body", "0"],
            "--max-body: expected a whole number from 1 to",
        ),
        (
            ["--upstream", "http://x", "--timeout", "nan"],
            "--timeout: expected seconds in (0, 3600]",
        ),
        (["--upstream", "http://x", "--port", "70000"], "--port: expected a whole number from 0"),
        ([], "the following arguments are required: --upstream"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit_code(["proxy", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_an_unwritable_record_dir_is_exit_2_at_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["proxy", "--upstream", "http://127.0.0.1:9", "--record", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert (
        err == f"extract-contract proxy: error: --record {blocker}: exists and is not a directory\n"
    )


def test_a_port_in_use_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["proxy", "--upstream", "http://127.0.0.1:9", "--port", str(port)])
    assert code == 2
    assert f"--port {port}: address 127.0.0.1:{port} is already in use" in capsys.readouterr().err


# -- drift --------------------------------------------------------------------------------------


def _record(store: RunStore, directory: Path, plants: tuple[str, ...] = ()) -> None:
    agent = store.agents()[0]
    with (
        stand_in(RunStore(store.runs()), plants) as upstream,
        proxy(upstream, record=directory) as proxied,
        httpx.Client(base_url=proxied.url) as client,
    ):
        client.get(API, params={"extraction_agent_id": agent, "limit": 50})
        client.get(f"{API}/{store.ids()[0]}")
        client.get(f"{API}/3fa85f64-5717-4562-b3fc-2c963f66afa6")


def test_drift_exit_codes_and_table(
    store: RunStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(store, tmp_path / "same")
    assert main(["drift", str(tmp_path / "same")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (
        "3 exchange(s): 3 the same, 0 with drift, 0 not compared; 0 run(s) the mock cannot serve"
    )
    _record(store, tmp_path / "other", ("not_found_detail",))
    assert main(["drift", str(tmp_path / "other")]) == 1
    out = capsys.readouterr().out
    assert "body.detail" in out
    assert "Run not found." in out
    assert "1 with drift" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing-dir"], "missing-dir: no such directory"),
        (["."], "no recorded exchange with the API in it"),
        (["x", "--base-url", "nope"], "--base-url nope: expected an http:// or https:// URL"),
        (["x", "--allow-writes"], "--allow-writes: only with --base-url"),
    ],
)
def test_drift_usage_errors(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chdir(tmp_path)
    assert main(["drift", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_drift_against_a_base_url(store: RunStore, tmp_path: Path) -> None:
    from mocks._traffic.drift import drift

    _record(store, tmp_path)
    with stand_in(RunStore(store.runs())) as upstream, proxy(upstream, record=tmp_path) as px:
        httpx.delete(f"{px.url}{API}/{store.ids()[-1]}")  # a delete, recorded last
    with stand_in(RunStore(store.runs())) as upstream:  # loopback as written: it may write
        report = drift(tmp_path, base_url=upstream)
    assert report.exit_code == 0, report.table()
    assert [r.not_compared for r in report.results] == [None] * 4
    report = drift(tmp_path, base_url="http://192.0.2.1:9", timeout=0.2)  # not loopback
    assert [(r.exchange.method, (r.not_compared or "")[:22]) for r in report.results] == [
        ("GET", "http://192.0.2.1:9 gav"),
        ("GET", "http://192.0.2.1:9 gav"),
        ("GET", "http://192.0.2.1:9 gav"),
        ("DELETE", "read-only: DELETE is r"),
    ]
    assert "nothing was compared: no verdict on the mock" in report.table()
