"""``serve`` says which agents have runs, and the README's first ``curl`` works as written
(issue #13, item 1: every made-up agent id listed an empty page)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import httpx

from mocks import RunStore

from ._process import API, Served, serve_process

README = Path(__file__).resolve().parents[2] / "README.md"
README_URL = "http://127.0.0.1:4010"


def _agent_lines(served: Served, count: int) -> list[str]:
    return [served.next_line() for _ in range(count)]


def _serve_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Live mock server") : text.index("## pytest plugin")]


def test_serve_prints_each_agent_and_its_runs_under_the_ready_line() -> None:
    store = RunStore.seeded(seed=4, runs=50, agents=3)
    with serve_process("--runs", "50", "--seed", "4") as served:
        lines = _agent_lines(served, 3)
        for agent, line in zip(store.agents(), lines, strict=True):
            assert line == f"  agent {agent}: {store.count(agent)} runs"
            page = httpx.get(f"{served.url}{API}", params={"extraction_agent_id": agent}).json()
            assert page["total"] == store.count(agent) > 0


def test_past_five_agents_it_prints_the_first_five_and_how_many_more() -> None:
    store = RunStore.seeded(seed=0, runs=40, agents=12)
    with serve_process("--runs", "40", "--agents", "12") as served:
        lines = _agent_lines(served, 6)
    first = store.agents()[:5]
    assert lines[:5] == [f"  agent {agent}: {store.count(agent)} runs" for agent in first]
    assert lines[5] == "  ... and 7 more agents with runs (12 in all)"


def test_a_data_file_and_an_empty_store_say_so(tmp_path: Path) -> None:
    runs = RunStore.seeded(seed=2, runs=1, agents=1).runs()
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(runs))
    with serve_process("--data", str(path)) as served:
        assert served.next_line() == f"  agent {runs[0]['extraction_agent_id']}: 1 run"
    with serve_process("--runs", "0") as served:
        assert served.next_line() == "  agents: none has runs (the store is empty)"


def test_stateless_says_any_agent_is_answered_and_gives_one_with_runs() -> None:
    with serve_process("--mode", "stateless", "--seed", "9") as served:
        lines = _agent_lines(served, 2)
        assert lines[0] == "  agents: any agent id is answered, with 0 to 100 runs made from it"
        found = re.fullmatch(r"  e\.g\. agent ([0-9a-f-]{36}): (\d+) runs?", lines[1])
        assert found is not None, lines[1]
        agent, runs = found.group(1), int(found.group(2))
        page = httpx.get(f"{served.url}{API}", params={"extraction_agent_id": agent}).json()
        assert page["total"] == runs > 0


def test_the_readme_shows_what_serve_prints_on_its_defaults() -> None:
    shown = re.search(r"```\n(extract-contract: serving on .*?)```", _serve_section(), re.S)
    assert shown is not None, "the README's serve section shows no ready line"
    with serve_process() as served:  # the defaults: stateful, 1000 runs, seed 0
        printed = [served.ready_line, *_agent_lines(served, 3)]
    expected = shown.group(1).replace(README_URL, served.url).rstrip("\n").split("\n")
    assert printed == expected


def test_the_readme_first_curl_works_as_written() -> None:
    """The serve section's first curl line, run as written (only the port is the test's own:
    4010 may be taken on this machine), lists a page of runs."""
    curls = [line for line in _serve_section().splitlines() if line.startswith("curl ")]
    assert curls, "the README's serve section shows no curl line"
    argv = shlex.split(curls[0])
    assert argv[0] == "curl"
    assert len(argv) == 2, "a plain GET of one URL"
    assert argv[1].startswith(README_URL + API + "?extraction_agent_id=")
    with serve_process() as served:
        url = argv[1].replace(README_URL, served.url)
        if shutil.which("curl"):
            result = subprocess.run(["curl", "-sS", url], capture_output=True, timeout=30)
            assert result.returncode == 0, result.stderr
            body = result.stdout
        else:  # pragma: no cover - a machine without curl: the same GET
            body = httpx.get(url).content
    page = json.loads(body)
    assert page["total"] == 334
    assert len(page["items"]) == 2
    assert page["items"][0]["extraction_agent_id"] in argv[1]
