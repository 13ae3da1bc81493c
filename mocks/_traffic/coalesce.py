"""One write per answer: uvicorn writes an answer's head and its body separately, two system
calls (and on loopback, two wake-ups of the reader); the proxy's connections gather what one
step of the event loop writes and send it at once.

:func:`coalescing` makes a subclass of a (hardened) uvicorn protocol whose transport is a
:class:`CoalescingTransport`: ``write`` keeps the bytes and asks the loop to flush them after the
current step, ``close`` flushes first, ``abort`` drops them; everything else is the transport's.
The head and the body the proxy sends one after the other thus leave in one segment.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["CoalescingTransport", "coalescing"]


class CoalescingTransport:
    """A transport whose writes within one step of the loop leave as one."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data)

    def flush(self) -> None:
        held = self._held
        if held:
            self._held = []
            if not self._transport.is_closing():
                self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = []
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
