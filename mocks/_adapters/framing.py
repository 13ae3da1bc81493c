"""Where each request's head and body lie in the bytes one connection sends: the hardened
protocol's accounting, exact across pipelined requests and bodies, whatever the parser.

A :class:`Framer` reads the raw bytes of a connection *before* the HTTP parser does, and knows
at every byte whether it belongs to a request head, a ``Content-Length`` body, or a chunked body
(its size lines, data and trailers). So:

- the limits of a head (the request line, the whole head) count the bytes of heads only, each
  head from its own first byte: never the rest of a body (which read as a head gave a 414 where
  none was due), and never less than all of a pipelined head (which read from the middle of a
  read let a head pass the 64 KiB limit);
- the clocks know what they time: a head from its first byte (or from the connection's start),
  a body from the end of its head, with the time of its last byte and its bytes so far.

The framing of a body is read from the head as both parsers read it (RFC 9112, section 6): a
``Transfer-Encoding`` whose last coding is ``chunked``; else a ``Content-Length``; else none. A
head the framing of which is unclear is refused (400) rather than guessed: both headers at once,
a ``Content-Length`` that is not one number, another transfer coding, obsolete line folding
(which RFC 9112 lets a server refuse). A refusal is a :class:`Refusal`: the bytes of the read
that are sound (those before the refused head or piece), the status and a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_CHUNK_LINE", "Framer", "FramingLimits", "Refusal"]

MAX_CHUNK_LINE = 4096
"""The longest chunk-size line (size and extensions) or line end taken, in bytes."""

_HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILER = range(6)
_CR, _LF = 13, 10
# in one pass over a head: its end (a blank line; h11 also takes a bare "\n\n"), a header that
# frames a body, or a line that continues the one before (obsolete folding)
_SCAN = re.compile(
    rb"\n(?:(\r?\n)|(content-length|transfer-encoding)[ \t]*:([^\r\n]*)|([ \t]))", re.I
)
_NOTHING: list[bytes] = []  # never changed: shared by every head that frames no body
# what sends a head down the careful path: a framing header, a folded line, a bare blank line
_NOT_PLAIN = re.compile(rb"\n(?:content-length|transfer-encoding|[ \t\n])", re.I)
Found = tuple[list[bytes], list[bytes], bool]
"""What a head says of its body: its Content-Length values, its Transfer-Encoding values, and
whether it folds a line."""
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


@dataclass(frozen=True)
class FramingLimits:
    """The bounds a :class:`Framer` applies: ``max_request_line`` and ``max_head`` bytes (the
    head's trailers of a chunked body count against ``max_head`` too)."""

    max_request_line: int
    max_head: int


@dataclass(frozen=True)
class Refusal:
    """Why a connection's bytes are refused: the first ``sound`` bytes of the read may still be
    parsed (earlier requests); then ``status`` and ``reason`` answer, and the connection
    closes."""

    sound: int
    status: int
    reason: str


class Framer:
    """The framing state of one connection (see the module docstring).

    :meth:`scan` takes each read in order. ``heads`` counts the heads completed;
    ``in_body`` says a body is being received; ``active`` that a clock runs (a head has begun,
    or a body is in progress), to be stamped with :meth:`stamp` after the scan.
    """

    __slots__ = (
        "_fresh_body_bytes",
        "_why",
        "active",
        "body_bytes",
        "body_since",
        "chunk_line_bytes",
        "head_bytes",
        "head_seen",
        "head_since",
        "heads",
        "in_body",
        "last_byte",
        "left",
        "limits",
        "line",
        "line_bytes",
        "line_done",
        "parts",
        "state",
        "trailer_bytes",
    )

    def __init__(self, limits: FramingLimits) -> None:
        self.limits = limits
        self.state = _HEAD
        self.heads = 0
        self.in_body = False
        self.active = True  # the connection's first head is awaited from its start
        self.head_seen = False  # a byte of the current head arrived
        self.head_since: float | None = None
        self.head_bytes = 0
        self.line_bytes = 0
        self.line_done = False
        self.parts: list[bytes] = []  # the head so far, when it spans reads
        self.left = 0  # bytes left of a Content-Length body or of a chunk's data
        self.line = bytearray()  # a chunk-size line so far, or a line end / trailer line
        self.trailer_bytes = 0
        self.chunk_line_bytes = 0
        self.body_since: float | None = None
        self.last_byte = 0.0
        self.body_bytes = 0
        self._fresh_body_bytes = False
        self._why = (0, "")

    # -- the bytes ------------------------------------------------------------------------------

    def scan(self, data: bytes) -> Refusal | None:
        """Account for the next read of the connection; a :class:`Refusal` when it breaks a
        limit or a head's framing is unclear (then nothing after it is scanned).

        :meth:`scan_plain`, with a fast path for the usual read: one whole, short head that
        frames no body (no allocation, two scans in C). A property test holds them equal."""
        end = len(data)
        if (
            self.state == _HEAD
            and not self.head_bytes
            and not self.parts
            and 3 < end <= self.limits.max_request_line
            and data[0] not in (_CR, _LF)
            and data.find(b"\n\r\n") == end - 3
            and _NOT_PLAIN.search(data) is None
        ):
            self.heads += 1
            self.head_seen = self.active = False
            return None
        return self.scan_plain(data)

    def scan_plain(self, data: bytes) -> Refusal | None:
        """:meth:`scan` without its fast path: every byte accounted for as what it is."""
        pos, end = 0, len(data)
        while pos < end:
            state = self.state
            if state == _HEAD:
                start = pos
                pos = self._head(data, pos)
                if pos < 0:
                    return self._refused(start)
            elif state in (_LENGTH, _CHUNK_DATA):
                take = min(self.left, end - pos)
                self.left -= take
                self._body(take)
                pos += take
                if not self.left:
                    if state == _LENGTH:
                        self._end_body()
                    else:
                        self.state = _CHUNK_END
            else:
                start = pos
                pos = self._chunk_line(data, pos)
                if pos < 0:
                    return self._refused(start)
        return None

    def _head(self, data: bytes, pos: int) -> int:
        """Scan a head from ``pos``; where it ends (the read's end if it goes on), or -1 (with
        the refusal kept in ``_why``)."""
        limits, end = self.limits, len(data)
        if not self.active:  # the first byte of a new head: its clock starts
            self.active = True
            self.head_since = None
        if not self.head_seen:
            # blank lines before the request line, which llhttp skips: they count as head
            # bytes, not as the request line
            start = pos
            while pos < end and data[pos] in (_CR, _LF):
                pos += 1
            self.head_bytes += pos - start
            if pos == end:
                if self.head_bytes > limits.max_head:
                    self._why = (431, f"request head over {limits.max_head} bytes")
                    return -1
                return end
            self.head_seen = True
        found: Found | None = None
        if self.parts:  # the head began in an earlier read
            stop = _head_end(data, pos, self.parts)
        else:  # the usual case: one pass finds the end and the framing headers
            stop, found = _scan(data, pos)
        until = end if stop < 0 else stop
        if not self.line_done:
            newline = data.find(b"\n", pos, until)
            self.line_bytes += (newline if newline >= 0 else until) - pos
            self.line_done = newline >= 0
            if self.line_bytes > limits.max_request_line:
                self._why = (414, f"request line over {limits.max_request_line} bytes")
                return -1
        self.head_bytes += until - pos
        if self.head_bytes > limits.max_head:
            self._why = (431, f"request head over {limits.max_head} bytes")
            return -1
        if stop < 0:
            self.parts.append(data[pos:] if pos else data)
            return end
        if found is None:
            found = _scan(b"".join([*self.parts, data[pos:stop]]), 0)[1]
        return stop if self._framed(found) else -1

    def _framed(self, found: Found) -> bool:
        """Read the framing of the body that follows a head from what the head says; False
        (the refusal kept) when it is unclear."""
        lengths, codings, folded = found
        length = 0
        if folded:
            self._why = (400, "obsolete line folding in the request head")
            return False
        if codings:
            if lengths:
                self._why = (400, "both Content-Length and Transfer-Encoding")
                return False
            tokens = [t.strip().lower() for t in b",".join(codings).split(b",") if t.strip()]
            if not tokens or tokens[-1] != b"chunked":
                self._why = (400, "a Transfer-Encoding other than chunked")
                return False
        elif lengths:
            values = {v.strip() for v in b",".join(lengths).split(b",")}
            value = values.pop() if len(values) == 1 else b""
            if not (value.isdigit() and len(value) <= 18):
                self._why = (400, "Invalid Content-Length header")
                return False
            length = int(value)
        # a sound head: counted, and the next bytes are its body's, or the next head's
        self.heads += 1
        self.head_seen = self.active = False
        self.head_bytes = self.line_bytes = 0
        self.line_done = False
        if self.parts:
            self.parts = []
        if codings:
            self._begin_body(_CHUNK_SIZE)
        elif length:
            self.left = length
            self._begin_body(_LENGTH)
        return True

    def _chunk_line(self, data: bytes, pos: int) -> int:
        """Scan a chunk-size line, the line end after a chunk's data, or a trailer line, from
        ``pos``; where the scan stopped, or -1 (the refusal kept)."""
        end = len(data)
        newline = data.find(b"\n", pos)
        until = end if newline < 0 else newline
        piece = until - pos
        ended = newline >= 0
        self._body(piece + ended)
        state = self.state
        if state == _TRAILER:
            self.trailer_bytes += piece + ended
            if self.trailer_bytes > self.limits.max_head:
                self._why = (431, f"chunked trailers over {self.limits.max_head} bytes")
                return -1
            if len(self.line) < 2:  # only whether the line is empty matters
                self.line += data[pos : min(until, pos + 2)]
        else:
            self.chunk_line_bytes += piece
            if self.chunk_line_bytes > MAX_CHUNK_LINE:
                self._why = (400, f"a chunk line over {MAX_CHUNK_LINE} bytes")
                return -1
            if state == _CHUNK_SIZE:
                self.line += data[pos:until]
        if not ended:
            return end
        line, self.line = bytes(self.line), bytearray()
        self.chunk_line_bytes = 0
        if state == _CHUNK_END:
            self.state = _CHUNK_SIZE
        elif state == _TRAILER:
            if line in (b"", b"\r"):
                self._end_body()
        else:
            size = line.split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size):
                self._why = (400, "Invalid chunk size")
                return -1
            self.left = int(size, 16)
            self.state = _CHUNK_DATA if self.left else _TRAILER
        return newline + 1

    def _begin_body(self, state: int) -> None:
        self.state = state
        self.in_body = self.active = True
        self.body_since = None
        self.body_bytes = 0
        self.trailer_bytes = self.chunk_line_bytes = 0

    def _body(self, count: int) -> None:
        self.body_bytes += count
        self._fresh_body_bytes = True

    def _end_body(self) -> None:
        self.state = _HEAD
        self.in_body = self.active = False
        self.line = bytearray()

    def _refused(self, start: int) -> Refusal:
        status, reason = self._why
        return Refusal(start, status, reason)

    # -- the clocks -----------------------------------------------------------------------------

    def stamp(self, now: float) -> None:
        """After a scan that left a clock running: start it if it just began, and note a body's
        last byte."""
        if self.in_body:
            if self.body_since is None:
                self.body_since = self.last_byte = now
            elif self._fresh_body_bytes:
                self.last_byte = now
            self._fresh_body_bytes = False
        elif self.head_since is None:
            self.head_since = now

    def excuse(self, now: float) -> None:
        """The server stopped reading (it waits for earlier answers): the client is not late,
        so the running clock starts again now."""
        if self.in_body:
            self.body_since = self.last_byte = now
            self.body_bytes = 0
        else:
            self.head_since = now

    def deadline(self, head_timeout: float, body_timeout: float, min_rate: float) -> float:
        """When the running clock runs out: a head ``head_timeout`` after its first byte; a
        body ``body_timeout`` after its last byte, and no later than ``body_timeout`` plus a
        second per ``min_rate`` bytes received after it began (0: no minimum rate)."""
        if self.in_body:
            since = self.body_since or 0.0
            idle = self.last_byte + body_timeout
            if not min_rate:
                return idle
            return min(idle, since + body_timeout + self.body_bytes / min_rate)
        return (self.head_since or 0.0) + head_timeout

    @property
    def saw_bytes(self) -> bool:
        """Whether the clock that runs timed something the client sent (a head's bytes, or a
        body), rather than a connection that sent nothing."""
        return self.in_body or self.head_bytes > 0 or bool(self.parts)


