"""One write per answer: uvicorn writes an answer's head and its body separately, two system
calls (and on loopback, two wake-ups of the reader); the proxy's connections gather what one
step of the event loop writes and send it at once.

:func:`coalescing` makes a subclass of a (hardened) uvicorn protocol whose transport is a
:class:`CoalescingTransport`: a write is held until the next one (which takes it along) or the
end of the loop's step, ``close`` flushes first, ``abort`` drops it; everything else is the
transport's.
The head and the body the proxy sends one after the other thus leave in one segment, at once
(the body's write takes the head with it); a head alone leaves at the end of the loop's step.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["CoalescingTransport", "coalescing"]


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
        held, self._held, self._pending = self._held, None, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._held = self._pending = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def coalescing(protocol: type[Any]) -> type[Any]:
    """A subclass of the uvicorn protocol class ``protocol`` that writes through a
    :class:`CoalescingTransport`."""

    class Coalescing(protocol):  # type: ignore[misc]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(CoalescingTransport(transport, self.loop))

    Coalescing.__name__ = Coalescing.__qualname__ = f"Coalescing{protocol.__name__}"
    return Coalescing
