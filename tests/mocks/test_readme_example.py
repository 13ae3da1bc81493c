"""The README's in-process mock example is the file CI runs, word for word."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_shows_the_example_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In-process mock", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None
    example = ROOT / "docs" / "examples" / "test_inprocess_mock.py"
    assert block.group(1) == example.read_text(encoding="utf-8")
