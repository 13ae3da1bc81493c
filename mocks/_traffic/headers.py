"""Headers as the proxy reads, drops and keeps them: the hop-by-hop ones (:func:`without`),
headers as text (:func:`text_pairs`, :class:`LazyTextPairs`), and what is made of the same few
sets of headers a peer sends again and again, kept (:class:`PerHeaders`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar, overload

from .._core.http import header_name_cached

__all__ = [
    "HOP_BY_HOP",
    "JSON_HEADER",
    "NOT_ANSWERED",
    "NOT_FORWARDED",
    "Headers",
    "LazyTextPairs",
    "PerHeaders",
    "text_pairs",
    "without",
]

V = TypeVar("V")

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
NOT_FORWARDED = HOP_BY_HOP | {b"host", b"expect"}
NOT_ANSWERED = HOP_BY_HOP | {b"content-length"}
JSON_HEADER = (b"content-type", b"application/json")

Headers = list[tuple[bytes, bytes]]


def without(headers: Headers, names: frozenset[bytes], *, lower: bool = True) -> Headers:
    """``headers`` but ``names`` and the names a ``Connection`` header lists. ``lower=False``
    for an ASGI scope's headers, whose names are lower-case already."""
    named = [value for name, value in headers if (name.lower() if lower else name) == b"connection"]
    dropped = names
    if named:
        dropped = names | {t.strip().lower() for value in named for t in value.split(b",")}
    if lower:
        return [(name, value) for name, value in headers if name.lower() not in dropped]
    return [(name, value) for name, value in headers if name not in dropped]


def text_pairs(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """Headers as text pairs (names as the judge reads them, values as latin-1)."""
    return [(header_name_cached(name), value.decode("latin-1")) for name, value in headers]


class LazyTextPairs(Sequence[tuple[str, str]]):
    """A request's headers as text pairs, read only if asked for: the referee needs them for
    a violation's curl line and for a recording, not to judge."""

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._raw = raw
        self._text: list[tuple[str, str]] | None = None

    def _pairs(self) -> list[tuple[str, str]]:
        if self._text is None:
            self._text = text_pairs(self._raw)
        return self._text

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[str, str]]: ...
    def __getitem__(self, index: int | slice) -> tuple[str, str] | Sequence[tuple[str, str]]:
        return self._pairs()[index]


class PerHeaders(Generic[V]):
    """``make(headers)``, kept for the last ``size`` sets of headers (emptied when full) of at
    most ``max_bytes`` each (a larger set is made each time, never kept: a peer's headers
    cannot fill memory): a client sends the same few sets of headers, an upstream answers with
    the same few (but for its ``date``). Keys are the headers as a tuple; what is kept is
    shared: read only."""

    __slots__ = ("_kept", "_make", "_max_bytes", "_size")

    def __init__(
        self, make: Callable[[Headers], V], size: int = 256, max_bytes: int = 4096
    ) -> None:
        self._make = make
        self._size = size
        self._max_bytes = max_bytes
        self._kept: dict[tuple[tuple[bytes, bytes], ...], V] = {}

    def __call__(self, headers: Headers) -> V:
        key = tuple(headers)
        try:
            return self._kept[key]
        except KeyError:
            pass
        value = self._make(headers)
        if sum(len(name) + len(text) for name, text in headers) <= self._max_bytes:
            if len(self._kept) >= self._size:
                self._kept.clear()
            self._kept[key] = value
        return value
