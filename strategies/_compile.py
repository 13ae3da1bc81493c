"""Compiling a JSON Schema (draft 2020-12, the subset the contract and typical extraction
schemas use) into a generation plan (:mod:`._nodes`).

The same compiler reads the committed schemas of ``contracts`` and a user's own extraction
schema (``data_schema=``). It knows ``type`` (one or a list), ``properties``, ``required``,
``additionalProperties``, ``items``, ``minItems``/``maxItems``, ``enum``, ``const``, ``anyOf``,
local ``$ref``, ``minLength``/``maxLength``, ``minimum``/``maximum`` and their exclusive forms,
and the formats ``uuid``, ``date-time``, ``date``, ``time`` and ``email``; annotations are
ignored. Anything else raises :class:`UnsupportedSchema` naming the keyword, so a value is never
generated that the schema would reject.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._errors import UnsupportedSchema
from ._nodes import (
    AnyOf,
    ArrayOf,
    Boolean,
    Choice,
    Const,
    Format,
    Integer,
    Json,
    Node,
    Number,
    Record,
    Text,
)

__all__ = ["FORMATS", "MODEL_EXTRA_KEYS", "compile_schema", "unsupported_keywords"]

FORMATS = frozenset({"uuid", "date-time", "date", "time", "email"})
"""The string formats the compiler generates (others are unsupported)."""

MODEL_EXTRA_KEYS = ("x_trace_id", "x_region", "x_note")
"""Names of the unknown fields added to model objects in schema-wide mode (clients must keep
them); never a published field name."""

_ANNOTATIONS = frozenset(
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
        "nullable",  # OpenAPI 3.0 habit; only meaningful with "type", handled there
    }
)
_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "enum",
        "const",
        "anyOf",
        "$ref",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "format",
    }
)
_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_WIDE_ARRAY_MAX = 6
_REALISTIC_ARRAY_MAX = 3
_NESTED_ARRAY_MAX = 3
_NULL = Const(None)


def unsupported_keywords(schema: Any, where: str = "$") -> list[tuple[str, str]]:
    """Every ``(keyword, where)`` in ``schema`` that :func:`compile_schema` does not know."""
    found: list[tuple[str, str]] = []
    if isinstance(schema, Mapping):
        for key, value in schema.items():
            here = f"{where}/{key}"
            if key not in _KEYWORDS and key not in _ANNOTATIONS:
                found.append((key, where))
            elif key == "format" and value not in FORMATS:
                found.append((f"format: {value}", where))
            elif key in ("properties", "$defs", "definitions") and isinstance(value, Mapping):
                for name, sub in value.items():
                    found += unsupported_keywords(sub, f"{here}/{name}")
            elif key in ("items", "additionalProperties"):
                found += unsupported_keywords(value, here)
            elif key == "anyOf" and isinstance(value, list):
                for index, sub in enumerate(value):
                    found += unsupported_keywords(sub, f"{here}/{index}")
    return found


class _Compiler:
    def __init__(self, root: Mapping[str, Any], *, realistic: bool) -> None:
        self.root = root
        self.realistic = realistic
        self.refs: dict[str, Node] = {}
        self.stack: list[str] = []

    def node(self, schema: Any, where: str, *, model: bool = False) -> Node:
        if schema is True or schema == {}:
            return Json(1, realistic=self.realistic)
        if schema is False:
            raise UnsupportedSchema("false", where, "a schema that accepts nothing")
        if not isinstance(schema, Mapping):
            raise UnsupportedSchema(type(schema).__name__, where, "a schema must be an object")
        for key in schema:
            if key not in _KEYWORDS and key not in _ANNOTATIONS:
                raise UnsupportedSchema(key, where)
        if "$ref" in schema:
            return self.ref(schema, where)
        if "const" in schema:
            return Const(schema["const"])
        if "enum" in schema:
            values = list(schema["enum"])
            if "type" in schema:
                values = [v for v in values if _has_type(v, schema["type"])]
            if not values:
                raise UnsupportedSchema("enum", where, "no value of the enum fits the type")
            return Choice(values)
        if "anyOf" in schema:
            return self.any_of(schema, where)
        types = schema.get("type")
        if types is None:
            types = _implied_type(schema)
        if isinstance(types, list):
            if not types:
                raise UnsupportedSchema("type", where, "an empty list of types")
            options = [self.typed(schema, t, where, model=model) for t in types]
            return options[0] if len(options) == 1 else AnyOf(options)
        node = self.typed(schema, types, where, model=model)
        if schema.get("nullable") is True:
            return AnyOf([node, _NULL])
        return node

    def inner(self, schema: Any, where: str) -> Node:
        """The values inside a container: an unconstrained one (``{}``) is a scalar, so free
        maps nest two levels at most (their values may be objects or arrays of scalars)."""
        if schema is True or schema == {}:
            return Json(0, realistic=self.realistic)
        return self.node(schema, where)

    def ref(self, schema: Mapping[str, Any], where: str) -> Node:
        ref = schema["$ref"]
        others = set(schema) - _ANNOTATIONS - {"$ref"}
        if others:
            raise UnsupportedSchema("$ref", where, f"beside {', '.join(sorted(others))}")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise UnsupportedSchema("$ref", where, f"only local references, not {ref!r}")
        if ref in self.stack:
            raise UnsupportedSchema("$ref", where, f"recursive reference {ref}")
        if ref not in self.refs:
            target: Any = self.root
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, Mapping) or part not in target:
                    raise UnsupportedSchema("$ref", where, f"{ref} does not resolve")
                target = target[part]
            self.stack.append(ref)
            try:
                self.refs[ref] = self.node(target, ref, model=True)
            finally:
                self.stack.pop()
        return self.refs[ref]

    def any_of(self, schema: Mapping[str, Any], where: str) -> Node:
        others = set(schema) - _ANNOTATIONS - {"anyOf"}
        if others:
            raise UnsupportedSchema("anyOf", where, f"beside {', '.join(sorted(others))}")
        branches = schema["anyOf"]
        if not isinstance(branches, list) or not branches:
            raise UnsupportedSchema("anyOf", where, "must be a non-empty list")
        options = [self.node(b, f"{where}/anyOf/{i}") for i, b in enumerate(branches)]
        return options[0] if len(options) == 1 else _any_of(options)

    def typed(self, schema: Mapping[str, Any], kind: Any, where: str, *, model: bool) -> Node:
        if kind == "null":
            return _NULL
        if kind == "boolean":
            return Boolean()
        if kind == "integer":
            return self.integer(schema)
        if kind == "number":
            return self.number(schema)
        if kind == "string":
            return self.string(schema, where)
        if kind == "array":
            return self.array(schema, where)
        if kind == "object":
            return self.record(schema, where, model=model)
        if kind is None:
            return Json(1, realistic=self.realistic)
        raise UnsupportedSchema("type", where, f"unknown type {kind!r}")

    def integer(self, schema: Mapping[str, Any]) -> Node:
        lo, hi = _bounds(schema)
        ilo = None if lo is None else math.ceil(lo[0]) + (1 if lo[1] and lo[0] == int(lo[0]) else 0)
        ihi = (
            None if hi is None else math.floor(hi[0]) - (1 if hi[1] and hi[0] == int(hi[0]) else 0)
        )
        if self.realistic:
            if ilo is None and ihi is None:
                ilo, ihi = 0, 1000
            elif ilo is None:
                ilo = ihi - 1000 if ihi is not None else 0
            elif ihi is None:
                ihi = ilo + 1000
        return Integer(ilo, ihi)

    def number(self, schema: Mapping[str, Any]) -> Node:
        lo, hi = _bounds(schema)
        flo = None if lo is None else (math.nextafter(lo[0], math.inf) if lo[1] else float(lo[0]))
        fhi = None if hi is None else (math.nextafter(hi[0], -math.inf) if hi[1] else float(hi[0]))
        if not self.realistic:
            # "number" takes whole numbers too; a client must cope with 3 as well as 3.0.
            ilo = None if flo is None else math.ceil(flo)
            ihi = None if fhi is None else math.floor(fhi)
            if ilo is not None and ihi is not None and ilo > ihi:
                return Number(flo, fhi)
            return AnyOf([Number(flo, fhi), Integer(ilo, ihi)])
        if flo is None and fhi is None:
            return Number(0.0, 10000.0, places=2)
        if flo is None:
            flo = (fhi or 0.0) - 10000.0
        if fhi is None:
            fhi = flo + 10000.0
        # Rounded to cents only when the bounds leave room for a rounded value.
        return Number(flo, fhi, places=2 if fhi - flo >= 0.02 else None)

    def string(self, schema: Mapping[str, Any], where: str) -> Node:
        fmt = schema.get("format")
        if fmt is not None:
            if fmt not in FORMATS:
                raise UnsupportedSchema(f"format: {fmt}", where)
            return Format(fmt)
        min_size = int(schema.get("minLength", 0))
        max_size = schema.get("maxLength")
        return Text(
            min_size,
            None if max_size is None else int(max_size),
            "words" if self.realistic else "any",
        )

    def array(self, schema: Mapping[str, Any], where: str) -> Node:
        item = self.inner(schema.get("items", True), f"{where}/items")
        min_size = int(schema.get("minItems", 0))
        default_max = _REALISTIC_ARRAY_MAX if self.realistic else _WIDE_ARRAY_MAX
        if isinstance(item, (Record, AnyOf, Json, ArrayOf)):
            default_max = min(default_max, _NESTED_ARRAY_MAX)  # nested values: fewer of them
        max_size = int(schema.get("maxItems", max(default_max, min_size)))
        max_size = min(max_size, max(default_max, min_size))
        return ArrayOf(item, min_size, max_size)

    def record(self, schema: Mapping[str, Any], where: str, *, model: bool) -> Node:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = list(schema.get("required", []))
        fields = {
            name: self.node(sub, f"{where}/properties/{name}") for name, sub in properties.items()
        }
        extra_schema = schema.get("additionalProperties", True)
        extra: Node | None = None
        extra_keys: Node | None = None
        if extra_schema is not False and not (self.realistic and properties):
            extra = self.inner(extra_schema, f"{where}/additionalProperties")
            if properties:
                extra_keys = Choice([k for k in MODEL_EXTRA_KEYS if k not in properties])
        for name in required:
            if name not in fields:
                if extra_schema is False:
                    raise UnsupportedSchema("required", where, f"{name!r} is not a property")
                fields[name] = self.node(extra_schema, f"{where}/required/{name}")
        must = [(name, fields[name]) for name in fields if name in required or self.realistic]
        may = [
            (name, fields[name]) for name in fields if name not in required and not self.realistic
        ]
        return Record(
            must, may, extra=extra, extra_keys=extra_keys, max_extra=2 if properties or model else 3
        )


def _any_of(options: list[Node]) -> Node:
    """``AnyOf``, except that a choice among fixed values only (an enum or null: the shape of
    every nullable enum field) becomes one flat ``Choice``: each value, null included, is then
    as likely as any other, instead of null taking half of the draws."""
    if not all(isinstance(o, (Choice, Const)) for o in options):
        return AnyOf(options)
    values: list[Any] = []
    for option in options:
        assert isinstance(option, (Choice, Const))
        for value in option.values if isinstance(option, Choice) else (option.value,):
            if not any(value == v and type(value) is type(v) for v in values):
                values.append(value)
    return Choice(values)


def _has_type(value: Any, types: Any) -> bool:
    names = types if isinstance(types, list) else [types]
    checks = {
        "null": value is None,
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }
    return any(checks.get(name, False) for name in names)


def _implied_type(schema: Mapping[str, Any]) -> str | None:
    if {"properties", "required", "additionalProperties"} & set(schema):
        return "object"
    if {"items", "minItems", "maxItems"} & set(schema):
        return "array"
    if {"minLength", "maxLength", "format"} & set(schema):
        return "string"
    if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} & set(schema):
        return "number"
    return None


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


def compile_schema(schema: Any, *, realistic: bool) -> Node:
    """The generation plan of ``schema``: schema-wide, or ``realistic`` (all properties present,
    no unknown keys, words for text, moderate numbers). Raises :class:`UnsupportedSchema`."""
    root = schema if isinstance(schema, Mapping) else {}
    compiler = _Compiler(root, realistic=realistic)
    return compiler.node(schema, "$", model=True)
