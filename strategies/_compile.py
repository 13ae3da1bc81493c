"""Compiling a JSON Schema (draft 2020-12: what the contract and real extraction schemas use)
into a generation plan (:mod:`._nodes`).

The same compiler reads the committed schemas of ``contracts`` and a user's own extraction
schema (``data_schema=``). It knows ``type`` (one or a list), ``enum``, ``const``, local
``$ref`` (beside other keywords too), ``anyOf``, ``oneOf`` (a value exactly one branch accepts),
``allOf`` (merged, :mod:`._merge`); for strings ``minLength``/``maxLength``, ``pattern``
(:mod:`._regex`) and the formats ``uuid``, ``date-time``, ``date``, ``time``, ``email``,
``uri``, ``ipv4`` and ``duration``; for numbers ``minimum``/``maximum`` and their exclusive
forms and ``multipleOf``; for arrays ``items`` (or ``false``), ``prefixItems``,
``minItems``/``maxItems`` and ``uniqueItems``; for objects ``properties``, ``required``,
``additionalProperties``, ``patternProperties`` and ``minProperties``/``maxProperties``.
Annotations are ignored. Anything else raises :class:`UnsupportedSchema` naming the keyword, so
a value is never generated that the schema would reject.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from ._errors import UnsupportedSchema
from ._merge import ANNOTATIONS, merge_all
from ._nodes import (
    AnyOf,
    ArrayOf,
    Boolean,
    Choice,
    Const,
    Derived,
    Format,
    Integer,
    Json,
    Matching,
    Node,
    OneOf,
    Record,
    Text,
    unique_key,
)
from ._numbers import integer_node, number_node
from ._objects import ObjectRules, PatternKeys
from ._regex import read_pattern

__all__ = ["FORMATS", "MODEL_EXTRA_KEYS", "compile_schema", "makes_objects", "unsupported_keywords"]

FORMATS = frozenset({"uuid", "date-time", "date", "time", "email", "uri", "ipv4", "duration"})
"""The string formats the compiler generates (others are unsupported)."""

MODEL_EXTRA_KEYS = ("x_trace_id", "x_region", "x_note")
"""Names of the unknown fields added to model objects in schema-wide mode (clients must keep
them); never a published field name."""

_IMPLIED: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "object",
        frozenset(
            {
                "properties",
                "required",
                "additionalProperties",
                "patternProperties",
                "minProperties",
                "maxProperties",
            }
        ),
    ),
    ("array", frozenset({"items", "prefixItems", "minItems", "maxItems", "uniqueItems"})),
    ("string", frozenset({"minLength", "maxLength", "format", "pattern"})),
    (
        "number",
        frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}),
    ),
)
"""The keywords of each type: a schema with one of them and no ``type`` is of that type."""
_KEYWORDS = frozenset({"type", "enum", "const", "$ref", "anyOf", "oneOf", "allOf"}).union(
    *(keywords for _, keywords in _IMPLIED)
)
_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_WIDE_ARRAY_MAX = 6
_REALISTIC_ARRAY_MAX = 3
_NESTED_ARRAY_MAX = 3
_NULL = Const(None)
_FORMAT_LENGTH = (7, 64)  # every generated format value is 7 to 64 characters long
_SUBSCHEMAS = ("items", "additionalProperties")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")


def unsupported_keywords(schema: Any, where: str = "$") -> list[tuple[str, str]]:
    """Every ``(keyword, where)`` in ``schema`` that :func:`compile_schema` does not know."""
    found: list[tuple[str, str]] = []
    if isinstance(schema, Mapping):
        for key, value in schema.items():
            here = f"{where}/{key}"
            if key not in _KEYWORDS and key not in ANNOTATIONS:
                found.append((key, where))
            elif key == "format" and value not in FORMATS:
                found.append((f"format: {value}", where))
            elif key in _SCHEMA_MAPS and isinstance(value, Mapping):
                for name, sub in value.items():
                    found += unsupported_keywords(sub, f"{here}/{name}")
            elif key in _SUBSCHEMAS:
                found += unsupported_keywords(value, here)
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                for index, sub in enumerate(value):
                    found += unsupported_keywords(sub, f"{here}/{index}")
    return found


def makes_objects(node: Node) -> bool:
    """Whether every value of ``node`` is an object (a record, or one completed by rules)."""
    if isinstance(node, Derived):
        return isinstance(node.derive, ObjectRules) and makes_objects(node.base)
    if isinstance(node, (AnyOf, OneOf)):
        return all(makes_objects(o) for o in node.options)
    return isinstance(node, Record)


class _Compiler:
    def __init__(self, root: Mapping[str, Any], *, realistic: bool) -> None:
        self.root = root
        self.realistic = realistic
        self.refs: dict[str, Node] = {}
        self.stack: list[str] = []
        self.style = "words" if realistic else "any"

    def node(self, schema: Any, where: str, *, model: bool = False) -> Node:
        if schema is True or schema == {}:
            return Json(1, realistic=self.realistic)
        if schema is False:
            raise UnsupportedSchema("false", where, "a schema that accepts nothing")
        if not isinstance(schema, Mapping):
            raise UnsupportedSchema(type(schema).__name__, where, "a schema must be an object")
        for key in schema:
            if key not in _KEYWORDS and key not in ANNOTATIONS:
                raise UnsupportedSchema(key, where)
        if "$ref" in schema and set(schema) - ANNOTATIONS == {"$ref"}:
            return self.ref(schema, where)
        if "$ref" in schema or "allOf" in schema:  # merged into one schema first
            merged = merge_all([schema], self.lookup, where)
            if merged is False:
                raise UnsupportedSchema("allOf", where, "the merged schema accepts nothing")
            return self.node(merged, where, model=model)
        if "const" in schema or "enum" in schema:
            return self.fixed(schema, where)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self.branches(schema, key, where)
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

    def lookup(self, ref: Any, where: str) -> Mapping[str, Any]:
        """The schema a local ``$ref`` points at."""
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise UnsupportedSchema("$ref", where, f"only local references, not {ref!r}")
        target: Any = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                raise UnsupportedSchema("$ref", where, f"{ref} does not resolve")
            target = target[part]
        if not isinstance(target, Mapping):
            raise UnsupportedSchema("$ref", where, f"{ref} is not a schema object")
        return target

    def ref(self, schema: Mapping[str, Any], where: str) -> Node:
        ref = schema["$ref"]
        if ref in self.stack:
            raise UnsupportedSchema("$ref", where, f"recursive reference {ref}")
        if ref not in self.refs:
            target = self.lookup(ref, where)
            self.stack.append(ref)
            try:
                self.refs[ref] = self.node(target, ref, model=True)
            finally:
                self.stack.pop()
        return self.refs[ref]

    def validator(self, schema: Any) -> Callable[[Any], bool]:
        """python-jsonschema's verdict under ``schema`` (local references resolved against the
        root); formats are annotations here, the most permissive reading."""
        from jsonschema import Draft202012Validator

        check = Draft202012Validator(self.root).evolve(schema=schema)
        return check.is_valid

    def fixed(self, schema: Mapping[str, Any], where: str) -> Node:
        """``const`` or ``enum``: the values that also fit the rest of the schema."""
        keyword = "const" if "const" in schema else "enum"
        values = [schema["const"]] if keyword == "const" else list(schema["enum"])
        if "type" in schema:
            values = [v for v in values if _has_type(v, schema["type"])]
        if set(schema) - ANNOTATIONS - {"type", "enum", "const"}:
            valid = self.validator(schema)
            values = [v for v in values if valid(v)]
        if not values:
            raise UnsupportedSchema(keyword, where, "no value of it fits the rest of the schema")
        return Const(values[0]) if keyword == "const" else Choice(values)

    def branches(self, schema: Mapping[str, Any], key: str, where: str) -> Node:
        branches = schema[key]
        if not isinstance(branches, list) or not branches:
            raise UnsupportedSchema(key, where, "must be a non-empty list")
        rest = {k: v for k, v in schema.items() if k != key}
        schemas = list(branches)
        if set(rest) - ANNOTATIONS:  # keywords beside the branches apply to each of them
            schemas = [
                merge_all([rest, b], self.lookup, f"{where}/{key}/{i}")
                for i, b in enumerate(branches)
            ]
            if key == "anyOf":
                schemas = [b for b in schemas if b is not False] or [False]
        if key == "oneOf" and self.realistic:
            schemas = self.apart(schemas, where)
        options = [self.node(b, f"{where}/{key}/{i}") for i, b in enumerate(schemas)]
        if key == "anyOf" or len(options) == 1:
            return options[0] if len(options) == 1 else _any_of(options)
        checks = [self.validator(b) for b in branches]

        def others(index: int) -> Callable[[Any], bool]:
            rivals = [check for i, check in enumerate(checks) if i != index]
            return lambda value: any(rival(value) for rival in rivals)

        node = OneOf(options, [others(i) for i in range(len(options))], where)
        _probe(node)
        return node

    def apart(self, schemas: list[Any], where: str) -> list[Any]:
        """oneOf branches for realistic objects (which carry every property they name): a
        branch leaves out the properties that only other branches require, so a value of one
        branch is not also a value of another (``oneOf: [{required: [a]}, {required: [b]}]``)."""
        flat = [merge_all([b], self.lookup, f"{where}/oneOf/{i}") for i, b in enumerate(schemas)]
        required = [set(b.get("required", ())) if isinstance(b, Mapping) else set() for b in flat]
        out = []
        for index, branch in enumerate(flat):
            others = set().union(*(r for i, r in enumerate(required) if i != index))
            drop = others - required[index]
            if isinstance(branch, Mapping) and drop & set(branch.get("properties", {})):
                properties = {k: v for k, v in branch["properties"].items() if k not in drop}
                branch = {**branch, "properties": properties}
            out.append(branch)
        return out

    def typed(self, schema: Mapping[str, Any], kind: Any, where: str, *, model: bool) -> Node:
        if kind == "null":
            return _NULL
        if kind == "boolean":
            return Boolean()
        if kind == "integer":
            return integer_node(schema, where, realistic=self.realistic)
        if kind == "number":
            return number_node(schema, where, realistic=self.realistic)
        if kind == "string":
            return self.string(schema, where)
        if kind == "array":
            return self.array(schema, where)
        if kind == "object":
            return self.record(schema, where, model=model)
        if kind is None:
            return Json(1, realistic=self.realistic)
        raise UnsupportedSchema("type", where, f"unknown type {kind!r}")

    def string(self, schema: Mapping[str, Any], where: str) -> Node:
        fmt = schema.get("format")
        min_size = int(schema.get("minLength", 0))
        max_size = schema.get("maxLength")
        if fmt is not None:
            if fmt not in FORMATS:
                raise UnsupportedSchema(f"format: {fmt}", where)
            if "pattern" in schema:
                raise UnsupportedSchema("pattern", where, f"beside format: {fmt}")
            if min_size > _FORMAT_LENGTH[0] or (
                max_size is not None and max_size < _FORMAT_LENGTH[1]
            ):
                keyword = "minLength" if min_size > _FORMAT_LENGTH[0] else "maxLength"
                raise UnsupportedSchema(keyword, where, f"beside format: {fmt}")
            return Format(fmt)
        if "pattern" in schema:
            regex = read_pattern(schema["pattern"], f"{where}/pattern")
            node = Matching(
                regex, min_size, None if max_size is None else int(max_size), self.style
            )
            _probe(node)
            return node
        return Text(min_size, None if max_size is None else int(max_size), self.style)

    def array(self, schema: Mapping[str, Any], where: str) -> Node:
        prefix = [
            self.inner(sub, f"{where}/prefixItems/{i}")
            for i, sub in enumerate(schema.get("prefixItems", []))
        ]
        items = schema.get("items", True)
        item = None if items is False else self.inner(items, f"{where}/items")
        min_size = int(schema.get("minItems", 0))
        if self.realistic and item is None:
            min_size = max(min_size, len(prefix))
        default_max = _REALISTIC_ARRAY_MAX if self.realistic else _WIDE_ARRAY_MAX
        if any(_bulky(n) for n in [*prefix, *([item] if item is not None else [])]):
            default_max = min(default_max, _NESTED_ARRAY_MAX)  # nested values: fewer of them
        default_max = max(default_max, min_size, len(prefix) if self.realistic else 0)
        max_size = min(int(schema.get("maxItems", default_max)), default_max)
        if item is None and min_size > len(prefix):
            raise UnsupportedSchema(
                "minItems", where, f"{min_size} items, but only {len(prefix)} (items: false)"
            )
        unique = schema.get("uniqueItems") is True
        if unique and item is not None and not prefix:
            choices = _few_values(item)
            if choices is not None and choices < min_size:
                raise UnsupportedSchema(
                    "uniqueItems", where, f"{min_size} distinct items of only {choices} values"
                )
        return ArrayOf(item, min_size, max_size, prefix=prefix, unique=unique)

    def record(self, schema: Mapping[str, Any], where: str, *, model: bool) -> Node:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = list(schema.get("required", []))
        patterns: Mapping[str, Any] = schema.get("patternProperties", {})
        regexes = {p: read_pattern(p, f"{where}/patternProperties") for p in patterns}

        def schema_of(name: str, own: Any) -> Any:
            """A property's schema, with those of the patterns its name matches."""
            matching = [patterns[p] for p, r in regexes.items() if r.accepts(name)]
            if not matching:
                return own
            return merge_all([own, *matching], self.lookup, f"{where}/properties/{name}")

        fields = {
            name: self.node(schema_of(name, sub), f"{where}/properties/{name}")
            for name, sub in properties.items()
        }
        extra_schema = schema.get("additionalProperties", True)
        extra: Node | None = None
        extra_keys: Node | None = None
        if extra_schema is not False and not (self.realistic and (properties or patterns)):
            extra = self.inner(extra_schema, f"{where}/additionalProperties")
            if properties:
                extra_keys = Choice([k for k in MODEL_EXTRA_KEYS if k not in properties])
        for name in required:
            if name not in fields:
                own = True if any(r.accepts(name) for r in regexes.values()) else extra_schema
                if own is False:
                    raise UnsupportedSchema("required", where, f"{name!r} is not a property")
                fields[name] = self.node(schema_of(name, own), f"{where}/required/{name}")
        must = [(name, fields[name]) for name in fields if name in required or self.realistic]
        may = [
            (name, fields[name]) for name in fields if name not in required and not self.realistic
        ]
        record = Record(
            must, may, extra=extra, extra_keys=extra_keys, max_extra=2 if properties or model else 3
        )
        min_size = int(schema.get("minProperties", 0))
        max_size = schema.get("maxProperties")
        most = len(fields) + (record.max_extra if extra is not None else 0)
        if not patterns and min_size <= len(must) and (max_size is None or max_size >= most):
            return record
        if max_size is not None and len(set(required)) > max_size:
            raise UnsupportedSchema(
                "maxProperties", where, f"{len(set(required))} required keys, at most {max_size}"
            )
        open_ended = bool(patterns) or extra_schema is not False
        if min_size > len(fields) and not open_ended:
            raise UnsupportedSchema(
                "minProperties", where, f"{min_size} keys, but only {len(fields)} are allowed"
            )
        groups = tuple(
            PatternKeys(
                Matching(regex, 1, None, self.style),
                self.inner(patterns[p], f"{where}/patternProperties/{p}"),
                Integer(1, 2) if self.realistic else Integer(0, 2),
            )
            for p, regex in regexes.items()
        )
        filler = None
        if extra_schema is not False:
            filler_value = extra or self.inner(extra_schema, f"{where}/additionalProperties")
            filler = (Text(1, 12, self.style), filler_value)
        rules = ObjectRules(
            named=frozenset(fields),
            required=frozenset(required),
            optional=tuple((n, f) for n, f in fields.items() if n not in required),
            patterns=groups,
            filler=filler,
            min_size=min_size,
            max_size=None if max_size is None else int(max_size),
            where=where,
        )
        node = Derived(record, rules)
        _probe(node)
        return node


def _probe(node: Node) -> None:
    """Draws one value with the seeded sampler, so a schema no value can be found for (an
    impossible pattern, oneOf, size) is refused when compiled, for both interpreters."""
    from ._sample import sampler

    sampler(node)(random.Random(0))


def _bulky(node: Node) -> bool:
    return isinstance(node, (Record, AnyOf, OneOf, Json, ArrayOf, Derived))


def _few_values(node: Node) -> int | None:
    """How many distinct values ``node`` makes, when it makes only a few fixed ones."""
    if isinstance(node, Choice):
        return len({unique_key(v) for v in node.values})
    if isinstance(node, Const):
        return 1
    if isinstance(node, Boolean):
        return 2
    return None


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
    for kind, keywords in _IMPLIED:
        if keywords & set(schema):
            return kind
    return None


def compile_schema(schema: Any, *, realistic: bool) -> Node:
    """The generation plan of ``schema``: schema-wide, or ``realistic`` (all properties present,
    no unknown keys, words for text, moderate numbers). Raises :class:`UnsupportedSchema`."""
    root = schema if isinstance(schema, Mapping) else {}
    compiler = _Compiler(root, realistic=realistic)
    return compiler.node(schema, "$", model=True)
