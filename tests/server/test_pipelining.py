"""A property test of framing (issue #12, item 4): random valid and invalid requests, with and
without bodies (``Content-Length`` and chunked), pipelined over one raw socket in random pieces,
get the same answers, in order, as the same requests sent one connection at a time.

A request that makes the server close the connection (a refusal, ``Connection: close``) comes
last, as nothing after it can be answered. Answers are compared by status, headers (but
``date``) and body. Both parsers, against the real server process (``transport_server``:
``--max-body 65536``)."""

from __future__ import annotations

import socket
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks import RunStore

from ._process import API, Served

STORE = RunStore.seeded(seed=0, runs=5)  # what the transport server holds
RUN_ID = STORE.ids()[0]
AGENT = STORE.agents()[0]
UNKNOWN = "00000000-0000-4000-8000-0000000000aa"

Answer = tuple[int, tuple[tuple[bytes, bytes], ...], bytes]

_TARGETS = st.sampled_from(
    [
        "/__extract_contract__/health",
        "/__extract_contract__/nothing",
        "/nope",
        f"{API}/{RUN_ID}",
        f"{API}/{UNKNOWN}",
        f"{API}/not-a-uuid",
        f"{API}?extraction_agent_id={AGENT}&limit=2",
        f"{API}?extraction_agent_id={AGENT}&limit=abc",
        f"{API}/by-job/{UNKNOWN}",
    ]
)
# body bytes that look like HTTP: a parser that read them as a head would answer them
_BODY_BYTES = st.lists(
    st.sampled_from(
        [b"\r\n", b"\r\n\r\n", b"GET / HTTP/1.1\r\n", b"0\r\n", b"a" * 300, b"x", b"\n\n"]
    ),
    max_size=8,
).map(b"".join)


@st.composite
def _body(draw: st.DrawFn) -> tuple[list[str], bytes]:
    """Headers and bytes of a body: none, a Content-Length body, or a chunked one."""
    kind = draw(st.sampled_from(["none", "none", "length", "chunked"]))
    if kind == "none":
        return [], b""
    data = draw(_BODY_BYTES)
    if kind == "length":
        return [f"Content-Length: {len(data)}"], data
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=3)))
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    chunks = b"".join(
        b"%x%s\r\n%s\r\n" % (len(piece), draw(st.sampled_from([b"", b";ext=1"])), piece)
        for piece in pieces
        if piece
    )
    trailer = draw(st.sampled_from([b"", b"x-trailer: 1\r\n"]))
    return ["Transfer-Encoding: chunked"], chunks + b"0\r\n" + trailer + b"\r\n"


@st.composite
def _request(draw: st.DrawFn) -> bytes:
    """A request the server answers and keeps the connection open after."""
    method = draw(st.sampled_from(["GET", "GET", "DELETE", "POST"]))
    target = draw(_TARGETS)
    if method == "DELETE" and target == f"{API}/{RUN_ID}":
        target = f"{API}/{UNKNOWN}"  # nothing is deleted: the answers do not depend on order
    headers, body = draw(_body())
    extra = draw(st.sampled_from([[], ["X-Filler: " + "f" * 2000], ["Accept: */*"]]))
    head = "\r\n".join([f"{method} {target} HTTP/1.1", "Host: x", *headers, *extra, "", ""])
    return head.encode() + body


_FILLERS = "".join(f"x-f{i}: {'v' * 1000}\r\n" for i in range(70))
_LAST = st.sampled_from(
    [
        b"GET /__extract_contract__/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nnope\r\n",
        b"GET /" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # 414
        f"GET / HTTP/1.1\r\nHost: x\r\n{_FILLERS}\r\n".encode(),  # 431
        b"DELETE " + f"{API}/{UNKNOWN}".encode() + b" HTTP/1.1\r\nContent-Length: 99999\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello
    ]
)


def _read_answers(sock: socket.socket, count: int, timeout: float = 8.0) -> list[Answer]:
    """Up to ``count`` answers (fewer if the server closes first)."""
    sock.settimeout(timeout)
    buffer = b""
    answers: list[Answer] = []
    while len(answers) < count:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            lines = buffer[:end].split(b"\r\n")
            headers = tuple(
                (name.strip().lower(), value.strip())
                for name, _, value in (line.partition(b":") for line in lines[1:])
            )
            length = int(dict(headers).get(b"content-length", b"0"))
            if len(buffer) >= end + 4 + length:
                body = buffer[end + 4 : end + 4 + length]
                kept = tuple(h for h in headers if h[0] != b"date")
                answers.append((int(lines[0][9:12]), kept, body))
                buffer = buffer[end + 4 + length :]
                continue
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        buffer += chunk
    return answers


def _alone(host_port: tuple[str, int], request: bytes) -> Answer:
    with socket.create_connection(host_port) as sock:
        sock.sendall(request)
        answers = _read_answers(sock, 1)
        return answers[0] if answers else (0, (), b"no answer")


def _pipelined(
    host_port: tuple[str, int], stream: bytes, cuts: list[int], count: int
) -> list[Answer]:
    with socket.create_connection(host_port) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for start, stop in zip([0, *cuts], [*cuts, len(stream)], strict=True):
            if start < stop:
                sock.sendall(stream[start:stop])
                time.sleep(0.002)
        return _read_answers(sock, count)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    requests=st.lists(_request(), min_size=1, max_size=5),
    last=st.none() | _LAST,
    data=st.data(),
)
def test_pipelined_requests_get_the_answers_each_gets_alone(
    transport_server: Served, requests: list[bytes], last: bytes | None, data: st.DataObject
) -> None:
    sent = [*requests, *([last] if last is not None else [])]
    expected = [_alone(transport_server.host_port, request) for request in sent]
    stream = b"".join(sent)
    cuts = sorted(data.draw(st.lists(st.integers(1, len(stream) - 1), max_size=6)))
    got = _pipelined(transport_server.host_port, stream, cuts, len(sent))
    assert [(status, body) for status, _, body in got] == [
        (status, body) for status, _, body in expected
    ]
    assert got == expected
