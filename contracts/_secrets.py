"""The headers that carry credentials: one definition for every output of the toolkit.

The mock's journal, conformance reports and curl lines, and the proxy's recordings all mask
these (and any name the user adds) before anything is kept, printed or written.

>>> redact_headers({"Authorization": "Bearer s3cret", "Accept": "application/json"})
{'Authorization': '[redacted]', 'Accept': 'application/json'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["REDACTED", "SECRET_HEADERS", "is_secret_header", "redact_headers"]

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
"""Header names (lower-case) whose values are credentials, wherever they appear."""

REDACTED = "[redacted]"
"""What a secret value is replaced with, unless an output names its own marker."""


def is_secret_header(name: str, also: Iterable[str] = ()) -> bool:
    """Whether the header ``name`` (any case) carries a secret: one of :data:`SECRET_HEADERS`
    or of ``also`` (more names, any case)."""
    lowered = name.lower()
    return lowered in SECRET_HEADERS or lowered in {extra.lower() for extra in also}


def redact_headers(
    headers: Mapping[str, str], *, also: Iterable[str] = (), marker: str = REDACTED
) -> dict[str, str]:
    """A copy of ``headers`` with every secret value (see :func:`is_secret_header`) replaced
    by ``marker``; names keep their case and order."""
    secret = SECRET_HEADERS.union(name.lower() for name in also) if also else SECRET_HEADERS
    return {name: marker if name.lower() in secret else value for name, value in headers.items()}
