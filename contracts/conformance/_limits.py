"""The bounds of a conformance run: time per request, bytes per answer, pace and budget.

One frozen value, checked when it is made (a front end makes it first, to turn a bad value
into a one-line error naming its own flag):

>>> Limits(timeout=5).rate is None
True
>>> Limits(timeout=float("nan"))
Traceback (most recent call last):
...
contracts.conformance._errors.InvalidOption: timeout=nan: expected a finite number of seconds > 0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._errors import InvalidOption

__all__ = ["DEFAULT_REMOTE_RATE", "MAX_BODY", "Limits", "size"]

MAX_BODY = 10 * 1024 * 1024
"""The most bytes an answer may have, after decoding (gzip, deflate): a larger one is a failure
and is never held in memory whole."""

DEFAULT_REMOTE_RATE = 10.0
"""Requests per second to a host that is not loopback, unless ``rate`` says otherwise."""


def size(count: int) -> str:
    """A byte count as people read it: ``10 MiB``, ``512 KiB``, ``1000 bytes``."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= scale and count % scale == 0:
            return f"{count // scale} {unit}"
    return f"{count} bytes"


def _finite(option: str, value: object, *, minimum: float, strict: bool, unit: str) -> float:
    bound = f"> {minimum:g}" if strict else f">= {minimum:g}"
    expected = f"a finite number of {unit} {bound}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidOption(option, value, expected)
    number = float(value)
    if not math.isfinite(number) or number < minimum or (strict and number == minimum):
        raise InvalidOption(option, value, expected)
    return number


@dataclass(frozen=True)
class Limits:
    """``timeout``: seconds for a whole request (connect, send, every byte of the answer), not
    per read. ``max_body``: bytes an answer may have after decoding. ``rate``: requests per
    second at most (None: no cap). ``max_wait``: the longest wait a 429's ``Retry-After`` gets
    before the one retry. ``max_requests``: the run's budget of requests (None: no budget)."""

    timeout: float = 10.0
    max_body: int = MAX_BODY
    rate: float | None = None
    max_wait: float = 30.0
    max_requests: int | None = None

    def __post_init__(self) -> None:
        _finite("timeout", self.timeout, minimum=0, strict=True, unit="seconds")
        _finite("max_wait", self.max_wait, minimum=0, strict=False, unit="seconds")
        if self.rate is not None:
            _finite("rate", self.rate, minimum=0, strict=True, unit="requests per second")
        for name, value in (("max_requests", self.max_requests), ("max_body", self.max_body)):
            if value is None and name == "max_requests":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidOption(name, value, "a whole number >= 1")
