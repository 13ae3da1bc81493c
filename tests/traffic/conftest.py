"""Helpers of the proxy and drift tests: a proxy served in a thread in front of an upstream,
with the hardened configuration ``extract-contract proxy`` uses; the stand-in upstream."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from contracts.traffic import Referee
from mocks import RunStore, ServerOptions, create_app
from mocks._server.live import serving_app
from mocks._traffic.direct import uvicorn_settings
from mocks._traffic.proxy import ProxyApp

from .._net import serve_in_thread
from ..server._process import _read_line
from .standin import StandIn


@dataclass
class Proxied:
    """A proxy in a thread: its ``url``, its ``app`` (``.log``) and the lines it reported."""

    url: str
    app: ProxyApp
    lines: list[str] = field(default_factory=list)


WAYS = {"direct": True}
"""Whether :func:`proxy` carries the usual exchanges out directly (as ``extract-contract
proxy`` does) or each through the ASGI app: :func:`both_ways` runs a test each way."""


@pytest.fixture(params=["direct", "asgi"])
def both_ways(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test with proxies of each way (:data:`WAYS`)."""
    WAYS["direct"] = request.param == "direct"
    try:
        yield request.param
    finally:
        WAYS["direct"] = True


@contextlib.contextmanager
def no_access_log() -> Iterator[None]:
    """The access logger as ``serve`` and ``proxy`` have it (``access_log`` off: no handler).
    In each phase of a test, pytest's log capture hangs its handlers on every logger that does
    not propagate, and with an access log every exchange takes the ASGI app's way."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(logging.getLogger("uvicorn.access"), "handlers", [])
        yield


@contextlib.contextmanager
def proxy(
    upstream: str, *, timeout: float = 10.0, direct: bool | None = None, **referee: Any
) -> Iterator[Proxied]:
    """``extract-contract proxy --upstream UPSTREAM`` in a thread, for a ``with`` block;
    ``direct``: its usual exchanges carried out directly (by default: :data:`WAYS`)."""
    lines: list[str] = []
    direct = WAYS["direct"] if direct is None else direct
    app = ProxyApp(
        upstream,
        referee=Referee(**referee),
        timeout=timeout,
        report=lines.append,
        direct_answers=direct,
    )
    options = ServerOptions(log_level="error")
    with contextlib.ExitStack() as stack:
        if direct:
            stack.enter_context(no_access_log())
        url = stack.enter_context(serving_app(app, options, configure=uvicorn_settings))
        yield Proxied(url, app, lines)


@contextlib.contextmanager
def stand_in(store: RunStore, plants: tuple[str, ...] = (), **chosen: Any) -> Iterator[str]:
    """The stand-in upstream (:mod:`tests.traffic.standin`) served by uvicorn in a thread."""
    with serve_in_thread(create_app(StandIn(store, plants, **chosen))) as url:
        yield url


@contextlib.contextmanager
def proxy_process(*args: str) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """``extract-contract proxy --port 0 ARGS``: (process, its URL, its ready line)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks._cli", "proxy", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = _read_line(process, 20)
        url = line.split("forwarding ", 1)[1].split(" ", 1)[0]
        yield process, url, line
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
