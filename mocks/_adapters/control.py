"""The mock's own paths besides health: ``GET /__extract_contract__/agents``, and reading a
paging number from the query of one of the mock's own paths (the agents, the admin journal).

``GET /__extract_contract__/agents[?skip=0&limit=100]`` answers the agents that have runs (see
:mod:`mocks._core.agents`)::

    {"agents": [{"id": "0b6f...", "runs": 334}, ...], "total": 3}

It needs no ``--admin`` (it reveals no secret: a client of the API finds the same by listing),
and it wants the API's bearer token when one is set, as the API does. A stateless mock says
that every agent id is answered (``"every_agent": true``) and gives examples that have runs.
"""

from __future__ import annotations

import asyncio

from .._core.agents import agents_with_runs
from .._core.auth import UNAUTHENTICATED
from .._core.handler import Handler
from .._core.http import Request, Response, json_answer

__all__ = ["AgentsEndpoint", "query_int"]

_NOT_ALLOWED = json_answer(405, {"detail": "Method Not Allowed"}, (("allow", "GET"),))


def query_int(request: Request, name: str, *, default: int, low: int, high: int) -> int | Response:
    """The whole number ``name`` of the query (the last one given, as FastAPI reads it), or
    ``default``; a 422 naming it when it is not a whole number in ``[low, high]``."""
    text: str | None = None
    for key, given in request.query:
        if key == name:
            text = given
    if text is None:
        return default
    value = int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None
    if value is None or not low <= value <= high:
        shown = text if len(text) <= 24 else text[:20] + "..."
        detail = f"query {name}: expected a whole number from {low} to {high}, got {shown!r}"
        return json_answer(422, {"detail": detail})
    return value


class AgentsEndpoint:
    """``GET /__extract_contract__/agents`` over one handler: its run source, as it stands
    (an admin reset replaces it), behind its bearer token; the list is made off the event
    loop."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return _NOT_ALLOWED
        if not self.handler.authorised(request):
            return UNAUTHENTICATED
        skip = query_int(request, "skip", default=0, low=0, high=10**9)
        if isinstance(skip, Response):
            return skip
        limit = query_int(request, "limit", default=100, low=1, high=1000)
        if isinstance(limit, Response):
            return limit
        # off the event loop: listing a store of many agents is work other clients must not wait on
        summary = await asyncio.to_thread(
            agents_with_runs, self.handler.store, skip=skip, limit=limit
        )
        return json_answer(200, summary.as_json())
