"""The mock Extraction Runs API: run store, request handler, respx router, live server, plugin.

The package is in layers, each a private sub-package that imports only the layers below it
(see ARCHITECTURE.md): ``_core`` (the mock's rules, framework-free: store, parameters, routes,
the one handler, faults, journal, stateless runs, loading), ``_adapters`` (the respx router, the
ASGI app, the hardened protocol, the admin API, the ``Prefer`` controls), ``_server`` (options,
build, live), and the entry points ``_cli`` and ``_plugin``. Every public name is here.

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
    "InvalidShape",
    "Journal",
    "LiveMock",
    "LoadError",
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

# public name -> the private module that defines it
_LAZY: dict[str, str] = {
    "FAULT_KINDS": "_core.fault_kinds",
    "Call": "_core.journal",
    "CallAssertionError": "_errors",
    "Fault": "_core.faults",
    "FaultSpec": "_core.faults",
    "Faults": "_core.faults",
    "Handler": "_core.handler",
    "InvalidFault": "_errors",
    "InvalidMockArgument": "_errors",
    "InvalidRun": "_errors",
    "InvalidShape": "_errors",
    "Journal": "_core.journal",
    "LiveMock": "_server.build",
    "LoadError": "_errors",
    "MockAPI": "_adapters.router",
    "MockError": "_errors",
    "Request": "_core.http",
    "Response": "_core.http",
    "RunSource": "_core.store",
    "RunStore": "_core.store",
    "RunningMock": "_server.live",
    "ServeError": "_errors",
    "ServerOptions": "_server.options",
    "StatelessRuns": "_core.stateless",
    "UnknownName": "_errors",
    "build_server": "_server.build",
    "create_app": "_adapters.asgi",
    "fault_kind": "_core.fault_kinds",
    "live_server": "_server.live",
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
