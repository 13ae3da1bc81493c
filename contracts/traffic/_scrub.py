"""Keeping credentials out of everything real traffic leaves behind: recordings, log lines,
curl lines, the violations endpoint.

A value is secret when its header is one of :data:`contracts.SECRET_HEADERS` (``Authorization``,
``Cookie``, ``Set-Cookie``, ``X-Api-Key``, ...) or when its header or query parameter is named
by the user (``--scrub NAME``, any case). Such a value becomes :data:`SCRUBBED` by name; and
since a server may echo a credential back (in a body, a header, an error text), every text
written is also scrubbed of the secret values themselves (and of the token alone of a
``Bearer TOKEN``).

>>> scrub = Scrubber.of(["x-tenant-key"])
>>> scrub.headers([("Authorization", "Bearer tok-123456"), ("Accept", "*/*")])
[('Authorization', '[scrubbed]'), ('Accept', '*/*')]
>>> secrets = scrub.secrets([("Authorization", "Bearer tok-123456")], [("x-tenant-key", "k-98765")])
>>> scrub.text("echoed: tok-123456 and k-98765", secrets)
'echoed: [scrubbed] and [scrubbed]'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from .._secrets import is_secret_header
from ..conformance._masking import Secrets, curl_line

__all__ = ["SCRUBBED", "Scrubber"]

SCRUBBED = "[scrubbed]"
"""What a secret value reads as in a recording, a log line or the violations endpoint."""

_MIN_SCRUBBED = 6  # a shorter value is scrubbed by name only: scrubbing "on" would mangle text

Pairs = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Scrubber:
    """The extra names (lower-case) whose header and query values are secret."""

    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: Iterable[str] = ()) -> Scrubber:
        return cls(frozenset(name.strip().lower() for name in names if name.strip()))

    def header_is_secret(self, name: str) -> bool:
        return is_secret_header(name, self.names)

    def query_is_secret(self, name: str) -> bool:
        return name.lower() in self.names

    def headers(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """``pairs`` with each secret header's value replaced by :data:`SCRUBBED`."""
        return [(k, SCRUBBED if self.header_is_secret(k) else v) for k, v in pairs]

    def query(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """``pairs`` with each secret query parameter's value replaced by :data:`SCRUBBED`."""
        return [(k, SCRUBBED if self.query_is_secret(k) else v) for k, v in pairs]

    def secrets(self, headers: Pairs, query: Pairs = ()) -> tuple[str, ...]:
        """The secret values of one request, longest first, to scrub from any text."""
        found: set[str] = set()
        for name, value in headers:
            if self.header_is_secret(name):
                value = value.strip()
                found.add(value)
                scheme, _, credential = value.partition(" ")
                if credential.strip() and scheme.isalpha():  # "Bearer TOKEN": the token too
                    found.add(credential.strip())
                for part in value.split(";"):  # a cookie's values one by one
                    found.add(part.partition("=")[2].strip())
        found.update(value for name, value in query if self.query_is_secret(name))
        return tuple(sorted((v for v in found if len(v) >= _MIN_SCRUBBED), key=len)[::-1])

    @staticmethod
    def text(text: str, secrets: Sequence[str]) -> str:
        """``text`` with every one of ``secrets`` replaced by :data:`SCRUBBED`."""
        for value in secrets:
            if value in text:
                text = text.replace(value, SCRUBBED)
        return text

    def curl(self, method: str, url: str, query: Pairs, headers: Pairs) -> str:
        """A curl command that repeats a request (``url`` without its query), its secret
        query values scrubbed and its secret headers masked as every curl line of the toolkit
        masks them (:func:`contracts.conformance` curl lines: ``[Filtered]``)."""
        full = url + (f"?{urlencode(self.query(query))}" if query else "")
        return curl_line(method, full, headers, Secrets(self.names, self.secrets(headers, query)))
