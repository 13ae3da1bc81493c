"""Keeping the run's credentials out of everything it prints or writes.

Every header the user passes to a run is treated as a credential (they are, more often than
not), beside :data:`contracts.SECRET_HEADERS`: its value is masked by name in curl lines, and
scrubbed wherever it appears in any text the run outputs (failures, errors, progress, JUnit).
The marker is schemathesis's own, so its lines and ours read alike.

>>> secrets = Secrets.of({"X-Auth-Token": "tok-123456"})
>>> secrets.mask_headers({"x-auth-token": "tok-123456", "Accept": "*/*"})
{'x-auth-token': '[Filtered]', 'Accept': '*/*'}
>>> secrets.scrub("the server echoed tok-123456 back")
'the server echoed [Filtered] back'
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .._secrets import is_secret_header, redact_headers

__all__ = ["MARKER", "Secrets", "curl_line"]

MARKER = "[Filtered]"
"""What a masked value reads as (schemathesis's marker)."""

_MIN_SCRUBBED = 6  # a value shorter than this is masked by name only: scrubbing "on" would
# mangle every text
_NOT_SHOWN = frozenset({"host", "accept-encoding", "connection", "user-agent", "accept"})


@dataclass(frozen=True)
class Secrets:
    """The header names whose values are secret, and the values to scrub from any text."""

    names: frozenset[str] = frozenset()
    values: tuple[str, ...] = ()

    @classmethod
    def of(cls, headers: Mapping[str, str]) -> Secrets:
        """Every one of ``headers`` is a secret (the run's own headers)."""
        names = frozenset(name.lower() for name in headers)
        values: set[str] = set()
        for value in headers.values():
            value = value.strip()
            values.add(value)
            scheme, _, credential = value.partition(" ")  # "Bearer TOKEN": the token alone too
            if credential.strip() and scheme.isalpha():
                values.add(credential.strip())
        longest_first = sorted((v for v in values if len(v) >= _MIN_SCRUBBED), key=len)[::-1]
        return cls(names, tuple(longest_first))

    def is_secret(self, name: str) -> bool:
        return is_secret_header(name, self.names)

    def mask_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return redact_headers(headers, also=self.names, marker=MARKER)

    def scrub(self, text: str) -> str:
        """``text`` with every secret value replaced by the marker."""
        for value in self.values:
            if value in text:
                text = text.replace(value, MARKER)
        return text


def curl_line(method: str, url: str, headers: Iterable[tuple[str, str]], secrets: Secrets) -> str:
    """A curl command that repeats a request, its secret header values masked."""
    parts = ["curl", "-X", method, shlex.quote(url)]
    for name, value in headers:
        if name.lower() in _NOT_SHOWN:
            continue
        shown = MARKER if secrets.is_secret(name) else value
        parts += ["-H", shlex.quote(f"{name}: {shown}")]
    return secrets.scrub(" ".join(parts))
