"""The string formats of the contract (``uuid`` and ``date-time``), checked one way everywhere.

The pydantic models, the JSON Schema format checker used by :func:`contracts.validate`, and the
mock's request validation all call these functions, so they can never disagree; the mock's run
store orders runs by :func:`datetime_instant`, which reads a date-time the same way.

Every string they accept, the official client (llama-cloud 1.6.0, whose pydantic parses
``datetime`` fields) reads: digits are ASCII only (``\\d`` would match Arabic-Indic or
full-width digits, which the client refuses), the year is 0001 or later (Python's ``datetime``
has no year 0) and a second is at most 59 (the client refuses a leap second ``:60``). A test
holds this against the client's own model.

Beside each check, its regex for JSON Schema's ``pattern`` (:data:`UUID_PATTERN`,
:data:`DATETIME_PATTERN`): the same strings, calendar included, so a compiled validator can check
formats without calling back into Python. A property test holds each pattern equal to its
function.
"""

from __future__ import annotations

import calendar
import re

__all__ = ["DATETIME_PATTERN", "UUID_PATTERN", "datetime_instant", "is_datetime", "is_uuid"]

# 8-4-4-4-12 hexadecimal digits, either case: what FastAPI's UUID parameters and the JSON Schema
# ``uuid`` format (RFC 9562 text form) accept. Braces, URNs and the 32-digit form are rejected.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# ISO 8601 date and time with a ``T`` (or space) separator, optional fractional seconds and an
# optional ``Z`` / ``+hh:mm`` offset. The official client parses these with pydantic, which also
# accepts naive times (FastAPI emits them for naive datetimes), so they are accepted here too.
# ASCII digits only: ``\d`` would take any Unicode decimal digit.
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(?:[Zz]|([+-])([0-9]{2}):?([0-9]{2}))?"
)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_uuid(value: object) -> bool:
    """True if ``value`` is a string in the canonical hyphenated UUID form."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def is_datetime(value: object) -> bool:
    """True if ``value`` is an ISO 8601 date-time string with real calendar values (year 0001 to
    9999, ASCII digits, no leap second), one the official client can read."""
    return isinstance(value, str) and _read(value) is not None


def datetime_instant(value: object) -> tuple[int, int] | None:
    """The instant a contract date-time names, as ``(seconds, nanoseconds)`` since 1970-01-01
    UTC, or None for anything :func:`is_datetime` refuses. A time without an offset is read as
    UTC (the service emits naive times for UTC).

    >>> datetime_instant("1970-01-01T01:00:00.5+01:00")
    (0, 500000000)
    """
    if not isinstance(value, str):
        return None
    match = _read(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    sign, off_h, off_m = match.group(8), match.group(9), match.group(10)
    if sign is not None:  # local time minus the offset is UTC
        offset = int(off_h) * 3600 + int(off_m) * 60
        seconds -= offset if sign == "+" else -offset
    return seconds, int((match.group(7) or "0").ljust(9, "0"))


def _read(value: str) -> re.Match[str] | None:
    """The match of a valid contract date-time (see :func:`is_datetime`), else None."""
    match = _DATETIME.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if year < 1 or not (1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]):
        return None
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    off_h, off_m = match.group(9), match.group(10)
    if off_h is not None and (int(off_h) > 23 or int(off_m) > 59):
        return None
    return match


# -- the same, as JSON Schema patterns (ECMA-262 and Rust's regex read them alike) ----------------

UUID_PATTERN = "^" + _UUID.pattern + "$"
""":func:`is_uuid` as a ``pattern`` (anchored: JSON Schema patterns search)."""

_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"  # not 0000
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
# divisible by 4 but not by 100, or by 400 (0000 is no year)
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_TIME = "[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?"
_OFFSET = "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?"
DATETIME_PATTERN = f"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29){_TIME}{_OFFSET}$"
""":func:`is_datetime` as a ``pattern``: the calendar (month lengths, leap years) spelt out."""
