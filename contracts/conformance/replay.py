"""What an exported regression test calls: a client of the server under test, and the check.

``extract-contract conform --export-tests FILE`` (``run_conformance(export_tests=...)``) writes
a pytest module with one test per distinct failure; each replays the exact request with
:func:`client` and judges the answer with :func:`assert_check` (or runs a walking check again
with :func:`assert_walk`), the same check the run made, so a fixed server passes it and a
regression fails it again.

The environment says where and how (nothing secret is ever written into an exported file):

- ``RUNS_API_URL``: the server (default: the URL the run checked);
- ``RUNS_API_TOKEN``: sent as ``Authorization: Bearer <token>``; ``RUNS_API_HEADERS``: a JSON
  object of headers for every request (both masked in every message);
- ``RUNS_API_ALLOW_WRITES=1``: allow DELETE to a host that is not loopback as written (without
  it, a test that needs one is skipped, as a conformance run would be read-only there).

Every request passes the conformance run's own guard: a deadline for each whole request, an
answer capped at 10 MiB, no redirect followed elsewhere, the write policy, and the pace (10
requests per second off loopback). An answer the
check does not judge (the server answers something the check does not look at) skips the
test as "not exercised": it did not pass.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

from .._operations import Operation, route_request
from ._exchange import NOT_JSON, Exchange, RawAnswer
from ._guard import Guard, Refused
from ._limits import DEFAULT_REMOTE_RATE, Limits
from ._masking import Secrets
from ._policy import WritePolicy, is_loopback_as_written, write_policy
from ._registry import CHECKS
from ._transport import GuardTransport

__all__ = ["ENVIRONMENT", "CheckFailed", "assert_check", "assert_walk", "client"]

ENVIRONMENT = ("RUNS_API_URL", "RUNS_API_TOKEN", "RUNS_API_HEADERS", "RUNS_API_ALLOW_WRITES")
"""The environment variables an exported test reads."""

_PATH = "extract_contract.path"  # response extensions the replay transport adds
_FINDINGS = "extract_contract.findings"
_NEGATIVE_OK = {400, 401, 403, 404, 405, 406, 409, 415, 422, 428, 429}  # schemathesis's, and 5xx
_POSITIVE_OK = {401, 403, 404, 409, 429}  # schemathesis's, and 2xx, 3xx, 5xx


class CheckFailed(AssertionError):
    """The answer breaks the check again: ``check`` names it; the message says what differed
    (``EXTRACT-CONTRACT: page_respects_limit: the page holds 7 runs, more than limit=2 ...``)."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"EXTRACT-CONTRACT: {check}: {message}")
        self.check = check


def _headers() -> dict[str, str]:
    headers: dict[str, str] = {}
    text = os.environ.get("RUNS_API_HEADERS", "").strip()
    if text:
        try:
            given = json.loads(text)
        except ValueError:
            given = None
        if not isinstance(given, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in given.items()
        ):
            raise ValueError("RUNS_API_HEADERS must be a JSON object of header names to strings")
        headers.update(given)
    token = os.environ.get("RUNS_API_TOKEN", "").strip()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _skip(reason: str) -> NoReturn:
    import pytest

    pytest.skip(reason)


def _policy(url: str) -> WritePolicy:
    """The write policy of a conformance run on ``url``, ``RUNS_API_ALLOW_WRITES`` its
    ``--allow-writes``."""
    allow = os.environ.get("RUNS_API_ALLOW_WRITES", "").strip().lower() in ("1", "true", "yes")
    return write_policy(url, allow_writes=allow)


