"""The README's downstream test module, run by pytester as a downstream suite would run it:
it passes against the bundled mock and fails, listing the failure, against a broken server."""

from __future__ import annotations

import re
from pathlib import Path

from mocks._server.live import embedded_mock

from . import _apps
from .conftest import served

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Conformance") :]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None
    return block.group(1)


def test_the_readme_example_passes_against_the_bundled_mock(pytester, monkeypatch):
    pytester.makepyfile(test_downstream_conformance=readme_example())
    with embedded_mock(0, stateless=False) as (url, agents):
        monkeypatch.setenv("RUNS_API_URL", url)
        monkeypatch.setenv("RUNS_API_AGENT", agents[0])
        result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert (pytester.path / "conformance.xml").is_file()


def test_the_readme_example_fails_a_broken_server_with_the_failures(pytester, monkeypatch):
    pytester.makepyfile(test_downstream_conformance=readme_example())
    app = _apps.BrokenIgnoresLimit()
    with served(app) as url:
        monkeypatch.setenv("RUNS_API_URL", url)
        monkeypatch.setenv("RUNS_API_AGENT", app.agent_ids[0])
        result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*NonConformance: CONFORMANCE: http://127.0.0.1:* breaks the contract*"]
    )
    result.stdout.fnmatch_lines(["*[[]page_respects_limit[]] GET /api/v1/extraction/runs*"])
