"""Reading an operation's path and query parameters the way FastAPI does: the one reader.

The mock answers with it (its handler reads every request through a :class:`ParameterReader`)
and the judge of real traffic (:mod:`contracts.traffic`) reads the requests it sees with it, so
both type a request's parameters alike.

Every parameter of :data:`contracts.OPERATIONS` is checked by a pydantic ``TypeAdapter`` in lax
mode, the very validation FastAPI runs, so the 422 entries (``type``, ``loc``, ``msg``,
``input``, ``ctx``) are FastAPI's own, byte for byte. As FastAPI does, the reader:

- takes the *last* value of a repeated query parameter and ignores unknown ones;
- accepts every UUID spelling pydantic accepts (upper case, ``urn:uuid:``, 32 hex digits,
  braces) and hands it on in the canonical lower-case hyphenated form;
- reports every error of a request together, path parameters first, each group in the order
  the operation declares them.

The usual inputs skip pydantic: a UUID already in 8-4-4-4-12 form (:func:`contracts.is_uuid`,
either case) is lower-cased, and a short plain run of ASCII digits within the minimum is
``int()``-ed; both give exactly what pydantic would (a property test checks it). Anything else
(``+5``, `` 5``, ``1_000``, ``007``, braces, non-ASCII digits, errors) goes to pydantic.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Annotated, Any, NamedTuple

from pydantic import Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from ._formats import is_uuid
from ._operations import Operation, Parameter

__all__ = ["ParameterReader", "Parsed", "canonical_value", "fast_integer", "fast_uuid"]

ErrorEntry = dict[str, Any]


Fast = Callable[[str], Any]
"""A fast path: the value pydantic would hand on for a raw string, or None to ask pydantic."""
Factory = Callable[[Parameter], tuple[TypeAdapter[Any], Callable[[Any], Any], Fast]]

# a plain run of ASCII digits this long is far below any limit pydantic or int() has
_FAST_DIGITS = 18


def fast_uuid(raw: str) -> str | None:
    """``raw`` in canonical form if it is an 8-4-4-4-12 UUID (any case), else None."""
    return raw.lower() if is_uuid(raw) else None


def fast_integer(minimum: int | None) -> Fast:
    """A fast path for an integer parameter: a short run of ASCII digits without a leading
    zero (or ``0``), at least ``minimum``, is its ``int()``; anything else is None."""

    def fast(raw: str) -> int | None:
        if (
            0 < len(raw) <= _FAST_DIGITS
            and raw.isascii()
            and raw.isdigit()
            and (raw[0] != "0" or len(raw) == 1)
        ):
            value = int(raw)
            if minimum is None or value >= minimum:
                return value
        return None

    return fast


def _uuid_adapter(parameter: Parameter) -> tuple[TypeAdapter[Any], Callable[[Any], Any], Fast]:
    return TypeAdapter(uuid.UUID), str, fast_uuid


def _integer_adapter(parameter: Parameter) -> tuple[TypeAdapter[Any], Callable[[Any], Any], Fast]:
    fast = fast_integer(parameter.minimum)
    if parameter.minimum is None:
        return TypeAdapter(int), int, fast
    return TypeAdapter(Annotated[int, Field(ge=parameter.minimum)]), int, fast


# parameter kind -> (the adapter that checks a raw string, how its value is handed on, the
# fast path for the usual spellings)
_ADAPTERS: Mapping[str, Factory] = {
    "uuid": _uuid_adapter,
    "integer": _integer_adapter,
}


class Parsed(NamedTuple):
    """The outcome of reading one request's parameters (a named tuple: made per request).

    ``values`` maps every declared parameter to its value: canonical (lower-case UUID string,
    int) when valid, the default when absent, the raw string when invalid, in the order the
    operation declares them (path parameters first). ``errors`` holds
    FastAPI's 422 entries, empty when the request is valid.
    """

    values: dict[str, Any]
    errors: list[ErrorEntry]


class _Check:
    __slots__ = ("adapter", "convert", "default", "fast", "in_path", "location", "name", "required")

    def __init__(self, parameter: Parameter) -> None:
        factory = _ADAPTERS[parameter.kind]
        self.adapter, self.convert, self.fast = factory(parameter)
        self.name = parameter.name
        self.location = parameter.location
        self.in_path = parameter.location == "path"
        self.required = parameter.required
        self.default = parameter.default


class ParameterReader:
    """Checks the path and query parameters of one operation."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        # path parameters first, then query parameters, each in declared order (FastAPI's order)
        self._checks = tuple(
            _Check(p) for p in (*operation.path_parameters, *operation.query_parameters)
        )
        self._plan = tuple((c.name, c.in_path, c.fast, c) for c in self._checks)

    def read(self, path_values: Mapping[str, str], query: Mapping[str, str]) -> Parsed:
        """Check ``path_values`` (from the URL template) and ``query`` (last value of each)."""
        values: dict[str, Any] = {}
        errors: list[ErrorEntry] = []
        for name, in_path, fast, check in self._plan:
            raw = (path_values if in_path else query).get(name)
            if raw is not None:
                value = fast(raw)
                if value is not None:  # the usual spelling: no pydantic needed
                    values[name] = value
                    continue
            elif not check.required:  # absent and optional: its default
                values[name] = check.default
                continue
            values[name] = _slow(check, raw, errors)
        return Parsed(values, errors)


def _slow(check: _Check, raw: str | None, errors: list[ErrorEntry]) -> Any:
    """The value of an absent or unusually spelt parameter; its 422 entries go to ``errors``."""
    if raw is None:
        if check.required:
            errors.append(
                {
                    "type": "missing",
                    "loc": [check.location, check.name],
                    "msg": "Field required",
                    "input": None,
                }
            )
        return check.default
    try:
        return check.convert(check.adapter.validate_python(raw))
    except PydanticValidationError as exc:
        for error in exc.errors(include_url=False):
            entry: ErrorEntry = {
                "type": error["type"],
                "loc": [check.location, check.name, *error["loc"]],
                "msg": error["msg"],
                "input": error["input"],
            }
            if "ctx" in error:
                entry["ctx"] = {k: _plain(v) for k, v in error["ctx"].items()}
            errors.append(entry)
        return raw


def _plain(value: Any) -> Any:
    """A ``ctx`` value as FastAPI's ``jsonable_encoder`` would put it (exceptions as text)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def canonical_value(parameter: Parameter, value: Any) -> Any:
    """``value`` of ``parameter`` in the form the reader hands on (for comparisons): a UUID in
    lower-case hyphenated form, an int; a value that does not parse stays as it is."""
    adapter, convert, fast = _ADAPTERS[parameter.kind](parameter)
    quick = fast(value) if isinstance(value, str) else None
    if quick is not None:
        return quick
    try:
        return convert(adapter.validate_python(value))
    except PydanticValidationError:
        return value