@contextmanager
def client(default_url: str, *, timeout: float = 10.0) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` on ``$RUNS_API_URL`` (else ``default_url``) with the environment's
    headers, every request through a conformance guard (see the module docstring)."""
    url = os.environ.get("RUNS_API_URL", "").strip() or default_url
    headers = _headers()
    rate = None if is_loopback_as_written(url) else DEFAULT_REMOTE_RATE  # a run's own pace
    limits = Limits(timeout=timeout, rate=rate)
    guard = Guard(url, _policy(url), limits, Secrets.of(headers))
    try:
        with httpx.Client(
            base_url=url, headers=headers, transport=_ReplayTransport(guard), timeout=None
        ) as session:
            yield session
    finally:
        guard.close()


class _ReplayTransport(GuardTransport):
    """The guard as an httpx transport; a refused write skips the test, saying why."""

    def __init__(self, guard: Guard) -> None:
        super().__init__(guard)
        self._base_path = urlsplit(guard.base_url).path

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        before = len(self.guard.findings)
        try:
            response = super().handle_request(request)
        except Refused as exc:
            if exc.kind == "write":
                _skip(f"{exc}; set RUNS_API_ALLOW_WRITES=1 to send it")
            raise
        path = request.url.path
        if self._base_path and path.startswith(self._base_path + "/"):
            path = path[len(self._base_path) :]
        response.extensions = {
            **response.extensions,
            _PATH: path,
            _FINDINGS: self.guard.findings[before:],
        }
        return response


def _body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return NOT_JSON


def _where(response: httpx.Response) -> tuple[str, Operation | None, dict[str, str] | None]:
    """The path as the API sees it, the operation it goes to and its path parameters (None
    when only the path matches)."""
    path = response.extensions.get(_PATH) or response.request.url.path
    op, values = route_request(response.request.method, path)
    return path, op, values


def _exchange(response: httpx.Response) -> Exchange | None:
    _, op, values = _where(response)
    if op is None or values is None:
        return None
    path_params = {k: unquote(v) for k, v in values.items()}
    query = dict(parse_qsl(response.request.url.query.decode(), keep_blank_values=True))
    return Exchange(op, path_params, query, response.status_code, _body(response))


def _documented(op: Operation) -> set[int]:
    return {200, *op.errors}


def _schema(op: Operation, status: int) -> dict[str, Any] | None:
    from .._schemas import openapi_document

    doc = openapi_document()
    answer = doc["paths"][op.path][op.method.lower()]["responses"].get(str(status))
    if answer is None:
        return None
    schema: dict[str, Any] = answer["content"]["application/json"]["schema"]
    return {**schema, "components": doc["components"]}


def _judge(name: str, response: httpx.Response, expected: Mapping[str, Any]) -> bool:
    """Judge the answer by the check ``name``: False when the check does not look at it;
    AssertionError saying what is wrong."""
    status = response.status_code
    method = response.request.method
    path, op, values = _where(response)
    check = CHECKS[name]
    if check.kind == "response":
        exchange = _exchange(response)
        assert check.func is not None
        return exchange is not None and bool(check.func(exchange))
    if name in ("rejects_bad_parameters", "routes_like_fastapi"):
        return _judge_matrix(response, path, expected)
    if name == "well_formed_answers":
        findings = response.extensions.get(_FINDINGS) or []
        assert not findings, "; ".join(f"{f.title}: {f.message}" for f in findings)
        return True
    if name == "not_a_server_error":
        assert 200 <= status < 500, f"{method} {path} answered {status}: a server error"
        return True
    if name == "negative_data_rejection":  # the request is one schemathesis made invalid
        rejected = status in _NEGATIVE_OK or status >= 500
        assert rejected, f"invalid data was accepted: {method} {path} answered {status}"
        return True
    if name == "positive_data_acceptance":  # the request is one schemathesis made valid
        accepted = 200 <= status < 400 or status >= 500 or status in _POSITIVE_OK
        assert accepted, f"valid data was rejected: {method} {path} answered {status}"
        return True
    if name == "use_after_free":
        if status == 429:
            return False
        assert not 200 <= status < 400, f"a deleted run is served again: {method} {path} {status}"
        return True
    if name == "unsupported_method":
        if status == 429:
            return False
        assert status == 405, f"an undocumented method {method} answered {status}, not 405"
        assert response.headers.get("allow"), f"the 405 to {method} {path} has no Allow header"
        return True
    if op is None:
        return False
    if name == "allow_header_conformance":
        if status != 405:
            return False
        listed = {m.strip().upper() for m in response.headers.get("allow", "").split(",")}
        wanted = {o.method for o in _same_path(op)}
        assert wanted <= listed, f"Allow lists {sorted(listed)}, not every method {sorted(wanted)}"
        return True
    if values is None:  # only the path matched
        return False
    if name == "status_code_conformance":
        assert status in _documented(op), (
            f"{method} {op.path} answered {status}; documented: {sorted(_documented(op))}"
        )
        return True
    if status not in _documented(op):
        return False
    if name == "content_type_conformance":
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        assert kind == "application/json", f"{method} {path} answered {status} as {kind!r}"
        return True
    if name == "response_schema_conformance":
        return _judge_schema(response, op, method, path)
    _skip(f"{name} is judged by schemathesis alone; replay the request with it")


def _same_path(op: Operation) -> list[Operation]:
    from .._operations import OPERATIONS

    return [other for other in OPERATIONS if other.path == op.path]


def _judge_schema(response: httpx.Response, op: Operation, method: str, path: str) -> bool:
    from jsonschema import Draft202012Validator

    from .._validate import _format_checker

    schema = _schema(op, response.status_code)
    if schema is None:
        return False
    body = _body(response)
    assert body is not NOT_JSON, f"{method} {path} answered {response.status_code}, not JSON"
    errors = sorted(
        Draft202012Validator(schema, format_checker=_format_checker()).iter_errors(body),
        key=lambda error: list(error.absolute_path),
    )
    shown = "; ".join(
        f"$.{'.'.join(map(str, e.absolute_path))}: {e.message}"[:200] for e in errors[:3]
    )
    assert not errors, (
        f"the {response.status_code} body of {method} {op.path} breaks its schema: {shown}"
    )
    return True


def _judge_matrix(response: httpx.Response, path: str, expected: Mapping[str, Any]) -> bool:
    from ._matrix import MatrixCase, judge

    loc = expected.get("loc")
    case = MatrixCase(
        "",
        response.request.method,
        path,
        tuple(parse_qsl(response.request.url.query.decode(), keep_blank_values=True)),
        str(expected.get("what", "")),
        int(expected["status"]),
        (loc[0], loc[1]) if loc else None,
        expected.get("location"),
    )
    headers = {name.lower(): value for name, value in response.headers.items()}
    problem = judge(case, RawAnswer(response.status_code, headers, _body(response), ""))
    assert problem is None, problem
    return True


def assert_check(name: str, response: httpx.Response, **expected: Any) -> None:
    """Judge ``response`` by the conformance check ``name`` (``expected``: what the check
    needs beside the answer: a matrix case's ``status``, ``loc``, ``location``); an
    AssertionError when it breaks the check, a skip ("not exercised") when the check does not
    look at this answer."""
    __tracebackhide__ = True
    try:
        judged = _judge(name, response, expected)
    except AssertionError as exc:
        raise CheckFailed(name, str(exc)) from None
    if not judged:
        _skip(f"not exercised: {name} does not judge this answer ({response.status_code})")


def assert_walk(name: str, api: httpx.Client, *, agent_ids: Sequence[str]) -> None:
    """Run the walking check ``name`` again with ``agent_ids`` (it sends its own requests)."""
    from ._exchange import ApiSession, ExchangeFailure, Skip

    __tracebackhide__ = True
    check = CHECKS[name]
    assert check.func is not None
    writes = _policy(str(api.base_url)).writes
    session = ApiSession(api, tuple(agent_ids), deletable=None if writes else ())
    try:
        check.func(session)
    except Skip as exc:
        _skip(f"not exercised: {exc}")
    except ExchangeFailure as exc:
        raise CheckFailed(name, f"{exc}\nreproduce with:\n{exc.curl}".rstrip()) from None
    except AssertionError as exc:
        raise CheckFailed(name, str(exc)) from None
