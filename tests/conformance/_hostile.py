"""Hostile and broken HTTP servers, written on raw sockets (a well-behaved framework would not
misbehave on request): each reads a request head and then does one bad thing.

:func:`raw_server` serves a ``behave(conn, head)`` function on a free loopback port in daemon
threads, and always stops; ``served.requests`` counts the requests it read.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

Behaviour = Callable[[socket.socket, bytes], None]


@dataclass
class Served:
    url: str
    stop: threading.Event
    requests: list[bytes] = field(default_factory=list)


def _read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data.split(b"\r\n\r\n", 1)[0]


@contextlib.contextmanager
def raw_server(
    behave: Callable[[socket.socket, bytes, Served], None] | None = None,
    *,
    connection: Callable[[socket.socket, Served], None] | None = None,
) -> Iterator[Served]:
    """Serve ``behave`` (one request per connection), or ``connection`` (each connection
    whole, as it likes), until the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.1)
    served = Served(f"http://127.0.0.1:{listener.getsockname()[1]}", threading.Event())

    def one(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            head = _read_head(conn)
            if head and behave is not None:
                served.requests.append(head)
                behave(conn, head, served)

    def accept() -> None:
        while not served.stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if connection is not None:
                target, args = connection, (conn, served)
            else:
                target, args = one, (conn,)
            threading.Thread(target=target, args=args, daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.stop.set()
        thread.join(timeout=5)
        listener.close()


def answer(
    status: str, body: bytes = b"", headers: tuple[str, ...] = ("Content-Type: application/json",)
) -> Callable[[socket.socket, bytes, Served], None]:
    """Always this answer (``Content-Length`` added, connection closed after)."""
    lines = [f"HTTP/1.1 {status}", *headers, f"Content-Length: {len(body)}", "Connection: close"]
    payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def behave(conn: socket.socket, head: bytes, served: Served) -> None:
        conn.sendall(payload)

    return behave


def never_answers(conn: socket.socket, head: bytes, served: Served) -> None:
    served.stop.wait(60)


def endless_body(conn: socket.socket, head: bytes, served: Served) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"[" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while not served.stop.is_set():
        conn.sendall(frame)


def drip(interval: float, length: int = 200) -> Callable[[socket.socket, bytes, Served], None]:
    """A 200 whose body comes a byte every ``interval`` seconds."""

    def behave(conn: socket.socket, head: bytes, served: Served) -> None:
        conn.sendall(
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}"
            "\r\n\r\n".encode()
        )
        for _ in range(length):
            if served.stop.wait(interval):
                return
            conn.sendall(b" ")

    return behave


def drops(conn: socket.socket, head: bytes, served: Served) -> None:
    conn.shutdown(socket.SHUT_RDWR)


def gzip_bomb(decoded_mib: int) -> Callable[[socket.socket, bytes, Served], None]:
    """A 200 whose gzip body (a few dozen KiB) decodes to ``decoded_mib`` MiB of zeros; made
    on first use, a MiB at a time."""
    made: list[bytes] = []

    def behave(conn: socket.socket, head: bytes, served: Served) -> None:
        if not made:
            packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            zeros = b"\0" * (1024 * 1024)
            made.append(
                b"".join(packer.compress(zeros) for _ in range(decoded_mib)) + packer.flush()
            )
        headers = ("Content-Type: application/json", "Content-Encoding: gzip")
        answer("200 OK", made[0], headers)(conn, head, served)

    return behave
