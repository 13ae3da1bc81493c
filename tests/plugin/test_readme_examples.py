"""The README's pytest plugin section shows the files under docs/examples/ that CI runs, as they
are: each python block equals its file."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
SHOWN = [  # the section's python blocks, in order
    "test_plugin_agent_shape.py",
    "test_plugin_mock.py",
    "test_plugin_given.py",
    "live_server/conftest.py",
    "live_server/test_plugin_server.py",
]


def plugin_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## pytest plugin\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_each_python_block_is_its_example_file() -> None:
    section = plugin_section()
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == len(SHOWN)
    for block, name in zip(blocks, SHOWN, strict=True):
        assert block == (EXAMPLES / name).read_text(encoding="utf-8"), f"README != {name}"
        assert f"docs/examples/{name}" in section


def test_the_examples_run_with_the_plugin_switched_on() -> None:
    conftest = (EXAMPLES / "conftest.py").read_text(encoding="utf-8")
    assert 'pytest_plugins = ["mocks._plugin"]' in conftest
