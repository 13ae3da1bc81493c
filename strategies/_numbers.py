"""Numbers: ``integer`` and ``number`` schemas compiled to plan nodes (bounds, exclusive
bounds, ``multipleOf``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ._errors import UnsupportedSchema
from ._nodes import AnyOf, Integer, Multiple, Node, Number, is_multiple

__all__ = ["integer_node", "number_node"]

_LARGEST = 2**53  # whole multiples stay within the integers a float holds exactly
_FRACTIONAL_REACH = 10**6
"""Multiples of a fraction stay within a million of zero where the bounds allow: beyond it a
float's rounding error nears the fraction, and validators that allow for rounding (pydantic)
start to disagree with python-jsonschema."""


def integer_node(schema: Mapping[str, Any], where: str, *, realistic: bool) -> Node:
    """Whole numbers within the bounds (and multiples, with ``multipleOf``); realistic ones
    within a thousand of a bound, or 0 to 1000."""
    lo, hi = _bounds(schema)
    ilo = None if lo is None else math.ceil(lo[0]) + (1 if lo[1] and lo[0] == int(lo[0]) else 0)
    ihi = None if hi is None else math.floor(hi[0]) - (1 if hi[1] and hi[0] == int(hi[0]) else 0)
    if realistic:
        if ilo is None and ihi is None:
            ilo, ihi = 0, 1000
        elif ilo is None:
            ilo = ihi - 1000 if ihi is not None else 0
        elif ihi is None:
            ihi = ilo + 1000
    if "multipleOf" in schema:
        return _multiple(schema["multipleOf"], ilo, ihi, where, whole=True)
    return Integer(ilo, ihi)


def number_node(schema: Mapping[str, Any], where: str, *, realistic: bool) -> Node:
    """Numbers within the bounds (and multiples, with ``multipleOf``): floats and whole numbers
    schema-wide; realistic ones rounded to cents within ten thousand of a bound."""
    lo, hi = _bounds(schema)
    flo = None if lo is None else (math.nextafter(lo[0], math.inf) if lo[1] else float(lo[0]))
    fhi = None if hi is None else (math.nextafter(hi[0], -math.inf) if hi[1] else float(hi[0]))
    if realistic:
        if flo is None and fhi is None:
            flo, fhi = 0.0, 10000.0
        elif flo is None:
            flo = (fhi or 0.0) - 10000.0
        elif fhi is None:
            fhi = flo + 10000.0
    if "multipleOf" in schema:
        return _multiple(schema["multipleOf"], flo, fhi, where, whole=False)
    if not realistic:
        # "number" takes whole numbers too; a client must cope with 3 as well as 3.0.
        ilo = None if flo is None else math.ceil(flo)
        ihi = None if fhi is None else math.floor(fhi)
        if ilo is not None and ihi is not None and ilo > ihi:
            return Number(flo, fhi)
        return AnyOf([Number(flo, fhi), Integer(ilo, ihi)])
    assert flo is not None
    assert fhi is not None
    # Rounded to cents only when the bounds leave room for a rounded value.
    return Number(flo, fhi, places=2 if fhi - flo >= 0.02 else None)


def _multiple(of: Any, lo: float | None, hi: float | None, where: str, *, whole: bool) -> Node:
    """Multiples of ``of`` in ``[lo, hi]`` (whole numbers when ``whole``)."""
    if isinstance(of, bool) or not isinstance(of, (int, float)) or of <= 0:
        raise UnsupportedSchema("multipleOf", where, f"{of!r} is not a positive number")
    if whole and isinstance(of, float):
        if not of.is_integer():
            # whole multiples of a fraction: multiples of the smallest whole one
            step = Fraction(str(of))
            of = step.numerator
        else:
            of = int(of)
    step = Fraction(str(of))
    reach = Fraction(_LARGEST if isinstance(of, int) else _FRACTIONAL_REACH) / step
    klo = -math.floor(reach) if lo is None else math.ceil(Fraction(lo) / step)
    khi = math.floor(reach) if hi is None else math.floor(Fraction(hi) / step)
    if isinstance(of, float) and max(klo, -math.floor(reach)) <= min(khi, math.floor(reach)):
        klo, khi = max(klo, -math.floor(reach)), min(khi, math.floor(reach))
    if klo > khi:
        raise UnsupportedSchema("multipleOf", where, f"no multiple of {of} between the bounds")
    node = Multiple(of, klo, khi, fallback=0)
    for k in (0, *range(klo, min(khi, klo + 1000) + 1)):
        if klo <= k <= khi and is_multiple(node.product(k), of):
            node.fallback = node.product(k)
            return node
    raise UnsupportedSchema("multipleOf", where, f"found no multiple of {of} that validates")


def _bounds(
    schema: Mapping[str, Any],
) -> tuple[tuple[float, bool] | None, tuple[float, bool] | None]:
    """``((low, exclusive), (high, exclusive))`` from the four bound keywords (the tighter)."""
    lo: tuple[float, bool] | None = None
    hi: tuple[float, bool] | None = None
    if "minimum" in schema:
        lo = (schema["minimum"], False)
    if "exclusiveMinimum" in schema and (lo is None or schema["exclusiveMinimum"] >= lo[0]):
        lo = (schema["exclusiveMinimum"], True)
    if "maximum" in schema:
        hi = (schema["maximum"], False)
    if "exclusiveMaximum" in schema and (hi is None or schema["exclusiveMaximum"] <= hi[0]):
        hi = (schema["exclusiveMaximum"], True)
    return lo, hi
