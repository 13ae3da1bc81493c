"""The mock Extraction Runs API: run store, request handler, respx router, live server, plugin.

Heavy modules load on first use (PEP 562), so importing ``mocks`` (as the pytest plugin and the
command line do at start-up) costs next to nothing.
"""

from __future__ import annotations

import importlib
import typing

__all__: list[str] = [
    "FAULT_KINDS",
    "Call",
    "CallAssertionError",
    "Fault",
    "FaultSpec",
    "Faults",
    "Handler",
    "InvalidFault",
    "InvalidMockArgument",
    "InvalidRun",
    "Journal",
    "LiveMock",
    "MockAPI",
    "MockError",
    "Request",
    "Response",
    "RunSource",
    "RunStore",
    "RunningMock",
    "ServeError",
    "ServerOptions",
    "StatelessRuns",
    "UnknownName",
    "build_server",
    "create_app",
    "fault_kind",
    "live_server",
    "mock_api",
]

# public name -> private module that defines it; filled in as the pieces land
_LAZY: dict[str, str] = {
    "FAULT_KINDS": "_core.faults",
    "Call": "_core.journal",
    "CallAssertionError": "_errors",
    "Fault": "_core.faults",
    "FaultSpec": "_server.build",
    "Faults": "_core.faults",
    "Handler": "_core.handler",
    "InvalidFault": "_errors",
    "InvalidMockArgument": "_errors",
    "InvalidRun": "_errors",
    "Journal": "_core.journal",
    "LiveMock": "_server.build",
    "MockAPI": "_adapters.router",
    "MockError": "_errors",
    "Request": "_core.http",
    "Response": "_core.http",
    "RunSource": "_core.store",
    "RunStore": "_core.store",
    "RunningMock": "_server.build",
    "ServeError": "_server.build",
    "ServerOptions": "_server.build",
    "StatelessRuns": "_core.stateless",
    "UnknownName": "_errors",
    "build_server": "_server.build",
    "create_app": "_adapters.asgi",
    "fault_kind": "_core.faults",
    "live_server": "_server.build",
    "mock_api": "_plugin.marker",
}


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mocks' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
