"""httpx transports that judge, and optionally record, every exchange with the four operations.

Wrap the transport a client would use (by default a real ``httpx.HTTPTransport``), and a test
suite that runs against the real service checks every answer it gets against the contract::

    import httpx
    from llama_cloud import LlamaCloud
    from contracts import validating_transport

    transport = validating_transport(record="recordings/")
    client = LlamaCloud(api_key=..., http_client=httpx.Client(transport=transport))
    ...  # the suite's own calls
    transport.assert_no_violations()  # AssertionError listing each, with its curl line

(llama-cloud 0.1.x takes ``httpx_client=``; the async clients take an ``httpx.AsyncClient``
over :func:`async_validating_transport`.) Requests to other paths pass through untouched. An
answer is read whole to be judged, up to ``max_body`` bytes; a larger one is passed on unjudged
and counted (``.log.unjudged``). With ``strict=True`` an answer that breaks the contract is
replaced by ``502 {"detail": ..., "violations": [...]}``, as the proxy's ``--strict`` does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from .._errors import ContractError
from .._operations import resolve_operation
from ..conformance._limits import MAX_BODY
from ._judge import TrafficViolation
from ._log import DEFAULT_KEPT
from ._recording import Recorder
from ._referee import Referee

__all__ = [
    "AsyncValidatingTransport",
    "TrafficAssertionError",
    "ValidatingTransport",
    "async_validating_transport",
    "validating_transport",
]


class TrafficAssertionError(ContractError, AssertionError):
    """Real traffic broke the contract: ``violations`` lists every kept one."""

    def __init__(self, violations: list[TrafficViolation], total: int) -> None:
        self.violations = tuple(violations)
        lines = []
        for violation in violations:
            lines.append(f"  {violation}")
            if violation.curl:
                lines.append(f"    {violation.curl}")
        more = total - len(violations)
        if more:
            lines.append(f"  ... and {more} older violation(s) no longer kept")
        super().__init__(
            f"CONTRACT: {total} violation{'s' if total != 1 else ''} in real traffic:\n"
            + "\n".join(lines)
        )


class _Judging:
    """What both transports share: the inner transport, a :class:`Referee` and its results."""

    _default_inner: Callable[[], Any]

    def __init__(
        self,
        inner: Any = None,
        *,
        record: Recorder | Path | str | None = None,
        strict: bool = False,
        scrub: Iterable[str] = (),
        max_body: int = MAX_BODY,
        keep: int = DEFAULT_KEPT,
    ) -> None:
        self.referee = Referee(
            record=record, strict=strict, scrub=scrub, max_body=max_body, keep=keep
        )
        self.max_body = max_body
        self.log = self.referee.log
        self.inner = type(self)._default_inner() if inner is None else inner

    @property
    def violations(self) -> list[TrafficViolation]:
        """Every violation found so far (the newest ``keep``), oldest first."""
        return self.log.violations

    def assert_no_violations(self) -> None:
        """Raise an ``AssertionError`` listing every violation, each with its curl line."""
        if self.log.violation_count:
            raise TrafficAssertionError(self.log.violations, self.log.violation_count)

    def _judged(self, request: httpx.Request) -> bool:
        return resolve_operation(request.method, request.url.path)[1]

    def _settle(
        self, request: httpx.Request, response: httpx.Response, body: bytes | None
    ) -> tuple[int, bytes] | None:
        """Judge, log and record one answer; the strict replacement if there is one."""
        settled = self.referee.settle(
            method=request.method,
            url=str(request.url.copy_with(query=None)),
            path=request.url.path,
            query=parse_qsl(request.url.query.decode("latin-1"), keep_blank_values=True),
            headers=request.headers.multi_items(),
            status=response.status_code,
            response_headers=response.headers.multi_items(),
            body=body,
        )
        return settled.replacement

    def _response(
        self, request: httpx.Request, response: httpx.Response, body: bytes | None, out: Any
    ) -> tuple[httpx.Response, bool]:
        """The answer to hand on (the inner one, read or being read through ``out``, or the
        strict replacement), and whether ``out`` is to be closed (it was replaced)."""
        replaced = self._settle(request, response, body)
        if replaced is not None:
            status, content = replaced
            headers = [("content-type", "application/json")]
            return httpx.Response(status, headers=headers, content=content, request=request), True
        passed = httpx.Response(
            response.status_code,
            headers=response.headers.raw,
            stream=out,
            extensions=response.extensions,
            request=request,
        )
        return passed, False


class _Rest(httpx.SyncByteStream):
    """The chunks already read, then the rest of the inner stream."""

    def __init__(self, head: list[bytes], rest: Iterator[bytes], inner: Any) -> None:
        self._head, self._rest, self._inner = head, rest, inner

    def __iter__(self) -> Iterator[bytes]:
        yield from self._head
        yield from self._rest

    def close(self) -> None:
        self._inner.close()


class ValidatingTransport(_Judging, httpx.BaseTransport):
    """A sync transport over ``inner`` (an ``httpx.BaseTransport``; a real ``HTTPTransport``
    by default) that judges every exchange with the four operations; see
    :func:`validating_transport`."""

    _default_inner = httpx.HTTPTransport
    inner: httpx.BaseTransport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not self._judged(request):
            self.referee.passed_through()
            return response
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        chunks: list[bytes] = []
        size = 0
        iterator = iter(stream)
        complete = True
        for chunk in iterator:
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_body:
                complete = False
                break
        if complete:
            stream.close()
            body: bytes | None = b"".join(chunks)
            out: Any = httpx.ByteStream(body)  # type: ignore[arg-type]
        else:
            body, out = None, _Rest(chunks, iterator, stream)
        answer, replaced = self._response(request, response, body, out)
        if replaced:
            out.close()
        return answer

    def close(self) -> None:
        self.inner.close()


class _AsyncRest(httpx.AsyncByteStream):
    def __init__(self, head: list[bytes], rest: AsyncIterator[bytes], inner: Any) -> None:
        self._head, self._rest, self._inner = head, rest, inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._head:
            yield chunk
        async for chunk in self._rest:
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class AsyncValidatingTransport(_Judging, httpx.AsyncBaseTransport):
    """The async twin of :class:`ValidatingTransport` (``inner``: an
    ``httpx.AsyncBaseTransport``); see :func:`async_validating_transport`."""

    _default_inner = httpx.AsyncHTTPTransport
    inner: httpx.AsyncBaseTransport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not self._judged(request):
            self.referee.passed_through()
            return response
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        chunks: list[bytes] = []
        size = 0
        iterator = stream.__aiter__()
        complete = True
        async for chunk in iterator:
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_body:
                complete = False
                break
        if complete:
            await stream.aclose()
            body: bytes | None = b"".join(chunks)
            out: Any = httpx.ByteStream(body)  # type: ignore[arg-type]
        else:
            body, out = None, _AsyncRest(chunks, iterator, stream)
        answer, replaced = self._response(request, response, body, out)
        if replaced:
            await out.aclose()
        return answer

    async def aclose(self) -> None:
        await self.inner.aclose()


def validating_transport(
    inner: httpx.BaseTransport | None = None,
    *,
    record: Recorder | Path | str | None = None,
    strict: bool = False,
    scrub: Iterable[str] = (),
    max_body: int = MAX_BODY,
) -> ValidatingTransport:
    """An httpx transport over ``inner`` (a real ``httpx.HTTPTransport`` by default) that
    judges every exchange with the four operations against the contract.

    ``record``: a directory to record each exchange in (or a
    :class:`~contracts.traffic.Recorder`; secrets scrubbed); ``strict``: answer ``502`` with
    the violations instead of passing a bad answer on; ``scrub``: more header and query
    parameter names whose values are secret; ``max_body``: the largest answer judged (bytes as
    sent).

    Read the results with ``.violations`` (each a :class:`~contracts.traffic.TrafficViolation`)
    or ``.log`` (every check's tally), or call ``.assert_no_violations()``.
    """
    return ValidatingTransport(inner, record=record, strict=strict, scrub=scrub, max_body=max_body)


def async_validating_transport(
    inner: httpx.AsyncBaseTransport | None = None,
    *,
    record: Recorder | Path | str | None = None,
    strict: bool = False,
    scrub: Iterable[str] = (),
    max_body: int = MAX_BODY,
) -> AsyncValidatingTransport:
    """:func:`validating_transport` for ``httpx.AsyncClient`` (over a real
    ``httpx.AsyncHTTPTransport`` by default)."""
    return AsyncValidatingTransport(
        inner, record=record, strict=strict, scrub=scrub, max_body=max_body
    )
