"""``allOf``: the schemas of a list merged into one schema that accepts what all of them accept.

The compiler generates from the merged schema, so a value is made once, never drawn and thrown
away. Keywords merge by what they mean: ``properties`` (a name in both: merged), ``required``
(union), ``type`` and ``enum`` (intersection), bounds (the tighter), ``multipleOf`` (the least
common multiple), ``uniqueItems`` (either), ``items`` and ``additionalProperties`` (merged, and
a side's ``additionalProperties`` applies to the other side's extra properties), ``anyOf``
(every pair of branches). Where two schemas ask for things that do not merge (two different
patterns or formats, ``const`` values that differ, an empty range), :class:`UnsupportedSchema`
names ``allOf`` and the conflict. Keywords the compiler does not know are carried over, so
compiling the merged schema names them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from ._errors import UnsupportedSchema
from ._regex import read_pattern

__all__ = ["ANNOTATIONS", "json_equal", "merge_all"]

ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "discriminator",  # OpenAPI's hint beside oneOf; the branches decide
        "nullable",  # OpenAPI 3.0 habit; only meaningful with "type", handled there
    }
)
"""Keywords that never change which values are valid."""

Resolve = Callable[[str, str], Mapping[str, Any]]
"""``resolve(ref, where)``: the schema a local ``$ref`` points at."""

_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_SAME = ("format", "pattern", "const")
_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_MAX_DEPTH = 32
_MAX_PAIRS = 16


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values as JSON Schema means it (``1 == 1.0``, ``true != 1``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(type(a) is type(b) or {type(a), type(b)} <= {int, float}) and a == b


class _Merger:
    def __init__(self, resolve: Resolve, where: str) -> None:
        self.resolve, self.where = resolve, where

    def conflict(self, detail: str) -> UnsupportedSchema:
        return UnsupportedSchema("allOf", self.where, detail)

    def flat(self, schema: Any, depth: int) -> Any:
        """``schema`` without ``$ref`` and ``allOf`` at its top (merged in)."""
        if depth > _MAX_DEPTH:
            raise UnsupportedSchema("$ref", self.where, "references nested too deep to merge")
        if not isinstance(schema, Mapping):
            return schema
        if "$ref" in schema:
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            target = self.flat(self.resolve(schema["$ref"], self.where), depth + 1)
            return self.both(target, rest, depth + 1)
        if "allOf" in schema:
            branches = schema["allOf"]
            if not isinstance(branches, list) or not branches:
                raise self.conflict("allOf must be a non-empty list")
            merged: Any = {k: v for k, v in schema.items() if k != "allOf"}
            for branch in branches:
                merged = self.both(merged, branch, depth + 1)
            return merged
        return schema

    def both(self, a: Any, b: Any, depth: int) -> Any:
        a, b = self.flat(a, depth), self.flat(b, depth)
        if a is False or b is False:
            return False
        if a is True or a == {}:
            return b
        if b is True or b == {}:
            return a
        if not isinstance(a, Mapping) or not isinstance(b, Mapping):
            raise self.conflict("a schema must be an object or a boolean")
        out: dict[str, Any] = dict(a)
        for key, value in b.items():
            if key not in out:
                out[key] = value
            elif key in ANNOTATIONS:
                continue
            elif key in _LOWER:
                out[key] = max(out[key], value)
            elif key in _UPPER:
                out[key] = min(out[key], value)
            elif key in _SAME:
                if not json_equal(out[key], value):
                    raise self.conflict(f"{key} {out[key]!r} and {key} {value!r}")
            else:
                out[key] = self.keyword(key, out[key], value, depth)
        self.objects(a, b, out, depth)
        self.arrays(a, b, out, depth)
        self.check(out)
        return out

    def keyword(self, key: str, mine: Any, theirs: Any, depth: int) -> Any:
        if key == "type":
            return self.types(mine, theirs)
        if key == "enum":
            both = [v for v in mine if any(json_equal(v, w) for w in theirs)]
            if not both:
                raise self.conflict(f"the enums {mine!r} and {theirs!r} share no value")
            return both
        if key == "required":
            return list(dict.fromkeys([*mine, *theirs]))
        if key == "uniqueItems":
            return bool(mine) or bool(theirs)
        if key == "multipleOf":
            return self.multiple(mine, theirs)
        if key in ("properties", "patternProperties"):
            merged = dict(mine)
            for name, sub in theirs.items():
                merged[name] = self.both(merged[name], sub, depth + 1) if name in merged else sub
            return merged
        if key in ("items", "additionalProperties"):
            return self.both(mine, theirs, depth + 1)
        if key == "anyOf":
            pairs = [(x, y) for x in mine for y in theirs]
            if len(pairs) > _MAX_PAIRS:
                raise self.conflict(f"two anyOf of {len(mine)} and {len(theirs)} branches")
            return [self.both(x, y, depth + 1) for x, y in pairs]
        if json_equal(mine, theirs):
            return mine
        raise self.conflict(f"two different {key} ({mine!r} and {theirs!r})")

    def types(self, mine: Any, theirs: Any) -> Any:
        a = {mine} if isinstance(mine, str) else set(mine)
        b = {theirs} if isinstance(theirs, str) else set(theirs)
        common = a & b
        if ("integer" in a and "number" in b) or ("number" in a and "integer" in b):
            common.add("integer")
        if not common:
            raise self.conflict(f"type {mine!r} and type {theirs!r}")
        ordered = [t for t in _TYPES if t in common]
        return ordered[0] if len(ordered) == 1 else ordered

    def multiple(self, mine: Any, theirs: Any) -> Any:
        if isinstance(mine, int) and isinstance(theirs, int):
            return mine * theirs // math.gcd(mine, theirs)
        x, y = Fraction(str(mine)), Fraction(str(theirs))
        if (x / y).denominator == 1:
            return mine
        if (y / x).denominator == 1:
            return theirs
        raise self.conflict(f"multipleOf {mine!r} and multipleOf {theirs!r}")

    def objects(
        self, a: Mapping[str, Any], b: Mapping[str, Any], out: dict[str, Any], d: int
    ) -> None:
        """A side's additionalProperties governs the other side's properties it does not name."""
        properties = dict(out.get("properties", {}))
        for side, other in ((a, b), (b, a)):
            extra = side.get("additionalProperties", True)
            if extra is True:
                continue
            where = f"{self.where}/patternProperties"
            patterns = [read_pattern(p, where) for p in side.get("patternProperties", {})]
            for name in other.get("properties", {}):
                if name in side.get("properties", {}) or any(p.accepts(name) for p in patterns):
                    continue  # the side's own property or pattern governs it
                if extra is False:
                    if name in out.get("required", ()):
                        raise self.conflict(
                            f"{name!r} is required, but another branch allows no property "
                            "of that name (additionalProperties: false)"
                        )
                    properties.pop(name, None)
                else:
                    properties[name] = self.both(properties[name], extra, d + 1)
        if "properties" in out:
            out["properties"] = properties

    def arrays(
        self, a: Mapping[str, Any], b: Mapping[str, Any], out: dict[str, Any], d: int
    ) -> None:
        """One side's items apply to every position of the other side's prefixItems."""
        pa, pb = a.get("prefixItems"), b.get("prefixItems")
        if pa is not None and pb is not None:
            if not json_equal(pa, pb):
                raise self.conflict("two different prefixItems")
            return
        prefix, other = (pa, b) if pa is not None else (pb, a)
        if prefix is None or "items" not in other:
            return
        out["prefixItems"] = [self.both(p, other["items"], d + 1) for p in prefix]

    def check(self, out: dict[str, Any]) -> None:
        for low, high in (
            ("minLength", "maxLength"),
            ("minItems", "maxItems"),
            ("minProperties", "maxProperties"),
            ("minimum", "maximum"),
        ):
            if low in out and high in out and out[low] > out[high]:
                raise self.conflict(f"{low} {out[low]} above {high} {out[high]}")


def merge_all(schemas: list[Any], resolve: Resolve, where: str) -> Any:
    """One schema valid exactly where every schema of ``schemas`` is (``$ref`` resolved)."""
    merger = _Merger(resolve, where)
    merged: Any = True
    for schema in schemas:
        merged = merger.both(merged, schema, 0)
    return merged