def _head_end(data: bytes, pos: int, parts: list[bytes]) -> int:
    """Where the head that goes on in ``data`` from ``pos`` ends (just past its blank line),
    or -1; ``parts`` is the head so far, whose last bytes may begin the blank line."""
    if parts:
        tail = parts[-1][-2:]
        window = tail + data[pos : pos + 2]
        found = _terminator(window, 0)
        if found >= 0:
            return pos + found - len(tail)
    return _terminator(data, pos)


def _terminator(data: bytes, pos: int) -> int:
    """Just past the first blank line at or after ``pos`` (``\\n\\r\\n``, or a bare ``\\n\\n``,
    which h11 takes), or -1."""
    crlf = data.find(b"\n\r\n", pos)
    bare = data.find(b"\n\n", pos, crlf + 2 if crlf >= 0 else len(data))
    if bare >= 0:
        return bare + 2
    return crlf + 3 if crlf >= 0 else -1


def _scan(data: bytes, pos: int) -> tuple[int, Found]:
    """Where the head that begins at ``pos`` ends (just past its blank line, or -1 if it goes on
    past ``data``), and what it says of its body (meaningful only when it ends)."""
    lengths = codings = _NOTHING
    folded = False
    for match in _SCAN.finditer(data, pos):
        if match.group(1) is not None:  # the blank line
            return match.end(), (lengths, codings, folded)
        name = match.group(2)
        if name is None:
            folded = True
        elif len(name) == 14:  # the alternation matched "content-length" (or the other one)
            lengths = [*lengths, match.group(3)]
        else:
            codings = [*codings, match.group(3)]
    return -1, (lengths, codings, folded)
