"""Which requests a conformance run may send: the write policy, decided once per run.

A server's data is its owner's. A run sends writes (DELETE, and any other method that is not
safe) only where the user allowed them:

- by default only to a URL whose host, **as written**, is loopback (``localhost``,
  ``127.0.0.0/8``, ``[::1]``): no name is resolved, so ``staging.example`` is read-only even
  if it resolves to 127.0.0.1;
- ``read_only=True`` makes a loopback run read-only too; ``allow_writes=True`` lifts the rule
  anywhere (a staging server full of test data);
- ``allow_delete=(RUN_ID, ...)`` makes the run read-only except for DELETE of exactly those
  runs.

>>> write_policy("https://api.cloud.llamaindex.ai").mode
'read-only'
>>> write_policy("http://127.0.0.1:8000").mode
'writes allowed'
>>> run = "3F1C2A9E-5B7D-4C8E-9A1F-2B3C4D5E6F70"
>>> write_policy("http://localhost:8000", allow_delete=[run]).allows(
...     "DELETE", "/api/v1/extraction/runs/" + run.lower())
True
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from .._formats import is_uuid
from .._operations import API_PREFIX
from ._errors import InvalidOption

__all__ = ["SAFE_METHODS", "WritePolicy", "is_loopback_as_written", "write_policy"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "QUERY"})
"""Methods that change nothing on the server (RFC 9110 section 9.2.1; QUERY by its draft)."""

Mode = Literal["writes allowed", "read-only", "read-only, named deletes"]

_RUN_PREFIX = API_PREFIX + "/"


def is_loopback_as_written(url: str) -> bool:
    """Whether the host of ``url``, as written, is loopback: ``localhost``, an IPv4 literal in
    127.0.0.0/8 or ``[::1]``. Nothing is resolved: a name that resolves to 127.0.0.1 is not."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback


@dataclass(frozen=True)
class WritePolicy:
    """What a run may send, and why (``reason`` is shown in the banner).

    ``deletable`` is None when every method is allowed, else the run ids (lower case) that the
    run may DELETE; every other unsafe request is refused.
    """

    mode: Mode
    reason: str
    deletable: frozenset[str] | None

    @property
    def writes(self) -> bool:
        """Whether the run may send any unsafe request (not only named deletes)."""
        return self.deletable is None

    def allows(self, method: str, path: str) -> bool:
        """Whether a request with this method to this URL path may be sent."""
        method = method.upper()
        if method in SAFE_METHODS or self.deletable is None:
            return True
        if method != "DELETE" or not path.startswith(_RUN_PREFIX):
            return False
        run_id = unquote(path[len(_RUN_PREFIX) :])
        return run_id.lower() in self.deletable

    def banner(self) -> str:
        """One line: the mode and why."""
        if self.mode == "writes allowed":
            return f"writes allowed: {self.reason}"
        if self.mode == "read-only":
            return (
                f"read-only: {self.reason}; no DELETE is sent "
                "(--allow-writes or --allow-delete RUN_ID to send them)"
            )
        count = len(self.deletable or ())
        runs = f"{count} named run{'s' if count != 1 else ''}"
        return f"read-only except DELETE of {runs}: {self.reason}"


def write_policy(
    base_url: str,
    *,
    read_only: bool = False,
    allow_writes: bool = False,
    allow_delete: Iterable[str] = (),
) -> WritePolicy:
    """The write policy of a run against ``base_url`` (see the module docstring).

    Raises :class:`InvalidOption` for a run id that is not a UUID, or for options that
    contradict each other (``read_only`` with ``allow_writes``, ``allow_delete`` with
    ``allow_writes``).
    """
    named = list(allow_delete)
    for run_id in named:
        if not is_uuid(run_id):
            raise InvalidOption("allow_delete", run_id, "a run id (a UUID)")
    if allow_writes and read_only:
        raise InvalidOption(
            "allow_writes",
            True,
            "not both read-only and writes allowed",
            conflicts_with="read_only",
        )
    if allow_writes and named:
        raise InvalidOption(
            "allow_delete",
            named[0],
            "no run ids when writes are allowed (every delete is)",
            conflicts_with="allow_writes",
        )
    host = urlsplit(base_url).hostname or base_url
    if named:
        ids = frozenset(run_id.lower() for run_id in named)
        return WritePolicy("read-only, named deletes", "--allow-delete names them", ids)
    if allow_writes:
        return WritePolicy("writes allowed", "--allow-writes", None)
    if read_only:
        return WritePolicy("read-only", "--read-only", frozenset())
    if is_loopback_as_written(base_url):
        return WritePolicy("writes allowed", f"{host} is loopback (--read-only to send none)", None)
    return WritePolicy("read-only", f"{host} is not loopback as written", frozenset())
