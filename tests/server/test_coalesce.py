"""One write per answer: the head waits for the body, or for the end of the loop's step."""

from __future__ import annotations

import asyncio

import httpx

from mocks import live_server

from ._process import raw_exchange


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def write_eof(self) -> None:
        self.writes.append(b"<eof>")

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str) -> str:
        return f"info {name}"


def test_the_head_leaves_with_the_body_or_at_the_end_of_the_step() -> None:
    from mocks._adapters.coalesce import CoalescingTransport

    async def main() -> list[list[bytes]]:
        seen = []
        inner = _Transport()
        transport = CoalescingTransport(inner, asyncio.get_running_loop())
        transport.write(b"head ")
        transport.write(b"body")
        seen.append(list(inner.writes))  # at once, together
        transport.write(b"alone")
        seen.append(list(inner.writes))  # held ...
        await asyncio.sleep(0)
        seen.append(list(inner.writes))  # ... until the step ends
        transport.write(b"last")
        transport.close()  # flushes first
        seen.append(list(inner.writes))
        assert transport.get_extra_info("peername") == "info peername"
        dropped = CoalescingTransport(_Transport(), asyncio.get_running_loop())
        dropped.write(b"never")
        dropped.abort()
        await asyncio.sleep(0)
        seen.append(dropped._transport.writes)
        return seen

    assert asyncio.run(main()) == [
        [b"head body"],
        [b"head body"],
        [b"head body", b"alone"],
        [b"head body", b"alone", b"last"],
        [],
    ]


def test_write_eof_and_close_send_what_is_held_first() -> None:
    from mocks._adapters.coalesce import CoalescingTransport

    async def main() -> list[bytes]:
        inner = _Transport()
        transport = CoalescingTransport(inner, asyncio.get_running_loop())
        transport.write(b"refusal")
        transport.write_eof()  # a lingering close: the refusal leaves before the EOF
        await asyncio.sleep(0)
        return inner.writes

    assert asyncio.run(main()) == [b"refusal", b"<eof>"]


def test_the_mock_answers_whole_in_one_write_and_at_a_close() -> None:
    with live_server(runs=2, log_level="error") as server:
        run_id = server.store.ids()[0]
        target = f"/api/v1/extraction/runs/{run_id}"
        expected = httpx.get(f"{server.url}{target}").content
        host, port = server.url.removeprefix("http://").split(":")
        for request in (
            f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            f"GET {target} HTTP/1.0\r\n\r\n",
            f"HEAD {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ):
            received, closed = raw_exchange((host, int(port)), request.encode())
            assert closed
            assert received.startswith((b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 405 "))
            if request.startswith("GET"):
                assert received.endswith(b"\r\n\r\n" + expected)
            else:  # a HEAD answer: the head alone, sent at the end of the loop's step
                assert received.endswith(b"\r\n\r\n")
