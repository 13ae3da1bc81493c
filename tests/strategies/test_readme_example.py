"""The README's strategies example is the file CI runs, word for word."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_shows_the_example_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Strategies\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None
    example = ROOT / "docs" / "examples" / "test_strategies_example.py"
    assert block.group(1) == example.read_text(encoding="utf-8")
    assert "docs/examples/test_strategies_example.py" in section


def test_seeded_generation_does_not_import_hypothesis() -> None:
    """The mock server seeds its store at start-up; Hypothesis would add ~150 ms to that."""
    code = (
        "import sys, strategies; strategies.sample('run', seed=1, count=5); "
        "strategies.sample_invalid('page', seed=1); print('hypothesis' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
