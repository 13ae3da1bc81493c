"""Checking payloads (recorded responses, fixtures, user-supplied runs) against the contract.

The committed JSON Schemas are the judge, with the contract's own ``uuid`` and ``date-time``
checks; every violation is reported with its JSON path (``$.items[3].status``) and the keyword
that failed. Beside the schema, the rules JSON Schema cannot say (:mod:`._readable`): every
number a finite double, nesting at most 128 deep.
"""

from __future__ import annotations

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
from ._readable import readable, unreadable, with_stand_ins
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


def _short(message: str) -> str:
    """A message of at most 300 characters: a huge value's repr is cut in its middle."""
    return message if len(message) <= 300 else f"{message[:140]}...{message[-140:]}"


def _violations(kind: str, payload: Any) -> Iterator[Violation]:
    for error in _validator(kind).iter_errors(payload):
        for path, message, keyword, constraint in _expand(error):
            yield Violation(_json_path(path), _short(message), keyword, constraint)


def validate(payload: Any, kind: str | None = None) -> list[Violation]:
    """Every violation of the contract in ``payload`` (empty if it is valid), path first.

    ``kind`` is ``run``, ``page``, ``config`` or ``file``; left out, it is told from the keys.
    """
    if kind is None:
        kind = detect_kind(payload)
    elif kind not in KINDS:
        raise UnknownPayloadKind(f"unknown kind {kind!r}; the kinds are: {', '.join(KINDS)}")
    if _quickly_valid(kind, payload) and readable(payload):
        return []
    found = list(unreadable(payload))
    judged = with_stand_ins(payload, [parts for parts, _ in found]) if found else payload
    values = [Violation(_json_path(parts), message, "json") for parts, message in found]
    bad = {v.path for v in values}
    schema = [v for v in _violations(kind, judged) if v.path not in bad]
    return sorted(schema + values, key=lambda v: v.path)


def assert_valid(payload: Any, kind: str | None = None) -> None:
    """Raise :class:`ContractViolation` (an AssertionError) naming every violation, if any."""
    resolved = kind if kind is not None else detect_kind(payload)
    violations = validate(payload, resolved)
    if violations:
        raise ContractViolation(resolved, violations)
