"""Checking payloads (recorded responses, fixtures, user-supplied runs) against the contract.

The committed JSON Schemas are the judge, with the contract's own ``uuid`` and ``date-time``
checks; every violation is reported with its JSON path (``$.items[3].status``) and the keyword
that failed. Beside the schema, one rule JSON Schema cannot say: every number is one a JSON
reader holds, a finite double (RFC 8259, section 6). NaN and Infinity are not JSON (the real
service, on Starlette, cannot send them; ``JSON.parse`` refuses them), and an integer past a
double's range breaks the official client wherever it types a value ``float`` (``data``).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match

from ._errors import ContractViolation, UnknownPayloadKind
from ._formats import is_datetime, is_uuid
from ._models import ExtractConfig
from ._schemas import json_schema

__all__ = ["KINDS", "Violation", "assert_valid", "detect_kind", "validate"]

KINDS: Mapping[str, str] = {
    "run": "ExtractRun",
    "page": "PaginatedExtractRunsResponse",
    "config": "ExtractConfig",
    "file": "File",
}
"""Payload kinds, by the short name the command line uses, and the schema each is checked by."""

_CONFIG_FIELDS = frozenset(ExtractConfig.model_fields)
_REQUIRED = re.compile(r"'(.*)' is a required property")


@dataclass(frozen=True)
class Violation:
    """One place where a payload breaks the contract.

    ``keyword`` is the JSON Schema keyword that failed (``type``, ``enum``, ``format``,
    ``required``, ``minimum``, ``minLength``, ``maxLength``, ...), or ``json`` for a number no
    JSON reader holds (NaN, Infinity, an integer past a double); ``constraint`` is that
    keyword's value in the schema (``'uuid'`` for a format, the enum's values, the minimum).
    """

    path: str
    message: str
    keyword: str = ""
    constraint: Any = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("uuid")(lambda value: not isinstance(value, str) or is_uuid(value))
    checker.checks("date-time")(lambda value: not isinstance(value, str) or is_datetime(value))
    return checker


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(json_schema(KINDS[kind]), format_checker=_format_checker())


@cache
def _quick_validator(kind: str) -> Any:
    # The same schema and formats, compiled to Rust: ~60x faster on a valid run (20 us against
    # 1.2 ms), so loading thousands of runs stays cheap. Only a payload it rejects pays for the
    # pure-Python validator, which knows the path and words of each violation.
    return jsonschema_rs.Draft202012Validator(
        json_schema(KINDS[kind]),
        formats={"uuid": is_uuid, "date-time": is_datetime},
        validate_formats=True,
    )


def _quickly_valid(kind: str, payload: Any) -> bool:
    try:
        return bool(_quick_validator(kind).is_valid(payload))
    except (ValueError, TypeError, OverflowError):  # not JSON data (a set, a huge int, ...)
        return False


def detect_kind(payload: Any) -> str:
    """Tell a payload's kind (``run``, ``page``, ``config`` or ``file``) from its keys."""
    if not isinstance(payload, dict):
        raise UnknownPayloadKind(
            f"a payload must be a JSON object, not {type(payload).__name__}; "
            "name its kind to check it anyway"
        )
    keys = set(payload)
    if "items" in keys:
        return "page"
    if keys & {"status", "extraction_agent_id", "config", "data_schema", "from_ui"}:
        return "run"
    if "name" in keys or keys & {"file_size", "file_type", "purpose", "expires_at"}:
        return "file"
    if keys <= _CONFIG_FIELDS:
        return "config"
    raise UnknownPayloadKind(
        "cannot tell whether the payload is a run, a page, a config or a file from its keys "
        f"({', '.join(sorted(keys)[:6])}); name its kind"
    )


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _wrong_branch(parent: SchemaError, errors: list[SchemaError]) -> bool:
    # the value itself is not of this branch's type: it was not meant for this branch
    here = list(parent.absolute_path)
    return any(e.validator == "type" and list(e.absolute_path) == here for e in errors)


_Found = tuple[list[Any], str, str, Any]  # path parts, message, keyword, constraint


