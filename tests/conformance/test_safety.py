"""A run writes only where it was allowed to, counted by the server itself; a run that saw no
run says it judged nothing (exit 3) instead of passing.

``runs.test`` is made to resolve to 127.0.0.1 here (the test owns the resolver), so the server
is on this machine but its name is not loopback as written: that is a server that is not
yours, as far as a run can tell.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from mocks._cli import main

from . import _apps
from .conftest import served

NAME = "runs.test"
FAST = ["--max-examples", "5", "--seed", "2", "--rate", "5000"]


@pytest.fixture
def runs_test_is_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """``runs.test`` resolves to 127.0.0.1 in this process."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == NAME else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def agents(app: _apps.ReferenceApp) -> list[str]:
    return [arg for agent in app.agent_ids for arg in ("--agent-id", agent)]


@pytest.mark.usefixtures("runs_test_is_here")
def test_a_default_run_on_a_name_that_is_not_loopback_sends_no_delete(tmp_path, capsys):
    app = _apps.ReferenceApp()
    junit = tmp_path / "r.xml"
    with served(app) as url:
        remote = url.replace("127.0.0.1", NAME)
        code = main(
            ["conform", "--base-url", remote, *FAST, *agents(app), "--report", f"junit={junit}"]
        )
    out, err = capsys.readouterr()
    assert code == 0, out
    assert app.methods["DELETE"] == 0  # counted by the server: none came, from any phase
    assert app.methods["GET"] > 100  # ... though every phase ran
    assert app.deleted == []
    assert f"mode: read-only: {NAME} is not loopback as written; no DELETE is sent" in err
    assert re.search(r", 0 DELETE, in ", out)
    skipped = "skipped: read-only (--allow-writes or --allow-delete RUN_ID to run them)"
    assert re.search(rf"^delete_then_gone +api +0 +0 +{re.escape(skipped)}$", out, re.M)
    assert re.search(rf"^use_after_free +schemathesis +0 +0 +{re.escape(skipped)}$", out, re.M)
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    skip = suite.find("testcase[@name='delete_then_gone']/skipped")
    assert skip is not None
    assert skip.get("message") == skipped
    for name in ("deletes", "refused_writes"):  # none sent, and none even tried
        found = suite.find(f"properties/property[@name='{name}']")
        assert found is not None
        assert found.get("value") == "0"


@pytest.mark.usefixtures("runs_test_is_here")
def test_allow_delete_deletes_exactly_the_named_run_and_checks_it_is_gone(capsys):
    app = _apps.ReferenceApp()
    doomed = next(iter(app.runs))
    with served(app) as url:
        remote = url.replace("127.0.0.1", NAME)
        code = main(
            ["conform", "--base-url", remote, *FAST, *agents(app), "--allow-delete", doomed]
        )
    out, err = capsys.readouterr()
    assert code == 0, out
    assert app.deleted == [doomed]
    assert app.methods["DELETE"] == 2  # the delete, and the second one that must be 404
    assert "read-only except DELETE of 1 named run" in err
    assert re.search(r"^delete_then_gone +api +\d+ +0 +passed$", out, re.M)
    assert "skipped: read-only but for the named runs" in out  # use_after_free
    assert re.search(r", 2 DELETE, in ", out)


def test_read_only_on_loopback_sends_no_delete(capsys):
    app = _apps.ReferenceApp()
    with served(app) as url:
        code = main(["conform", "--base-url", url, *FAST, *agents(app), "--read-only", "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert app.methods["DELETE"] == 0
    assert app.deleted == []
    assert "mode: read-only: --read-only; no DELETE is sent" in out


def test_loopback_without_flags_may_delete(capsys):
    app = _apps.ReferenceApp()
    with served(app) as url:
        code = main(["conform", "--base-url", url, *FAST, *agents(app), "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert app.methods["DELETE"] > 0
    assert "mode: writes allowed: 127.0.0.1 is loopback" in out
    assert "pace: no cap" in out or "pace: at most 5000 requests/s" in out


def test_an_agent_without_runs_is_inconclusive_exit_3(tmp_path, capsys):
    app = _apps.ReferenceApp()
    junit = tmp_path / "r.xml"
    empty = "9d5ed678-fe57-4cca-a1e1-8a1b2c3d4e5f"
    with served(app) as url:
        argv = ["conform", "--base-url", url, *FAST, "--agent-id", empty, "-q"]
        code = main([*argv, "--report", f"junit={junit}"])
    out = capsys.readouterr().out
    assert code == 3
    assert "INCONCLUSIVE: " in out
    assert "inconclusive: no run was seen" in out
    assert "--agent-id" in out
    assert "PASSED" not in out
    assert re.search(r"^pagination_walk +api +0 +0 +not exercised: no runs are listed", out, re.M)
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    skipped = suite.find("testcase[@name='pagination_walk']/skipped")
    assert skipped is not None
    assert (skipped.get("message") or "").startswith("not exercised: no runs are listed")
    verdict = suite.find("properties/property[@name='verdict']")
    assert verdict is not None
    assert verdict.get("value") == "inconclusive"
