"""What a refused request is told, and what is logged of it: the refusal's bytes, the parser's
reason (never the request's bytes), h11's reason kept, uvicorn's bare 400 warning silenced (the
hardened protocols of :mod:`mocks._adapters.protocol` log one with the reason)."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import h11

__all__ = ["UVICORN_400", "Quiet400", "ReasonedConnection", "parser_reason", "status_bytes"]

UVICORN_400 = "Invalid HTTP request received."
"""uvicorn's warning for every malformed request (and the 400's text it sends)."""


def status_bytes(status: int, detail: str) -> bytes:
    """The whole answer refusing a request: ``status``, ``detail`` as plain text, closing."""
    body = detail.encode("ascii", "replace")
    return (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode("ascii") + body


_QUOTED = re.compile(r"""\s*(?:bytearray\(|bytes\(|b?['"]).*""", re.S)
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def parser_reason(message: str) -> str:
    """A parser's error message as the kind of refusal it names: cut before the first quoted
    piece of the request (h11 quotes the bytes it refused, which may be a header's value, a
    secret), printable ASCII, at most 120 characters. ``"Illegal header value b'...'"`` ->
    ``"Illegal header value"``."""
    kind = _UNPRINTABLE.sub("?", _QUOTED.sub("", message)).strip().rstrip(":").strip()
    return (kind or "malformed request")[:120]


class ReasonedConnection(h11.Connection):
    """h11's connection, keeping the message of the protocol error it raised last."""

    reason: str | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.reason = parser_reason(str(exc))
            raise


class Quiet400(logging.LoggerAdapter):  # type: ignore[type-arg]
    """uvicorn's logger, without its bare 400 warning (the protocol logs one with the reason)."""

    @property
    def level(self) -> int:
        level: int = self.logger.level
        return level

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if msg != UVICORN_400:
            self.logger.log(level, msg, *args, **kwargs)
