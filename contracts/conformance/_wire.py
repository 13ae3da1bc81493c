"""One HTTP exchange, bounded in time and bytes, whatever the server does.

:class:`Wire` sends a request with httpcore (httpx's engine) and reads the whole answer under
a **whole-request deadline**: every connect, write and read of the exchange gets at most the
time left, so a body dripped a byte at a time ends at the deadline, not a read timeout later.
Name resolution is under the deadline too: a name is resolved in a worker thread waited on
with the time left (a resolver that hangs ends the request at the deadline), then the
addresses are connected to in turn; the URL's host stays the Host header and the TLS server
name. The body is read up to ``max_body`` bytes (a larger one is never held whole), then decoded
(``gzip``, ``deflate``: the only codings it asks for) with the output bounded too, so a gzip
bomb stops at the cap. Every way this fails is a :class:`WireError` with a ``kind``:

- ``no answer``: nothing, or not all of it, arrived in time (a timeout, a refused or dropped
  connection, an answer that is not HTTP);
- ``too large``: the body, as sent or decoded, is larger than ``max_body``;
- ``bad encoding``: the body does not decode as its ``Content-Encoding`` says;
- ``unsendable``: the request itself is not valid HTTP (a NUL byte in a header: a probe of
  schemathesis's), so it was never sent.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpcore

from ._limits import size

__all__ = ["ACCEPT_ENCODING", "HOP_BY_HOP", "Answer", "Wire", "WireError", "decode"]

ACCEPT_ENCODING = "gzip, deflate"
"""The codings a run asks for: the ones it decodes within bounds."""

WireErrorKind = Literal["no answer", "too large", "bad encoding", "unsendable"]

HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "host"}
)
"""Headers of one connection (RFC 9110 section 7.6.1), and Host: never forwarded."""
_DECODED_AWAY = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_local = threading.local()
_RESOLVERS = threading.BoundedSemaphore(8)  # names being resolved at once, hung ones included


class WireError(Exception):
    """An exchange that gave no usable answer; ``kind`` says how, the message says what."""

    def __init__(self, kind: WireErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: WireErrorKind = kind


@dataclass(frozen=True)
class Answer:
    """A whole answer: its body decoded, its headers without the ones decoding made stale
    (``Content-Encoding``, ``Content-Length``, ``Transfer-Encoding``; ``Content-Length`` is
    set again to the decoded length)."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    elapsed: float

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the whole-request deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the current request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _ResolveTimeout(httpcore.ConnectTimeout):
    """The name of the server was not resolved before the deadline."""

    def __init__(self, host: str) -> None:
        super().__init__(f"resolving {host} did not finish in time")
        self.host = host


