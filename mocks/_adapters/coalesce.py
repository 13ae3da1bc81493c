"""One write per answer: uvicorn writes an answer's head and its body separately, two system
calls (and on loopback, two wake-ups of the reader); when the server is busy, the hardened
protocol's connections (the mock's and the proxy's) send an answer's head together with the
first bytes of its body. A lone answer (no other in progress on the server: a client waiting
alone) keeps its two writes: its head wakes the client while the body is being written, which
answers a lone client sooner than one write does (measured: up to 10% at one connection).

The hardened protocol (:mod:`mocks._adapters.protocol`) hands uvicorn a
:class:`CoalescingTransport`. The one write it holds is the head of an answer (the first write
of a request's answer, once the answer has started): the next write takes it along, and the end
of the answer (the protocol's ``on_response_complete``: an answer without a body, to ``HEAD``),
``close`` and ``write_eof`` send it; ``abort`` drops it. Every other write (the body after the
first part, a ``100 Continue``, a refusal) leaves at once. Nothing is scheduled on the event
loop, so an answer costs no extra step of it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CoalescingTransport"]


class CoalescingTransport:
    """A transport that holds an answer's head until the answer's next write (see the module
    docstring). ``protocol`` is the uvicorn protocol: its ``cycle`` is the answer in progress,
    its ``tasks`` the answers in progress on the whole server."""

    __slots__ = ("_headed", "_held", "_protocol", "_transport")

    def __init__(self, transport: Any, protocol: Any) -> None:
        self._transport = transport
        self._protocol = protocol
        self._held: bytes | None = None
        self._headed: object = None  # the answer (cycle) whose head was held last

    def write(self, data: bytes) -> None:
        held = self._held
        if held is not None:  # the body's first write takes the head along
            self._held = None
            data = held + data
        else:
            cycle = self._protocol.cycle
            if (
                cycle is not None
                and cycle is not self._headed
                and cycle.response_started
                and not cycle.response_complete
                and len(self._protocol.tasks) > 1  # other answers are in progress: busy
            ):  # the head of this answer: it waits for the body, or for the answer's end
                self._headed = cycle
                self._held = data
                return
        if not self._transport.is_closing():
            self._transport.write(data)

    def writelines(self, data: list[bytes]) -> None:
        """Write ``data`` in one system call (``writev``: the pieces are not joined first),
        after what is held."""
        held, self._held = self._held, None
        if held is not None:
            data = [held, *data]
        if not self._transport.is_closing():
            self._transport.writelines(data)

    def flush(self) -> None:
        """Send what is held now (the head of an answer that ended without a body)."""
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
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
