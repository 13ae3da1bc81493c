"""One write per answer: uvicorn writes an answer's head and its body separately, two system
calls (and on loopback, two wake-ups of the reader); the hardened protocol's connections (the
mock's and the proxy's) gather what one step of the event loop writes and send it at once.

The hardened protocol (:mod:`mocks._adapters.protocol`) hands uvicorn a
:class:`CoalescingTransport`: a write is held until the next one (which takes it along) or the
end of the loop's step; ``close`` and ``write_eof`` flush first, ``abort`` drops it; everything
else is the transport's. The head and the body an app sends one after the other thus leave in
one segment, at once (the body's write takes the head with it); a head alone (a ``HEAD``
answer, an empty body) leaves at the end of the loop's step.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["CoalescingTransport"]


class CoalescingTransport:
    """A transport whose first write waits for the next one (or for the end of the loop's
    step) and leaves with it: an answer's head with its body."""

    __slots__ = ("_held", "_loop", "_pending", "_transport")

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._pending: asyncio.Handle | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is None:  # the head: hold it for the body, or until the end of this step
            self._held = data
            self._pending = self._loop.call_soon(self.flush)
            return
        self._held = None
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if not self._transport.is_closing():
            self._transport.write(held + data)

    def flush(self) -> None:
        """Send what is held now."""
        if self._pending is not None:
            self._pending.cancel()
        held, self._held, self._pending = self._held, None, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._held = self._pending = None
        self._transport.abort()

    # asked on every read and answer: forwarded without __getattr__'s detour
    def is_closing(self) -> bool:
        closing: bool = self._transport.is_closing()
        return closing

    def is_reading(self) -> bool:
        reading: bool = self._transport.is_reading()
        return reading

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
