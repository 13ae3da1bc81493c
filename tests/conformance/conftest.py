"""Serve the test apps (and the bundled mock) on free loopback ports for the conformance tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests._net import serve_in_thread

from ._apps import ReferenceApp


@contextmanager
def served(app: ReferenceApp) -> Iterator[str]:
    """The app's base URL while it is served (uvicorn in a thread, always stopped)."""
    with serve_in_thread(app, log_level="error") as url:
        yield url