def _expand(error: SchemaError) -> list[_Found]:
    """(path, message, keyword, constraint) of each error that says what is actually wrong.

    A nullable or union field fails as one ``anyOf`` error ("not valid under any of the given
    schemas"); the branch the value was meant for (the one it has the type of) holds the real
    errors, every one of them (a file missing its name *and* with a bad size). When it fits no
    branch, the message names the types it could have had.
    """
    path = list(error.absolute_path)
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        missing = _REQUIRED.fullmatch(error.message) if error.validator == "required" else None
        if missing is not None:
            return [([*path, missing.group(1)], "required field is missing", "required", None)]
        return [(path, error.message, str(error.validator), error.validator_value)]
    branches: dict[Any, list[SchemaError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    meant = [errors for errors in branches.values() if not _wrong_branch(error, errors)]
    if len(meant) == 1:
        return [leaf for sub in meant[0] for leaf in _expand(sub)]
    if not meant:
        types: list[str] = []
        for sub in error.context:
            if sub.validator == "type" and list(sub.absolute_path) == path:
                value: Any = sub.validator_value
                for name in [value] if isinstance(value, str) else value:
                    if name not in types:
                        types.append(name)
        expected = " or ".join(repr(t) for t in types)
        return [(path, f"{error.instance!r} is not of type {expected}", "type", types)]
    return _expand(best_match(error.context))


def _violations(kind: str, payload: Any) -> Iterator[Violation]:
    for error in _validator(kind).iter_errors(payload):
        for path, message, keyword, constraint in _expand(error):
            yield Violation(_json_path(path), message, keyword, constraint)


# The smallest integer that float() cannot hold: halfway between the largest double and 2**1024
# rounds up, to infinity.
_INT_PAST_DOUBLE = 2**1024 - 2**970


def _unreadable_numbers(payload: Any) -> Iterator[tuple[list[Any], str]]:
    """(path parts, message) of every number in ``payload`` that no JSON reader holds."""
    stack: list[tuple[list[Any], Any]] = [([], payload)]
    while stack:
        parts, value = stack.pop()
        if isinstance(value, dict):
            stack += [([*parts, key], child) for key, child in value.items()]
        elif isinstance(value, list):
            stack += [([*parts, index], child) for index, child in enumerate(value)]
        elif isinstance(value, float) and math.isnan(value):
            yield parts, "NaN is not a JSON number"
        elif isinstance(value, float) and math.isinf(value):
            yield parts, f"{'-' if value < 0 else ''}Infinity is not a JSON number"
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                float(value)
            except OverflowError:
                yield (
                    parts,
                    (
                        f"an integer of {value.bit_length()} bits is past the range of a double "
                        "(about 1.8e308), which JSON readers hold numbers in"
                    ),
                )


def _numbers_readable(payload: Any) -> bool:
    """Fast :func:`_unreadable_numbers` (a property test holds them equal): True if it finds
    nothing. Called on every payload, so containers only are pushed and nothing is built."""
    if type(payload) is not dict and type(payload) is not list:
        return not any(True for _ in _unreadable_numbers(payload))
    stack = [payload]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        for child in node.values() if type(node) is dict else node:
            kind = type(child)
            if kind is str:  # the most common value, first
                continue
            if kind is dict or kind is list:
                push(child)
            elif kind is float:
                if child - child != 0:  # NaN and the infinities only
                    return False
            elif kind is int:
                if not -_INT_PAST_DOUBLE < child < _INT_PAST_DOUBLE:
                    return False
            elif kind is not bool and isinstance(child, dict | list | float | int):
                return not any(True for _ in _unreadable_numbers(payload))  # a subclass
    return True


def _number_violations(payload: Any) -> tuple[Any, list[Violation]]:
    """The payload with each unreadable number replaced by a zero of its type (so the schema
    is judged on the rest, and never has to print a 10,000-digit integer), and a violation for
    each."""
    found = list(_unreadable_numbers(payload))
    if not found:
        return payload, []
    cleaned = copy.deepcopy(payload)
    for parts, _ in found:
        if not parts:
            cleaned = 0.0 if isinstance(payload, float) else 0
            continue
        holder = cleaned
        for part in parts[:-1]:
            holder = holder[part]
        holder[parts[-1]] = 0.0 if isinstance(holder[parts[-1]], float) else 0
    return cleaned, [Violation(_json_path(parts), message, "json") for parts, message in found]


def validate(payload: Any, kind: str | None = None) -> list[Violation]:
    """Every violation of the contract in ``payload`` (empty if it is valid), path first.

    ``kind`` is ``run``, ``page``, ``config`` or ``file``; left out, it is told from the keys.
    """
    if kind is None:
        kind = detect_kind(payload)
    elif kind not in KINDS:
        raise UnknownPayloadKind(f"unknown kind {kind!r}; the kinds are: {', '.join(KINDS)}")
    if _quickly_valid(kind, payload) and _numbers_readable(payload):
        return []
    judged, numbers = _number_violations(payload)
    bad = {v.path for v in numbers}
    schema = [v for v in _violations(kind, judged) if v.path not in bad]
    return sorted(schema + numbers, key=lambda v: v.path)


def assert_valid(payload: Any, kind: str | None = None) -> None:
    """Raise :class:`ContractViolation` (an AssertionError) naming every violation, if any."""
    resolved = kind if kind is not None else detect_kind(payload)
    violations = validate(payload, resolved)
    if violations:
        raise ContractViolation(resolved, violations)
