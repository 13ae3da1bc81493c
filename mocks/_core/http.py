"""The framework-free request and response that the mock's one request handler speaks.

The respx router and the ASGI app are thin adapters: each turns its own request into a
:class:`Request`, asks the handler, and turns the :class:`Response` back into its own kind,
so both serve byte-identical answers for the same request and seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Disconnect", "Request", "Response"]

Disconnect = Literal["connect_error", "read_timeout"]


@dataclass(frozen=True)
class Request:
    """One HTTP request, as the handler sees it.

    ``path`` is percent-decoded and has no query; ``query`` keeps every pair in order, with
    duplicates (``?limit=1&limit=2``); header names are lower-case.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Response:
    """One answer. ``delay`` is waited before answering; ``disconnect`` means no answer at all
    (the adapter raises ``httpx.ConnectError`` / ``ReadTimeout``, or drops the connection)."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    disconnect: Disconnect | None = None
