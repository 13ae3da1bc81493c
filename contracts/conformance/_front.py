"""The front door schemathesis knocks at: a local server that forwards through the guard.

schemathesis 4 sends its requests with its own ``requests`` session, and reads every answer
whole, with a timeout per read; it offers no hook that reaches that session. So a run points
schemathesis at a small HTTP/1.1 server of its own on ``127.0.0.1`` (a free port, for the run
only), and that server forwards each request to the real base URL through the
:class:`~._guard.Guard`. schemathesis thus gets only answers that kept the bounds, in time and
in bytes; its every request passes the write policy, the pace and the budget.

A request the guard refuses, or whose answer was unusable, is answered ``502`` with the header
:data:`REFUSED_HEADER`; the run drops schemathesis's findings on those answers (the guard
reported the real one, with the real URL). Text from schemathesis names the front door's
address; the run writes the real base URL in its place (:meth:`FrontDoor.real`).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from ._guard import Guard, Refused
from ._wire import HOP_BY_HOP, WireError

__all__ = ["REFUSED_HEADER", "FrontDoor"]

REFUSED_HEADER = "x-extract-contract-refused"
"""Marks an answer the front door made up because the guard refused the request or its
answer; its value is the reason."""

_MAX_REQUEST_BODY = 1024 * 1024  # schemathesis sends no body to this API's operations
_IDLE = 120.0  # seconds a keep-alive connection from schemathesis may stay idle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, guard: Guard, origin: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.guard = guard
        self.origin = origin
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_lock:
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self.open_lock:
            sockets = list(self.open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = _IDLE
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed ACK
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the run reports; the front door does not log

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every method goes the same way
            return self._forward
        raise AttributeError(name)

    def _forward(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_REQUEST_BODY or "Transfer-Encoding" in self.headers:
            self._refuse("the request body is not one the front door forwards")
            return
        body = self.rfile.read(length) if length else b""
        guard = self.server.guard
        url = self.server.origin + self.path
        try:
            answer = guard.send(self.command, url, list(self.headers.items()), body)
        except (Refused, WireError) as exc:
            self._refuse(str(exc))
            return
        self.send_response_only(answer.status, answer.reason or None)
        for name, value in answer.headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _refuse(self, reason: str) -> None:
        payload = json.dumps({"detail": reason}).encode()
        self.send_response_only(502, "Refused by the conformance run")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header(REFUSED_HEADER, reason.replace("\r", " ").replace("\n", " ")[:200])
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class FrontDoor:
    """The local forwarding server, for a ``with`` block; ``url`` is where to send requests
    (with the base URL's own path, if it has one)."""

    def __init__(self, guard: Guard) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(guard.base_url)
        self.real_origin = f"{parts.scheme}://{parts.netloc}"
        self._server = _Server(guard, self.real_origin)
        host, port = self._server.server_address[:2]
        self.origin = f"http://{host!s}:{port}"
        self.url = self.origin + parts.path.rstrip("/")
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="extract-contract-front-door",
            daemon=True,
        )

    def __enter__(self) -> FrontDoor:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def real(self, text: str) -> str:
        """``text`` (from schemathesis) with the front door's address replaced by the real
        base URL's origin."""
        return text.replace(self.origin, self.real_origin)
