"""The mock's side of parameter reading: the reader itself is :mod:`contracts._params`.

The one reader of a request's parameters (FastAPI's rules, fast paths beside pydantic) lives in
``contracts``, where the judge of real traffic reads requests with it too; the mock's handler,
routes and journal import it from here. What is the mock's own: an operation or parameter
named by a user that does not exist is a :class:`~mocks._errors.UnknownName`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts import OPERATIONS, Operation
from contracts._params import ParameterReader, Parsed, canonical_value, fast_integer, fast_uuid

from .._errors import UnknownName

__all__ = [
    "ParameterReader",
    "Parsed",
    "canonical",
    "fast_integer",
    "fast_uuid",
    "known_operation",
]

_BY_NAME: Mapping[str, Operation] = {op.name: op for op in OPERATIONS}


def known_operation(name: str) -> Operation:
    """The operation called ``name``, or :class:`UnknownName` listing the four."""
    op = _BY_NAME.get(name)
    if op is None:
        raise UnknownName(
            f"unknown operation {name!r}; the operations are: {', '.join(_BY_NAME)}", name=name
        )
    return op


def canonical(operation: Operation, name: str, value: Any) -> Any:
    """``value`` of parameter ``name`` in the form the reader hands on (for comparisons):
    a UUID in lower-case hyphenated form, an int; a value that does not parse stays as it is."""
    for parameter in operation.parameters:
        if parameter.name == name:
            return canonical_value(parameter, value)
    names = ", ".join(p.name for p in operation.parameters)
    raise UnknownName(
        f"{operation.name} has no parameter {name!r}; its parameters are: {names}", name=name
    )
