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
(which RFC 9112 lets a server refuse). A refusal is a :class:`Refusal`: a status and a reason.

The parser gets only what the framer has judged, a whole unit at a time (see :class:`Framer`):
so what the parser refuses, and why, does not depend on how the bytes were split into reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_CHUNK_LINE", "Framer", "FramingLimits", "Refusal"]

MAX_CHUNK_LINE = 4096
"""The longest chunk-size line (size and extensions) or line end taken, in bytes."""

_HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILER = range(6)
_CR, _LF = 13, 10
# the bytes a request line may begin with (an HTTP token, RFC 9110): anything else, a TLS
# handshake sent to this port for one, is refused at its first byte
_TOKEN_BYTES = frozenset(
    b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)
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
    """Why a connection's bytes are refused: ``status`` and ``reason`` answer the request the
    refused bytes begin or belong to, and the connection closes."""

    status: int
    reason: str


Scanned = tuple[list[bytes], Refusal | None]
"""What a read comes to: the pieces the parser may have now, in order, and the refusal that
follows them, if any."""


class Framer:
    """The framing state of one connection (see the module docstring).

    :meth:`scan` takes each read in order and says what the parser may have of it. The parser
    gets only what the framer has judged: a head, a chunk-size line, the line end after a
    chunk's data and a trailer section are held until they are whole (each is bounded), and
    body data passes as it comes. So whatever the reads, the parser sees the same units, and a
    refusal's reason does not depend on where a read ended. ``heads`` counts the heads
    completed; ``in_body`` says a body is being received; ``active`` that a clock runs (a head
    has begun, or a body is in progress), to be stamped with :meth:`stamp` after the scan.
    """

    __slots__ = (
        "_fresh_body_bytes",
        "_why",
        "active",
        "body_bytes",
        "body_since",
        "head_bytes",
        "head_seen",
        "head_since",
        "heads",
        "held",
        "in_body",
        "last_byte",
        "left",
        "limits",
        "line_bytes",
        "line_done",
        "state",
        "trailer_bytes",
        "trailer_line",
    )

    def __init__(self, limits: FramingLimits) -> None:
        self.limits = limits
        self.state = _HEAD
        self.heads = 0
        self.in_body = False
        self.active = True  # the connection's first head is awaited from its start
        self.head_seen = False  # a byte of the current head's request line arrived
        self.head_since: float | None = None
        self.head_bytes = 0
        self.line_bytes = 0
        self.line_done = False
        self.held = bytearray()  # the unit (head, chunk line, trailers) so far, not yet parsed
        self.left = 0  # bytes left of a Content-Length body or of a chunk's data
        self.trailer_bytes = 0
        self.trailer_line = 0  # bytes of the trailer line so far (before its "\n")
        self.body_since: float | None = None
        self.last_byte = 0.0
        self.body_bytes = 0
        self._fresh_body_bytes = False
        self._why = (0, "")

    # -- the bytes ------------------------------------------------------------------------------

    def scan(self, data: bytes) -> Scanned | None:
        """Account for the next read of the connection: the pieces the parser may have, and
        a :class:`Refusal` when the read breaks a limit or a head's framing is unclear (then
        nothing after it is scanned); None when the whole read goes to the parser as it is.

        :meth:`scan_plain`, with a fast path for the usual read: one whole, short head that
        frames no body (no allocation, two scans in C). A property test holds them equal."""
        end = len(data)
        if (
            self.state == _HEAD
            and not self.head_bytes
            and 3 < end <= self.limits.max_request_line
            and data[0] in _TOKEN_BYTES
            and data.find(b"\n\r\n") == end - 3
            and _NOT_PLAIN.search(data) is None
        ):
            self.heads += 1
            self.head_seen = self.active = False
            return None
        return self.scan_plain(data)

    def scan_plain(self, data: bytes) -> Scanned | None:
        """:meth:`scan` without its fast path: every byte accounted for as what it is."""
        out: list[bytes] = []
        run = 0  # where the bytes judged sound, not yet in ``out``, begin
        pos, end = 0, len(data)
        while pos < end:
            state = self.state
            if state in (_LENGTH, _CHUNK_DATA):  # body data: passed on as it comes
                take = min(self.left, end - pos)
                self.left -= take
                self._body(take)
                pos += take
                if not self.left:
                    if state == _LENGTH:
                        self._end_body()
                    else:
                        self.state = _CHUNK_END
                continue
            start = pos
            held = bool(self.held)  # the unit began in an earlier read (this one begins in it)
            if state == _HEAD:
                pos = self._head(data, pos)
            elif state == _TRAILER:
                pos = self._trailers(data, pos)
            else:
                pos = self._chunk_line(data, pos)
            if pos < 0:  # refused: what came before the refused unit is sound
                self.held.clear()
                if start > run:
                    out.append(data[run:start])
                status, reason = self._why
                return out, Refusal(status, reason)
            if pos == end and self.state == state and self._unit_open():
                # the unit goes on past this read: hold it back (bounded by its limit)
                if start > run:
                    out.append(data[run:start])
                self.held += data[start:]
                run = end
                break
            if held:  # a unit begun in an earlier read is whole: it goes first
                out.append(bytes(self.held))
                self.held.clear()
        if run < end:
            out.append(data if run == 0 else data[run:])
        return out, None

    def _unit_open(self) -> bool:
        """Whether the unit now being read (a head, a chunk line, the trailers) is incomplete:
        called when a read ended in the middle of one."""
        if self.state == _HEAD:
            return self.head_bytes > 0 or self.head_seen
        return True

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
            if data[pos] not in _TOKEN_BYTES:  # no request line begins so: say so at once
                self._why = (400, "not an HTTP request (no method begins with this byte)")
                return -1
            self.head_seen = True
            head_start = pos
        else:
            head_start = -1  # the head began in an earlier read
        found: Found | None = None
        if head_start < 0:
            stop = _head_end(data, pos, self.held)
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
            return end
        if found is None:  # the head as a whole: what was held, and its end in this read
            found = _scan(bytes(self.held) + data[:stop], 0)[1]
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
        if codings:
            self._begin_body(_CHUNK_SIZE)
        elif length:
            self.left = length
            self._begin_body(_LENGTH)
        return True

    def _chunk_line(self, data: bytes, pos: int) -> int:
        """Scan a chunk-size line, or the line end after a chunk's data, from ``pos``; where
        the scan stopped (the read's end if the line goes on), or -1 (the refusal kept)."""
        end = len(data)
        newline = data.find(b"\n", pos)
        until = end if newline < 0 else newline
        ended = newline >= 0
        self._body(until - pos + ended)
        if len(self.held) + (until - pos) > MAX_CHUNK_LINE:
            self._why = (400, f"a chunk line over {MAX_CHUNK_LINE} bytes")
            return -1
        if not ended:
            return end
        if self.state == _CHUNK_END:
            self.state = _CHUNK_SIZE
            return newline + 1
        line = bytes(self.held) + data[pos:until] if self.held else data[pos:until]
        size = line.split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size):
            self._why = (400, "Invalid chunk size")
            return -1
        self.left = int(size, 16)
        if self.left:
            self.state = _CHUNK_DATA
        else:
            self.state = _TRAILER
            self.trailer_bytes = self.trailer_line = 0
        return newline + 1

    def _trailers(self, data: bytes, pos: int) -> int:
        """Scan trailer lines from ``pos`` until the blank line that ends the body; where the
        scan stopped (the read's end if they go on), or -1 (the refusal kept)."""
        end, limit = len(data), self.limits.max_head
        while pos < end:
            newline = data.find(b"\n", pos)
            until = end if newline < 0 else newline
            piece = until - pos
            ended = newline >= 0
            self.trailer_bytes += piece + ended
            self._body(piece + ended)
            if self.trailer_bytes > limit:
                self._why = (431, f"chunked trailers over {limit} bytes")
                return -1
            # a line is blank when it holds nothing, or a lone "\r" (here, or held before)
            line = self.trailer_line + piece
            lone_cr = line == 1 and (data[pos] == _CR if piece else self._held_cr())
            if not ended:
                self.trailer_line = line
                return end
            self.trailer_line = 0
            pos = newline + 1
            if line == 0 or lone_cr:
                self._end_body()
                return pos
        return end

    def _held_cr(self) -> bool:
        """Whether the trailer line begun in an earlier read is a lone ``\r`` so far."""
        return self.held[-1:] == b"\r"

    def _begin_body(self, state: int) -> None:
        self.state = state
        self.in_body = self.active = True
        self.body_since = None
        self.body_bytes = 0
        self.trailer_bytes = 0

    def _body(self, count: int) -> None:
        self.body_bytes += count
        self._fresh_body_bytes = True

    def _end_body(self) -> None:
        self.state = _HEAD
        self.in_body = self.active = False

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
        return self.in_body or self.head_bytes > 0


def _head_end(data: bytes, pos: int, held: bytearray) -> int:
    """Where the head that goes on in ``data`` from ``pos`` ends (just past its blank line),
    or -1; ``held`` is the head so far, whose last bytes may begin the blank line."""
    if held:
        tail = bytes(held[-2:])
        found = _terminator(tail + data[pos : pos + 2], 0)
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
