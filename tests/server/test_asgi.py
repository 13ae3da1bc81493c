"""The ASGI adapter on its own: what it hands the handler, and what it sends back."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks import Handler, Request, Response, RunStore, create_app
from mocks._adapters.asgi import encode_headers, encode_headers_cached, to_request
from tests._net import serve_in_thread


def _scope(
    path: str,
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    method: str = "GET",
) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": headers or [],
    }


def test_to_request_keeps_duplicates_and_lower_cases_headers() -> None:
    request = to_request(
        _scope(
            "/api/v1/extraction/runs/\x00é",
            b"limit=1&limit=2&empty=&a%20b=c%2Fd&x",
            [(b"X-Thing", b"1"), (b"x-thing", b"2"), (b"Authorization", b"Bearer t")],
        )
    )
    assert request.path == "/api/v1/extraction/runs/\x00é"
    assert request.query == (
        ("limit", "1"),
        ("limit", "2"),
        ("empty", ""),
        ("a b", "c/d"),
        ("x", ""),
    )
    assert request.headers == {"x-thing": "1", "authorization": "Bearer t"}


def _call(app: Any, scope: dict[str, Any], body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, *rest = sent
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in rest)


def test_answers_are_the_handlers_bytes_with_a_content_length() -> None:
    store = RunStore.seeded(seed=1, runs=5)
    handler = Handler(store)
    app = create_app(handler.handle)
    run_id = store.ids()[0]
    status, headers, body = _call(app, _scope(f"/api/v1/extraction/runs/{run_id}"))
    assert status == 200
    assert body == store.run_json(run_id)
    assert headers["content-length"] == str(len(body))
    assert headers["content-type"] == "application/json"


def test_an_announced_body_over_the_limit_is_413_without_reading_it() -> None:
    calls: list[Request] = []

    def handler(request: Request) -> Response:
        calls.append(request)
        return Response(200, b"{}")

    app = create_app(handler, max_body=10)
    scope = _scope("/x", headers=[(b"content-length", b"11")], method="POST")
    status, headers, body = _call(app, scope)
    assert (status, body) == (413, b'{"detail":"Request body too large"}')
    assert headers["connection"] == "close"
    assert calls == []
    assert _call(app, _scope("/x", headers=[(b"content-length", b"x")]))[0] == 400


def test_lifespan_is_acknowledged() -> None:
    app = create_app(lambda request: Response(200))
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_a_redirect_location_is_made_absolute() -> None:
    app = create_app(Handler(RunStore.seeded(seed=1, runs=2)).handle)
    scope = _scope("/api/v1/extraction/runs/", b"extraction_agent_id=x", [(b"host", b"h:1")])
    scope["scheme"] = "http"
    status, headers, _ = _call(app, scope)
    assert status == 307
    assert headers["location"] == "http://h:1/api/v1/extraction/runs?extraction_agent_id=x"


@pytest.mark.parametrize("kind", ["connect_error", "read_timeout"])
def test_under_a_plain_uvicorn_no_answer_still_drops_the_connection(kind: str) -> None:
    # without the hardened protocol's abort hook the answer is started and never finished
    handler = Handler(RunStore.seeded(seed=1, runs=2))
    handler.faults.add(kind)
    app = create_app(handler.handle)
    with (
        serve_in_thread(app, http="h11", log_level="critical") as url,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        httpx.get(f"{url}/api/v1/extraction/runs/{handler.store.ids()[0]}", timeout=5)


def test_create_app_takes_a_handler_or_a_callable_only() -> None:
    from mocks import ServerOptions, build_server

    store = RunStore.seeded(seed=1, runs=3)
    path = f"/api/v1/extraction/runs/{store.ids()[0]}"
    for app in (create_app(Handler(store)), create_app(Handler(store).handle)):
        assert _call(app, _scope(path))[2] == store.run_json(store.ids()[0])
    served = build_server(ServerOptions(seed=1, runs=3)).app  # what `serve` serves
    assert _call(served, _scope(path))[2] == store.run_json(store.ids()[0])
    for wrong in (42, ServerOptions(seed=1, runs=3), None):
        with pytest.raises(TypeError, match="create_app: expected a Handler or a callable"):
            create_app(wrong)  # type: ignore[arg-type]


_HEADER_TUPLES = st.lists(
    st.tuples(
        st.sampled_from(["content-type", "Content-Type", "allow", "retry-after", "x-é"]),
        st.text(alphabet="abc/;=1 é", max_size=10),
    ),
    max_size=4,
).map(tuple)


@given(_HEADER_TUPLES, st.booleans())
@settings(max_examples=200, deadline=None)
def test_the_header_encoding_cache_gives_the_plain_encoding(
    headers: tuple[tuple[str, str], ...], has_body: bool
) -> None:
    assert encode_headers_cached(headers, has_body) == encode_headers(headers, has_body)
    assert encode_headers_cached(headers, has_body) == encode_headers(headers, has_body)  # kept


def test_a_hand_written_handler_may_answer_headers_as_a_list() -> None:
    app = create_app(lambda request: Response(200, b"{}", [("x-a", "1")]))  # type: ignore[arg-type]
    status, headers, body = _call(app, _scope("/x"))
    assert (status, headers["x-a"], headers["content-type"], body) == (
        200,
        "1",
        "application/json",
        b"{}",
    )
