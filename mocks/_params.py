"""Reading an operation's path and query parameters the way FastAPI does.

Every parameter of :data:`contracts.OPERATIONS` is checked by a pydantic ``TypeAdapter`` in lax
mode, the very validation FastAPI runs, so the 422 entries (``type``, ``loc``, ``msg``,
``input``, ``ctx``) are FastAPI's own, byte for byte. As FastAPI does, the reader:

- takes the *last* value of a repeated query parameter and ignores unknown ones;
- accepts every UUID spelling pydantic accepts (upper case, ``urn:uuid:``, 32 hex digits,
  braces) and hands it on in the canonical lower-case hyphenated form;
- reports every error of a request together, path parameters first, each group in the order
  the operation declares them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from contracts import OPERATIONS, Operation, Parameter

from ._errors import UnknownName

__all__ = ["ParameterReader", "Parsed", "canonical", "known_operation"]

_BY_NAME: Mapping[str, Operation] = {op.name: op for op in OPERATIONS}

ErrorEntry = dict[str, Any]


def _uuid_adapter(parameter: Parameter) -> tuple[TypeAdapter[Any], Callable[[Any], Any]]:
    return TypeAdapter(uuid.UUID), str


def _integer_adapter(parameter: Parameter) -> tuple[TypeAdapter[Any], Callable[[Any], Any]]:
    if parameter.minimum is None:
        return TypeAdapter(int), int
    return TypeAdapter(Annotated[int, Field(ge=parameter.minimum)]), int


# parameter kind -> (the adapter that checks a raw string, how its value is handed on)
_ADAPTERS: Mapping[str, Callable[[Parameter], tuple[TypeAdapter[Any], Callable[[Any], Any]]]] = {
    "uuid": _uuid_adapter,
    "integer": _integer_adapter,
}


@dataclass(frozen=True)
class Parsed:
    """The outcome of reading one request's parameters.

    ``values`` maps every declared parameter to its value: canonical (lower-case UUID string,
    int) when valid, the default when absent, the raw string when invalid, in the order the
    operation declares them (path parameters first). ``errors`` holds
    FastAPI's 422 entries, empty when the request is valid.
    """

    values: dict[str, Any]
    errors: list[ErrorEntry]


class _Check:
    __slots__ = ("adapter", "convert", "default", "location", "name", "required")

    def __init__(self, parameter: Parameter) -> None:
        factory = _ADAPTERS[parameter.kind]
        self.adapter, self.convert = factory(parameter)
        self.name = parameter.name
        self.location = parameter.location
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

    def read(self, path_values: Mapping[str, str], query: Mapping[str, str]) -> Parsed:
        """Check ``path_values`` (from the URL template) and ``query`` (last value of each)."""
        values: dict[str, Any] = {}
        errors: list[ErrorEntry] = []
        for check in self._checks:
            source = path_values if check.location == "path" else query
            raw = source.get(check.name)
            if raw is None:
                values[check.name] = check.default
                if check.required:
                    errors.append(
                        {
                            "type": "missing",
                            "loc": [check.location, check.name],
                            "msg": "Field required",
                            "input": None,
                        }
                    )
                continue
            try:
                values[check.name] = check.convert(check.adapter.validate_python(raw))
            except PydanticValidationError as exc:
                values[check.name] = raw
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
        return Parsed(values, errors)


def _plain(value: Any) -> Any:
    """A ``ctx`` value as FastAPI's ``jsonable_encoder`` would put it (exceptions as text)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def known_operation(name: str) -> Operation:
    """The operation called ``name``, or :class:`UnknownName` listing the four."""
    op = _BY_NAME.get(name)
    if op is None:
        raise UnknownName(f"unknown operation {name!r}; the operations are: {', '.join(_BY_NAME)}")
    return op


def canonical(operation: Operation, name: str, value: Any) -> Any:
    """``value`` of parameter ``name`` in the form the reader hands on (for comparisons):
    a UUID in lower-case hyphenated form, an int; a value that does not parse stays as it is."""
    for parameter in operation.parameters:
        if parameter.name == name:
            adapter, convert = _ADAPTERS[parameter.kind](parameter)
            try:
                return convert(adapter.validate_python(value))
            except PydanticValidationError:
                return value
    names = ", ".join(p.name for p in operation.parameters)
    raise UnknownName(f"{operation.name} has no parameter {name!r}; its parameters are: {names}")
