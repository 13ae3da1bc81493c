"""Each package keeps one small public surface: ``__all__`` is sorted and is what it exports."""

from __future__ import annotations

import importlib

import pytest


def _isort_style(name: str) -> tuple[int, str]:
    # the order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions
    if name.isupper():
        return (0, name)
    return (1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("package", ["contracts", "strategies", "mocks"])
def test_all_is_sorted_and_complete(package: str) -> None:
    module = importlib.import_module(package)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=_isort_style)
    for name in exported:
        assert getattr(module, name) is not None
    public = {
        name
        for name in vars(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), type(importlib))
    }
    assert public - {"annotations"} <= set(exported)


def test_contracts_imports_neither_hypothesis_nor_respx() -> None:
    import subprocess
    import sys

    code = (
        "import sys, contracts;"
        "contracts.validate({'items': [], 'total': 0, 'skip': 0, 'limit': 0});"
        "bad = [m for m in ('hypothesis', 'respx', 'schemathesis', 'uvicorn') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
