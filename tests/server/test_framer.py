"""The framer on its own: which bytes of a connection are heads and which are bodies, whatever
the reads they arrive in; its fast path equals its plain reading (a property test)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks._adapters.framing import MAX_CHUNK_LINE, Framer, FramingLimits, Refusal

LIMITS = FramingLimits(max_request_line=1024, max_head=4096)


def _feed(reads: list[bytes], *, plain: bool = False) -> tuple[Framer, list[bytes], Refusal | None]:
    """Scan ``reads`` in order: the framer, what it handed on to the parser, its refusal."""
    framer = Framer(LIMITS)
    scan = framer.scan_plain if plain else framer.scan
    fed: list[bytes] = []
    for read in reads:
        scanned = scan(read)
        if scanned is None:
            fed.append(read)
            continue
        pieces, refused = scanned
        fed += pieces
        if refused is not None:
            return framer, fed, refused
    return framer, fed, None


def _split(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c for c in cuts if 0 < c < len(stream)})
    return [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]


# -- requests the framer must follow ------------------------------------------------------------

_BODY_BYTES = st.lists(
    st.sampled_from([b"\r\n\r\n", b"GET / HTTP/1.1\r\n", b"0\r\n", b"a" * 50, b"\n\n", b"x"]),
    max_size=5,
).map(b"".join)


@st.composite
def _request(draw: st.DrawFn) -> bytes:
    headers = draw(
        st.lists(
            st.sampled_from(["Accept: */*", "X-Long: " + "l" * 300, "connection: keep-alive"]),
            max_size=3,
        )
    )
    kind = draw(st.sampled_from(["none", "length", "zero", "chunked"]))
    body = draw(_BODY_BYTES)
    if kind == "length":
        headers.append(
            draw(st.sampled_from(["Content-Length", "content-length", "CONTENT-LENGTH"]))
            + f": {len(body)}"
        )
    elif kind == "zero":
        headers.append("Content-Length: 0")
        body = b""
    elif kind == "chunked":
        headers.append(
            draw(st.sampled_from(["Transfer-Encoding", "transfer-encoding"])) + ": chunked"
        )
        pieces = _split(body, draw(st.lists(st.integers(0, len(body)), max_size=3)))
        ext = draw(st.sampled_from([b"", b";name=value"]))
        trailer = draw(st.sampled_from([b"", b"x-t: 1\r\n", b"x-t: 1\r\nx-u: 2\r\n"]))
        body = (
            b"".join(b"%x%s\r\n%s\r\n" % (len(piece), ext, piece) for piece in pieces if piece)
            + b"0\r\n"
            + trailer
            + b"\r\n"
        )
    else:
        body = b""
    blank = draw(st.sampled_from([b"", b"\r\n"]))  # llhttp skips blank lines before a request
    head = "\r\n".join(["GET /x HTTP/1.1", "Host: x", *headers, "", ""]).encode()
    return blank + head + body


@settings(max_examples=300, deadline=None)
@given(st.lists(_request(), min_size=1, max_size=6), st.lists(st.integers(0, 20_000), max_size=8))
def test_every_head_is_found_whatever_the_reads(requests: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(requests)
    for plain in (False, True):
        framer, fed, refused = _feed(_split(stream, cuts), plain=plain)
        assert refused is None
        assert b"".join(fed) == stream  # all of it, in order, once each request is whole
        assert framer.heads == len(requests)
        assert not framer.in_body
        assert not framer.active


def _parsed(pieces: list[bytes]) -> list[object]:
    """What llhttp (httptools) makes of the pieces fed in turn: each message's URL, headers
    and body, and the error it stops at."""
    import httptools

    events: list[object] = []
    message: dict[str, object] = {}

    class Events:
        def on_message_begin(self) -> None:
            message.clear()
            message.update(url=b"", headers=[], body=b"")

        def on_url(self, url: bytes) -> None:
            message["url"] = message["url"] + url  # type: ignore[operator]

        def on_header(self, name: bytes, value: bytes) -> None:
            message["headers"].append((name, value))  # type: ignore[attr-defined]

        def on_body(self, body: bytes) -> None:
            message["body"] = message["body"] + body  # type: ignore[operator]

        def on_message_complete(self) -> None:
            events.append(dict(message))

    parser = httptools.HttpRequestParser(Events())
    parser.set_dangerous_leniencies(lenient_data_after_close=True)  # as uvicorn sets it
    try:
        for piece in pieces:
            parser.feed_data(piece)
    except httptools.HttpParserError as exc:
        events.append(("refused", str(exc)))
    return events


_MALFORMED = st.sampled_from(
    [
        b"",
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nnope\r\n",
        b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n0\r\n\r\n",
        b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_request(), max_size=4), _MALFORMED, st.data())
def test_what_the_parser_makes_of_it_does_not_depend_on_the_reads(
    requests: list[bytes], last: bytes, data: st.DataObject
) -> None:
    stream = b"".join(requests) + last
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    _, whole, whole_refused = _feed([stream])
    _, split, split_refused = _feed(_split(stream, cuts))
    assert split_refused == whole_refused
    assert b"".join(split) == b"".join(whole)
    assert _parsed(split) == _parsed(whole)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_request(), min_size=1, max_size=4),
    st.sampled_from(
        [
            b"",
            b"GET /" + b"a" * 2000 + b" HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\n" + b"x: " + b"v" * 5000 + b"\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: 1\r\n\tb\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"GET /\n\nGET / HTTP/1.1\r\n\r\n",
            b"\r\n\r\n",
            b"\n\r\n",
            b"GE",
        ]
    ),
    st.lists(st.integers(0, 20_000), max_size=8),
)
def test_the_fast_path_reads_as_the_plain_one(
    requests: list[bytes], last: bytes, cuts: list[int]
) -> None:
    reads = _split(b"".join(requests) + last, cuts)
    fast, fast_fed, fast_refused = _feed(reads)
    plain, plain_fed, plain_refused = _feed(reads, plain=True)
    assert b"".join(fast_fed) == b"".join(plain_fed)
    assert fast_refused == plain_refused
    assert (fast.heads, fast.in_body, fast.active, fast.head_bytes) == (
        plain.heads,
        plain.in_body,
        plain.active,
        plain.head_bytes,
    )


# -- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "status", "reason"),
    [
        (b"GET /" + b"a" * 2000 + b" HTTP/1.1\r\n\r\n", 414, "request line over 1024 bytes"),
        (b"GET / HTTP/1.1\r\n" + b"x: 1\r\n" * 1000 + b"\r\n", 431, "request head over 4096"),
        (b"\r\n" * 3000, 431, "request head over 4096 bytes"),
        (b"GET / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n", 400, "Invalid Content-Length"),
        (b"GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400, "Invalid Content-Length"),
        (b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "a Transfer-Encoding"),
        (
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" + b";" * MAX_CHUNK_LINE,
            400,
            "a chunk line over 4096 bytes",
        ),
        (
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + b"t: 1\r\n" * 1000,
            431,
            "chunked trailers over 4096 bytes",
        ),
    ],
)
def test_what_is_refused_and_why(stream: bytes, status: int, reason: str) -> None:
    for reads in ([stream], [stream[i : i + 100] for i in range(0, len(stream), 100)]):
        _, _, refused = _feed(reads)
        assert refused is not None
        assert (refused.status, refused.reason[: len(reason)]) == (status, reason)


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_the_requests_before_a_refused_one_go_to_the_parser_and_no_byte_of_it(size: int) -> None:
    good = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    bad = b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n"
    stream = good + good + bad
    framer, fed, refused = _feed([stream[i : i + size] for i in range(0, len(stream), size)])
    assert refused == Refusal(400, "Invalid Content-Length header")
    assert b"".join(fed) == good + good
    assert framer.heads == 2


def test_a_chunk_line_reaches_the_parser_only_whole() -> None:
    head = b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    _, fed, refused = _feed([head + b"n", b"ope\r\n"])
    assert refused == Refusal(400, "Invalid chunk size")
    assert b"".join(fed) == head  # never "n" alone, which llhttp would refuse its own way


def test_the_clocks() -> None:
    framer = Framer(LIMITS)
    framer.stamp(100.0)  # the connection opens: the first head is awaited from now
    assert framer.deadline(10, 5, 1024) == 110.0
    assert not framer.saw_bytes
    framer.scan(b"GET / HTTP/1.1\r\n")
    assert framer.active
    assert framer.saw_bytes
    framer.scan(b"Content-Length: 4096\r\n\r\n")
    framer.stamp(101.0)
    assert framer.in_body
    assert framer.deadline(10, 5, 1024) == 106.0  # silent for 5 s
    framer.scan(b"a" * 1024)
    framer.stamp(105.0)
    # last byte at 105 (idle deadline 110); 1 KiB since 101 at 1 KiB/s: 101 + 5 + 1 = 107
    assert framer.deadline(10, 5, 1024) == 107.0
    assert framer.deadline(10, 5, 0) == 110.0  # no minimum rate
    framer.excuse(200.0)  # the server stopped reading: the clock starts again
    assert framer.deadline(10, 5, 1024) == 205.0
    framer.scan(b"a" * 3072)
    assert not framer.in_body
    assert not framer.active


def test_a_tls_hello_is_refused_at_its_first_byte() -> None:
    for reads in ([b"\x16\x03\x01\x02\x00"], [b"\r\n", b"\x16"]):
        _, fed, refused = _feed(reads)
        assert refused == Refusal(400, "not an HTTP request (no method begins with this byte)")
        assert b"".join(fed) == b""