def _resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses of ``host``, in the resolver's order, within ``timeout`` seconds.

    ``socket.getaddrinfo`` cannot be interrupted, so it runs in a daemon thread (a hung one
    never holds the process at exit), at most 8 at once, each waited on for the time left; a
    literal address is not resolved. A resolver's refusal is a ``ConnectError`` (as httpcore
    reports it), the deadline a :class:`_ResolveTimeout`."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [host]
    until = None if timeout is None else time.monotonic() + timeout
    if not _RESOLVERS.acquire(timeout=timeout):
        raise _ResolveTimeout(host)
    found: list[Any] = []
    failed: list[BaseException] = []
    done = threading.Event()

    def work() -> None:
        try:
            found.extend(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            failed.append(exc)
        finally:
            _RESOLVERS.release()
            done.set()

    threading.Thread(target=work, name=f"resolve {host}", daemon=True).start()
    left = None if until is None else max(0.0, until - time.monotonic())
    if not done.wait(left):
        raise _ResolveTimeout(host)
    if failed:
        raise httpcore.ConnectError(str(failed[0])) from failed[0]
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise httpcore.ConnectError(f"{host} resolved to no address")
    return addresses


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sync backend, its streams bounded by the request's deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port, _bounded(timeout, httpcore.ConnectTimeout))

        def connect(address: str) -> httpcore.NetworkStream:
            bounded = _bounded(timeout, httpcore.ConnectTimeout)
            stream = self._inner.connect_tcp(address, port, bounded, local_address, socket_options)
            return _DeadlineStream(stream)

        for address in addresses[:-1]:  # as socket.create_connection: each in turn, the last
            with contextlib.suppress(httpcore.ConnectError):  # one's error is the error
                return connect(address)
        return connect(addresses[-1])

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - a run never asks for one
        raise httpcore.UnsupportedProtocol("unix sockets are not used by conformance runs")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _inflate(data: bytes, wbits: int, cap: int, coding: str) -> bytes:
    """``data`` decompressed (every member of it), at most ``cap`` bytes, else a WireError."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(wbits)
        try:
            out += inflater.decompress(data, cap + 1 - len(out))
            if len(out) <= cap and not inflater.unconsumed_tail:
                out += inflater.flush()
        except zlib.error as exc:
            raise WireError("bad encoding", f"the body is not valid {coding} ({exc})") from None
        if len(out) > cap or inflater.unconsumed_tail:
            raise WireError("too large", f"the body decodes to more than {size(cap)} ({coding})")
        if not inflater.eof:
            raise WireError("bad encoding", f"the {coding} body is cut short")
        data = inflater.unused_data
    return bytes(out)


def _deflate(data: bytes, cap: int) -> bytes:
    try:
        return _inflate(data, zlib.MAX_WBITS, cap, "deflate")
    except WireError as exc:
        if exc.kind != "bad encoding":
            raise
        return _inflate(data, -zlib.MAX_WBITS, cap, "deflate")  # raw deflate, as httpx accepts


def decode(body: bytes, codings: Sequence[str], cap: int) -> bytes:
    """``body`` decoded as ``codings`` (in the order the server applied them), bounded."""
    for coding in reversed(codings):
        if coding in ("", "identity"):
            continue
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, 16 + zlib.MAX_WBITS, cap, "gzip")
        elif coding == "deflate":
            body = _deflate(body, cap)
        else:
            raise WireError(
                "bad encoding",
                f"Content-Encoding {coding!r} was not asked for "
                f"(Accept-Encoding: {ACCEPT_ENCODING})",
            )
    return body


def _no_answer(exc: Exception, timeout: float) -> WireError:
    if isinstance(exc, _ResolveTimeout):
        return WireError(
            "no answer", f"no complete answer within {timeout:g} s ({exc.host} did not resolve)"
        )
    if isinstance(exc, httpcore.TimeoutException):
        return WireError("no answer", f"no complete answer within {timeout:g} s")
    detail = str(exc) or "no detail"
    if isinstance(exc, httpcore.ConnectError):
        return WireError("no answer", f"ConnectError: {detail}")
    if isinstance(exc, httpcore.RemoteProtocolError):
        return WireError("no answer", f"the answer is not valid HTTP or was cut off ({detail})")
    return WireError("no answer", f"the connection failed ({type(exc).__name__}: {detail})")


class Wire:
    """A connection pool whose every exchange is bounded (see the module docstring)."""

    def __init__(self, *, timeout: float, max_body: int, max_connections: int = 64) -> None:
        import httpx

        self.timeout = timeout
        self.max_body = max_body
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=max_connections,
            network_backend=_DeadlineBackend(),
        )

    def close(self) -> None:
        self._pool.close()

    def exchange(
        self, method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes = b""
    ) -> Answer:
        """Send one request and read its whole answer within the deadline and the cap."""
        sent = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        sent = [(k, v) for k, v in sent if k.lower() != "accept-encoding"]
        sent.append(("Accept-Encoding", ACCEPT_ENCODING))
        if body or method.upper() not in ("GET", "HEAD", "DELETE", "OPTIONS", "TRACE"):
            sent = [(k, v) for k, v in sent if k.lower() != "content-length"]
            sent.append(("Content-Length", str(len(body))))
        limits = dict.fromkeys(("connect", "read", "write", "pool"), self.timeout)
        started = time.monotonic()
        _local.deadline = started + self.timeout
        try:
            status, reason, raw_headers, raw = self._read(method, url, sent, body, limits)
        except httpcore.LocalProtocolError as exc:
            raise WireError("unsendable", f"the request is not valid HTTP ({exc})") from None
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise _no_answer(exc, self.timeout) from None
        except (httpcore.UnsupportedProtocol, httpcore.ProxyError) as exc:
            raise WireError("no answer", f"{type(exc).__name__}: {exc}") from None
        finally:
            _local.deadline = None
        codings = [
            part.strip().lower()
            for name, value in raw_headers
            if name.lower() == "content-encoding"
            for part in value.split(",")
        ]
        decoded = decode(raw, codings, self.max_body)
        kept = tuple((k, v) for k, v in raw_headers if k.lower() not in _DECODED_AWAY)
        if method.upper() != "HEAD" or decoded:
            kept += (("content-length", str(len(decoded))),)
        return Answer(status, reason, kept, decoded, time.monotonic() - started)

    def _read(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        limits: dict[str, float],
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        with self._pool.stream(
            method.encode("ascii"),
            url,
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            content=body or None,
            extensions={"timeout": limits},
        ) as response:
            chunks = bytearray()
            for chunk in response.iter_stream():
                chunks += chunk
                if len(chunks) > self.max_body:
                    raise WireError(
                        "too large", f"the body is larger than {size(self.max_body)}"
                    ) from None
            reason = response.extensions.get("reason_phrase", b"")
            return (
                response.status,
                reason.decode("latin-1") if isinstance(reason, bytes) else str(reason),
                [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers],
                bytes(chunks),
            )
