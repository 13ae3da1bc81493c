"""Checking payloads (recorded responses, fixtures, user-supplied runs) against the contract.

The committed JSON Schemas are the judge, with the contract's own ``uuid`` and ``date-time``
checks; every violation is reported with its JSON path (``$.items[3].status``) and the keyword
that failed. Beside the schema, the rules JSON Schema cannot say (:mod:`._readable`): every
number a finite double, nesting at most 128 deep.

:func:`schema_violations` judges a payload by the name of any schema of the contract (the
answers' ``ErrorResponse`` and ``HTTPValidationError`` too, taken from the OpenAPI document):
the judge of real traffic checks every answer's body with it.
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
from ._formats import DATETIME_PATTERN, UUID_PATTERN, is_datetime, is_uuid
from ._models import ExtractConfig
from ._readable import readable, unreadable, with_stand_ins
from ._schemas import SCHEMA_NAMES, json_schema, openapi_document

__all__ = ["KINDS", "Violation", "assert_valid", "detect_kind", "schema_violations", "validate"]

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
def _schema(name: str) -> dict[str, Any]:
    """The schema called ``name``: a standalone one, or a component of the OpenAPI document
    (every component beside it, so that its references resolve)."""
    if name in SCHEMA_NAMES:
        return json_schema(name)
    components = openapi_document()["components"]
    if name not in components["schemas"]:
        raise UnknownPayloadKind(f"the contract has no schema called {name!r}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/components/schemas/{name}",
        "components": components,
    }


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(name), format_checker=_format_checker())


_FORMAT_PATTERNS = {"uuid": UUID_PATTERN, "date-time": DATETIME_PATTERN}


def _with_format_patterns(node: Any) -> Any:
    """A copy of a schema with each ``format`` of :data:`_FORMAT_PATTERNS` spelt as the
    ``pattern`` that accepts the same strings (both apply to strings only)."""
    if isinstance(node, list):
        return [_with_format_patterns(item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: _with_format_patterns(value) for key, value in node.items()}
    pattern = _FORMAT_PATTERNS.get(copied.get("format"))  # type: ignore[arg-type]
    if pattern is not None:
        del copied["format"]
        if "pattern" in copied:
            copied.setdefault("allOf", []).append({"pattern": pattern})
        else:
            copied["pattern"] = pattern
    return copied


@cache
def _quick_validator(name: str) -> Any:
    # The same schema compiled to Rust, its two formats spelt as the equal patterns (a Python
    # format callback per string would cost most of the time: a page of 20 runs takes 165 us
    # with callbacks, 30 us with patterns). Only a payload it rejects pays for the pure-Python
    # validator, which knows the path and words of each violation.
    return jsonschema_rs.Draft202012Validator(
        _with_format_patterns(_schema(name)), validate_formats=False
    )


def _quickly_valid(name: str, payload: Any) -> bool:
    try:
        return bool(_quick_validator(name).is_valid(payload))
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


def _violations(name: str, payload: Any) -> Iterator[Violation]:
    for error in _validator(name).iter_errors(payload):
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
    return schema_violations(payload, KINDS[kind])


def schema_violations(payload: Any, name: str, *, read: bool = False) -> list[Violation]:
    """Every violation of the schema called ``name`` (``ExtractRun``, ``ErrorResponse``,
    ``HTTPValidationError``, ...) in ``payload``, path first; empty if it is valid.

    ``read``: the payload came from :func:`contracts.load_json`, which already refused every
    number and depth no JSON reader holds, so that walk is spared.
    """
    if _quickly_valid(name, payload) and (read or readable(payload)):
        return []
    found = [] if read else list(unreadable(payload))
    judged = with_stand_ins(payload, [parts for parts, _ in found]) if found else payload
    values = [Violation(_json_path(parts), message, "json") for parts, message in found]
    bad = {v.path for v in values}
    schema = [v for v in _violations(name, judged) if v.path not in bad]
    return sorted(schema + values, key=lambda v: v.path)


def assert_valid(payload: Any, kind: str | None = None) -> None:
    """Raise :class:`ContractViolation` (an AssertionError) naming every violation, if any."""
    resolved = kind if kind is not None else detect_kind(payload)
    violations = validate(payload, resolved)
    if violations:
        raise ContractViolation(resolved, violations)
