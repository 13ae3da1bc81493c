"""The tests' own network helpers: a free loopback port, and an ASGI app served by a plain
uvicorn in a thread (the way httpx's own ``conftest.py`` serves its test app), always stopped.

The mock's own server is served by :func:`mocks.live_server` (the hardened configuration);
these serve the test apps of the conformance tests, or the bare ASGI adapter under a plain
uvicorn.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

__all__ = ["free_port", "serve_in_thread"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class _ThreadServer:
    def __init__(self, config: uvicorn.Config) -> None:
        import uvicorn

        class _Server(uvicorn.Server):
            def install_signal_handlers(self) -> None:  # signals belong to the main thread
                pass

        self.server = _Server(config)
        self.thread = threading.Thread(target=self.server.run, name="extract-contract-live")


@contextmanager
def serve_in_thread(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    startup_timeout: float = 10.0,
    **config: Any,
) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (``http://127.0.0.1:PORT``).

    Extra keyword arguments go to ``uvicorn.Config`` (``log_level`` defaults to ``warning``).
    """
    import uvicorn

    config.setdefault("log_level", "warning")
    config.setdefault("lifespan", "off")
    bound = port or free_port(host)
    live = _ThreadServer(uvicorn.Config(app, host=host, port=bound, **config))
    live.thread.start()
    deadline = time.monotonic() + startup_timeout
    while not live.server.started:
        if not live.thread.is_alive():
            raise RuntimeError(f"the server on {host}:{bound} stopped while starting")
        if time.monotonic() > deadline:
            live.server.should_exit = True
            live.thread.join()
            raise RuntimeError(f"the server on {host}:{bound} did not start in {startup_timeout}s")
        time.sleep(0.005)
    try:
        yield f"http://{host}:{bound}"
    finally:
        live.server.should_exit = True
        live.thread.join(timeout=10)
