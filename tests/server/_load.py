"""A small, bounded HTTP/1.1 load generator over keep-alive connections (asyncio, raw sockets).

Used by the soak test and, when ``wrk`` is missing, by ``bench/server.py``. It only ever talks to
the address it is given (tests and the benchmark give 127.0.0.1), sends a fixed number of
requests, and stops on its own.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """What came back: status counts, transport errors, and each request's latency (s)."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def request_bytes(method: str, target: str, host: str = "127.0.0.1") -> bytes:
    head = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: extract-contract-load\r\n"
    return head.encode() + b"\r\n"


async def _read_response(reader: asyncio.StreamReader, method: bytes) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length and method != b"HEAD":
        await reader.readexactly(length)
    return status


async def _connection(
    host: str,
    port: int,
    requests: Sequence[bytes],
    take: Callable[[], int | None],
    result: LoadResult,
) -> None:
    reader = writer = None
    while True:
        index = take()
        if index is None:
            break
        request = requests[index % len(requests)]
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader, request.split(b" ", 1)[0])
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            result.errors[type(exc).__name__] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def hammer_async(
    host: str,
    port: int,
    requests: Sequence[bytes],
    *,
    total: int,
    connections: int,
    on_progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Send ``total`` requests (cycling through ``requests``) over ``connections`` keep-alive
    connections; ``on_progress(done)`` is called every 1,000 requests."""
    result = LoadResult()
    sent = 0

    def take() -> int | None:
        nonlocal sent
        if sent >= total:
            return None
        sent += 1
        if on_progress is not None and sent % 1000 == 0:
            on_progress(sent)
        return sent - 1

    started = time.perf_counter()
    await asyncio.gather(
        *(_connection(host, port, requests, take, result) for _ in range(connections))
    )
    result.elapsed = time.perf_counter() - started
    return result


def hammer(
    host: str,
    port: int,
    requests: Sequence[bytes],
    *,
    total: int,
    connections: int,
    on_progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """:func:`hammer_async` from synchronous code."""
    return asyncio.run(
        hammer_async(
            host, port, requests, total=total, connections=connections, on_progress=on_progress
        )
    )
