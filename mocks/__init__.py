"""The mock Extraction Runs API: run store, request handler, respx router, live server, plugin.

Heavy modules load on first use (PEP 562), so importing ``mocks`` (as the pytest plugin and the
command line do at start-up) costs next to nothing.
"""

from __future__ import annotations

import importlib
import typing

__all__: list[str] = []

# public name -> private module that defines it; filled in as the pieces land
_LAZY: dict[str, str] = {}


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mocks' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
