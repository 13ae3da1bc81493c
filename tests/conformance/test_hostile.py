"""Hostile servers end the run, cleanly: ``extract-contract conform`` as a user runs it (a
process of its own), against servers that never answer, stall mid-body, send an endless body,
a gzip bomb, gzip garbage or bad JSON, answer 429 forever, drop every connection or redirect to
another port. Each run ends within
its bound (about ``--timeout`` times the four operations, plus the process's start) with
exit 1 or 2, a clear message and no traceback, its peak memory under 500 MB."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from . import _hostile
from ._hostile import raw_server

TIMEOUT = 2.0
STARTUP = 40.0  # starting Python with schemathesis on a busy two-core machine, generously
BOUND = TIMEOUT * 4 + STARTUP
PEAK_MB = 500


def conform(url: str, *extra: str) -> tuple[int, str, str, float]:
    """Run conform in a process of its own: (exit code, stdout, stderr, peak RSS in MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        with out_path.open("w") as out, err_path.open("w") as err:
            argv = [sys.executable, "-m", "mocks._cli", "conform", "--base-url", url, "-q"]
            argv += ["--timeout", str(TIMEOUT), "--max-examples", "3", "--seed", "1", *extra]
            process = subprocess.Popen(argv, stdout=out, stderr=err)
        deadline = time.monotonic() + BOUND
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                pytest.fail(f"conform did not end within {BOUND:g} s")
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        return (
            process.returncode,
            out_path.read_text(),
            err_path.read_text(),
            usage.ru_maxrss / 1024,  # kilobytes on Linux
        )


Behaviour = Callable[..., None]
CASES: list[tuple[str, Behaviour, set[int], str]] = [
    ("never answers", _hostile.never_answers, {2}, "no complete answer within 2 s"),
    ("stalls mid-body", _hostile.drip(30.0), {2}, "no complete answer within 2 s"),
    ("endless body", _hostile.endless_body, {1, 2}, "the body is larger than 10 MiB"),
    ("gzip bomb", _hostile.gzip_bomb(decoded_mib=64), {1, 2}, "decodes to more than 10 MiB"),
    (
        "429 forever",
        _hostile.answer("429 Too Many Requests", b"{}", ("Retry-After: 1",)),
        {2},
        "the server keeps answering 429 Too Many Requests",
    ),
    ("drops connections", _hostile.drops, {2}, "cannot reach the server"),
    (
        "gzip garbage",
        _hostile.answer(
            "200 OK", b"garbage", ("Content-Type: application/json", "Content-Encoding: gzip")
        ),
        {1, 2},
        "the body is not valid gzip",
    ),
    ("bad JSON", _hostile.answer("200 OK", b'{"items": ['), {1}, "the body is not JSON"),
]


@pytest.mark.parametrize(
    ("behaviour", "codes", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_hostile_server_ends_the_run_within_its_bound(behaviour, codes, message):
    with raw_server(behaviour) as served:
        code, out, err, peak_mb = conform(served.url)
    assert code in codes, (out, err)
    assert message in out + err, (out, err)
    assert "Traceback" not in out + err
    assert peak_mb < PEAK_MB
    if code == 2 and err:
        assert err.count("\n") == 1  # one line for a server that cannot be reached


def test_a_redirect_to_another_port_is_reported_never_followed():
    with raw_server(_hostile.answer("200 OK", b"{}")) as elsewhere:
        redirect = _hostile.answer(
            "307 Temporary Redirect", b"", (f"Location: {elsewhere.url}/api/v1/extraction/runs",)
        )
        with raw_server(redirect) as served:
            code, out, err, peak_mb = conform(served.url)
    assert code == 1, (out, err)
    assert f"redirecting to {elsewhere.url}/api/v1/extraction/runs: another host" in out
    assert elsewhere.requests == []
    assert "Traceback" not in out + err
    assert peak_mb < PEAK_MB
