"""Helpers of the proxy and drift tests: a proxy served in a thread in front of an upstream,
with the hardened configuration ``extract-contract proxy`` uses; the stand-in upstream."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from contracts.traffic import Referee
from mocks import RunStore, ServerOptions, create_app
from mocks._server.live import serving_app
from mocks._traffic.proxy import ProxyApp, uvicorn_settings

from .._net import serve_in_thread
from ..server._process import _read_line
from .standin import StandIn


@dataclass
class Proxied:
    """A proxy in a thread: its ``url``, its ``app`` (``.log``) and the lines it reported."""

    url: str
    app: ProxyApp
    lines: list[str] = field(default_factory=list)


@contextlib.contextmanager
def proxy(upstream: str, *, timeout: float = 10.0, **referee: Any) -> Iterator[Proxied]:
    """``extract-contract proxy --upstream UPSTREAM`` in a thread, for a ``with`` block."""
    lines: list[str] = []
    app = ProxyApp(upstream, referee=Referee(**referee), timeout=timeout, report=lines.append)
    options = ServerOptions(log_level="error")
    with serving_app(app, options, configure=uvicorn_settings) as url:
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
