"""An httpx transport that sends through the run's guard, for the API phase's client.

The API checks keep their plain ``httpx.Client`` (:class:`~._exchange.ApiSession`); only the
way out changes: every request goes through :meth:`Guard.send <._guard.Guard.send>`, and the
answer comes back whole, decoded and bounded. The guard's exceptions
(:class:`~._guard.Refused`, :class:`~._wire.WireError`) pass through the client unchanged.
"""

from __future__ import annotations

import httpx

from ._guard import Guard

__all__ = ["GuardTransport"]


class GuardTransport(httpx.BaseTransport):
    """``httpx.Client(transport=GuardTransport(guard))``: a client whose requests the guard
    sends."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.guard.send(
            request.method, str(request.url), request.headers.multi_items(), request.read()
        )
        return httpx.Response(
            answer.status,
            headers=list(answer.headers),
            content=answer.body,
            extensions={"reason_phrase": answer.reason.encode("latin-1", "replace")},
        )
