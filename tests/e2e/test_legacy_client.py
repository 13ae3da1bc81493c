"""The same scenarios with the older client line, llama-cloud 0.1.x, in its own environment.

Both client lines install as ``llama_cloud``, so the 0.1.x client gets a virtual environment
of its own, built once and cached under ``.cache/legacy-venv/`` (rebuilt when this project's
``pyproject.toml``, the pinned client or the Python version changes). The scenarios run there
in one subprocess (``legacy_scenario.py``); this test checks what they report.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

LEGACY_CLIENT = "llama-cloud==0.1.46"  # the newest of the 0.1.x line
ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
VENV = CACHE / "legacy-venv"
SCENARIO = Path(__file__).with_name("legacy_scenario.py")


def _python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """One builder at a time (pytest-xdist workers share the cache)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no concurrent builders expected
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def legacy_python() -> Path:
    """The Python of a cached environment with the 0.1.x client and this project installed."""
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    stamp = "\n".join(
        [LEGACY_CLIENT, hashlib.sha256(pyproject).hexdigest(), sys.version, str(ROOT)]
    )
    stamp_file = VENV / "extract-contract.stamp"
    with _exclusive(CACHE / "legacy-venv.lock"):
        if stamp_file.exists() and stamp_file.read_text() == stamp:
            return _python(VENV)
        shutil.rmtree(VENV, ignore_errors=True)
        venv.create(VENV, with_pip=True)
        install = [str(_python(VENV)), "-m", "pip", "install", "--quiet"]
        done = subprocess.run(
            [*install, LEGACY_CLIENT, "-e", f"{ROOT}[mock]"], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.fail(f"could not build the legacy client environment:\n{done.stderr[-3000:]}")
        stamp_file.write_text(stamp)
    return _python(VENV)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    done = subprocess.run(
        [str(legacy_python()), str(SCENARIO)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_it_is_the_old_client_in_its_own_environment(report: dict[str, Any]) -> None:
    assert report["client"].startswith("0.1.")
    assert Path(report["module"]).is_relative_to(VENV)


@pytest.mark.parametrize("limit", [7, 50, 333, 1000])
def test_paging_through_1000_runs_sees_each_once_in_order(
    report: dict[str, Any], limit: int
) -> None:
    assert report["sync"][f"pages_{limit}"] is True


def test_a_page_has_all_four_fields(report: dict[str, Any]) -> None:
    assert report["sync"]["page"] == report["sync"]["page_expected"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_get_get_by_job_delete(report: dict[str, Any], mode: str) -> None:
    outcome = report[mode]
    assert (outcome["get"], outcome["get_by_job"], outcome["delete"]) == (True, True, {})
    assert outcome["get_after_delete"] == {
        "status": 404,
        "body": {"detail": "Extraction run not found"},
    }


def test_delete_reaches_by_job_and_the_list(report: dict[str, Any]) -> None:
    assert report["sync"]["by_job_after_delete"] == {
        "status": 404,
        "body": {"detail": "Extraction run not found for job"},
    }
    assert report["sync"]["total_after_delete"] == 999


def test_422_names_the_fields(report: dict[str, Any]) -> None:
    assert report["sync"]["bad_agent"] == {
        "status": 422,
        "locs": [["query", "extraction_agent_id"], ["query", "limit"]],
    }
    assert report["async"]["bad_run_id"] == {"status": 422, "locs": [["path", "run_id"]]}


def test_429_then_success(report: dict[str, Any]) -> None:
    """The 0.1.x client does not retry: the 429 surfaces, and the next call succeeds."""
    assert report["sync"]["rate_limited"] == {
        "status": 429,
        "body": {"detail": "Too Many Requests"},
    }
    assert report["sync"]["after_rate_limit"] is True


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_500_surfaces(report: dict[str, Any], mode: str) -> None:
    assert report[mode]["server_error"] == {
        "status": 500,
        "body": {"detail": "Internal Server Error"},
    }
