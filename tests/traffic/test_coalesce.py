"""The proxy writes each answer at once (the hardened protocol's transport), whole."""

from __future__ import annotations

import httpx

from mocks import live_server

from ..server._process import raw_exchange
from .conftest import proxy


def test_connection_close_and_http_1_0_get_whole_answers() -> None:
    with live_server(runs=2, log_level="error") as upstream, proxy(upstream.url) as proxied:
        run_id = upstream.store.ids()[0]
        expected = httpx.get(f"{upstream.url}/api/v1/extraction/runs/{run_id}").content
        host, port = proxied.url.removeprefix("http://").split(":")
        target = f"/api/v1/extraction/runs/{run_id}"
        for request in (
            f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            f"GET {target} HTTP/1.0\r\n\r\n",
        ):
            received, closed = raw_exchange((host, int(port)), request.encode())
            assert closed
            assert received.startswith(b"HTTP/1.1 200 OK\r\n")
            assert received.endswith(b"\r\n\r\n" + expected)
