"""The bundled mock with one rule broken: ASGI wrappers around its app, for the export tests.

Each wrapper serves the same runs as the bundled mock of the same options, so a regression test
exported from a run against it replays requests that the bundled mock answers as it should.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

RUNS = "/api/v1/extraction/runs"


async def _answer(send: Send, status: int, value: object) -> None:
    body = json.dumps(value).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Broken:
    """The app as it is; subclasses break one rule."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    async def answered(self, scope: Scope, receive: Receive) -> list[Message]:
        """The app's own answer, its messages kept (the first: the status and headers)."""
        sent: list[Message] = []

        async def keep(message: Message) -> None:
            sent.append(message)

        await self.app(scope, receive, keep)
        return sent


class IgnoresLimit(Broken):
    """A list page of the default size, whatever ``limit`` asks."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == RUNS:
            query = parse_qsl(scope["query_string"].decode(), keep_blank_values=True)
            scope = {
                **scope,
                "query_string": urlencode([(k, v) for k, v in query if k != "limit"]).encode(),
            }
        await self.app(scope, receive, send)


class DeleteKeeps(Broken):
    """A delete answers 200 and deletes nothing."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        run_path = scope["path"].startswith(RUNS + "/") and scope["path"].count("/") == 5
        if scope["method"] == "DELETE" and run_path:
            found = await self.answered({**scope, "method": "GET"}, receive)
            if found[0]["status"] == 200:
                await _answer(send, 200, {})
                return
        await self.app(scope, receive, send)


class AcceptsBadInput(Broken):
    """Every request FastAPI would refuse with a 422 gets an empty 200 instead."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = await self.answered(scope, receive)
        if sent[0]["status"] == 422:
            await _answer(send, 200, {})
            return
        for message in sent:
            await send(message)


class FailsByJob(Broken):
    """Get-by-job answers 500."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith(RUNS + "/by-job/"):
            await _answer(send, 500, {"detail": "Internal Server Error"})
            return
        await self.app(scope, receive, send)


class CutsRunsShort(Broken):
    """A run's JSON ends halfway (the content type still says JSON)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = await self.answered(scope, receive)
        if scope["method"] == "GET" and scope["path"].count("/") == 5 and sent[0]["status"] == 200:
            body = b"".join(m.get("body", b"") for m in sent[1:])[:40]
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        for message in sent:
            await send(message)
