"""The framework-free request and response that the mock's one request handler speaks.

The respx router and the ASGI app are thin adapters: each turns its own request into a
:class:`Request` with :func:`request_from` (the one place where a request is normalised), asks
the handler, and turns the :class:`Response` back into its own kind, so both serve
byte-identical answers for the same request and seed.

Here too, each written once: the JSON answer (:func:`json_answer`, :data:`JSON_TYPE`), reading
a query string (:func:`parse_query`, with its fast path :func:`read_query`) and a header name
(:func:`header_name`, with its fast path :func:`header_name_cached`), and reading headers given
as text (``"Name: value"``, :func:`read_header_lines`). Each fast path sits beside the plain
version it must equal; a property test holds them equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

from .._errors import InvalidHeader

__all__ = [
    "JSON_HEADERS",
    "JSON_TYPE",
    "Disconnect",
    "Request",
    "Response",
    "dump_json",
    "header_name",
    "header_name_cached",
    "json_answer",
    "parse_query",
    "read_header_lines",
    "read_query",
    "request_from",
]

Disconnect = Literal["connect_error", "read_timeout"]

JSON_TYPE = ("content-type", "application/json")
"""The content type of every JSON answer, as FastAPI's ``JSONResponse`` sends it."""
JSON_HEADERS = (JSON_TYPE,)
"""The headers of a JSON answer that has no others."""

_NO_NAMES: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Request:
    """One HTTP request, as the handler sees it (made by :func:`request_from`).

    ``method`` is as sent (methods are case-sensitive); ``path`` is percent-decoded and has no
    query; ``query`` keeps every pair in order, with duplicates (``?limit=1&limit=2``);
    ``headers`` maps lower-case names to the first value sent; ``repeated`` names the headers
    sent more than once.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    repeated: frozenset[str] = _NO_NAMES


@dataclass(frozen=True)
class Response:
    """One answer. ``delay`` is waited before answering; ``disconnect`` means no answer at all
    (the adapter raises ``httpx.ConnectError`` / ``ReadTimeout``, or drops the connection)."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    disconnect: Disconnect | None = None


# -- JSON answers -----------------------------------------------------------------------------


def dump_json(value: Any) -> bytes:
    """Compact, deterministic JSON bytes, as FastAPI's ``JSONResponse`` renders them."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def json_answer(status: int, value: Any, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """A JSON answer: ``value`` as :func:`dump_json` renders it, ``headers`` then the content
    type (Starlette's order). ``json_answer(404, {"detail": "Not Found"})``."""
    return Response(status, dump_json(value), (*headers, JSON_TYPE))


# -- reading a request --------------------------------------------------------------------------


def parse_query(raw: str | bytes) -> tuple[tuple[str, str], ...]:
    """A raw query string as Starlette reads it: every pair in order, blank values kept."""
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    return tuple(parse_qsl(text, keep_blank_values=True))


def read_query(raw: bytes) -> tuple[tuple[str, str], ...]:
    """:func:`parse_query`, with a fast path for the usual query that has nothing to unescape
    (no ``%``, no ``+``): the same pairs."""
    if not raw:
        return ()
    if b"%" in raw or b"+" in raw:
        return parse_query(raw)
    pairs = []
    for pair in raw.decode("latin-1").split("&"):
        if pair:
            name, _, value = pair.partition("=")
            pairs.append((name, value))
    return tuple(pairs)


def header_name(raw: bytes) -> str:
    """A header name as the handler keys it: latin-1 text, lower-case."""
    return raw.decode("latin-1").lower()


_HEADER_NAMES: dict[bytes, str] = {}
_HEADER_NAMES_KEPT = 512


def header_name_cached(raw: bytes) -> str:
    """:func:`header_name`, remembered: clients send few distinct names, so the first 512
    decodings are kept."""
    name = _HEADER_NAMES.get(raw)
    if name is None:
        name = header_name(raw)
        if len(_HEADER_NAMES) < _HEADER_NAMES_KEPT:
            _HEADER_NAMES[raw] = name
    return name


def request_from(
    method: str, path: str, query: bytes, headers: Iterable[tuple[bytes, bytes]]
) -> Request:
    """The handler's :class:`Request`, read as Starlette reads one: the one place where both
    adapters normalise a request.

    - ``method`` stays as sent: HTTP methods are case-sensitive, and Starlette does not
      upper-case them (a lower-case ``get`` is not ``GET``, so it gets a 405);
    - ``query`` (the raw query string) becomes every pair in order, duplicates kept;
    - ``headers`` (raw name/value pairs, in the order sent) become lower-case latin-1 names
      with the *first* value of a repeated header, which is what Starlette's
      ``request.headers.get`` (and so FastAPI's bearer auth) reads; the names sent more than
      once are kept in :attr:`Request.repeated`.
    """
    fields: dict[str, str] = {}
    repeated: set[str] = set()
    known = _HEADER_NAMES  # header_name_cached's memory, read here without a call per header
    for raw_name, raw_value in headers:
        name = known.get(raw_name) or header_name_cached(raw_name)
        if name in fields:
            repeated.add(name)
        else:
            fields[name] = raw_value.decode("latin-1")
    return Request(
        method, path, read_query(query), fields, frozenset(repeated) if repeated else _NO_NAMES
    )


# -- headers given as text ----------------------------------------------------------------------

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def read_header_lines(values: Iterable[str]) -> dict[str, str]:
    """Headers given as ``"Name: value"`` texts (a command line's, a plugin option's), in
    order; :class:`~mocks._errors.InvalidHeader` carries the first text that is not one (a
    name that is not an HTTP token, or no colon)."""
    headers: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition(":")
        if not sep or not _TOKEN.fullmatch(name):
            raise InvalidHeader(value)
        headers[name] = rest.strip()
    return headers
