"""Start the real ``extract-contract serve`` process on a free loopback port, and always stop it;
raw-socket helpers for transport-level tests."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

API = "/api/v1/extraction/runs"
SEED, RUNS, AGENTS = 3, 60, 3


@dataclass
class Served:
    """A running ``extract-contract serve`` process."""

    url: str
    process: subprocess.Popen[str]
    ready_line: str
    stderr_lines: list[str] = field(default_factory=list)

    @property
    def host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        assert parts.hostname is not None
        assert parts.port is not None
        return parts.hostname, parts.port

    def next_line(self, timeout: float = 10) -> str:
        """The next line it printed to stdout (after the ready line: the agents), as printed
        (its indent kept). Read in a thread: the lines after the ready line may already sit in
        the pipe's text buffer, where a selector does not see them."""
        stdout = self.process.stdout
        assert stdout is not None
        read: list[str] = []
        reader = threading.Thread(target=lambda: read.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not read or not read[0]:
            raise AssertionError(f"no further line on stdout within {timeout}s")
        return read[0].rstrip("\n")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> tuple[int, str]:
        """Send ``sig``, wait for the exit; (exit code, what it wrote to stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            _, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise AssertionError(
                f"the server did not stop within {timeout}s of signal {sig}"
            ) from None
        return self.process.returncode, err


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mocks._cli", "serve", *args]


@contextmanager
def serve_process(*args: str, startup_timeout: float = 20) -> Iterator[Served]:
    """Run ``extract-contract serve --port 0 ARGS`` until the block ends; waits for its ready
    line (``... serving on http://127.0.0.1:PORT (...)``) and reads the URL from it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        serve_command("--port", "0", *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = _read_line(process, startup_timeout)
        url = line.split("serving on ", 1)[1].split(" ", 1)[0]
        served = Served(url, process, line)
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=0.1):
            line = process.stdout.readline()
            if line:
                return line.strip()
        if process.poll() is not None:
            err = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"the server exited with {process.returncode}: {err}")
    raise AssertionError(f"no ready line within {timeout}s")


def raw_exchange(
    host_port: tuple[str, int],
    data: bytes | list[bytes],
    *,
    timeout: float = 5.0,
    pause: float = 0.0,
) -> tuple[bytes, bool]:
    """Send raw bytes (a list: sent one piece at a time, ``pause`` seconds apart) and read until
    the server closes or ``timeout``; (everything read, whether the server closed)."""
    pieces = [data] if isinstance(data, bytes) else data
    with socket.create_connection(host_port, timeout=timeout) as sock:
        for piece in pieces:
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            if pause:
                time.sleep(pause)
        received = b""
        deadline = time.monotonic() + timeout
        closed = False
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
        return received, closed


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:100]
    return int(response[9:12])
